import { BitcoinError, BitcoinErrorCode } from '../errors.js';
import { decodeCompact, encodeCompact } from '../primitives/target.js';
import { difficultyAdjustmentInterval, type ChainParams } from '../params.js';
import { ancestor, medianTimePast, type ChainView, type HeaderInfo } from './chain-view.js';

// The reference node computes targets in arith_uint256: every step wraps modulo 2^256.
const U256 = (1n << 256n) - 1n;

/** Blocks in the DAA window. */
export const DAA_WINDOW = 144;

/**
 * nBits required of the block after `prev` (null for the genesis block) whose header
 * time is `blockTime`, exactly as bitcoin-sv's GetNextWorkRequired:
 * - regtest (`powNoRetargeting`): the parent's bits;
 * - from `daaHeight` on (parent height ≥ daaHeight): the 144-block chainwork DAA;
 * - below it: the legacy 2016-block retarget, plus testnet's 20-minute minimum-difficulty
 *   rule, or elsewhere the emergency adjustment (EDA). SV applies the EDA at every height
 *   below daaHeight, not only after the August 2017 fork.
 */
export function getNextWorkRequired(prev: HeaderInfo | null, blockTime: number, chain: ChainView, params: ChainParams): number {
  if (prev === null) return params.powLimitBits;
  if (params.powNoRetargeting) return prev.bits;
  if (prev.height >= params.daaHeight) return getNextCashWorkRequired(prev, blockTime, chain, params);
  return getNextEdaWorkRequired(prev, blockTime, chain, params);
}

/** Legacy retarget at a 2016-block boundary plus, between boundaries, testnet's rule or the EDA. */
export function getNextEdaWorkRequired(prev: HeaderInfo, blockTime: number, chain: ChainView, params: ChainParams): number {
  const interval = difficultyAdjustmentInterval(params);
  const height = prev.height + 1;
  if (height % interval === 0) {
    const first = ancestor(chain, height - interval);
    return calculateNextWorkRequired(prev, first.time, params);
  }

  const limitBits = params.powLimitBits;
  if (params.powAllowMinDifficultyBlocks) {
    // Testnet: a block more than twice the spacing after its parent may be minimum difficulty;
    // otherwise the last block that was not mined under that exception sets the bits.
    if (blockTime > prev.time + 2 * params.powTargetSpacing) return limitBits;
    let b = prev;
    while (b.height !== 0 && b.height % interval !== 0 && b.bits === limitBits) b = ancestor(chain, b.height - 1);
    return b.bits;
  }

  if (prev.bits === limitBits) return limitBits;

  // EDA: when the last six blocks took more than 12 hours (by median time past), lower
  // the difficulty by 20% (target + target/4).
  const six = ancestor(chain, height - 7);
  const mtpSpan = medianTimePast(chain, prev.height) - medianTimePast(chain, six.height);
  if (mtpSpan < 12 * 3600) return prev.bits;
  let target = decodeCompact(prev.bits).target;
  target = (target + (target >> 2n)) & U256;
  if (target > params.powLimit) target = params.powLimit;
  return encodeCompact(target);
}

/**
 * The legacy 2016-block retarget (CalculateNextWorkRequired): the parent's target scaled
 * by the interval's actual timespan, clamped to [timespan/4, timespan×4], capped at powLimit.
 */
export function calculateNextWorkRequired(prev: HeaderInfo, firstBlockTime: number, params: ChainParams): number {
  if (params.powNoRetargeting) return prev.bits;
  const span = params.powTargetTimespan;
  let actual = prev.time - firstBlockTime;
  if (actual < Math.trunc(span / 4)) actual = Math.trunc(span / 4);
  if (actual > span * 4) actual = span * 4;
  let target = decodeCompact(prev.bits).target;
  target = (target * BigInt(actual)) & U256;
  target = target / BigInt(span);
  if (target > params.powLimit) target = params.powLimit;
  return encodeCompact(target);
}

/**
 * The November 2017 DAA (GetNextCashWorkRequired): work done between the median-of-three
 * blocks at the ends of a 144-block window, over the time it took clamped to
 * [72, 288] × spacing, gives the next target. Testnet keeps its 20-minute rule.
 */
export function getNextCashWorkRequired(prev: HeaderInfo, blockTime: number, chain: ChainView, params: ChainParams): number {
  if (params.powAllowMinDifficultyBlocks && blockTime > prev.time + 2 * params.powTargetSpacing) return params.powLimitBits;
  const interval = difficultyAdjustmentInterval(params);
  if (prev.height < interval) {
    throw new BitcoinError(
      BitcoinErrorCode.OutOfRange,
      `the DAA needs a parent at height ${interval} or more, got ${prev.height}`,
      'prev.height',
    );
  }
  const last = suitableBlock(prev, chain);
  const first = suitableBlock(ancestor(chain, prev.height - DAA_WINDOW), chain);
  const target = computeDaaTarget(first, last, params);
  if (target > params.powLimit) return params.powLimitBits;
  return encodeCompact(target);
}

/** Median by time of a block and its two parents, chosen with the reference node's sorting network. */
export function suitableBlock(block: HeaderInfo, chain: ChainView): HeaderInfo {
  if (block.height < 3) {
    throw new BitcoinError(BitcoinErrorCode.OutOfRange, `needs a block at height 3 or more, got ${block.height}`, 'block.height');
  }
  let b2 = block;
  let b1 = ancestor(chain, block.height - 1);
  let b0 = ancestor(chain, block.height - 2);
  // The order of these swaps decides which of equal-time blocks is picked: keep it.
  if (b0.time > b2.time) [b0, b2] = [b2, b0];
  if (b0.time > b1.time) [b0, b1] = [b1, b0];
  if (b1.time > b2.time) [b1, b2] = [b2, b1];
  return b1;
}

/** Target from the work and time between two blocks (ComputeTarget). */
export function computeDaaTarget(first: HeaderInfo, last: HeaderInfo, params: ChainParams): bigint {
  if (last.height <= first.height) {
    throw new BitcoinError(BitcoinErrorCode.InvalidArgument, `last (${last.height}) must be above first (${first.height})`, 'last.height');
  }
  let work = (last.chainWork - first.chainWork) & U256;
  work = (work * BigInt(params.powTargetSpacing)) & U256;
  let actual = last.time - first.time;
  if (actual > 288 * params.powTargetSpacing) actual = 288 * params.powTargetSpacing;
  else if (actual < 72 * params.powTargetSpacing) actual = 72 * params.powTargetSpacing;
  work = work / BigInt(actual);
  if (work === 0n) throw new BitcoinError(BitcoinErrorCode.InvalidTarget, 'no work between the window ends', 'chainWork');
  // (2^256 − W) / W, the largest target whose expected work is W.
  return ((-work) & U256) / work;
}
