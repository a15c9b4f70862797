import { EventEmitter } from 'node:events';
import { blockHash, blockProof, equalBytes, hashToHex, type BlockHeader, type ChainParams, type Hash32 } from '@metamorph/bitcoin';
import type { Logger } from '@metamorph/config';
import type { PgClient } from '@metamorph/db';
import { NodeError, NodeErrorCode } from '../errors.js';
import type { Clock } from '../clock.js';
import { BlockIndex, type Undo } from './block-index.js';
import { betterTip, hasData, isInvalid, type IndexEntry } from './index-entry.js';
import { parseBlock, parsedFromBlock, type ParsedBlock } from './parsed-block.js';
import type { ChainStore } from './store.js';
import type { BlockConnector, ConnectContext } from './connector.js';
import { nextWorkRequired } from './difficulty.js';
import { checkBlock } from './validation/block.js';
import { checkBlockHeader, contextualCheckBlockHeader } from './validation/header.js';
import { contextualCheckBlock } from './validation/contextual-block.js';
import { checkSubmittedBlockPolicy } from './validation/policy.js';
import { reject, type Rejection } from './validation/rejection.js';
import { SerialLock } from '../sync/serial-lock.js';

/** Where a block came from: RPC submissions also get our own policy checks. */
export type BlockSource = 'rpc' | 'peer';

export type AcceptBlockOutcome =
  /** Stored and now part of the active chain. */
  | 'connected'
  /** Stored, valid so far, but its chain does not have the most work (a side branch). */
  | 'stored'
  /** Stored, but connecting it failed: it is now marked invalid. */
  | 'connect-failed'
  /** The body was already stored. */
  | 'already-have'
  /** The block is already known to be invalid. */
  | 'known-invalid'
  /** Its parent is unknown or invalid: nothing was stored. */
  | 'orphan'
  /** It failed validation (nothing stored, or only its header marked invalid). */
  | 'invalid';

export interface AcceptBlockResult {
  hash: Hash32;
  outcome: AcceptBlockOutcome;
  entry?: IndexEntry;
  rejection?: Rejection;
  /** The header was indexed before this call (only its body was new). */
  headerWasKnown: boolean;
}

export interface AcceptHeadersResult {
  /** Every header of the batch up to the first refused one, newly indexed or already known. */
  entries: IndexEntry[];
  /** The first refused header (the rest of the batch was not looked at). */
  failed?: { index: number; hash: Hash32; rejection: Rejection };
}

export interface TipChange {
  tip: IndexEntry;
  /** Blocks that joined the active chain, lowest first. */
  connected: IndexEntry[];
  /** Blocks that left it, highest first. */
  disconnected: IndexEntry[];
}

export interface ChainEvents {
  /** The active chain changed (new blocks, or a reorg). */
  tip: [TipChange];
  /** A block body was stored (whether or not it became the tip). */
  block: [IndexEntry, BlockSource];
  /** New headers were indexed. */
  headers: [IndexEntry[]];
}

export interface ChainServiceOptions {
  params: ChainParams;
  store: ChainStore;
  connector: BlockConnector;
  clock: Clock;
  maxBlockSize: number;
  logger: Logger;
  /** Shared with the mempool so chain changes and transaction acceptance never interleave. */
  lock?: SerialLock;
}

/** Most headers one `getHeaders` answer carries (the P2P `headers` limit). */
export const MAX_HEADERS_RESULTS = 2000;

/**
 * The node's chain: header index, block storage and best-chain selection by total work.
 * Every change runs one at a time and commits in one database transaction; readers see
 * the in-memory state, which only moves after a commit. This is the seam the P2P layer
 * drives (`acceptHeaders`, `acceptBlock`, `getHeaders`, `getBlock`, `tip`, the `tip` event).
 */
export class ChainService extends EventEmitter<ChainEvents> {
  readonly index = new BlockIndex();
  readonly params: ChainParams;
  private readonly store: ChainStore;
  private readonly connector: BlockConnector;
  private readonly clock: Clock;
  readonly maxBlockSize: number;
  private readonly log: Logger;
  readonly lock: SerialLock;
  private closed = false;

  constructor(opts: ChainServiceOptions) {
    super();
    this.params = opts.params;
    this.store = opts.store;
    this.connector = opts.connector;
    this.clock = opts.clock;
    this.maxBlockSize = opts.maxBlockSize;
    this.log = opts.logger;
    this.lock = opts.lock ?? new SerialLock();
  }

  /** Load the index from the database, writing the genesis block into an empty one. */
  async open(): Promise<void> {
    await this.exclusive(async () => {
      let rows = await this.store.loadHeaders();
      if (rows.length === 0) {
        await this.writeGenesis();
        rows = await this.store.loadHeaders();
      }
      for (const row of rows) {
        const isGenesis = row.height === 0;
        if (isGenesis && !equalBytes(row.hash, this.params.genesisHash)) {
          throw new NodeError(
            NodeErrorCode.ChainMismatch,
            `the database holds another network's chain (genesis ${hashToHex(row.hash)}, ${this.params.name} expects ${hashToHex(this.params.genesisHash)}): give each network its own DATABASE_URL`,
          );
        }
        const prev = isGenesis ? null : this.index.get(row.header.prevHash);
        if (!isGenesis && !prev) {
          throw new NodeError(NodeErrorCode.ChainMismatch, `block_index row ${hashToHex(row.hash)} at height ${row.height} has no parent row`);
        }
        const { entry } = this.index.add({ hash: row.hash, header: row.header, status: row.status, txCount: row.txCount, size: row.size }, prev ?? null);
        if (entry.chainWork !== row.chainWork || entry.height !== row.height) {
          throw new NodeError(NodeErrorCode.ChainMismatch, `block_index row ${hashToHex(row.hash)} has a chain_work or height that does not match its ancestors`);
        }
      }
      const main = await this.store.loadMainChain();
      for (const [i, row] of main.entries()) {
        const entry = this.index.get(row.hash);
        if (row.height !== i || !entry || entry.height !== i || (i > 0 && entry.prev !== this.index.atHeight(i - 1))) {
          throw new NodeError(NodeErrorCode.ChainMismatch, `main_chain is not one linked chain at height ${row.height}`);
        }
        this.index.pushActive(entry);
      }
      if (main.length === 0) throw new NodeError(NodeErrorCode.ChainMismatch, 'main_chain is empty although block_index is not');
      this.index.resequence();
      this.index.pruneCandidates();
    });
    // Finish a chain switch if a better stored chain exists (e.g. after a crash between writes).
    await this.exclusive(() => this.moveToBestChain());
    const tip = this.tip();
    this.log.info('chain loaded', { network: this.params.name, height: tip.height, hash: hashToHex(tip.hash), headers: this.index.size });
  }

  /** Stop accepting changes and wait for the one in progress. */
  async close(): Promise<void> {
    this.closed = true;
    await this.lock.idle();
  }

  tip(): IndexEntry {
    return this.index.tip();
  }

  getEntry(hash: Uint8Array): IndexEntry | undefined {
    return this.index.get(hash);
  }

  /** The stored body of a block, or null when only its header is known. */
  async getBlock(hash: Uint8Array): Promise<Uint8Array | null> {
    const entry = this.index.get(hash);
    if (!entry || !hasData(entry)) return null;
    return this.store.getBlockData(hash);
  }

  /**
   * Headers of the active chain after the first locator hash it contains (genesis when none
   * does), up to `stop` or `max` (the reference node's getheaders answer).
   */
  getHeaders(locator: readonly Uint8Array[], stop: Uint8Array | null, max = MAX_HEADERS_RESULTS): IndexEntry[] {
    if (locator.length === 0) {
      const e = stop ? this.index.get(stop) : undefined;
      return e ? [e] : [];
    }
    let fork = this.index.atHeight(0)!;
    for (const h of locator) {
      const e = this.index.get(h);
      if (e && this.index.contains(e)) {
        fork = e;
        break;
      }
    }
    const out: IndexEntry[] = [];
    for (let e = this.index.next(fork); e && out.length < max; e = this.index.next(e)) {
      out.push(e);
      if (stop && equalBytes(e.hash, stop)) break;
    }
    return out;
  }

  /** nBits required of a block at `time` on top of `prev`. */
  nextBits(prev: IndexEntry, time: number): number {
    return nextWorkRequired(this.index, prev, time, this.params);
  }

  now(): number {
    return this.clock();
  }

  /** Validate and index headers (peers announce them before their bodies). */
  acceptHeaders(headers: readonly BlockHeader[]): Promise<AcceptHeadersResult> {
    return this.exclusive(async () => {
      const undo: Undo[] = [];
      const entries: IndexEntry[] = [];
      const added: IndexEntry[] = [];
      let failed: AcceptHeadersResult['failed'];
      for (const [i, header] of headers.entries()) {
        const hash = blockHash(header);
        const known = this.index.get(hash);
        if (known) {
          if (isInvalid(known)) {
            failed = { index: i, hash, rejection: reject('duplicate', 'header is known to be invalid') };
            break;
          }
          entries.push(known);
          continue;
        }
        const prev = this.index.get(header.prevHash);
        const rejection = checkBlockHeader(hash, header, this.params) ?? this.checkParent(prev) ?? this.checkHeaderAgainst(header, prev!);
        if (rejection) {
          failed = { index: i, hash, rejection };
          break;
        }
        const { entry, undo: u } = this.index.add({ hash, header, status: 'HEADER', txCount: null, size: null }, prev!);
        undo.push(u);
        entries.push(entry);
        added.push(entry);
      }
      if (added.length) {
        await this.commit(undo, (client) => this.store.putEntries(client, added));
        this.safeEmit('headers', added);
      }
      if (failed) this.log.info('header rejected', { hash: hashToHex(failed.hash), reason: failed.rejection.reason, detail: failed.rejection.debug });
      return { entries, failed };
    });
  }

  /**
   * Validate a block, store it, and move the active chain to the most-work chain.
   * `input` is wire bytes (a BitcoinError is thrown when they do not decode) or a parsed block.
   */
  async acceptBlock(input: Uint8Array | ParsedBlock, source: BlockSource): Promise<AcceptBlockResult> {
    const p = input instanceof Uint8Array ? parseBlock(input) : input;
    return this.exclusive(() => this.acceptParsed(p, source));
  }

  /**
   * Would this block, built on the current tip, be valid apart from its proof of work?
   * (`getblocktemplate` proposals; the reference node's TestBlockValidity.) Nothing is stored.
   */
  testBlockValidity(p: ParsedBlock): Promise<Rejection | null> {
    return this.exclusive(async () => {
      const prev = this.tip();
      const height = prev.height + 1;
      const rejection =
        this.checkHeaderAgainst(p.block.header, prev) ??
        checkBlock(p, this.params, { height, maxBlockSize: this.maxBlockSize, checkPoW: false }) ??
        contextualCheckBlock(p, { height, prevMedianTimePast: this.index.medianTimePast(prev), maxBlockSize: this.maxBlockSize }, this.params) ??
        checkSubmittedBlockPolicy(p, height) ??
        this.connector.screen(p);
      if (rejection) return rejection;
      const probe: IndexEntry = {
        ...prev,
        hash: p.hash,
        key: '',
        header: p.block.header,
        height,
        prev,
        chainWork: prev.chainWork + blockProof(p.block.header.bits),
        status: 'DATA',
        children: [],
        mtp: undefined,
        seq: -1,
      };
      try {
        return await this.store.rolledBack((client) => this.connector.connect(this.connectContext(client), p, probe));
      } finally {
        this.connector.rolledBack?.();
      }
    });
  }

  /**
   * Mark a block invalid (the invalidateblock RPC): if it is on the active chain, disconnect
   * down to its parent, then move to the best chain that does not contain it. Returns the
   * tip change, or null when the active chain did not move.
   */
  invalidateBlock(hash: Uint8Array): Promise<TipChange | null> {
    return this.exclusive(async () => {
      const entry = this.index.get(hash);
      if (!entry) throw new NodeError(NodeErrorCode.UnknownBlock, `block ${hashToHex(hash)} is not known`);
      if (entry.height === 0) throw new NodeError(NodeErrorCode.NotSupported, 'the genesis block cannot be invalidated');
      const startTip = this.tip();
      const undo: Undo[] = [];
      let change: TipChange | null = null;
      await this.commit(undo, async (client) => {
        const ctx = this.connectContext(client);
        const disconnected: IndexEntry[] = [];
        while (this.index.contains(entry)) {
          const t = this.tip();
          await this.connector.disconnect(ctx, await this.readBody(t), t);
          undo.push(this.index.popActive());
          disconnected.push(t);
        }
        undo.push(this.index.markInvalid(entry));
        await this.store.setStatus(client, [entry]);
        undo.push(this.index.rebuildCandidates());
        if (disconnected.length) await this.store.setMainChain(client, this.tip().height, []);
        const moved = (await this.activate(client, undo, null)).change;
        const tip = this.tip();
        if (tip !== startTip) {
          change = { tip, connected: moved?.connected ?? [], disconnected: [...disconnected, ...(moved?.disconnected ?? [])] };
        }
      });
      this.index.pruneCandidates();
      this.log.warn('block invalidated', { height: entry.height, hash: hashToHex(entry.hash) });
      if (change) this.announce(change);
      return change;
    });
  }

  /**
   * Forget that a block and its descendants (and ancestors) were invalid (the reconsiderblock
   * RPC), then move to the best chain, which may now contain it.
   */
  reconsiderBlock(hash: Uint8Array): Promise<TipChange | null> {
    return this.exclusive(async () => {
      const entry = this.index.get(hash);
      if (!entry) throw new NodeError(NodeErrorCode.UnknownBlock, `block ${hashToHex(hash)} is not known`);
      const undo: Undo[] = [];
      let change: TipChange | null = null;
      await this.commit(undo, async (client) => {
        const cleared = this.index.clearInvalid(entry);
        undo.push(cleared.undo);
        await this.store.setStatus(client, cleared.changed);
        change = (await this.activate(client, undo, null)).change;
      });
      this.index.pruneCandidates();
      if (change) this.announce(change);
      return change;
    });
  }

  /**
   * Connect the active chain's blocks from `height` to the tip again, one transaction each, for
   * chain-state tables created after those blocks were accepted (a database from before the
   * UTXO set existed). A block that no longer connects stops the node with the reason.
   */
  reconnectFrom(height: number): Promise<number> {
    return this.exclusive(async () => {
      let count = 0;
      for (let h = Math.max(1, height); h <= this.tip().height; h++) {
        const entry = this.index.atHeight(h)!;
        const body = await this.readBody(entry);
        let rejection: Rejection | null = null;
        await this.commit([], async (client) => {
          rejection = await this.connector.connect(this.connectContext(client), body, entry);
          if (rejection) throw new NodeError(NodeErrorCode.ChainMismatch, `block ${hashToHex(entry.hash)} at height ${h} no longer connects: ${rejection.reason} (${rejection.debug})`);
        });
        count++;
      }
      return count;
    });
  }

  private async readBody(e: IndexEntry): Promise<ParsedBlock> {
    const raw = await this.store.getBlockData(e.hash);
    if (!raw) throw new NodeError(NodeErrorCode.MissingBlockData, `block ${hashToHex(e.hash)} is indexed as stored but block_data has no row`);
    return parseBlock(raw);
  }

  private async acceptParsed(p: ParsedBlock, source: BlockSource): Promise<AcceptBlockResult> {
    const hash = p.hash;
    const known = this.index.get(hash);
    const headerWasKnown = known !== undefined;
    let height: number | undefined = known?.height;
    const done = (outcome: AcceptBlockOutcome, extra: Partial<AcceptBlockResult> = {}): AcceptBlockResult => {
      const result: AcceptBlockResult = { hash, outcome, headerWasKnown, ...extra };
      this.logResult(result, source, height);
      return result;
    };
    if (known && isInvalid(known)) return done('known-invalid', { entry: known });
    if (known && hasData(known)) return done('already-have', { entry: known });

    const prev = known?.prev ?? this.index.get(p.block.header.prevHash);
    const parentProblem = this.checkParent(prev);
    if (parentProblem) return done('orphan', { rejection: parentProblem });
    const parent = prev!;
    height = parent.height + 1;

    let rejection =
      checkBlock(p, this.params, { height, maxBlockSize: this.maxBlockSize, checkPoW: true }) ??
      (known ? null : this.checkHeaderAgainst(p.block.header, parent));
    if (rejection) return done('invalid', { rejection, entry: known });

    rejection = contextualCheckBlock(p, { height, prevMedianTimePast: this.index.medianTimePast(parent), maxBlockSize: this.maxBlockSize }, this.params);
    if (rejection) {
      // The header is sound but the block is not: remember it as invalid, as the reference node does.
      const entry = await this.recordInvalidHeader(p, parent, known);
      return done('invalid', { rejection, entry });
    }
    rejection = (source === 'rpc' ? checkSubmittedBlockPolicy(p, height) : null) ?? this.connector.screen(p);
    if (rejection) return done('invalid', { rejection, entry: known });

    const undo: Undo[] = [];
    let entry: IndexEntry;
    let change: TipChange | null = null;
    let connectResult: 'connected' | Rejection | undefined;
    await this.commit(undo, async (client) => {
      const txCount = p.block.txs.length;
      if (known) {
        entry = known;
        undo.push(this.index.setData(known, txCount, p.raw.length));
      } else {
        const added = this.index.add({ hash, header: p.block.header, status: 'DATA', txCount, size: p.raw.length }, parent);
        undo.push(added.undo);
        entry = added.entry;
      }
      await this.store.putEntries(client, [entry]);
      await this.store.putBlockData(client, hash, p.raw);
      const moved = await this.activate(client, undo, { entry, parsed: p });
      change = moved.change;
      connectResult = moved.submitted;
    });
    this.index.pruneCandidates();
    this.safeEmit('block', entry!, source);
    if (change) this.announce(change);
    if (connectResult === 'connected') return done('connected', { entry: entry! });
    if (connectResult) return done('connect-failed', { entry: entry!, rejection: connectResult });
    return done('stored', { entry: entry! });
  }

  private async recordInvalidHeader(p: ParsedBlock, parent: IndexEntry, known: IndexEntry | undefined): Promise<IndexEntry> {
    const undo: Undo[] = [];
    let entry = known;
    await this.commit(undo, async (client) => {
      if (!entry) {
        const added = this.index.add({ hash: p.hash, header: p.block.header, status: 'HEADER', txCount: null, size: null }, parent);
        undo.push(added.undo);
        entry = added.entry;
      }
      undo.push(this.index.markInvalid(entry));
      await this.store.putEntries(client, [entry]);
    });
    return entry!;
  }

  /** Switch to the best chain outside a block submission (start-up). */
  private async moveToBestChain(): Promise<void> {
    const best = this.index.bestCandidate();
    if (!best || !betterTip(best, this.tip())) return;
    const undo: Undo[] = [];
    let change: TipChange | null = null;
    await this.commit(undo, async (client) => {
      change = (await this.activate(client, undo, null)).change;
    });
    this.index.pruneCandidates();
    if (change) this.announce(change);
  }

  /**
   * ActivateBestChain: while a connectable chain has more work than the tip, disconnect down
   * to the fork and connect up to it; a block that fails to connect is marked invalid and the
   * search starts again. Writes statuses and main_chain in the caller's transaction.
   */
  private async activate(
    client: PgClient,
    undo: Undo[],
    submitted: { entry: IndexEntry; parsed: ParsedBlock } | null,
  ): Promise<{ change: TipChange | null; submitted?: 'connected' | Rejection }> {
    const ctx = this.connectContext(client);
    const startTip = this.tip();
    const statusChanged = new Set<IndexEntry>();
    let submittedResult: 'connected' | Rejection | undefined;
    const body = async (e: IndexEntry): Promise<ParsedBlock> => {
      if (submitted && e === submitted.entry) return submitted.parsed;
      return this.readBody(e);
    };

    for (;;) {
      const candidate = this.index.bestCandidate();
      const tip = this.tip();
      if (!candidate || candidate === tip || !betterTip(candidate, tip)) break;
      const fork = this.index.findFork(candidate);
      while (this.tip() !== fork) {
        const t = this.tip();
        await this.connector.disconnect(ctx, await body(t), t);
        undo.push(this.index.popActive());
      }
      const path: IndexEntry[] = [];
      for (let e: IndexEntry | null = candidate; e && e !== fork; e = e.prev) path.push(e);
      path.reverse();
      for (const e of path) {
        const rejection = await this.connector.connect(ctx, await body(e), e);
        if (rejection) {
          undo.push(this.index.markInvalid(e));
          statusChanged.add(e);
          if (submitted && e === submitted.entry) submittedResult = rejection;
          this.log.warn('block failed to connect', { height: e.height, hash: hashToHex(e.hash), reason: rejection.reason, detail: rejection.debug });
          break;
        }
        undo.push(this.index.pushActive(e));
        if (e.status !== 'VALID') {
          undo.push(this.index.setStatus(e, 'VALID'));
          statusChanged.add(e);
        }
        if (submitted && e === submitted.entry) submittedResult = 'connected';
      }
    }

    await this.store.setStatus(client, [...statusChanged]);
    const newTip = this.tip();
    if (newTip === startTip) return { change: null, submitted: submittedResult };
    const fork = this.index.findFork(startTip);
    const disconnected: IndexEntry[] = [];
    for (let e: IndexEntry | null = startTip; e && e !== fork; e = e.prev) disconnected.push(e);
    const connected: IndexEntry[] = [];
    for (let h = fork.height + 1; h <= newTip.height; h++) connected.push(this.index.atHeight(h)!);
    await this.store.setMainChain(client, fork.height, connected);
    return { change: { tip: newTip, connected, disconnected }, submitted: submittedResult };
  }

  private checkParent(prev: IndexEntry | undefined): Rejection | null {
    if (!prev) return reject('prev-blk-not-found', 'prev block not found');
    if (isInvalid(prev)) return reject('bad-prevblk', 'prev block invalid');
    return null;
  }

  private checkHeaderAgainst(header: BlockHeader, prev: IndexEntry): Rejection | null {
    return contextualCheckBlockHeader(
      header,
      {
        height: prev.height + 1,
        prevMedianTimePast: this.index.medianTimePast(prev),
        expectedBits: this.nextBits(prev, header.time),
        adjustedTime: this.clock(),
      },
      this.params,
    );
  }

  private connectContext(client: PgClient): ConnectContext {
    return { client, params: this.params, index: this.index };
  }

  private async writeGenesis(): Promise<void> {
    const genesis = parsedFromBlock(this.params.genesis);
    const scratch = new BlockIndex();
    const { entry } = scratch.add({ hash: genesis.hash, header: genesis.block.header, status: 'VALID', txCount: genesis.block.txs.length, size: genesis.raw.length }, null);
    await this.store.transaction(async (client) => {
      await this.store.putEntries(client, [entry]);
      await this.store.putBlockData(client, entry.hash, genesis.raw);
      await this.store.setMainChain(client, -1, [entry]);
    });
    this.log.info('initialised the chain with the genesis block', { network: this.params.name, hash: hashToHex(entry.hash) });
  }

  /** Run `fn` in a transaction; if anything fails, revert the in-memory changes recorded in `undo`. */
  private async commit(undo: Undo[], fn: (client: PgClient) => Promise<void>): Promise<void> {
    try {
      await this.store.transaction(fn);
    } catch (e) {
      for (const u of undo.reverse()) u();
      this.connector.rolledBack?.();
      if (e instanceof NodeError) throw e;
      throw new NodeError(NodeErrorCode.Storage, `writing the chain failed: ${(e as Error).message}`, e);
    }
    // Memory that mirrors the committed state (caches, the mempool) follows before anyone hears of the change.
    await this.connector.committed?.();
  }

  private announce(change: TipChange): void {
    const { tip, connected, disconnected } = change;
    if (disconnected.length) {
      this.log.warn('reorganised the chain', { disconnected: disconnected.length, connected: connected.length, fork: tip.height - connected.length });
    }
    this.log.info('new tip', { height: tip.height, hash: hashToHex(tip.hash) });
    this.safeEmit('tip', change);
  }

  private logResult(r: AcceptBlockResult, source: BlockSource, height: number | undefined): void {
    const fields = { height: r.entry?.height ?? height, hash: hashToHex(r.hash), source };
    if (r.outcome === 'connected') this.log.info('block accepted', fields);
    else if (r.outcome === 'stored') this.log.info('block stored on a side branch', fields);
    else if (r.outcome === 'already-have') this.log.info('block already stored', fields);
    else if (r.outcome === 'known-invalid') this.log.info('block rejected', { ...fields, reason: 'duplicate-invalid' });
    else this.log.info('block rejected', { ...fields, reason: r.rejection?.reason, detail: r.rejection?.debug });
  }

  private safeEmit<K extends keyof ChainEvents>(event: K, ...args: ChainEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: ChainEvents[K]) => boolean)(event, ...args);
    } catch (e) {
      this.log.error('a chain event listener failed', { event, error: e as Error });
    }
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new NodeError(NodeErrorCode.ShuttingDown, 'the node is shutting down'));
    return this.lock.run(fn);
  }
}

