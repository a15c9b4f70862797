import { BitcoinError, BitcoinErrorCode } from '../errors.js';
import type { NetworkName } from '../params.js';
import { base58CheckDecode, base58CheckEncode } from './base58check.js';
import { hex2, networksWithPrefix, resolveNetwork, type NetworkLike } from './network.js';

/** A secp256k1 private key as WIF carries it (crypto/ signs with it: PrivateKey.fromBytes(secret, compressed)). */
export interface WifKey {
  network: NetworkName;
  /** 32 bytes, big-endian, in [1, n − 1]. */
  secret: Uint8Array;
  /** Whether its public key is used in the 33-byte compressed form. */
  compressed: boolean;
}

/** Order of the secp256k1 group. */
const CURVE_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function checkSecret(secret: Uint8Array, field: string): void {
  if (!(secret instanceof Uint8Array) || secret.length !== 32) {
    throw new BitcoinError(BitcoinErrorCode.InvalidLength, 'expected a 32-byte secret', field);
  }
  let n = 0n;
  for (const b of secret) n = (n << 8n) | BigInt(b);
  if (n === 0n || n >= CURVE_ORDER) throw new BitcoinError(BitcoinErrorCode.OutOfRange, 'secret is not in [1, n − 1] for secp256k1', field);
}

export function makeWifKey(network: NetworkLike, secret: Uint8Array, compressed = true): WifKey {
  const p = resolveNetwork(network);
  checkSecret(secret, 'secret');
  return { network: p.name, secret: secret.slice(), compressed };
}

export function encodeWif(key: WifKey): string {
  const p = resolveNetwork(key.network);
  checkSecret(key.secret, 'key.secret');
  const payload = new Uint8Array(key.compressed ? 34 : 33);
  payload[0] = p.base58.secretKey;
  payload.set(key.secret, 1);
  if (key.compressed) payload[33] = 0x01;
  return base58CheckEncode(payload);
}

/**
 * Parse a WIF private key for `network`: version byte, 32-byte secret, and 0x01 when the
 * key is compressed. Errors as for addresses, plus InvalidEncoding for a 34-byte payload
 * whose last byte is not 0x01 and OutOfRange for a secret outside the curve order.
 */
export function parseWif(text: string, network: NetworkLike): WifKey {
  const p = resolveNetwork(network);
  const field = 'wif';
  const payload = base58CheckDecode(text, field);
  if (payload.length !== 33 && payload.length !== 34) {
    const hint = payload.length === 21 ? ' (an address, not a private key)' : '';
    throw new BitcoinError(BitcoinErrorCode.InvalidLength, `payload is ${payload.length} bytes, expected 33 or 34${hint}`, field);
  }
  const version = payload[0];
  if (version !== p.base58.secretKey) {
    const other = networksWithPrefix('secretKey', version);
    if (other) throw new BitcoinError(BitcoinErrorCode.WrongNetwork, `prefix ${hex2(version)} is a ${other} key, expected ${p.name}`, field);
    throw new BitcoinError(BitcoinErrorCode.UnknownPrefix, `prefix ${hex2(version)} is not a private key prefix`, field);
  }
  if (payload.length === 34 && payload[33] !== 0x01) {
    throw new BitcoinError(BitcoinErrorCode.InvalidEncoding, `compression flag is ${hex2(payload[33])}, expected 0x01`, field);
  }
  const secret = payload.slice(1, 33);
  checkSecret(secret, field);
  return { network: p.name, secret, compressed: payload.length === 34 };
}
