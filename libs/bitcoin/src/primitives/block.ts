import { decode, encode, i32le, list, struct, u32le, type Codec } from '../io/codec.js';
import { Reader } from '../io/reader.js';
import { sha256d, type Hash32 } from '../hash.js';
import { hash32, transactionCodec, type Transaction } from './transaction.js';

export interface BlockHeader {
  version: number;
  prevHash: Hash32;
  merkleRoot: Hash32;
  time: number;
  bits: number;
  nonce: number;
}

export interface Block {
  header: BlockHeader;
  txs: Transaction[];
}

export const HEADER_SIZE = 80;

export const blockHeaderCodec: Codec<BlockHeader> = struct({
  version: i32le,
  prevHash: hash32,
  merkleRoot: hash32,
  time: u32le,
  bits: u32le,
  nonce: u32le,
});

export const blockCodec: Codec<Block> = struct({ header: blockHeaderCodec, txs: list(transactionCodec) });

export function encodeBlockHeader(h: BlockHeader): Uint8Array {
  return encode(blockHeaderCodec, h, HEADER_SIZE);
}

export function decodeBlockHeader(bytes: Uint8Array): BlockHeader {
  return decode(blockHeaderCodec, bytes, 'header');
}

export function blockHash(h: BlockHeader): Hash32 {
  return sha256d(encodeBlockHeader(h));
}

export function encodeBlock(b: Block): Uint8Array {
  return encode(blockCodec, b, 1024);
}

export function decodeBlock(bytes: Uint8Array): Block {
  return decode(blockCodec, bytes, 'block');
}

/**
 * Decode a block and also return each transaction's exact wire bytes (views into `bytes`),
 * so txids can be hashed without re-encoding.
 */
export function decodeBlockWithRaw(bytes: Uint8Array): { block: Block; rawTxs: Uint8Array[] } {
  const r = new Reader(bytes);
  const header = blockHeaderCodec.decode(r);
  const n = r.compactSize();
  const txs: Transaction[] = [];
  const rawTxs: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const start = r.pos;
    txs.push(transactionCodec.decode(r));
    rawTxs.push(bytes.subarray(start, r.pos));
  }
  r.end();
  return { block: { header, txs }, rawTxs };
}
