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
