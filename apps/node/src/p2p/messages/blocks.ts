import { BitcoinError, BitcoinErrorCode, list, prefixField, struct, u64le, type Codec, type Hash32 } from '@metamorph/bitcoin';
import {
  blockHeaderCodec,
  compactSizeCodec,
  hash32,
  rawBlockCodec,
  rawTxCodec,
  u48le,
  type BlockHeader,
  type RawBlock,
  type RawTx,
} from './primitives.js';

export type BlockPayload = RawBlock;
export type TxPayload = RawTx;

export const blockPayloadCodec: Codec<BlockPayload> = rawBlockCodec;
export const txPayloadCodec: Codec<TxPayload> = rawTxCodec;

export interface PrefilledTx {
  /** Offset from the previous prefilled transaction's index + 1, as on the wire. */
  indexDelta: number;
  tx: RawTx;
}

export interface CmpctBlockPayload {
  header: BlockHeader;
  nonce: bigint;
  /** 6-byte short transaction ids (BIP 152). */
  shortIds: bigint[];
  prefilled: PrefilledTx[];
}

/** `cmpctblock` (CBlockHeaderAndShortTxIDs). We never ask for compact blocks; this reads them when sent anyway. */
export const cmpctblockCodec: Codec<CmpctBlockPayload> = struct({
  header: blockHeaderCodec,
  nonce: u64le,
  shortIds: list(u48le),
  prefilled: list(struct({ indexDelta: compactSizeCodec, tx: rawTxCodec })),
});

export interface GetBlockTxnPayload {
  blockHash: Hash32;
  /** Absolute, strictly increasing transaction indexes (differentially encoded on the wire). */
  indexes: number[];
}

const U32_MAX = 0xffffffff;

/** `getblocktxn` (BlockTransactionsRequest). */
export const getblocktxnCodec: Codec<GetBlockTxnPayload> = {
  encode(w, v) {
    hash32.encode(w, v.blockHash);
    w.compactSize(v.indexes.length);
    let prev = -1;
    v.indexes.forEach((index, i) => {
      if (!Number.isInteger(index) || index <= prev || index > U32_MAX) {
        throw new BitcoinError(BitcoinErrorCode.OutOfRange, `${index} is not above the previous index and within 32 bits`, `indexes[${i}]`);
      }
      w.compactSize(index - prev - 1);
      prev = index;
    });
  },
  decode(r) {
    let field = 'blockHash';
    try {
      const blockHash = hash32.decode(r);
      field = 'indexes';
      const n = r.compactSize();
      if (n > r.remaining) throw new BitcoinError(BitcoinErrorCode.Truncated, `count ${n} exceeds the ${r.remaining} bytes left`);
      const indexes = new Array<number>(n);
      let offset = 0;
      for (let i = 0; i < n; i++) {
        field = `indexes[${i}]`;
        const index = r.compactSize() + offset;
        if (index > U32_MAX) throw new BitcoinError(BitcoinErrorCode.OutOfRange, 'indexes overflowed 32 bits');
        indexes[i] = index;
        offset = index + 1;
      }
      return { blockHash, indexes };
    } catch (e) {
      throw prefixField(e, field);
    }
  },
};

export interface BlockTxnPayload {
  blockHash: Hash32;
  txs: RawTx[];
}

/** `blocktxn` (BlockTransactions). */
export const blocktxnCodec: Codec<BlockTxnPayload> = struct({ blockHash: hash32, txs: list(rawTxCodec) });
