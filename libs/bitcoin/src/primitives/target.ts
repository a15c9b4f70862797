import { bytesToBigIntLE } from '../bytes.js';
import { BitcoinError, BitcoinErrorCode } from '../errors.js';

export interface DecodedCompact {
  target: bigint;
  negative: boolean;
  overflow: boolean;
}

const U256_MASK = (1n << 256n) - 1n;

/**
 * nBits (compact) to a target, reporting the sign and overflow flags as the reference
 * node's arith_uint256::SetCompact does — including its truncation to 256 bits when
 * the exponent overflows.
 */
export function decodeCompact(bits: number): DecodedCompact {
  checkBits(bits);
  const size = bits >>> 24;
  let word = bits & 0x007fffff;
  let target: bigint;
  if (size <= 3) {
    word >>>= 8 * (3 - size);
    target = BigInt(word);
  } else {
    target = (BigInt(word) << BigInt(8 * (size - 3))) & U256_MASK;
  }
  const negative = word !== 0 && (bits & 0x00800000) !== 0;
  const overflow = word !== 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32));
  return { target, negative, overflow };
}

function checkBits(bits: number): void {
  if (!Number.isInteger(bits) || bits < 0 || bits > 0xffffffff) {
    throw new BitcoinError(BitcoinErrorCode.OutOfRange, `nBits must be a 32-bit unsigned integer, got ${bits}`, 'bits');
  }
}

/**
 * Target to nBits (compact), rounding down as the reference node's
 * arith_uint256::GetCompact does; `negative` sets the sign bit of a non-zero mantissa.
 */
export function encodeCompact(target: bigint, negative = false): number {
  if (target < 0n) throw new BitcoinError(BitcoinErrorCode.InvalidTarget, 'negative target', 'target');
  if (target > U256_MASK) throw new BitcoinError(BitcoinErrorCode.InvalidTarget, 'target does not fit in 256 bits', 'target');
  let size = byteLength(target);
  let compact: number;
  if (size <= 3) {
    compact = Number(target << BigInt(8 * (3 - size)));
  } else {
    compact = Number(target >> BigInt(8 * (size - 3)));
  }
  if (compact & 0x00800000) {
    compact >>>= 8;
    size++;
  }
  let out = ((size << 24) | compact) >>> 0;
  if (negative && (compact & 0x007fffff) !== 0) out = (out | 0x00800000) >>> 0;
  return out;
}

function byteLength(n: bigint): number {
  let size = 0;
  while (n > 0n) {
    n >>= 8n;
    size++;
  }
  return size;
}

/** Alias of `encodeCompact` under the name pools use. */
export function targetToBits(target: bigint): number {
  return encodeCompact(target);
}

/** The target nBits stands for, refusing negative, zero and overflowing encodings. */
export function targetFromBits(bits: number): bigint {
  const { target, negative, overflow } = decodeCompact(bits);
  if (negative || overflow || target === 0n) {
    throw new BitcoinError(BitcoinErrorCode.InvalidTarget, `nBits 0x${bits.toString(16).padStart(8, '0')} is not a valid target`, 'bits');
  }
  return target;
}

/** The header hash (internal byte order) read as the little-endian 256-bit number PoW compares. */
export function hashToBigInt(hash: Uint8Array): bigint {
  return bytesToBigIntLE(hash);
}

/** Proof-of-work check as consensus does: a valid target not above the limit, and hash ≤ target. */
export function checkProofOfWork(hash: Uint8Array, bits: number, powLimit: bigint): boolean {
  if (!Number.isInteger(bits) || bits < 0 || bits > 0xffffffff) return false;
  const { target, negative, overflow } = decodeCompact(bits);
  if (negative || overflow || target === 0n || target > powLimit) return false;
  return hashToBigInt(hash) <= target;
}

const TWO_256 = 1n << 256n;

/**
 * Work of one block, as the reference node's GetBlockProof: 2^256 / (target + 1), and 0
 * for a negative, zero or overflowing nBits. A chain's chainwork is the sum over its
 * blocks.
 */
export function blockProof(bits: number): bigint {
  const { target, negative, overflow } = decodeCompact(bits);
  if (negative || overflow || target === 0n) return 0n;
  return TWO_256 / (target + 1n);
}

/** Difficulty-1 target used by miners and pools (bdiff): 0x00000000ffff << 208. */
export const DIFF1_TARGET = 0xffffn << 208n;

/** Chainwork of a sequence of blocks given their nBits. */
export function chainWork(bitsOfEachBlock: Iterable<number>): bigint {
  let sum = 0n;
  for (const bits of bitsOfEachBlock) sum += blockProof(bits);
  return sum;
}

/** Difficulty as the reference node reports it (a float for display only). */
export function difficultyFromBits(bits: number): number {
  let shift = (bits >>> 24) & 0xff;
  let diff = 0x0000ffff / (bits & 0x00ffffff);
  while (shift < 29) {
    diff *= 256.0;
    shift++;
  }
  while (shift > 29) {
    diff /= 256.0;
    shift--;
  }
  return diff;
}

/**
 * Share difficulty of a hash relative to DIFF1_TARGET, as a float for display and vardiff.
 * Share acceptance must compare targets exactly with `targetForDifficulty`.
 */
export function difficultyOfHash(hash: Uint8Array): number {
  const h = hashToBigInt(hash);
  if (h === 0n) return Number.POSITIVE_INFINITY;
  return bigRatio(DIFF1_TARGET, h);
}

/** The share target for a (possibly fractional) pool difficulty: DIFF1_TARGET / difficulty, exact to 1e-8. */
export function targetForDifficulty(difficulty: number): bigint {
  if (!(difficulty > 0) || !Number.isFinite(difficulty)) {
    throw new BitcoinError(BitcoinErrorCode.OutOfRange, `difficulty must be a positive number, got ${difficulty}`, 'difficulty');
  }
  const SCALE = 100_000_000n;
  const scaled = BigInt(Math.round(difficulty * 1e8));
  if (scaled === 0n) return DIFF1_TARGET * SCALE;
  return (DIFF1_TARGET * SCALE) / scaled;
}

function bigRatio(a: bigint, b: bigint): number {
  return Number((a << 64n) / b) / 2 ** 64;
}
