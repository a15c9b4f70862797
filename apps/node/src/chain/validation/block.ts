import {
  checkCoinbase,
  checkRegularTransaction,
  countSigOps,
  equalBytes,
  isGenesisActive,
  merkleRootWithMutation,
  protocolEra,
  type ChainParams,
  type ProtocolEra,
  type Transaction,
} from '@metamorph/bitcoin';
import type { ParsedBlock } from '../parsed-block.js';
import { checkBlockHeader } from './header.js';
import { reject, type Rejection } from './rejection.js';
import { MIN_TRANSACTION_SIZE, maxBlockSigOpsBeforeGenesis } from './consensus.js';
import { txRejection } from './transaction.js';

export interface CheckBlockOptions {
  /** Height the block would have (its parent's plus one). */
  height: number;
  maxBlockSize: number;
  /** False for template proposals, which carry no proof of work yet. */
  checkPoW: boolean;
}

/** Legacy (pre-Genesis) sigops of a transaction's scripts; undefined when a script cannot be counted. */
function legacySigOps(tx: Transaction, era: ProtocolEra): number | undefined {
  let n = 0;
  for (const script of [...tx.inputs.map((i) => i.script), ...tx.outputs.map((o) => o.script)]) {
    const c = countSigOps(script, false, era);
    if (c.error) return undefined;
    n += c.count;
  }
  return n;
}

/**
 * Checks that need no chain state (CheckBlock): proof of work, merkle root and its
 * CVE-2012-2459 mutation, size, the coinbase, and each transaction on its own.
 */
export function checkBlock(p: ParsedBlock, params: ChainParams, opts: CheckBlockOptions): Rejection | null {
  const { block } = p;
  if (opts.checkPoW) {
    const header = checkBlockHeader(p.hash, block.header, params);
    if (header) return header;
  }

  const { root, mutated } = merkleRootWithMutation(p.txids);
  if (!equalBytes(root, block.header.merkleRoot)) return reject('bad-txnmrklroot', 'hashMerkleRoot mismatch', true);
  if (mutated) return reject('bad-txns-duplicate', 'duplicate transaction', true);

  if (block.txs.length === 0) return reject('bad-cb-missing', 'first tx is not coinbase');
  if (block.txs.length > Math.floor(opts.maxBlockSize / MIN_TRANSACTION_SIZE)) {
    return reject('bad-blk-length', `${block.txs.length} transactions cannot fit in ${opts.maxBlockSize} bytes`);
  }
  if (p.raw.length > opts.maxBlockSize) return reject('bad-blk-length', `block is ${p.raw.length} bytes, above ${opts.maxBlockSize}`);

  const era = protocolEra(params, opts.height);
  const coinbase = txRejection(checkCoinbase(block.txs[0], { era, size: p.txSizes[0] }), 0);
  if (coinbase) return coinbase;

  const countBlockSigOps = !isGenesisActive(era);
  const maxSigOps = maxBlockSigOpsBeforeGenesis(p.raw.length);
  let sigOps = 0;
  for (let i = 0; i < block.txs.length; i++) {
    if (i > 0) {
      const tx = txRejection(checkRegularTransaction(block.txs[i], { era, size: p.txSizes[i] }), i);
      if (tx) return tx;
    }
    if (countBlockSigOps) {
      const n = legacySigOps(block.txs[i], era);
      if (n === undefined || (sigOps += n) > maxSigOps) return reject('bad-blk-sigops', `more than ${maxSigOps} signature operations`);
    }
  }
  return null;
}
