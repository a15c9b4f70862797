import { BitcoinError, BitcoinErrorCode } from '../errors.js';

/** secp256k1 group order n, big-endian. */
export const SECP256K1_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_ORDER = SECP256K1_ORDER >> 1n;
const ORDER_BYTES = bigToBytes32(SECP256K1_ORDER);
const HALF_ORDER_BYTES = bigToBytes32(HALF_ORDER);

function bigToBytes32(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

function bytes32ToBig(b: Uint8Array, offset: number): bigint {
  return BigInt('0x' + Buffer.from(b.buffer, b.byteOffset + offset, 32).toString('hex'));
}

/** Compare 32 big-endian bytes at `offset` with `ref`: -1, 0, 1. */
function cmp32(b: Uint8Array, offset: number, ref: Uint8Array): number {
  for (let i = 0; i < 32; i++) {
    const x = b[offset + i];
    const y = ref[i];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function isZero32(b: Uint8Array, offset: number): boolean {
  for (let i = 0; i < 32; i++) if (b[offset + i] !== 0) return false;
  return true;
}

/**
 * Strict DER with a trailing sighash byte (BIP66, `IsValidSignatureEncoding`):
 * 0x30 len 0x02 lenR R 0x02 lenS S hashtype, R and S positive and minimally padded,
 * 9 to 73 bytes in all.
 */
export function isStrictDerSignature(sig: Uint8Array): boolean {
  const size = sig.length;
  if (size < 9 || size > 73) return false;
  if (sig[0] !== 0x30) return false;
  if (sig[1] !== size - 3) return false;
  const lenR = sig[3];
  if (5 + lenR >= size) return false;
  const lenS = sig[5 + lenR];
  if (lenR + lenS + 7 !== size) return false;
  if (sig[2] !== 0x02) return false;
  if (lenR === 0) return false;
  if (sig[4] & 0x80) return false;
  if (lenR > 1 && sig[4] === 0x00 && !(sig[5] & 0x80)) return false;
  if (sig[lenR + 4] !== 0x02) return false;
  if (lenS === 0) return false;
  if (sig[lenR + 6] & 0x80) return false;
  if (lenS > 1 && sig[lenR + 6] === 0x00 && !(sig[lenR + 7] & 0x80)) return false;
  return true;
}

/**
 * Parse a DER signature (without the sighash byte) the lenient way the reference node
 * does for consensus (`ecdsa_signature_parse_der_lax`): long-form lengths, excess
 * padding, negative integers and trailing garbage are accepted. Returns r||s (64 bytes),
 * zeroed when r or s is not below the group order (such a signature never verifies), or
 * undefined when the structure cannot be read at all.
 */
export function parseDerLax(input: Uint8Array): Uint8Array | undefined {
  const inputlen = input.length;
  let pos = 0;
  if (pos === inputlen || input[pos] !== 0x30) return undefined;
  pos++;
  if (pos === inputlen) return undefined;
  let lenbyte = input[pos++];
  if (lenbyte & 0x80) {
    lenbyte -= 0x80;
    if (pos + lenbyte > inputlen) return undefined;
    pos += lenbyte;
  }

  const r = readLaxInteger(input, pos);
  if (!r) return undefined;
  const sInt = readLaxInteger(input, r.start + r.len);
  if (!sInt) return undefined;

  const out = new Uint8Array(64);
  const fits = copyLaxInteger(input, r, out, 0) && copyLaxInteger(input, sInt, out, 32);
  if (!fits || cmp32(out, 0, ORDER_BYTES) >= 0 || cmp32(out, 32, ORDER_BYTES) >= 0) out.fill(0);
  return out;
}

/** Where an INTEGER's content lies in `input`, as `ecdsa_signature_parse_der_lax` reads it. */
interface LaxInteger {
  start: number;
  len: number;
}

/** The INTEGER (tag 0x02, short or long-form length) at `pos`; undefined when it cannot be read. */
function readLaxInteger(input: Uint8Array, pos: number): LaxInteger | undefined {
  const inputlen = input.length;
  if (pos === inputlen || input[pos] !== 0x02) return undefined;
  pos++;
  if (pos === inputlen) return undefined;
  let lenbyte = input[pos++];
  let len: number;
  if (lenbyte & 0x80) {
    lenbyte -= 0x80;
    if (pos + lenbyte > inputlen) return undefined;
    while (lenbyte > 0 && input[pos] === 0) {
      pos++;
      lenbyte--;
    }
    if (lenbyte >= 8) return undefined;
    len = 0;
    while (lenbyte > 0) {
      len = len * 256 + input[pos];
      pos++;
      lenbyte--;
    }
  } else {
    len = lenbyte;
  }
  if (len > inputlen - pos) return undefined;
  return { start: pos, len };
}

/** Right-align the integer, without its leading zeros, in the 32 bytes at `at`; false when it is longer than 32 bytes. */
function copyLaxInteger(input: Uint8Array, int: LaxInteger, out: Uint8Array, at: number): boolean {
  let { start, len } = int;
  while (len > 0 && input[start] === 0) {
    len--;
    start++;
  }
  if (len > 32) return false;
  out.set(input.subarray(start, start + len), at + 32 - len);
  return true;
}

/** Whether the s half of r||s is above n/2. */
export function isHighS(compact: Uint8Array): boolean {
  return cmp32(compact, 32, HALF_ORDER_BYTES) > 0;
}

/** Replace a high s by n - s in place (libsecp256k1's normalize); true when it changed. */
export function normalizeS(compact: Uint8Array): boolean {
  if (!isHighS(compact)) return false;
  compact.set(bigToBytes32(SECP256K1_ORDER - bytes32ToBig(compact, 32)), 32);
  return true;
}

/**
 * LOW_S check on a DER signature without its sighash byte (`CPubKey::CheckLowS`):
 * false when it cannot be parsed or s is above n/2.
 */
export function isLowSDer(der: Uint8Array): boolean {
  const compact = parseDerLax(der);
  return compact !== undefined && !isHighS(compact);
}

/** r and s both in [1, n-1]. */
export function isValidCompactSignature(compact: Uint8Array): boolean {
  if (compact.length !== 64) return false;
  if (isZero32(compact, 0) || isZero32(compact, 32)) return false;
  return cmp32(compact, 0, ORDER_BYTES) < 0 && cmp32(compact, 32, ORDER_BYTES) < 0;
}

function derInteger(b: Uint8Array): number[] {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  const body = Array.from(b.subarray(i));
  if (body[0] & 0x80) body.unshift(0);
  return [0x02, body.length, ...body];
}

/** Strict DER encoding of r||s (without a sighash byte). */
export function encodeDerSignature(compact: Uint8Array): Uint8Array {
  if (compact.length !== 64) {
    throw new BitcoinError(BitcoinErrorCode.InvalidLength, `expected 64 bytes r||s, got ${compact.length}`, 'signature');
  }
  const r = derInteger(compact.subarray(0, 32));
  const s = derInteger(compact.subarray(32, 64));
  return Uint8Array.from([0x30, r.length + s.length, ...r, ...s]);
}

/** Strict DER (without a sighash byte) to r||s; refuses anything but canonical DER with r, s in [1, n-1]. */
export function decodeDerSignature(der: Uint8Array): Uint8Array {
  const withType = new Uint8Array(der.length + 1);
  withType.set(der);
  if (!isStrictDerSignature(withType)) {
    throw new BitcoinError(BitcoinErrorCode.InvalidArgument, 'not a strict DER signature', 'signature');
  }
  const compact = parseDerLax(der);
  if (!compact || !isValidCompactSignature(compact)) {
    throw new BitcoinError(BitcoinErrorCode.OutOfRange, 'r or s is outside [1, n-1]', 'signature');
  }
  return compact;
}
