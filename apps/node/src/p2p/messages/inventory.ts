import { list, struct, u32le, type Codec, type Hash32 } from '@metamorph/bitcoin';
import type { TimedNetAddress } from '../net-address.js';
import { blockHeaderCodec, compactSizeCodec, hash32, hashListCodec, inventoryCodec, timedNetAddressCodec, type BlockHeader, type InvItem } from './primitives.js';

export interface InventoryPayload {
  inventory: InvItem[];
}

/** `inv`, `getdata` and `notfound`. */
export const inventoryPayloadCodec: Codec<InventoryPayload> = struct({ inventory: inventoryCodec });

export interface LocatorPayload {
  /** The sender's protocol version (CBlockLocator serializes it first). */
  version: number;
  /** Block hashes, newest first, stepping back exponentially to genesis. */
  locator: Hash32[];
  /** Stop after this block; zero for "as many as allowed". */
  hashStop: Hash32;
}

/** `getheaders` and `getblocks`. */
export const locatorCodec: Codec<LocatorPayload> = struct({ version: u32le, locator: hashListCodec, hashStop: hash32 });

export interface HeaderEntry {
  header: BlockHeader;
  /** Always 0 on the wire; kept so the bytes re-encode exactly. */
  txCount: number;
}

export interface HeadersPayload {
  headers: HeaderEntry[];
}

/** `headers`: each header followed by a transaction count (a CBlock with no transactions). */
export const headersCodec: Codec<HeadersPayload> = struct({
  headers: list(struct({ header: blockHeaderCodec, txCount: compactSizeCodec })),
});

export interface AddrPayload {
  addresses: TimedNetAddress[];
}

/** `addr`. The 1000-entry limit is a misbehaviour rule, checked by the session, not a decode error. */
export const addrCodec: Codec<AddrPayload> = struct({ addresses: list(timedNetAddressCodec) });
