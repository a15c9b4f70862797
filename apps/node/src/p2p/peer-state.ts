import { toHex, type Hash32 } from '@metamorph/bitcoin';
import type { ChainBlock } from './chain.js';
import type { PeerSession } from './session.js';

/** A set that forgets its oldest entries beyond a size (known inventory, asked-for items). */
export class BoundedSet {
  private readonly items = new Set<string>();
  constructor(private readonly max: number) {}
  has(k: string): boolean {
    return this.items.has(k);
  }
  add(k: string): void {
    if (this.items.has(k)) return;
    this.items.add(k);
    if (this.items.size > this.max) this.items.delete(this.items.values().next().value as string);
  }
  delete(k: string): void {
    this.items.delete(k);
  }
  get size(): number {
    return this.items.size;
  }
}

export interface InFlightBlock {
  hash: Hash32;
  height: number;
  peerId: number;
  requestedAt: number;
}

/** What we track about one connected peer beyond its session (SV Node's CNodeState). */
export class PeerState {
  /** The most-work block we know the peer has. */
  bestKnown: ChainBlock | undefined;
  /** A block the peer announced that we do not know yet; resolved once its header arrives. */
  lastUnknownBlock: Hash32 | undefined;
  /** We asked this peer for headers to sync. */
  syncStarted = false;
  /** Blocks requested from this peer, by hash hex. */
  readonly inFlight = new Map<string, InFlightBlock>();
  /** When this peer started holding up the download window (0: it is not). */
  stallingSince = 0;
  /** When a block last arrived from this peer. */
  lastBlockAt = 0;
  /** Header announcements that did not connect, in a row. */
  unconnectingHeaders = 0;
  /** The last header we sent or announced to it. */
  bestHeaderSent: ChainBlock | undefined;
  /** Inventory the peer has or was told about (hex), so we do not repeat it. */
  readonly knownInventory = new BoundedSet(50_000);
  /** Transactions waiting for the next inventory trickle, with their fee rate when known (sat/kB). */
  txToAnnounce: { txid: Hash32; feePerKb?: bigint }[] = [];
  /** The fee filter we last sent this peer (SV's lastSentFeeFilter; nothing is sent while it stays 0). */
  lastFeeFilter = 0n;
  /** When our fee filter is next due for this peer (SV's nextSendTimeFeeFilter). */
  nextFeeFilterAt = 0;
  /** Transactions we asked this peer for, by hex, with when. */
  readonly askedTx = new Map<string, number>();
  /** Addresses (host:port) the peer sent us or we sent it, so none is sent back. */
  readonly knownAddresses = new BoundedSet(5_000);
  /** We answered its getaddr already (once per connection). */
  sentAddr = false;
  /** getblocks: when this block is sent, re-announce our tip so the peer asks for more. */
  hashContinue: string | undefined;

  constructor(readonly session: PeerSession) {}

  get id(): number {
    return this.session.id;
  }

  knows(hash: Uint8Array): boolean {
    return this.knownInventory.has(toHex(hash));
  }

  markKnown(hash: Uint8Array): void {
    this.knownInventory.add(toHex(hash));
  }
}
