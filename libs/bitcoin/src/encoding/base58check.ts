import { BitcoinError, BitcoinErrorCode } from '../errors.js';
import { sha256d } from '../hash.js';
import { base58Decode, base58Encode } from './base58.js';

/** Base58 of `payload` followed by the first 4 bytes of its double SHA-256. */
export function base58CheckEncode(payload: Uint8Array): string {
  const out = new Uint8Array(payload.length + 4);
  out.set(payload, 0);
  out.set(sha256d(payload).subarray(0, 4), payload.length);
  return base58Encode(out);
}

/** The payload of a base58check string, refusing a bad character, a missing or a wrong checksum. */
export function base58CheckDecode(text: string, field = 'base58check'): Uint8Array {
  const raw = base58Decode(text, field);
  if (raw.length < 4) throw new BitcoinError(BitcoinErrorCode.InvalidLength, `${raw.length} bytes is too short to hold a checksum`, field);
  const payload = raw.subarray(0, raw.length - 4);
  const check = sha256d(payload);
  for (let i = 0; i < 4; i++) {
    if (check[i] !== raw[payload.length + i]) throw new BitcoinError(BitcoinErrorCode.InvalidChecksum, 'checksum does not match', field);
  }
  return payload.slice();
}
