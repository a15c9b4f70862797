import {
  BitcoinError,
  BitcoinErrorCode,
  HEADER_SIZE as BLOCK_HEADER_SIZE,
  Reader,
  blockHeaderCodec,
  fixedBytes,
  hash32,
  i64le,
  list,
  mapped,
  prefixField,
  sha256d,
  struct,
  u16be,
  u32le,
  u64le,
  type BlockHeader,
  type Codec,
  type Hash32,
} from '@metamorph/bitcoin';
import type { NetAddress, TimedNetAddress } from '../net-address.js';
import type { InvType } from '../protocol.js';

export { hash32 };

/** A codec for a payload with no bytes. */
export const empty: Codec<Record<string, never>> = {
  encode() {},
  decode: () => ({}),
};

const ip16: Codec<Uint8Array> = fixedBytes(16);

/** CAddress without its time (as in `version`): services, IPv6 bytes, big-endian port. */
export const netAddressCodec: Codec<NetAddress> = struct({ services: u64le, ip: ip16, port: u16be });

/** CAddress with its time (as in `addr`). */
export const timedNetAddressCodec: Codec<TimedNetAddress> = struct({ time: u32le, services: u64le, ip: ip16, port: u16be });

export interface InvItem {
  type: InvType | number;
  hash: Hash32;
}

export const invItemCodec: Codec<InvItem> = struct({ type: u32le, hash: hash32 });

/** A list of inventory items (`inv`, `getdata`, `notfound`), bounded only by the message size. */
export const inventoryCodec: Codec<InvItem[]> = list(invItemCodec);

export const hashListCodec: Codec<Hash32[]> = list(hash32);

export { blockHeaderCodec, type BlockHeader };

/** Satoshis as a signed 64-bit amount. */
export const amountCodec: Codec<bigint> = i64le;

/** A 48-bit little-endian integer (compact block short ids). */
export const u48le: Codec<bigint> = mapped(
  fixedBytes(6),
  (b) => BigInt(b[0]) | (BigInt(b[1]) << 8n) | (BigInt(b[2]) << 16n) | (BigInt(b[3]) << 24n) | (BigInt(b[4]) << 32n) | (BigInt(b[5]) << 40n),
  (v) => {
    if (v < 0n || v >= 1n << 48n) throw new BitcoinError(BitcoinErrorCode.OutOfRange, `short id ${v} does not fit in 48 bits`);
    const out = new Uint8Array(6);
    for (let i = 0; i < 6; i++) out[i] = Number((v >> BigInt(8 * i)) & 0xffn);
    return out;
  },
);

/** A transaction kept as its exact wire bytes, with its id. */
export interface RawTx {
  raw: Uint8Array;
  txid: Hash32;
}

/** A block kept as its exact wire bytes, with its hash and transaction count. */
export interface RawBlock {
  raw: Uint8Array;
  hash: Hash32;
  header: BlockHeader;
  txCount: number;
}

/** Smallest serialized transaction: version, one empty-script input, no output, lock time. */
const MIN_TX_BYTES = 10;

/**
 * Walk one transaction's layout without building it, so a frame is known to hold a
 * well-formed transaction before its bytes go to validation.
 */
function skipTransaction(r: Reader): void {
  let field = 'version';
  try {
    r.bytes_(4);
    field = 'inputs';
    const nIn = r.compactSize();
    if (nIn > r.remaining) throw new BitcoinError(BitcoinErrorCode.Truncated, `count ${nIn} exceeds the ${r.remaining} bytes left`);
    for (let i = 0; i < nIn; i++) {
      field = `inputs[${i}]`;
      r.bytes_(36);
      r.bytes_(r.compactSize());
      r.bytes_(4);
    }
    field = 'outputs';
    const nOut = r.compactSize();
    if (nOut > r.remaining) throw new BitcoinError(BitcoinErrorCode.Truncated, `count ${nOut} exceeds the ${r.remaining} bytes left`);
    for (let i = 0; i < nOut; i++) {
      field = `outputs[${i}]`;
      r.bytes_(8);
      r.bytes_(r.compactSize());
    }
    field = 'lockTime';
    r.bytes_(4);
  } catch (e) {
    throw prefixField(e, field);
  }
}

export const rawTxCodec: Codec<RawTx> = {
  encode(w, v) {
    w.bytes(v.raw);
  },
  decode(r) {
    const start = r.pos;
    skipTransaction(r);
    const raw = r.bytes.subarray(start, r.pos);
    return { raw, txid: sha256d(raw) };
  },
};

/** Build a RawTx from wire bytes, checking they hold exactly one transaction. */
export function rawTx(raw: Uint8Array): RawTx {
  const r = new Reader(raw);
  const tx = rawTxCodec.decode(r);
  r.end();
  return tx;
}

export const rawBlockCodec: Codec<RawBlock> = {
  encode(w, v) {
    w.bytes(v.raw);
  },
  decode(r) {
    const start = r.pos;
    let header: BlockHeader;
    try {
      header = blockHeaderCodec.decode(r);
    } catch (e) {
      throw prefixField(e, 'header');
    }
    let txCount: number;
    try {
      txCount = r.compactSize();
      if (txCount * MIN_TX_BYTES > r.remaining) {
        throw new BitcoinError(BitcoinErrorCode.Truncated, `${txCount} transactions cannot fit in the ${r.remaining} bytes left`);
      }
    } catch (e) {
      throw prefixField(e, 'txs');
    }
    for (let i = 0; i < txCount; i++) {
      try {
        skipTransaction(r);
      } catch (e) {
        throw prefixField(e, `txs[${i}]`);
      }
    }
    const raw = r.bytes.subarray(start, r.pos);
    return { raw, hash: sha256d(raw.subarray(0, BLOCK_HEADER_SIZE)), header, txCount };
  },
};

/** Build a RawBlock from wire bytes, checking they hold exactly one block. */
export function rawBlock(raw: Uint8Array): RawBlock {
  const r = new Reader(raw);
  const b = rawBlockCodec.decode(r);
  r.end();
  return b;
}

export { compactSize as compactSizeCodec } from '@metamorph/bitcoin';
