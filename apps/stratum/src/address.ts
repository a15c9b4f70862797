import { concatBytes, equalBytes, sha256d, type ChainParams } from '@metamorph/bitcoin';
import { StratumAppError, StratumAppErrorCode } from './errors.js';

// Minimal base58check P2PKH handling until libs/bitcoin's encoding module lands on main.

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const INDEX = new Map([...ALPHABET].map((c, i) => [c, i]));

function fail(message: string, field: string): never {
  throw new StratumAppError(StratumAppErrorCode.InvalidAddress, message, field);
}

export function base58Decode(s: string, field = 'address'): Uint8Array {
  let n = 0n;
  for (const c of s) {
    const v = INDEX.get(c);
    if (v === undefined) fail(`"${c}" is not a base58 character`, field);
    n = n * 58n + BigInt(v);
  }
  const body: number[] = [];
  while (n > 0n) {
    body.unshift(Number(n & 0xffn));
    n >>= 8n;
  }
  let zeros = 0;
  while (zeros < s.length && s[zeros] === '1') zeros++;
  return new Uint8Array([...new Array(zeros).fill(0), ...body]);
}

export function base58Encode(bytes: Uint8Array): string {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let out = '';
  while (n > 0n) {
    out = ALPHABET[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (let i = 0; i < bytes.length && bytes[i] === 0; i++) out = '1' + out;
  return out;
}

export function base58CheckEncode(payload: Uint8Array): string {
  return base58Encode(concatBytes(payload, sha256d(payload).subarray(0, 4)));
}

/** The 20-byte public-key hash of a P2PKH address of `params`' network; anything else is refused. */
export function decodeP2pkhAddress(address: string, params: ChainParams, field = 'address'): Uint8Array {
  if (address.length < 25 || address.length > 35) fail(`"${address}" is not an address (length ${address.length})`, field);
  const raw = base58Decode(address, field);
  if (raw.length !== 25) fail(`"${address}" decodes to ${raw.length} bytes, not 25`, field);
  const payload = raw.subarray(0, 21);
  if (!equalBytes(sha256d(payload).subarray(0, 4), raw.subarray(21))) fail(`"${address}" has a bad checksum`, field);
  const version = payload[0];
  if (version === params.base58.scriptHash) fail(`"${address}" is a P2SH address; only P2PKH addresses can be paid by a coinbase`, field);
  if (version !== params.base58.pubkeyHash) {
    fail(`"${address}" is not a ${params.name} address (version byte 0x${version.toString(16).padStart(2, '0')})`, field);
  }
  return payload.slice(1);
}

export function encodeP2pkhAddress(pubkeyHash: Uint8Array, params: ChainParams): string {
  if (pubkeyHash.length !== 20) throw new StratumAppError(StratumAppErrorCode.InvalidArgument, `expected 20 bytes, got ${pubkeyHash.length}`, 'pubkeyHash');
  return base58CheckEncode(concatBytes(new Uint8Array([params.base58.pubkeyHash]), pubkeyHash));
}

/** OP_DUP OP_HASH160 <20 bytes> OP_EQUALVERIFY OP_CHECKSIG */
export function p2pkhScript(pubkeyHash: Uint8Array): Uint8Array {
  return concatBytes(new Uint8Array([0x76, 0xa9, 0x14]), pubkeyHash, new Uint8Array([0x88, 0xac]));
}
