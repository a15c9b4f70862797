import { BitcoinError, BitcoinErrorCode } from '../errors.js';
import { Op } from '../script/opcodes.js';

/** Consensus bounds on a coinbase scriptSig (validation.cpp `bad-cb-length`). */
const MIN_SCRIPTSIG = 2;
const MAX_SCRIPTSIG = 100;

/** Largest height a block index holds (int32 in the reference node). */
const MAX_HEIGHT = 0x7fffffff;

const MAX_DIRECT_PUSH = 0x4b;

function checkHeight(height: number, field: string): void {
  if (!Number.isInteger(height) || height < 0 || height > MAX_HEIGHT) {
    throw new BitcoinError(BitcoinErrorCode.OutOfRange, `height must be an integer in [0, ${MAX_HEIGHT}], got ${height}`, field);
  }
}

/** Minimal script-number bytes of a non-negative integer (little-endian, sign bit kept clear). */
function scriptNumBytes(n: number): number[] {
  const out: number[] = [];
  while (n > 0) {
    out.push(n & 0xff);
    n = Math.floor(n / 256);
  }
  if (out.length > 0 && out[out.length - 1] & 0x80) out.push(0);
  return out;
}

/**
 * The push BIP34 puts at the start of a coinbase scriptSig, as the reference node's
 * `CScript() << height`: OP_0 for 0, OP_1…OP_16 for 1–16, otherwise a direct push of
 * the minimal script-number encoding (e.g. 227931 → 03 5b7a03).
 */
export function encodeCoinbaseHeight(height: number): Uint8Array {
  checkHeight(height, 'height');
  if (height === 0) return new Uint8Array([Op.OP_0]);
  if (height <= 16) return new Uint8Array([Op.OP_1 + height - 1]);
  const num = scriptNumBytes(height);
  return new Uint8Array([num.length, ...num]);
}

export interface CoinbaseHeight {
  height: number;
  /** Bytes of the scriptSig the height push took. */
  size: number;
  /** True when the push is exactly what `encodeCoinbaseHeight` writes (what BIP34 requires). */
  minimal: boolean;
}

/**
 * Read the height pushed at the start of a coinbase scriptSig (the reference node's
 * GetHeightFromCoinbase, stricter about malformed pushes): OP_0, OP_1…OP_16, or a
 * direct push of 1–5 bytes holding a non-negative script number.
 */
export function decodeCoinbaseHeight(scriptSig: Uint8Array): CoinbaseHeight {
  const field = 'coinbase.scriptSig';
  if (scriptSig.length === 0) throw new BitcoinError(BitcoinErrorCode.Truncated, 'empty scriptSig has no height', field);
  const op = scriptSig[0];
  if (op === Op.OP_0) return { height: 0, size: 1, minimal: true };
  if (op >= Op.OP_1 && op <= Op.OP_16) return { height: op - Op.OP_1 + 1, size: 1, minimal: true };
  if (op < 1 || op > MAX_DIRECT_PUSH) {
    throw new BitcoinError(BitcoinErrorCode.InvalidEncoding, `opcode 0x${op.toString(16).padStart(2, '0')} is not a height push`, field);
  }
  if (op > 5) throw new BitcoinError(BitcoinErrorCode.OutOfRange, `a ${op}-byte number is too large for a height`, field);
  if (scriptSig.length < 1 + op) {
    throw new BitcoinError(BitcoinErrorCode.Truncated, `height push needs ${op} bytes, ${scriptSig.length - 1} left`, field);
  }
  const bytes = scriptSig.subarray(1, 1 + op);
  if (bytes[op - 1] & 0x80) throw new BitcoinError(BitcoinErrorCode.OutOfRange, 'negative height', field);
  let height = 0;
  for (let i = op - 1; i >= 0; i--) height = height * 256 + bytes[i];
  if (height > MAX_HEIGHT) throw new BitcoinError(BitcoinErrorCode.OutOfRange, `height ${height} exceeds ${MAX_HEIGHT}`, field);
  const canonical = encodeCoinbaseHeight(height);
  const minimal = canonical.length === 1 + op && canonical.every((b, i) => b === scriptSig[i]);
  return { height, size: 1 + op, minimal };
}

/** The BIP34 rule: the scriptSig starts with exactly `encodeCoinbaseHeight(height)`. */
export function coinbaseCommitsToHeight(scriptSig: Uint8Array, height: number): boolean {
  const expect = encodeCoinbaseHeight(height);
  if (scriptSig.length < expect.length) return false;
  for (let i = 0; i < expect.length; i++) if (scriptSig[i] !== expect[i]) return false;
  return true;
}

/**
 * A coinbase scriptSig: the BIP34 height push followed by `extra` (extranonce, pool tag…),
 * refused unless its size is within consensus bounds.
 */
export function coinbaseScriptSig(height: number, extra: Uint8Array = new Uint8Array(0)): Uint8Array {
  const prefix = encodeCoinbaseHeight(height);
  const out = new Uint8Array(prefix.length + extra.length);
  out.set(prefix, 0);
  out.set(extra, prefix.length);
  checkCoinbaseScriptSigSize(out);
  return out;
}

/** Throws unless the scriptSig length is within [2, 100] bytes. */
export function checkCoinbaseScriptSigSize(scriptSig: Uint8Array): void {
  if (scriptSig.length < MIN_SCRIPTSIG || scriptSig.length > MAX_SCRIPTSIG) {
    throw new BitcoinError(
      BitcoinErrorCode.InvalidLength,
      `coinbase scriptSig must be ${MIN_SCRIPTSIG}–${MAX_SCRIPTSIG} bytes, got ${scriptSig.length}`,
      'coinbase.scriptSig',
    );
  }
}
