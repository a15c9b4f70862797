import { BitcoinError, BitcoinErrorCode } from '../errors.js';
import { hash160 } from '../hash.js';
import type { NetworkName } from '../params.js';
import { base58CheckDecode, base58CheckEncode } from './base58check.js';
import { hex2, networksWithPrefix, resolveNetwork, type NetworkLike } from './network.js';
import { Op } from '../script/opcodes.js';
import { isP2SH, p2pkhHash } from '../script/script.js';

/** P2PKH pays to the HASH160 of a public key, P2SH to the HASH160 of a redeem script. */
export type AddressKind = 'p2pkh' | 'p2sh';

export interface Address {
  network: NetworkName;
  kind: AddressKind;
  /** 20 bytes. */
  hash160: Uint8Array;
}

function checkHash160(h: Uint8Array, field: string): void {
  if (!(h instanceof Uint8Array) || h.length !== 20) {
    throw new BitcoinError(BitcoinErrorCode.InvalidLength, `expected 20 bytes, got ${h instanceof Uint8Array ? h.length : typeof h}`, field);
  }
}

export function makeAddress(network: NetworkLike, kind: AddressKind, hash: Uint8Array): Address {
  const p = resolveNetwork(network);
  if (kind !== 'p2pkh' && kind !== 'p2sh') throw new BitcoinError(BitcoinErrorCode.InvalidArgument, `unknown address kind "${kind}"`, 'kind');
  checkHash160(hash, 'hash160');
  return { network: p.name, kind, hash160: hash.slice() };
}

/** The P2PKH address of a serialized public key (33 bytes compressed or 65 uncompressed). */
export function addressFromPublicKey(network: NetworkLike, publicKey: Uint8Array): Address {
  if (!(publicKey instanceof Uint8Array) || (publicKey.length !== 33 && publicKey.length !== 65)) {
    throw new BitcoinError(BitcoinErrorCode.InvalidLength, 'expected a 33- or 65-byte public key', 'publicKey');
  }
  return makeAddress(network, 'p2pkh', hash160(publicKey));
}

export function encodeAddress(address: Address): string {
  const p = resolveNetwork(address.network);
  checkHash160(address.hash160, 'address.hash160');
  const payload = new Uint8Array(21);
  if (address.kind === 'p2pkh') payload[0] = p.base58.pubkeyHash;
  else if (address.kind === 'p2sh') payload[0] = p.base58.scriptHash;
  else throw new BitcoinError(BitcoinErrorCode.InvalidArgument, `unknown address kind "${address.kind}"`, 'address.kind');
  payload.set(address.hash160, 1);
  return base58CheckEncode(payload);
}

/**
 * Parse a base58check address for `network`. Refused with a specific code: a character
 * outside base58 (InvalidCharacter), a bad checksum (InvalidChecksum), a payload that is
 * not version + 20 bytes (InvalidLength), a prefix of another network (WrongNetwork) or
 * of no address at all (UnknownPrefix). Testnet and regtest share prefixes, so each
 * accepts the other's addresses.
 */
export function parseAddress(text: string, network: NetworkLike): Address {
  const p = resolveNetwork(network);
  const field = 'address';
  const payload = base58CheckDecode(text, field);
  const version = payload[0];
  if (payload.length !== 21) {
    const hint = payload.length === 33 || payload.length === 34 ? (networksWithPrefix('secretKey', version) ? ' (a private key, not an address)' : '') : '';
    throw new BitcoinError(BitcoinErrorCode.InvalidLength, `payload is ${payload.length} bytes, expected 21${hint}`, field);
  }
  let kind: AddressKind;
  if (version === p.base58.pubkeyHash) kind = 'p2pkh';
  else if (version === p.base58.scriptHash) kind = 'p2sh';
  else {
    const other = networksWithPrefix('pubkeyHash', version) || networksWithPrefix('scriptHash', version);
    if (other) throw new BitcoinError(BitcoinErrorCode.WrongNetwork, `prefix ${hex2(version)} is a ${other} address, expected ${p.name}`, field);
    throw new BitcoinError(BitcoinErrorCode.UnknownPrefix, `prefix ${hex2(version)} is not an address prefix`, field);
  }
  return { network: p.name, kind, hash160: payload.slice(1) };
}

/** True when `text` parses as an address of `network`. */
export function isValidAddress(text: string, network: NetworkLike): boolean {
  try {
    parseAddress(text, network);
    return true;
  } catch (e) {
    if (e instanceof BitcoinError) return false;
    throw e;
  }
}

/** The output script paying to the address: P2PKH or P2SH template. */
export function addressToScript(address: Address): Uint8Array {
  checkHash160(address.hash160, 'address.hash160');
  if (address.kind === 'p2pkh') return new Uint8Array([Op.OP_DUP, Op.OP_HASH160, 20, ...address.hash160, Op.OP_EQUALVERIFY, Op.OP_CHECKSIG]);
  if (address.kind === 'p2sh') return new Uint8Array([Op.OP_HASH160, 20, ...address.hash160, Op.OP_EQUAL]);
  throw new BitcoinError(BitcoinErrorCode.InvalidArgument, `unknown address kind "${address.kind}"`, 'address.kind');
}

/** The address an output script pays to, when it is exactly a P2PKH or P2SH template. */
export function addressFromScript(script: Uint8Array, network: NetworkLike): Address | null {
  const keyHash = p2pkhHash(script);
  if (keyHash) return makeAddress(network, 'p2pkh', keyHash);
  if (isP2SH(script)) return makeAddress(network, 'p2sh', script.subarray(2, 22));
  return null;
}
