import { encode, decode, fixedBytes, i32le, i64le, list, mapped, struct, u32le, varBytes, type Codec } from '../io/codec.js';
import { sha256d, type Hash32 } from '../hash.js';

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

export function encodeTransaction(tx: Transaction): Uint8Array {
  return encode(transactionCodec, tx, 64 + tx.inputs.length * 150 + tx.outputs.length * 40);
}

export function decodeTransaction(bytes: Uint8Array): Transaction {
  return decode(transactionCodec, bytes, 'tx');
}

/** Transaction id in internal byte order. */
export function txid(tx: Transaction): Hash32 {
  return sha256d(encodeTransaction(tx));
}

export function isCoinbase(tx: Transaction): boolean {
  return (
    tx.inputs.length === 1 &&
    tx.inputs[0].prevout.vout === COINBASE_VOUT &&
    tx.inputs[0].prevout.txid.every((b) => b === 0)
  );
}
