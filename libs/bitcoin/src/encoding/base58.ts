import { BitcoinError, BitcoinErrorCode } from '../errors.js';

/** All alphanumeric characters except 0, I, O and l. */
export const BASE58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** Longest string `base58Decode` accepts by default: decoding is quadratic in the length. */
export const MAX_BASE58_LENGTH = 1024;

const DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE58_ALPHABET.length; i++) DIGIT[BASE58_ALPHABET.charCodeAt(i)] = i;

/** Base58 as the reference node writes it: one '1' per leading zero byte, then the number in base 58. */
export function base58Encode(bytes: Uint8Array): string {
  let zeroes = 0;
  while (zeroes < bytes.length && bytes[zeroes] === 0) zeroes++;
  // log(256) / log(58) ≈ 1.37 digits per byte.
  const size = Math.floor(((bytes.length - zeroes) * 138) / 100) + 1;
  const digits = new Uint8Array(size);
  let length = 0;
  for (let p = zeroes; p < bytes.length; p++) {
    let carry = bytes[p];
    let i = 0;
    for (let k = size - 1; (carry !== 0 || i < length) && k >= 0; k--, i++) {
      carry += 256 * digits[k];
      digits[k] = carry % 58;
      carry = Math.floor(carry / 58);
    }
    length = i;
  }
  let k = size - length;
  while (k < size && digits[k] === 0) k++;
  let out = '1'.repeat(zeroes);
  for (; k < size; k++) out += BASE58_ALPHABET[digits[k]];
  return out;
}

/**
 * Decode base58. Unlike the reference node, which skips surrounding whitespace, any
 * character outside the alphabet (whitespace included) is refused with its position.
 */
export function base58Decode(text: string, field = 'base58', maxLength = MAX_BASE58_LENGTH): Uint8Array {
  if (typeof text !== 'string') throw new BitcoinError(BitcoinErrorCode.InvalidArgument, 'expected a string', field);
  if (text.length > maxLength) {
    throw new BitcoinError(BitcoinErrorCode.Oversized, `${text.length} characters exceed the maximum ${maxLength}`, field);
  }
  let zeroes = 0;
  while (zeroes < text.length && text.charCodeAt(zeroes) === 0x31) zeroes++;
  // log(58) / log(256) ≈ 0.733 bytes per digit.
  const size = Math.floor(((text.length - zeroes) * 733) / 1000) + 1;
  const bytes = new Uint8Array(size);
  let length = 0;
  for (let p = zeroes; p < text.length; p++) {
    const c = text.charCodeAt(p);
    const digit = c < 128 ? DIGIT[c] : -1;
    if (digit < 0) {
      throw new BitcoinError(BitcoinErrorCode.InvalidCharacter, `${JSON.stringify(text[p])} at position ${p} is not a base58 character`, field);
    }
    let carry = digit;
    let i = 0;
    for (let k = size - 1; (carry !== 0 || i < length) && k >= 0; k--, i++) {
      carry += 58 * bytes[k];
      bytes[k] = carry & 0xff;
      carry >>= 8;
    }
    length = i;
  }
  let k = size - length;
  while (k < size && bytes[k] === 0) k++;
  const out = new Uint8Array(zeroes + size - k);
  out.set(bytes.subarray(k), zeroes);
  return out;
}
