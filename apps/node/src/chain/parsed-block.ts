import { HEADER_SIZE, blockHash, compactSizeLength, decodeBlockWithRaw, encodeBlock, sha256d, type Block, type Hash32 } from '@metamorph/bitcoin';

/** A block with what validation keeps asking for: its exact bytes, hash, txids and transaction sizes. */
export interface ParsedBlock {
  block: Block;
  raw: Uint8Array;
  hash: Hash32;
  txids: Hash32[];
  txSizes: number[];
}

/** Decode wire bytes (every byte must belong to the block); throws a BitcoinError naming the bad field. */
export function parseBlock(raw: Uint8Array): ParsedBlock {
  const { block, rawTxs } = decodeBlockWithRaw(raw);
  return {
    block,
    raw,
    hash: blockHash(block.header),
    txids: rawTxs.map((t) => sha256d(t)),
    txSizes: rawTxs.map((t) => t.length),
  };
}

export function parsedFromBlock(block: Block): ParsedBlock {
  return parseBlock(encodeBlock(block).slice());
}

/** Byte offset of each transaction inside the serialized block. */
export function txOffsets(p: Pick<ParsedBlock, 'txSizes'>): number[] {
  const n = p.txSizes.length;
  let off = HEADER_SIZE + compactSizeLength(n);
  return p.txSizes.map((size) => {
    const at = off;
    off += size;
    return at;
  });
}
