import { decode, decodePrefix, encode, encodedSize, fixedBytes, i32le, i64le, list, mapped, struct, u32le, varBytes, type Codec } from '../io/codec.js';
import { BitcoinError, BitcoinErrorCode } from '../errors.js';
import { hashFromHex, hashToHex, isZeroHash, sha256d, type Hash32 } from '../hash.js';

export const hash32: Codec<Hash32> = mapped(fixedBytes(32), (b) => b as Hash32, (h) => h);

export interface OutPoint {
  /** Internal byte order. */
  txid: Hash32;
  vout: number;
}

export interface TxIn {
  prevout: OutPoint;
  script: Uint8Array;
  sequence: number;
}

export interface TxOut {
  /** Satoshis. Signed on the wire (int64); consensus rejects negatives. */
  value: bigint;
  script: Uint8Array;
}

export interface Transaction {
  version: number;
  inputs: TxIn[];
  outputs: TxOut[];
  lockTime: number;
}

export const outPointCodec: Codec<OutPoint> = struct({ txid: hash32, vout: u32le });
export const txInCodec: Codec<TxIn> = struct({ prevout: outPointCodec, script: varBytes(), sequence: u32le });
export const txOutCodec: Codec<TxOut> = struct({ value: i64le, script: varBytes() });
export const transactionCodec: Codec<Transaction> = struct({
  version: i32le,
  inputs: list(txInCodec),
  outputs: list(txOutCodec),
  lockTime: u32le,
});

export const SEQUENCE_FINAL = 0xffffffff;
export const COINBASE_VOUT = 0xffffffff;
export const OUTPOINT_SIZE = 36;
/** The smallest possible transaction: version, two empty lists, lock time. */
export const MIN_TX_SIZE = 10;
/** Largest transaction consensus allows from Genesis on (consensus.h); validation applies the era's limit. */
const MAX_TX_SIZE_AFTER_GENESIS = 1_000_000_000;

export function encodeTransaction(tx: Transaction): Uint8Array {
  return encode(transactionCodec, tx);
}

/**
 * Decode one transaction that fills `bytes` exactly. Input larger than `maxSize`
 * (by default the post-Genesis consensus limit) is refused before parsing.
 */
export function decodeTransaction(bytes: Uint8Array, maxSize = MAX_TX_SIZE_AFTER_GENESIS): Transaction {
  if (bytes.length > maxSize) {
    throw new BitcoinError(BitcoinErrorCode.Oversized, `${bytes.length} bytes exceed the maximum transaction size ${maxSize}`, 'tx');
  }
  return decode(transactionCodec, bytes, 'tx');
}

/** Decode the transaction at the start of `bytes`; `size` is how many bytes it took. */
export function decodeTransactionPrefix(bytes: Uint8Array): { tx: Transaction; size: number } {
  const { value, size } = decodePrefix(transactionCodec, bytes, 'tx');
  return { tx: value, size };
}

/** Serialized size in bytes, computed without encoding. */
export function txSize(tx: Transaction): number {
  return encodedSize(transactionCodec, tx);
}

/** Transaction id in internal byte order. */
export function txid(tx: Transaction): Hash32 {
  return sha256d(encodeTransaction(tx));
}

/** Transaction id of already-serialized transaction bytes. */
export function txidFromBytes(raw: Uint8Array): Hash32 {
  return sha256d(raw);
}

export function isCoinbase(tx: Transaction): boolean {
  return tx.inputs.length === 1 && isNullOutPoint(tx.inputs[0].prevout);
}

/** The outpoint a coinbase input spends: zero txid, index 0xffffffff. */
export function isNullOutPoint(op: OutPoint): boolean {
  return op.vout === COINBASE_VOUT && isZeroHash(op.txid);
}

/** Sum of output values in satoshis (no range checks; validation does those). */
export function totalOutputValue(tx: Transaction): bigint {
  let sum = 0n;
  for (const out of tx.outputs) sum += out.value;
  return sum;
}

export function outPointEquals(a: OutPoint, b: OutPoint): boolean {
  if (a.vout !== b.vout) return false;
  for (let i = 0; i < 32; i++) if (a.txid[i] !== b.txid[i]) return false;
  return true;
}

/** The 36 wire bytes of an outpoint (txid in internal order, then vout LE): a compact binary key. */
export function outPointBytes(op: OutPoint): Uint8Array {
  return encode(outPointCodec, op);
}

export function outPointFromBytes(bytes: Uint8Array): OutPoint {
  return decode(outPointCodec, bytes, 'outpoint');
}

/**
 * A string key for maps and logs, `<display-order txid>:<vout>` — the form RPC and
 * explorers use.
 */
export function outPointKey(op: OutPoint): string {
  return `${hashToHex(op.txid)}:${op.vout}`;
}

export function outPointFromKey(key: string): OutPoint {
  const m = /^([0-9a-fA-F]{64}):(\d{1,10})$/.exec(key);
  if (!m) throw new BitcoinError(BitcoinErrorCode.InvalidArgument, `expected "<64 hex digits>:<index>", got "${key}"`, 'outpoint');
  const vout = Number(m[2]);
  if (vout > 0xffffffff) throw new BitcoinError(BitcoinErrorCode.OutOfRange, `output index ${vout} does not fit in 32 bits`, 'outpoint.vout');
  return { txid: hashFromHex(m[1], 'outpoint.txid'), vout };
}
