import * as nodeCrypto from 'node:crypto';
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

type Digest = (algorithm: string, data: Uint8Array) => Uint8Array;

// `crypto.hash` (Node ≥ 20.12) hashes in one call, about twice as fast as createHash for
// the 32- and 64-byte inputs that dominate merkle trees; older runtimes fall back.
const oneShot = (nodeCrypto as { hash?: (a: string, d: Uint8Array, e: 'buffer') => Uint8Array }).hash;
const digest: Digest = oneShot
  ? (algorithm, data) => oneShot(algorithm, data, 'buffer')
  : (algorithm, data) => nodeCrypto.createHash(algorithm).update(data).digest();

/** A plain Uint8Array view of a Buffer, so results compare equal to other Uint8Arrays. */
function plain(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

export function sha256(data: Uint8Array): Uint8Array {
  return plain(digest('sha256', data));
}

export function sha256d(data: Uint8Array): Hash32 {
  return plain(digest('sha256', digest('sha256', data))) as Hash32;
}

export function ripemd160(data: Uint8Array): Uint8Array {
  return plain(digest('ripemd160', data));
}

export function sha1(data: Uint8Array): Uint8Array {
  return plain(digest('sha1', data));
}

/** RIPEMD160(SHA256(data)), as used by P2PKH and OP_HASH160. */
export function hash160(data: Uint8Array): Uint8Array {
  return plain(digest('ripemd160', digest('sha256', data)));
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

export function hashEquals(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function isZeroHash(h: Uint8Array): boolean {
  for (let i = 0; i < h.length; i++) if (h[i] !== 0) return false;
  return true;
}
