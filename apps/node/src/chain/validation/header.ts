import { type BlockHeader, type ChainParams, checkProofOfWork, type Hash32, hex32 } from '@metamorph/bitcoin';
import { reject, type Rejection } from './rejection.js';
import { MAX_FUTURE_BLOCK_TIME } from './consensus.js';

/** Context-free header check: the hash meets the target nBits claims (CheckBlockHeader). */
export function checkBlockHeader(hash: Hash32, header: BlockHeader, params: ChainParams): Rejection | null {
  if (!checkProofOfWork(hash, header.bits, params.powLimit)) return reject('high-hash', 'proof of work failed');
  return null;
}

export interface HeaderContext {
  /** Height of the block being checked. */
  height: number;
  /** Median time past of its parent. */
  prevMedianTimePast: number;
  /** nBits the difficulty rules require of it. */
  expectedBits: number;
  /** The node's clock, seconds. */
  adjustedTime: number;
}

/** Checks against the parent (ContextualCheckBlockHeader): difficulty, timestamps, obsolete versions. */
export function contextualCheckBlockHeader(header: BlockHeader, ctx: HeaderContext, params: ChainParams): Rejection | null {
  if (header.bits !== ctx.expectedBits) {
    return reject('bad-diffbits', `incorrect proof of work: nBits ${hex32(header.bits)}, expected ${hex32(ctx.expectedBits)}`);
  }
  if (header.time <= ctx.prevMedianTimePast) {
    return reject('time-too-old', `block's timestamp ${header.time} is not after the median time past ${ctx.prevMedianTimePast}`);
  }
  if (header.time > ctx.adjustedTime + MAX_FUTURE_BLOCK_TIME) {
    return reject('time-too-new', `block timestamp ${header.time} is more than ${MAX_FUTURE_BLOCK_TIME} s ahead of ${ctx.adjustedTime}`);
  }
  const h = ctx.height;
  if ((header.version < 2 && h >= params.bip34Height) || (header.version < 3 && h >= params.bip66Height) || (header.version < 4 && h >= params.bip65Height)) {
    return reject(`bad-version(0x${hex32(header.version)})`, `rejected nVersion=0x${hex32(header.version)} block`);
  }
  return null;
}

