import { RpcError, RpcErrorCode } from './protocol.js';

/**
 * Typed access to positional parameters with the reference node's errors: a value of the
 * wrong JSON type is RPC_MISC_ERROR (-1) "JSON value is not a(n) <type> as expected".
 */
function typeError(what: string): RpcError {
  return new RpcError(RpcErrorCode.MiscError, `JSON value is not ${what} as expected`);
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function getStr(v: unknown): string {
  if (typeof v !== 'string') throw typeError('a string');
  return v;
}

/** A 32-bit signed integer, as UniValue::get_int. */
export function getInt(v: unknown): number {
  if (typeof v !== 'number') throw typeError('an integer');
  if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw new RpcError(RpcErrorCode.MiscError, 'JSON integer out of range');
  return v;
}

export function getBool(v: unknown): boolean {
  if (typeof v !== 'boolean') throw typeError('a boolean');
  return v;
}

export function getObj(v: unknown): Record<string, unknown> {
  if (!isObject(v)) throw typeError('an object');
  return v;
}

/** A verbosity given as a boolean, a number in [0, max] or a string ("0", "true", …, or a named level). */
export function parseVerbosity(v: unknown, max: number, names: readonly string[]): number {
  if (typeof v === 'number') {
    const n = getInt(v);
    if (n < 0 || n > max) throw new RpcError(RpcErrorCode.InvalidParameter, 'Verbosity value out of range');
    return n;
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const s = v.toUpperCase();
    if (s === '0' || s === 'FALSE') return 0;
    if (s === '1' || s === 'TRUE') return 1;
    const digit = /^[0-9]$/.test(s) ? Number(s) : -1;
    if (digit >= 2 && digit <= max) return digit;
    const named = names.indexOf(s);
    if (named >= 0) return named;
    throw new RpcError(RpcErrorCode.InvalidParameter, 'Verbosity value not recognized');
  }
  throw new RpcError(RpcErrorCode.InvalidParameter, 'Invalid verbosity input type');
}

/** Exactly 64 hex digits (display order), or undefined. */
export function hashHexOrUndefined(v: string): string | undefined {
  return /^[0-9a-fA-F]{64}$/.test(v) ? v : undefined;
}

/** A 64-bit integer (UniValue::get_int64). */
export function getInt64(v: unknown): number {
  if (typeof v !== 'number') throw typeError('an integer');
  if (!Number.isSafeInteger(v)) throw new RpcError(RpcErrorCode.MiscError, 'JSON integer out of range');
  return v;
}

export function getArr(v: unknown): unknown[] {
  if (!Array.isArray(v)) throw typeError('an array');
  return v;
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/;

/** ParseHexV: non-empty, even-length hex, with the reference node's message naming the parameter. */
export function parseHexV(v: unknown, name: string): Uint8Array {
  const s = typeof v === 'string' ? v : '';
  if (!HEX.test(s)) throw new RpcError(RpcErrorCode.InvalidParameter, `${name} must be hexadecimal string (not '${s}') and length of it must be divisible by 2`);
  return new Uint8Array(Buffer.from(s, 'hex'));
}

/** ParseHashV: 64 hex digits (display order); returns the hex. */
export function parseHashV(v: unknown, name: string): string {
  const s = typeof v === 'string' ? v : '';
  if (!HEX.test(s)) throw new RpcError(RpcErrorCode.InvalidParameter, `${name} must be hexadecimal string (not '${s}') and length of it must be divisible by 2`);
  if (s.length !== 64) throw new RpcError(RpcErrorCode.InvalidParameter, `${name} must be of length 64 (not ${s.length})`);
  return s;
}

const MAX_MONEY = 21_000_000n * 100_000_000n;

/**
 * AmountFromValue: a number or numeric string of coins with at most 8 decimals, exactly, as
 * satoshis. JSON numbers arrive as doubles; their shortest text form is the decimal the
 * client wrote for any amount with 8 decimals or fewer.
 */
export function amountFromValue(v: unknown): bigint {
  if (typeof v !== 'number' && typeof v !== 'string') throw new RpcError(RpcErrorCode.TypeError, 'Amount is not a number or string');
  const sats = parseFixedPoint(typeof v === 'number' ? String(v) : v, 8);
  if (sats === undefined) throw new RpcError(RpcErrorCode.TypeError, 'Invalid amount');
  if (sats < 0n || sats > MAX_MONEY) throw new RpcError(RpcErrorCode.TypeError, 'Amount out of range');
  return sats;
}

/** `1.5`, `-0.1`, `1e-8`, `2.5E3` → value × 10^decimals when exact, else undefined (ParseFixedPoint). */
export function parseFixedPoint(s: string, decimals: number): bigint | undefined {
  const m = /^(-)?(\d+)(?:\.(\d+))?(?:[eE]([-+]?\d+))?$/.exec(s);
  if (!m) return undefined;
  const digits = m[2] + (m[3] ?? '');
  const exponent = Number(m[4] ?? 0) - (m[3]?.length ?? 0) + decimals;
  if (!Number.isSafeInteger(exponent) || exponent < -40 || exponent > 40) return undefined;
  let n = BigInt(digits);
  if (exponent >= 0) n *= 10n ** BigInt(exponent);
  else {
    const div = 10n ** BigInt(-exponent);
    if (n % div !== 0n) return undefined;
    n /= div;
  }
  if (n > 10n ** 18n - 1n) return undefined;
  return m[1] ? -n : n;
}
