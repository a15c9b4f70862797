import { BitcoinError, BitcoinErrorCode } from './errors.js';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]];
  return s;
}

/** A 32-bit value as 8 hex digits, big-endian, negative int32 values in two's complement (printf %08x). */
export function hex32(v: number): string {
  return (v >>> 0).toString(16).padStart(8, '0');
}

export function fromHex(hex: string, field = 'hex'): Uint8Array {
  if (hex.length % 2 !== 0) throw new BitcoinError(BitcoinErrorCode.InvalidHex, 'odd number of hex digits', field);
  if (!/^[0-9a-fA-F]*$/.test(hex)) throw new BitcoinError(BitcoinErrorCode.InvalidHex, 'not a hex string', field);
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  return joinBytes(parts);
}

/** `concatBytes` over an array, for lists too long to spread into arguments. */
export function joinBytes(parts: readonly Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lexicographic byte comparison (-1, 0, 1). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function reverseBytes(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[bytes.length - 1 - i];
  return out;
}

/** Unsigned little-endian bytes to bigint. */
export function bytesToBigIntLE(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}

/** Unsigned bigint to exactly `length` little-endian bytes. */
export function bigIntToBytesLE(n: bigint, length: number): Uint8Array {
  if (n < 0n || n >> BigInt(length * 8) !== 0n) {
    throw new BitcoinError(BitcoinErrorCode.OutOfRange, `does not fit in ${length} bytes`, 'n');
  }
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}
