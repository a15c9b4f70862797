import { createHash } from 'node:crypto';
import { BitcoinError, BitcoinErrorCode } from './errors.js';
import { fromHex, reverseBytes, toHex } from './bytes.js';

/**
 * A 32-byte hash in internal (wire) byte order. Display order — how explorers and RPC
 * show txids and block hashes — is the reverse; convert only at the edges with
 * `hashToHex` / `hashFromHex`.
 */
export type Hash32 = Uint8Array & { readonly __brand: 'Hash32' };

export function asHash32(bytes: Uint8Array, field = 'hash'): Hash32 {
  if (bytes.length !== 32) throw new BitcoinError(BitcoinErrorCode.InvalidLength, `expected 32 bytes, got ${bytes.length}`, field);
  return bytes as Hash32;
}

export const ZERO_HASH = new Uint8Array(32) as Hash32;

export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

export function sha256d(data: Uint8Array): Hash32 {
  const first = createHash('sha256').update(data).digest();
  return new Uint8Array(createHash('sha256').update(first).digest()) as Hash32;
}

export function ripemd160(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('ripemd160').update(data).digest());
}

export function sha1(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha1').update(data).digest());
}

/** RIPEMD160(SHA256(data)), as used by P2PKH and OP_HASH160. */
export function hash160(data: Uint8Array): Uint8Array {
  return ripemd160(sha256(data));
}

/** Display-order hex (reversed), as RPC and explorers show hashes. */
export function hashToHex(hash: Uint8Array): string {
  return toHex(reverseBytes(hash));
}

/** Parse a display-order hex hash (64 hex digits) into internal byte order. */
export function hashFromHex(hex: string, field = 'hash'): Hash32 {
  if (hex.length !== 64) throw new BitcoinError(BitcoinErrorCode.InvalidLength, `expected 64 hex digits, got ${hex.length}`, field);
  return reverseBytes(fromHex(hex, field)) as Hash32;
}
