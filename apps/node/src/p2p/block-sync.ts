import { blockHash, hashToHex, toHex, ZERO_HASH, type BlockHeader, type Hash32 } from '@metamorph/bitcoin';
import type { Logger } from '@metamorph/config';
import type { ChainBlock, P2PChain } from './chain.js';
import type { RawBlock } from './messages/index.js';
import { BoundedSet, PeerState, type InFlightBlock } from './peer-state.js';
import {
  BLOCK_DOWNLOAD_WINDOW,
  InvType,
  MAX_BLOCKS_IN_TRANSIT_PER_PEER,
  MAX_BLOCKS_TO_ANNOUNCE,
  MAX_HEADERS_RESULTS,
  MAX_TIP_AGE_SECONDS,
  MAX_UNCONNECTING_HEADERS,
  NODE_NETWORK,
  PROTOCOL_VERSION,
  RejectCode,
} from './protocol.js';

export interface SyncOptions {
  /** How far past the tip blocks are fetched (BLOCK_DOWNLOAD_WINDOW). */
  window: number;
  maxInFlightPerPeer: number;
  /** A peer holding up the window this long without delivering is dropped (SV: 10 s). */
  stallTimeoutMs: number;
  /** After this long in flight, a block may also be asked of another peer (SV: 30 s). */
  slowFetchTimeoutMs: number;
  /** Block download timeout as a percentage of the block interval: base, base during IBD, per other peer. */
  downloadTimeoutPct: { base: number; ibd: number; perPeer: number };
  progressIntervalMs: number;
  maxTipAgeSeconds: number;
}

export const DEFAULT_SYNC_OPTIONS: SyncOptions = {
  window: BLOCK_DOWNLOAD_WINDOW,
  maxInFlightPerPeer: MAX_BLOCKS_IN_TRANSIT_PER_PEER,
  stallTimeoutMs: 10_000,
  slowFetchTimeoutMs: 30_000,
  downloadTimeoutPct: { base: 100, ibd: 600, perPeer: 50 },
  progressIntervalMs: 10_000,
  maxTipAgeSeconds: MAX_TIP_AGE_SECONDS,
};

const hex = toHex;

/**
 * Headers-first block download, as SV Node does it: headers are fetched from one peer
 * (several once we are close to the network's time) and checked by the chain before any
 * body is asked for; bodies are then fetched from every peer that has them, at most 16
 * in flight per peer, within a window of 1024 blocks past the tip. Peers that hold the
 * window up are dropped, and progress is logged with height, rate and time left.
 */
export class BlockSync {
  /** Every block in flight, by hash hex (normally one request; more after a slow fetch). */
  readonly inFlight = new Map<string, InFlightBlock[]>();
  /** Blocks the chain refused, so they are not asked for again (the chain may not mark all of them invalid). */
  private readonly refused = new BoundedSet(10_000);
  /**
   * Blocks received and now being checked by the chain (hash hex). They are no longer in
   * flight but not stored yet either: asking any peer for them again would download them twice.
   * Counted, as two peers may deliver the same block at once.
   */
  private readonly processing = new Map<string, number>();
  private syncPeers = 0;
  private ibdLatchedOff = false;
  private scheduling = false;
  private rescheduled = false;
  private progress = { at: 0, height: -1, blocks: 0, txs: 0, logged: false };
  /** Called once, when initial block download ends. */
  onLeftInitialBlockDownload: (() => void) | undefined;

  constructor(
    private readonly chain: P2PChain,
    private readonly peers: Map<number, PeerState>,
    private readonly log: Logger,
    private readonly opts: SyncOptions = DEFAULT_SYNC_OPTIONS,
    private readonly now: () => number = Date.now,
  ) {}

  /** SV Node's IsInitialBlockDownload: a tip older than the maximum tip age; once false it stays false. */
  isInitialBlockDownload(): boolean {
    if (this.ibdLatchedOff) return false;
    const tip = this.chain.tip();
    if (tip.header.time < Math.floor(this.now() / 1000) - this.opts.maxTipAgeSeconds) return true;
    this.ibdLatchedOff = true;
    this.log.info('leaving initial block download', { height: tip.height });
    if (this.onLeftInitialBlockDownload) queueMicrotask(this.onLeftInitialBlockDownload);
    return false;
  }

  private isClient(p: PeerState): boolean {
    return (p.session.peerServices & NODE_NETWORK) === 0n;
  }

  private preferred(p: PeerState): boolean {
    return (!p.session.inbound || p.session.whitelisted) && !this.isClient(p);
  }

  /** A peer finished its handshake: start the headers sync with it if we need one. */
  onPeerReady(p: PeerState): Promise<void> {
    return this.maybeStartSync(p);
  }

  onPeerClosed(p: PeerState): void {
    if (p.syncStarted) this.syncPeers--;
    for (const k of p.inFlight.keys()) {
      const left = (this.inFlight.get(k) ?? []).filter((f) => f.peerId !== p.id);
      if (left.length) this.inFlight.set(k, left);
      else this.inFlight.delete(k);
    }
    p.inFlight.clear();
    this.schedule();
  }

  /** Start the headers sync with this peer when we need one (SendBlockSync). */
  private async maybeStartSync(p: PeerState): Promise<void> {
    if (p.syncStarted || this.isClient(p) || !p.session.ready) return;
    const anyPreferred = [...this.peers.values()].some((q) => q.session.ready && this.preferred(q));
    const fetch = this.preferred(p) || !anyPreferred;
    const best = this.chain.bestHeader();
    const recent = best.header.time > Math.floor(this.now() / 1000) - 24 * 60 * 60;
    if (!((this.syncPeers === 0 && fetch) || recent)) return;
    p.syncStarted = true;
    this.syncPeers++;
    // Start one block back, so an up-to-date peer still answers with one header we can place.
    const start = best.height > 0 ? best.header.prevHash : best.hash;
    this.log.debug('initial getheaders', { peer: p.id, from: best.height > 0 ? best.height - 1 : 0, peerHeight: p.session.startHeight });
    await this.sendGetHeaders(p, start, ZERO_HASH);
  }

  private async sendGetHeaders(p: PeerState, from: Hash32 | undefined, stop: Hash32): Promise<void> {
    const locator = await this.chain.locator(from);
    p.session.send('getheaders', { version: PROTOCOL_VERSION, locator, hashStop: stop });
  }

  /** Record that the peer has `hash` (UpdateBlockAvailability). */
  private async updateAvailability(p: PeerState, hash: Hash32): Promise<ChainBlock | undefined> {
    const known = await this.chain.getBlock(hash);
    if (known && known.status !== 'invalid') {
      if (!p.bestKnown || known.chainWork >= p.bestKnown.chainWork) p.bestKnown = known;
      return known;
    }
    p.lastUnknownBlock = hash;
    return undefined;
  }

  /** Resolve a previously unknown announced block (ProcessBlockAvailability). */
  private async processAvailability(p: PeerState): Promise<void> {
    if (!p.lastUnknownBlock) return;
    const known = await this.chain.getBlock(p.lastUnknownBlock);
    if (known && known.status !== 'invalid') {
      if (!p.bestKnown || known.chainWork >= p.bestKnown.chainWork) p.bestKnown = known;
      p.lastUnknownBlock = undefined;
    }
  }

  /** A block announced by `inv`: ask for its headers first. */
  async onBlockInv(p: PeerState, hash: Hash32): Promise<void> {
    const known = await this.updateAvailability(p, hash);
    if (!known && !this.inFlight.has(hex(hash))) {
      this.log.debug('block inv: getheaders', { peer: p.id, hash: hashToHex(hash) });
      await this.sendGetHeaders(p, this.chain.bestHeader().hash, hash);
    }
  }

  async onHeaders(p: PeerState, headers: BlockHeader[]): Promise<void> {
    if (headers.length > MAX_HEADERS_RESULTS) {
      p.session.misbehave(20, 'too-many-headers');
      return;
    }
    if (headers.length === 0) return;
    const first = headers[0];
    const prev = await this.chain.getBlock(first.prevHash);
    if (!prev && headers.length < MAX_BLOCKS_TO_ANNOUNCE) {
      // Probably an announcement on a chain we lack: ask for the headers that connect it.
      p.unconnectingHeaders++;
      await this.sendGetHeaders(p, this.chain.bestHeader().hash, ZERO_HASH);
      this.log.debug('received headers that do not connect: sending getheaders', { peer: p.id, prev: hashToHex(first.prevHash), count: p.unconnectingHeaders });
      await this.updateAvailability(p, blockHash(headers[headers.length - 1]));
      if (p.unconnectingHeaders % MAX_UNCONNECTING_HEADERS === 0) p.session.misbehave(20, 'too-many-unconnected-headers');
      return;
    }
    let last: Hash32 | undefined;
    for (const h of headers) {
      if (last && hex(h.prevHash) !== hex(last)) {
        p.session.misbehave(20, 'disconnected-header');
        return;
      }
      last = blockHash(h);
    }
    const result = await this.chain.acceptHeaders(headers);
    if (result.rejected) {
      const r = result.rejected;
      this.log.info('invalid header received', { peer: p.id, hash: hashToHex(r.hash), reason: r.reason });
      p.session.misbehave(r.banScore, r.reason);
      return;
    }
    if (!result.last) return;
    p.unconnectingHeaders = 0;
    await this.updateAvailability(p, result.last.hash);
    if (result.added > 0) {
      // A full batch means a headers sync is under way: say where it is (SV: "Synchronizing blockheaders").
      const fields = { peer: p.id, added: result.added, height: result.last.height, tip: this.chain.tip().height };
      if (headers.length === MAX_HEADERS_RESULTS) this.log.info('synchronizing block headers', fields);
      else this.log.debug('accepted headers', fields);
    }
    if (headers.length === MAX_HEADERS_RESULTS) {
      this.log.debug('more getheaders', { peer: p.id, from: result.last.height });
      await this.sendGetHeaders(p, result.last.hash, ZERO_HASH);
    }
    // SV runs SendBlockSync for every peer right after this message: once our best header is
    // recent, the other peers are asked for headers at once, so bodies can come from all of them.
    if (result.added > 0) this.startSyncWithOthers();
    this.schedule();
  }

  async onBlock(p: PeerState, block: RawBlock): Promise<void> {
    const k = hex(block.hash);
    const requested = p.inFlight.has(k) || (p.session.whitelisted && !this.isInitialBlockDownload());
    for (const f of this.inFlight.get(k) ?? []) this.peers.get(f.peerId)?.inFlight.delete(k);
    this.inFlight.delete(k);
    p.lastBlockAt = this.now();
    p.stallingSince = 0;
    this.processing.set(k, (this.processing.get(k) ?? 0) + 1);
    let result: Awaited<ReturnType<P2PChain['acceptBlock']>>;
    try {
      result = await this.chain.acceptBlock(block.raw, block.hash, requested);
    } finally {
      const n = this.processing.get(k)! - 1;
      if (n > 0) this.processing.set(k, n);
      else this.processing.delete(k);
    }
    if (result.status === 'invalid') {
      this.refused.add(k);
      this.log.info('invalid block received', { peer: p.id, hash: hashToHex(block.hash), reason: result.reason });
      p.session.reject('block', RejectCode.Invalid, result.reason ?? 'invalid', block.hash);
      p.session.misbehave(result.banScore ?? 0, result.reason ?? 'invalid-block');
    } else if (result.status === 'connected' || result.status === 'stored') {
      this.progress.blocks++;
      this.progress.txs += block.txCount;
      await this.updateAvailability(p, block.hash);
    }
    this.schedule();
  }

  /** Fill every peer's download slots (soon, and once at a time). */
  schedule(): void {
    if (this.scheduling) {
      this.rescheduled = true;
      return;
    }
    this.scheduling = true;
    void (async () => {
      try {
        do {
          this.rescheduled = false;
          for (const p of this.peers.values()) {
            if (p.session.ready && !p.session.closed) await this.fill(p);
          }
        } while (this.rescheduled);
      } catch (e) {
        this.log.error('block download scheduling failed', { error: (e as Error).stack ?? String(e) });
      } finally {
        this.scheduling = false;
      }
    })();
  }

  /** FindNextBlocksToDownload + SendGetDataBlocks for one peer. */
  private async fill(p: PeerState): Promise<void> {
    if (this.isClient(p)) return;
    const free = this.opts.maxInFlightPerPeer - p.inFlight.size;
    if (free <= 0) return;
    await this.processAvailability(p);
    const best = p.bestKnown;
    const tip = this.chain.tip();
    if (!best || best.chainWork < tip.chainWork || best.status === 'invalid') return;
    const windowEnd = tip.height + this.opts.window;
    const candidates = await this.chain.missingBlocks(best.hash, windowEnd + 1, free + this.inFlight.size + 1);
    const toFetch: ChainBlock[] = [];
    let waitingFor: number | undefined;
    let staller: number | undefined;
    const t = this.now();
    for (const c of candidates) {
      if (c.height > windowEnd) {
        if (toFetch.length === 0 && waitingFor !== undefined && waitingFor !== p.id) staller = waitingFor;
        break;
      }
      const k = hex(c.hash);
      // Nothing past a refused block can be connected: stop there.
      if (this.refused.has(k)) break;
      if (this.processing.has(k)) continue;
      const flights = this.inFlight.get(k);
      if (!flights) {
        toFetch.push(c);
      } else if (waitingFor === undefined) {
        waitingFor = flights[0].peerId;
        // A block slow to arrive may also be asked of this peer (SV's parallel fetch).
        const slow = flights.every((f) => t - f.requestedAt >= this.opts.slowFetchTimeoutMs && t - (this.peers.get(f.peerId)?.lastBlockAt ?? 0) >= this.opts.slowFetchTimeoutMs);
        if (slow && !flights.some((f) => f.peerId === p.id) && flights.length < 2) {
          this.log.debug('parallel block download', { peer: p.id, hash: hashToHex(c.hash), height: c.height });
          toFetch.push(c);
        }
      }
      if (toFetch.length >= free) break;
    }
    if (p.session.closed) return;
    if (toFetch.length > 0) {
      for (const c of toFetch) {
        const k = hex(c.hash);
        const f: InFlightBlock = { hash: c.hash, height: c.height, peerId: p.id, requestedAt: t };
        p.inFlight.set(k, f);
        this.inFlight.set(k, [...(this.inFlight.get(k) ?? []), f]);
      }
      p.session.send('getdata', { inventory: toFetch.map((c) => ({ type: InvType.Block, hash: c.hash })) });
      this.log.debug('requesting blocks', { peer: p.id, from: toFetch[0].height, to: toFetch[toFetch.length - 1].height });
    }
    if (p.inFlight.size === 0 && staller !== undefined) {
      const s = this.peers.get(staller);
      if (s && s.stallingSince === 0) {
        s.stallingSince = t;
        this.log.debug('stall started', { peer: staller });
      }
    }
  }

  /** Timers: stalled and timed-out downloads, a sync peer when none is left, progress logs. */
  tick(): void {
    const t = this.now();
    const spacingMs = this.chain.params.powTargetSpacing * 1000;
    const downloading = [...this.peers.values()].filter((q) => q.inFlight.size > 0).length;
    for (const p of this.peers.values()) {
      if (!p.session.ready) continue;
      if (p.stallingSince && t - p.stallingSince > this.opts.stallTimeoutMs) {
        if (t - p.lastBlockAt > this.opts.stallTimeoutMs) {
          this.log.info('peer is stalling block download, disconnecting', { peer: p.id });
          p.session.close({ reason: 'stalling block download', ban: 'none' });
          continue;
        }
        p.stallingSince = t;
      }
      if (p.inFlight.size > 0) {
        const oldest = Math.min(...[...p.inFlight.values()].map((f) => f.requestedAt));
        const since = Math.max(oldest, p.lastBlockAt);
        const pct = (this.isInitialBlockDownload() ? this.opts.downloadTimeoutPct.ibd : this.opts.downloadTimeoutPct.base) + this.opts.downloadTimeoutPct.perPeer * Math.max(0, downloading - 1);
        if (t - since > (spacingMs * pct) / 100) {
          const first = [...p.inFlight.values()][0];
          this.log.info('timeout downloading block, disconnecting', { peer: p.id, hash: hashToHex(first.hash), height: first.height });
          p.session.close({ reason: 'block download timeout', ban: 'none' });
        }
      }
    }
    this.startSyncWithOthers();
    this.logProgress(t);
  }

  /** As SendBlockSync on every pass: one headers peer at first, every peer once our best header is recent. */
  private startSyncWithOthers(): void {
    for (const p of this.peers.values()) {
      if (p.syncStarted) continue;
      this.maybeStartSync(p).catch((e: unknown) => this.log.error('starting headers sync failed', { peer: p.id, error: (e as Error).stack ?? String(e) }));
    }
  }

  private logProgress(t: number): void {
    const tip = this.chain.tip();
    const best = this.chain.bestHeader();
    const pr = this.progress;
    if (pr.height < 0) {
      pr.height = tip.height;
      pr.at = t;
      return;
    }
    const behind = best.height - tip.height;
    if (t - pr.at < this.opts.progressIntervalMs) return;
    const seconds = (t - pr.at) / 1000;
    const done = tip.height - pr.height;
    if (behind > 0 && done >= 0) {
      const rate = done / seconds;
      this.log.info('sync progress', {
        height: tip.height,
        headers: best.height,
        blocksPerSec: Number(rate.toFixed(2)),
        txPerSec: Number((pr.txs / seconds).toFixed(1)),
        eta: rate > 0 ? formatDuration(behind / rate) : 'unknown',
        peers: [...this.peers.values()].filter((p) => p.inFlight.size > 0).length,
        inFlight: this.inFlight.size,
      });
      pr.logged = true;
    } else if (pr.logged && behind <= 0) {
      this.log.info('sync complete', { height: tip.height, hash: hashToHex(tip.hash) });
      pr.logged = false;
    }
    pr.at = t;
    pr.height = tip.height;
    pr.blocks = 0;
    pr.txs = 0;
  }
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'unknown';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
