import type { BlockHeader, ChainParams, Hash32 } from '@metamorph/bitcoin';

/**
 * The seam between the P2P layer and the node's chain: everything the network side needs
 * to know or ask. The node's chain service implements it over Postgres; tests use an
 * in-memory chain built from real headers and blocks.
 */

export type BlockStatus = 'header' | 'data' | 'valid' | 'invalid';

export interface ChainBlock {
  hash: Hash32;
  height: number;
  header: BlockHeader;
  /** Total work of the chain up to and including this block. */
  chainWork: bigint;
  /**
   * header: only the header is known; data: the body is stored but not connected yet;
   * valid: connected at least once; invalid: failed validation (or descends from a failure).
   */
  status: BlockStatus;
}

export interface HeaderRejection {
  hash: Hash32;
  /** The reference node's reject reason, e.g. `high-hash`, `bad-diffbits`, `bad-prevblk`. */
  reason: string;
  /** Misbehaviour points the sender earns (0 for rules a good peer can break by accident). */
  banScore: number;
}

export interface AcceptHeadersResult {
  /** The last header of the batch now known to the chain (accepted now or before), if any was. */
  last?: ChainBlock;
  /** How many headers were new. */
  added: number;
  /** The first header refused; later headers of the batch were not looked at. */
  rejected?: HeaderRejection;
}

export type AcceptBlockStatus =
  /** Stored and the active chain moved (to it or past it). */
  | 'connected'
  /** Stored; not (yet) on the active chain. */
  | 'stored'
  /** Already had it. */
  | 'duplicate'
  /** Not stored: unrequested and not interesting (too far ahead, or less work than the tip). */
  | 'ignored'
  | 'invalid';

export interface AcceptBlockResult {
  status: AcceptBlockStatus;
  reason?: string;
  /** Misbehaviour points for the sender of an invalid block. */
  banScore?: number;
}

export interface AcceptTxResult {
  accepted: boolean;
  /** Why not, as the reference node says it (e.g. `txn-mempool-conflict`, `missing-inputs`). */
  reason?: string;
  banScore?: number;
}

export type ChainEvent =
  /** The active chain changed: `connected` in ascending height order, `disconnected` tip first. */
  | { type: 'tip'; tip: ChainBlock; connected: ChainBlock[]; disconnected: ChainBlock[] }
  /** A transaction entered the mempool (from any source: RPC, P2P, a disconnected block). */
  | { type: 'tx'; txid: Hash32; raw: Uint8Array; fee?: bigint };

export interface P2PChain {
  readonly params: ChainParams;

  /** The active chain's tip. */
  tip(): ChainBlock;
  /** The header with the most work that is not known invalid (may be ahead of the tip). */
  bestHeader(): ChainBlock;
  getBlock(hash: Hash32): Promise<ChainBlock | undefined>;
  /** The ancestor of `hash` at `height` (itself at its own height). */
  getAncestor(hash: Hash32, height: number): Promise<ChainBlock | undefined>;
  /** Block locator from `from` (default: the tip): recent hashes densely, then exponentially sparser, ending at genesis. */
  locator(from?: Hash32): Promise<Hash32[]>;
  /**
   * Headers of the active chain after the last locator hash it contains (from genesis' child
   * when none matches), up to `max` or through `hashStop`. An empty locator means "just
   * `hashStop`"; undefined when that block is unknown.
   */
  headersAfter(locator: Hash32[], hashStop: Hash32, max: number): Promise<BlockHeader[] | undefined>;
  /** Hashes of the active chain after the locator's fork point, for `getblocks`. */
  hashesAfter(locator: Hash32[], hashStop: Hash32, max: number): Promise<Hash32[]>;
  /** Serialized block, if its body is stored. */
  getBlockRaw(hash: Hash32): Promise<Uint8Array | undefined>;
  /**
   * Blocks to download toward `target`: ancestors of `target` above its fork with the active
   * chain whose bodies are missing, ascending by height, none above `maxHeight`, at most
   * `limit` of them.
   */
  missingBlocks(target: Hash32, maxHeight: number, limit: number): Promise<ChainBlock[]>;
  /** Check and store headers (proof of work, difficulty, time, checkpoints); they must connect to known ones. */
  acceptHeaders(headers: BlockHeader[]): Promise<AcceptHeadersResult>;
  /**
   * Check and store a block, then connect whatever can be connected. `requested`: we asked
   * for it (unrequested blocks are only kept when they could become the tip).
   */
  acceptBlock(raw: Uint8Array, hash: Hash32, requested: boolean): Promise<AcceptBlockResult>;

  /** In the mempool (or otherwise known so that asking for it is pointless). */
  hasTransaction(txid: Hash32): Promise<boolean>;
  getTransactionRaw(txid: Hash32): Promise<Uint8Array | undefined>;
  acceptTransaction(raw: Uint8Array, txid: Hash32): Promise<AcceptTxResult>;
  mempoolTxids(): Promise<Hash32[]>;
  /** Fee rate below which we do not want transactions announced, satoshis per kB (undefined: no filter). */
  minFeeRate?(): bigint | undefined;

  subscribe(listener: (event: ChainEvent) => void): () => void;
}
