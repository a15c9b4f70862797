import { merkleRootWithMutation, equalBytes, type ChainParams } from '@metamorph/bitcoin';
import type { ParsedBlock } from '../parsed-block.js';
import { checkBlockHeader } from './header.js';
import { reject, type Rejection } from './rejection.js';
import { MIN_TRANSACTION_SIZE, isGenesisActive, maxBlockSigOpsBeforeGenesis } from './consensus.js';
import { checkCoinbase, checkRegularTransaction } from './transaction.js';
import { transactionLegacySigOps } from './sigops.js';

export interface CheckBlockOptions {
  /** Height the block would have (its parent's plus one). */
  height: number;
  maxBlockSize: number;
  /** False for template proposals, which carry no proof of work yet. */
  checkPoW: boolean;
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

  const coinbase = checkCoinbase(block.txs[0], p.txSizes[0], params, opts.height);
  if (coinbase) return coinbase;

  const countSigOps = !isGenesisActive(params, opts.height);
  const maxSigOps = maxBlockSigOpsBeforeGenesis(p.raw.length);
  let sigOps = 0;
  for (let i = 0; i < block.txs.length; i++) {
    if (i > 0) {
      const tx = checkRegularTransaction(block.txs[i], p.txSizes[i], params, opts.height);
      if (tx) return { ...tx, debug: `transaction ${i}: ${tx.debug}` };
    }
    if (countSigOps) {
      sigOps += transactionLegacySigOps(block.txs[i]);
      if (sigOps > maxSigOps) return reject('bad-blk-sigops', `more than ${maxSigOps} signature operations`);
    }
  }
  return null;
}
