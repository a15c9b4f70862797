import { DIFF1_TARGET, hashToBigInt, targetForDifficulty } from '@metamorph/bitcoin';

const SCALE_DIGITS = 12;
const SCALE = 10n ** BigInt(SCALE_DIGITS);
/** Largest value a DECIMAL(60,12) column holds. */
const MAX_STORED = 10n ** 60n - 1n;

/**
 * Pool difficulties are multiples of 1e-8 (what `targetForDifficulty` is exact to), rounded to
 * 3 significant digits so vardiff values stay readable.
 */
export function normalizeDifficulty(d: number, min: number, max: number): number {
  let v = Number(d.toPrecision(3));
  v = Math.round(v * 1e8) / 1e8;
  return Math.min(max, Math.max(min, v, 1e-8));
}

function scaledToDecimal(scaled: bigint): string {
  const whole = scaled / SCALE;
  const frac = (scaled % SCALE).toString().padStart(SCALE_DIGITS, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : whole.toString();
}

/** An assigned difficulty as an exact decimal string (no exponent), as stored. */
export function difficultyToDecimal(d: number): string {
  return scaledToDecimal(BigInt(Math.round(d * 1e8)) * 10n ** 4n);
}

/** The difficulty a header hash reached (DIFF1 / hash), as a decimal string with at most 12 fractional digits. */
export function hashDifficultyDecimal(hash: Uint8Array): string {
  return valueDifficultyDecimal(hashToBigInt(hash));
}

/** The difficulty a 256-bit hash value reached, as a decimal string with at most 12 fractional digits. */
export function valueDifficultyDecimal(h: bigint): string {
  const scaled = h === 0n ? MAX_STORED : (DIFF1_TARGET * SCALE) / h;
  return scaledToDecimal(scaled > MAX_STORED ? MAX_STORED : scaled);
}

/** The difficulty a target stands for (DIFF1 / target), as a decimal string with at most 12 fractional digits. */
export function targetDifficultyDecimal(target: bigint): string {
  const scaled = target === 0n ? MAX_STORED : (DIFF1_TARGET * SCALE) / target;
  return scaledToDecimal(scaled > MAX_STORED ? MAX_STORED : scaled);
}

// Connections share a handful of difficulties: their targets and decimal strings are computed once.
const CACHE_LIMIT = 4096;
const targets = new Map<number, bigint>();
const decimals = new Map<number, string>();

function remember<T>(cache: Map<number, T>, d: number, make: (d: number) => T): T {
  let v = cache.get(d);
  if (v === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(d, (v = make(d)));
  }
  return v;
}

/** `targetForDifficulty`, cached. */
export function shareTarget(difficulty: number): bigint {
  return remember(targets, difficulty, targetForDifficulty);
}

/** `difficultyToDecimal`, cached. */
export function difficultyDecimal(difficulty: number): string {
  return remember(decimals, difficulty, difficultyToDecimal);
}
