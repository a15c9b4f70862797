import { decode, encode, encodedSize, i32le, list, prefixField, struct, u32le, type Codec } from '../io/codec.js';
import { Reader } from '../io/reader.js';
import { BitcoinError, BitcoinErrorCode } from '../errors.js';
import { sha256d, type Hash32 } from '../hash.js';
import { hash32, transactionCodec, MIN_TX_SIZE, type Transaction } from './transaction.js';

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
  return encode(blockHeaderCodec, h);
}

export function decodeBlockHeader(bytes: Uint8Array): BlockHeader {
  return decode(blockHeaderCodec, bytes, 'header');
}

export function blockHash(h: BlockHeader): Hash32 {
  return sha256d(encodeBlockHeader(h));
}

/** Hash of the 80-byte header at the start of `bytes` (a header or a whole block), without decoding. */
export function blockHashFromBytes(bytes: Uint8Array): Hash32 {
  if (bytes.length < HEADER_SIZE) {
    throw new BitcoinError(BitcoinErrorCode.Truncated, `needs ${HEADER_SIZE} bytes, got ${bytes.length}`, 'header');
  }
  return sha256d(bytes.subarray(0, HEADER_SIZE));
}

export function encodeBlock(b: Block): Uint8Array {
  return encode(blockCodec, b);
}

export function decodeBlock(bytes: Uint8Array): Block {
  return decode(blockCodec, bytes, 'block');
}

/** Serialized block size in bytes, computed without encoding. */
export function blockSize(b: Block): number {
  return encodedSize(blockCodec, b);
}

export interface BlockPrefix {
  header: BlockHeader;
  hash: Hash32;
  txCount: number;
  /** Offset of the first transaction in the block bytes. */
  txOffset: number;
}

/**
 * Decode only the header and the transaction count of a serialized block (or of a
 * `headers` entry, whose count is 0) — enough to place it in the chain before
 * parsing its transactions.
 */
export function decodeBlockPrefix(bytes: Uint8Array): BlockPrefix {
  const r = new Reader(bytes);
  let header: BlockHeader;
  try {
    header = blockHeaderCodec.decode(r);
  } catch (e) {
    throw prefixField(e, 'block.header');
  }
  let txCount: number;
  try {
    txCount = r.compactSize();
  } catch (e) {
    throw prefixField(e, 'block.txs');
  }
  return { header, hash: sha256d(bytes.subarray(0, HEADER_SIZE)), txCount, txOffset: r.pos };
}

/**
 * Decode a block and also return each transaction's exact wire bytes (views into `bytes`),
 * so txids can be hashed without re-encoding.
 */
export function decodeBlockWithRaw(bytes: Uint8Array): { block: Block; rawTxs: Uint8Array[] } {
  const { header, txCount: n, txOffset } = decodeBlockPrefix(bytes);
  const r = new Reader(bytes);
  r.pos = txOffset;
  if (n * MIN_TX_SIZE > r.remaining) {
    throw new BitcoinError(BitcoinErrorCode.Truncated, `${n} transactions cannot fit in the ${r.remaining} bytes left`, 'block.txs');
  }
  const txs: Transaction[] = new Array(n);
  const rawTxs: Uint8Array[] = new Array(n);
  let i = 0;
  try {
    for (; i < n; i++) {
      const start = r.pos;
      txs[i] = transactionCodec.decode(r);
      rawTxs[i] = bytes.subarray(start, r.pos);
    }
  } catch (e) {
    throw prefixField(e, `block.txs[${i}]`);
  }
  try {
    r.end();
  } catch (e) {
    throw prefixField(e, 'block');
  }
  return { block: { header, txs }, rawTxs };
}
