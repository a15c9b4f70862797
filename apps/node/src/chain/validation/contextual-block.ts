import { coinbaseCommitsToHeight, type ChainParams } from '@metamorph/bitcoin';
import type { ParsedBlock } from '../parsed-block.js';
import { reject, type Rejection } from './rejection.js';
import { isFinalTx } from './transaction.js';

export interface BlockContext {
  height: number;
  prevMedianTimePast: number;
  maxBlockSize: number;
}

/** Checks against the chain the block extends (ContextualCheckBlock): size, finality, BIP34 height. */
export function contextualCheckBlock(p: ParsedBlock, ctx: BlockContext, params: ChainParams): Rejection | null {
  if (p.raw.length > ctx.maxBlockSize) return reject('bad-blk-length', `block is ${p.raw.length} bytes, above ${ctx.maxBlockSize}`);
  // BIP113 (with CSV): lock times compare against the parent's median time past.
  const cutoff = ctx.height >= params.csvHeight ? ctx.prevMedianTimePast : p.block.header.time;
  for (const [i, tx] of p.block.txs.entries()) {
    if (!isFinalTx(tx, ctx.height, cutoff)) return reject('bad-txns-nonfinal', `transaction ${i} is not final`);
  }
  if (ctx.height >= params.bip34Height && !coinbaseCommitsToHeight(p.block.txs[0].inputs[0].script, ctx.height)) {
    return reject('bad-cb-height', `block height mismatch in coinbase: expected ${ctx.height}`);
  }
  return null;
}
