import { randomInt } from 'node:crypto';

/** SV Node's DEFAULT_MIN_RELAY_TX_FEE (satoshis per kB), the base of its fee filter buckets. */
const DEFAULT_MIN_RELAY_TX_FEE = 250;
/** policy/fees.h: the highest bucket and the spacing between buckets. */
const MAX_FEERATE = 10_000_000;
const FEE_SPACING = 1.1;

/** SV Node's FeeFilterRounder buckets: 0, then 125 sat/kB growing by 10% (as doubles, truncated) up to 0.1 BSV/kB. */
const BUCKETS: bigint[] = (() => {
  const out = [0n];
  for (let b = Math.max(1, DEFAULT_MIN_RELAY_TX_FEE / 2); b <= MAX_FEERATE; b *= FEE_SPACING) out.push(BigInt(Math.trunc(b)));
  return out;
})();

/** What SV Node announces while in initial block download: 1 BSV/kB, rounded (9,577,383 sat/kB). */
export const IBD_FEE_FILTER_INPUT = 100_000_000n;

/** Mean time between fee filter checks (AVG_FEEFILTER_BROADCAST_INTERVAL, 10 minutes). */
export const FEE_FILTER_INTERVAL_MS = 10 * 60 * 1000;
/** A big change goes out within this long instead (MAX_FEEFILTER_CHANGE_DELAY, 1 minute). */
export const FEE_FILTER_CHANGE_DELAY_MS = 60 * 1000;

/**
 * A fee rate rounded to a bucket as SV Node's FeeFilterRounder does, so the filter does not
 * reveal the mempool's exact minimum: the bucket at or above it, or (two times in three,
 * or when it is above every bucket) the one below.
 */
export function roundFeeFilter(feePerKb: bigint, pick: () => number = () => randomInt(3)): bigint {
  let i = BUCKETS.findIndex((b) => b >= feePerKb);
  if (i === -1) i = BUCKETS.length;
  if (i === BUCKETS.length || (i > 0 && pick() !== 0)) i--;
  return BUCKETS[i];
}

/** PoissonNextSend: the next time, after `now`, of a Poisson process with mean interval `meanMs`. */
export function poissonNext(now: number, meanMs: number, uniform: () => number = Math.random): number {
  return now + Math.round(-Math.log1p(-uniform()) * meanMs);
}
