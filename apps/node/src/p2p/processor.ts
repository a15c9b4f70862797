import { randomInt } from 'node:crypto';
import { blockHash, hashToHex, toHex, type Hash32 } from '@metamorph/bitcoin';
import type { Logger } from '@metamorph/config';
import type { AddressBook } from './address-book.js';
import { FEE_FILTER_CHANGE_DELAY_MS, FEE_FILTER_INTERVAL_MS, IBD_FEE_FILTER_INPUT, poissonNext, roundFeeFilter } from './fee-filter.js';
import { BlockSync, DEFAULT_SYNC_OPTIONS, type SyncOptions } from './block-sync.js';
import type { ChainBlock, ChainEvent, P2PChain } from './chain.js';
import type { InvItem, Message, MessageOf } from './messages/index.js';
import { addressKey, ipFromString, isRoutableIp, type TimedNetAddress } from './net-address.js';
import { PeerState } from './peer-state.js';
import { FEEFILTER_VERSION, InvType, LOCAL_SERVICES, REQUIRED_SERVICES, MAX_ADDR_PER_MESSAGE, MAX_BLOCKS_TO_ANNOUNCE, MAX_GETBLOCKS_RESULTS, MAX_HEADERS_RESULTS } from './protocol.js';
import type { CloseReason, PeerSession, SessionHandler } from './session.js';

export interface ProcessorOptions {
  sync?: Partial<SyncOptions>;
  /** Whether we want transactions relayed to us (false: blocks only). */
  relayTxs?: boolean;
  /** How often queued transaction announcements go out (SV: 150 ms). */
  invIntervalMs?: number;
  /** Re-ask another peer for a transaction after this long. */
  txRequestTimeoutMs?: number;
  /** The port we accept connections on, advertised to outbound peers; none when not listening. */
  listenPort?: number;
  now?: () => number;
}

/** Blocks waiting to go out, kept below this many bytes in the socket buffer. */
const SEND_BUFFER_LIMIT = 8 * 1024 * 1024;

/**
 * SV Node's message processing for connected peers (net_processing.cpp), minus the
 * handshake the session runs itself: it syncs and relays blocks, relays transactions,
 * serves headers, blocks and transactions to peers that ask, and trades addresses.
 */
export class NetProcessor implements SessionHandler {
  readonly peers = new Map<number, PeerState>();
  readonly sync: BlockSync;
  private readonly now: () => number;
  private readonly relayTxs: boolean;
  private readonly txRequestTimeoutMs: number;
  listenPort: number | undefined;
  /** Transactions asked of some peer, by hex, with when (SV's mapAlreadyAskedFor). */
  private readonly askedTx = new Map<string, number>();
  private unsubscribe: (() => void) | undefined;
  private invTimer: NodeJS.Timeout | undefined;
  /** The connection manager's hooks for what happens around sessions. */
  hooks: {
    onClose?(session: PeerSession, reason: CloseReason): void;
    onVersion?(session: PeerSession): void;
    waitWritable?(session: PeerSession, limit: number): Promise<void>;
  } = {};

  constructor(
    readonly chain: P2PChain,
    readonly addresses: AddressBook,
    private readonly log: Logger,
    opts: ProcessorOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.relayTxs = opts.relayTxs ?? true;
    this.txRequestTimeoutMs = opts.txRequestTimeoutMs ?? 60_000;
    this.listenPort = opts.listenPort;
    this.sync = new BlockSync(chain, this.peers, log, { ...DEFAULT_SYNC_OPTIONS, ...opts.sync }, this.now);
    // Decided at start, as SV Node does while loading its chain: a node that starts with a recent
    // tip was never in initial block download as far as its peers are concerned.
    this.sync.isInitialBlockDownload();
    // As SV Node: leaving initial block download sends every peer our real fee filter at once.
    this.sync.onLeftInitialBlockDownload = () => {
      for (const p of this.peers.values()) {
        p.nextFeeFilterAt = 0;
        this.updateFeeFilter(p);
      }
    };
    this.unsubscribe = chain.subscribe((e) => this.onChainEvent(e));
    this.invTimer = setInterval(() => {
      try {
        this.flushInventory();
      } catch (e) {
        this.log.error('inventory trickle failed', { error: (e as Error).stack ?? String(e) });
      }
    }, opts.invIntervalMs ?? 150);
    this.invTimer.unref();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.invTimer) clearInterval(this.invTimer);
  }

  addSession(session: PeerSession): PeerState {
    const p = new PeerState(session);
    this.peers.set(session.id, p);
    return p;
  }

  // ───────────── SessionHandler ─────────────

  onVersion(session: PeerSession): void {
    this.hooks.onVersion?.(session);
  }

  onReady(session: PeerSession): void {
    const p = this.peers.get(session.id);
    if (!p) return;
    this.advertiseSelf(p);
    // As SV Node's SendMessages: the headers sync first, the fee filter last.
    void this.sync
      .onPeerReady(p)
      .then(() => this.updateFeeFilter(p))
      .catch((e) => this.log.error('peer start-up failed', { peer: p.id, error: (e as Error).stack ?? String(e) }));
  }

  /**
   * SV Node's SendFeeFilter: tell the peer the lowest fee rate worth announcing to us — 1 BSV/kB
   * while we are in initial block download, else the mempool's minimum — rounded to a bucket,
   * only when it changed, checked about every 10 minutes (within a minute of a big change).
   * Not to whitelisted peers, whose transactions we relay whatever their fee.
   */
  private updateFeeFilter(p: PeerState): void {
    const s = p.session;
    if (!s.ready || s.peerVersion < FEEFILTER_VERSION || s.whitelisted) return;
    const minFee = this.chain.minFeeRate?.();
    if (minFee === undefined) return;
    const current = this.sync.isInitialBlockDownload() ? IBD_FEE_FILTER_INPUT : minFee;
    const t = this.now();
    if (t > p.nextFeeFilterAt) {
      const filter = roundFeeFilter(current);
      if (filter !== p.lastFeeFilter) {
        s.send('feefilter', { feeRate: filter });
        p.lastFeeFilter = filter;
      }
      p.nextFeeFilterAt = poissonNext(t, FEE_FILTER_INTERVAL_MS);
    } else if (t + FEE_FILTER_CHANGE_DELAY_MS < p.nextFeeFilterAt && (current < (3n * p.lastFeeFilter) / 4n || current > (4n * p.lastFeeFilter) / 3n)) {
      p.nextFeeFilterAt = t + randomInt(FEE_FILTER_CHANGE_DELAY_MS / 1000) * 1000;
    }
  }

  onClose(session: PeerSession, reason: CloseReason): void {
    const p = this.peers.get(session.id);
    this.peers.delete(session.id);
    if (p) {
      this.sync.onPeerClosed(p);
      for (const k of p.askedTx.keys()) this.askedTx.delete(k);
    }
    this.hooks.onClose?.(session, reason);
  }

  async onMessage(session: PeerSession, message: Message): Promise<void> {
    const p = this.peers.get(session.id);
    if (!p) return;
    switch (message.command) {
      case 'headers':
        return this.sync.onHeaders(p, message.payload.headers.map((h) => h.header));
      case 'block':
        return this.sync.onBlock(p, message.payload);
      case 'inv':
        return this.onInv(p, message.payload.inventory);
      case 'getdata':
        return this.onGetData(p, message.payload.inventory);
      case 'getheaders':
        return this.onGetHeaders(p, message);
      case 'getblocks':
        return this.onGetBlocks(p, message);
      case 'tx':
        return this.onTx(p, message);
      case 'notfound':
        for (const i of message.payload.inventory) if (i.type === InvType.Tx) this.forgetAsked(p, toHex(i.hash));
        return;
      case 'addr':
        return this.onAddr(p, message);
      case 'getaddr':
        return this.onGetAddr(p);
      case 'mempool':
        return this.onMempool(p, message);
      case 'cmpctblock':
        // We never asked for compact blocks; treat it as an announcement and fetch the full block.
        return this.sync.onHeaders(p, [message.payload.header]);
      case 'getblocktxn': {
        // We never send compact blocks, but answer with the full block as SV Node does for old ones.
        const raw = await this.servableBlock(message.payload.blockHash);
        if (raw) session.sendRaw('block', raw);
        return;
      }
      case 'blocktxn':
        return;
      default:
        this.log.debug('ignored message', { peer: session.id, command: message.command });
    }
  }

  // ───────────── inventory ─────────────

  private async onInv(p: PeerState, items: InvItem[]): Promise<void> {
    const wanted: InvItem[] = [];
    for (const item of items) {
      if (item.type === InvType.Block) {
        p.markKnown(item.hash);
        await this.sync.onBlockInv(p, item.hash);
      } else if (item.type === InvType.Tx) {
        p.markKnown(item.hash);
        if (!this.relayTxs) {
          this.log.debug('transaction inv sent in violation of protocol (blocks only)', { peer: p.id });
          continue;
        }
        if (this.sync.isInitialBlockDownload()) continue;
        const k = toHex(item.hash);
        const asked = this.askedTx.get(k);
        if (asked !== undefined && this.now() - asked < this.txRequestTimeoutMs) continue;
        if (await this.chain.hasTransaction(item.hash)) continue;
        this.askedTx.set(k, this.now());
        p.askedTx.set(k, this.now());
        wanted.push(item);
      } else {
        this.log.info('invalid inv type, disconnecting', { peer: p.id, type: item.type });
        p.session.close({ reason: `inv of unknown type ${item.type}`, ban: 'none' });
        return;
      }
    }
    for (let i = 0; i < wanted.length; i += p.session.maxInvItems) {
      p.session.send('getdata', { inventory: wanted.slice(i, i + p.session.maxInvItems) });
    }
  }

  private forgetAsked(p: PeerState, k: string): void {
    p.askedTx.delete(k);
    this.askedTx.delete(k);
  }

  /** A block we may hand out: on the active chain, or valid (SV also serves recent valid side blocks). */
  private async servableBlock(hash: Hash32): Promise<Uint8Array | undefined> {
    const b = await this.chain.getBlock(hash);
    if (!b || b.status !== 'valid') return undefined;
    return this.chain.getBlockRaw(hash);
  }

  private async onGetData(p: PeerState, items: InvItem[]): Promise<void> {
    const notFound: InvItem[] = [];
    for (const item of items) {
      if (p.session.closed) return;
      if (item.type === InvType.Block || item.type === InvType.CompactBlock) {
        const raw = await this.servableBlock(item.hash);
        if (!raw) {
          this.log.debug('ignoring getdata for a block we cannot serve', { peer: p.id, hash: hashToHex(item.hash) });
          continue;
        }
        await this.hooks.waitWritable?.(p.session, SEND_BUFFER_LIMIT);
        // Compact blocks are declined: a full block answers MSG_CMPCT_BLOCK too.
        p.session.sendRaw('block', raw);
        p.markKnown(item.hash);
        if (p.hashContinue === toHex(item.hash)) {
          p.session.send('inv', { inventory: [{ type: InvType.Block, hash: this.chain.tip().hash }] });
          p.hashContinue = undefined;
        }
      } else if (item.type === InvType.Tx) {
        const raw = await this.chain.getTransactionRaw(item.hash);
        if (raw) {
          p.session.sendRaw('tx', raw);
          p.markKnown(item.hash);
        } else {
          notFound.push(item);
        }
      } else if (item.type === InvType.DatarefTx) {
        notFound.push(item);
      }
      // MSG_FILTERED_BLOCK: we offer no bloom filtering; no answer, as SV Node without a filter.
    }
    if (notFound.length) p.session.send('notfound', { inventory: notFound });
  }

  private async onGetHeaders(p: PeerState, m: MessageOf<'getheaders'>): Promise<void> {
    if (this.sync.isInitialBlockDownload() && !p.session.whitelisted) {
      this.log.debug('ignoring getheaders during initial block download', { peer: p.id });
      return;
    }
    const { locator, hashStop } = m.payload;
    const headers = await this.chain.headersAfter(locator, hashStop, MAX_HEADERS_RESULTS);
    if (!headers) {
      this.log.debug('ignoring getheaders for an unknown block without locator', { peer: p.id, hashStop: hashToHex(hashStop) });
      return;
    }
    p.session.send('headers', { headers: headers.map((header) => ({ header, txCount: 0 })) });
    // As SV Node: reset (not max) what we told the peer, so the next announcement starts right.
    p.bestHeaderSent = headers.length ? await this.chain.getBlock(blockHash(headers[headers.length - 1])) : this.chain.tip();
  }

  private async onGetBlocks(p: PeerState, m: MessageOf<'getblocks'>): Promise<void> {
    const hashes = await this.chain.hashesAfter(m.payload.locator, m.payload.hashStop, MAX_GETBLOCKS_RESULTS);
    if (hashes.length === 0) return;
    if (hashes.length === MAX_GETBLOCKS_RESULTS) p.hashContinue = toHex(hashes[hashes.length - 1]);
    for (const h of hashes) p.markKnown(h);
    p.session.send('inv', { inventory: hashes.map((hash) => ({ type: InvType.Block, hash })) });
  }

  // ───────────── transactions ─────────────

  private async onTx(p: PeerState, m: MessageOf<'tx'>): Promise<void> {
    const { raw, txid } = m.payload;
    if (!this.relayTxs && !p.session.whitelisted) {
      this.log.debug('transaction sent in violation of protocol (blocks only)', { peer: p.id });
      return;
    }
    const k = toHex(txid);
    p.markKnown(txid);
    this.forgetAsked(p, k);
    if (await this.chain.hasTransaction(txid)) return;
    const r = await this.chain.acceptTransaction(raw, txid);
    if (!r.accepted) {
      this.log.debug('transaction not accepted', { peer: p.id, txid: hashToHex(txid), reason: r.reason });
      if (r.banScore) p.session.misbehave(r.banScore, r.reason ?? 'invalid-tx');
    }
  }

  private async onMempool(p: PeerState, m: MessageOf<'mempool'>): Promise<void> {
    // SV Node (-rejectmempoolrequest, on by default) disconnects non-whitelisted peers that ask.
    if (!p.session.whitelisted || m.payload.age !== undefined) {
      this.log.info('mempool request from non-whitelisted peer, disconnecting', { peer: p.id });
      p.session.close({ reason: 'mempool request', ban: 'none' });
      return;
    }
    for (const txid of await this.chain.mempoolTxids()) if (!p.knows(txid)) p.txToAnnounce.push({ txid });
  }

  // ───────────── addresses ─────────────

  private onAddr(p: PeerState, m: MessageOf<'addr'>): void {
    let list = m.payload.addresses;
    if (list.length > MAX_ADDR_PER_MESSAGE) {
      p.session.misbehave(20, 'oversized-addr');
      return;
    }
    if (p.session.inbound) {
      // We only ask outbound peers for addresses: from an inbound one only its own address is
      // taken (so a node behind NAT can announce itself), as SV Node does.
      let own: Uint8Array | undefined;
      try {
        own = ipFromString(p.session.remote.host);
      } catch {
        own = undefined;
      }
      const self = own && list.find((a) => toHex(a.ip) === toHex(own!));
      if (!self) {
        this.log.debug('unsolicited addr ignored', { peer: p.id, count: list.length });
        return;
      }
      list = [self];
    }
    const nowSec = Math.floor(this.now() / 1000);
    for (const a of list) {
      p.knownAddresses.add(addressKey(a.ip, a.port));
      if (list.length <= 10 && a.time > nowSec - 600 && a.time <= nowSec + 600 && isRoutableIp(a.ip) && (a.services & REQUIRED_SERVICES) === REQUIRED_SERVICES) {
        this.relayAddress(p, a);
      }
    }
    const added = this.addresses.add(list, 'addr');
    if (added) this.log.debug('learnt addresses', { peer: p.id, added, sent: list.length });
  }

  /**
   * Tell an outbound peer where to reach us, at the address it sees us on (SV Node's
   * AdvertiseLocal), once we listen and are out of initial block download.
   */
  private advertiseSelf(p: PeerState): void {
    const seen = p.session.addrLocal;
    if (p.session.inbound || this.listenPort === undefined || !seen || !isRoutableIp(seen.ip) || this.sync.isInitialBlockDownload()) return;
    const self: TimedNetAddress = { time: Math.floor(this.now() / 1000), services: LOCAL_SERVICES, ip: seen.ip, port: this.listenPort };
    p.knownAddresses.add(addressKey(self.ip, self.port));
    p.session.send('addr', { addresses: [self] });
  }

  /** Pass a fresh address on to two other peers (SV Node's RelayAddress). */
  private relayAddress(from: PeerState, a: TimedNetAddress): void {
    const k = addressKey(a.ip, a.port);
    const others = [...this.peers.values()].filter((q) => q !== from && q.session.ready && !q.knownAddresses.has(k));
    for (let i = others.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [others[i], others[j]] = [others[j], others[i]];
    }
    for (const q of others.slice(0, 2)) {
      q.knownAddresses.add(k);
      q.session.send('addr', { addresses: [a] });
    }
  }

  private onGetAddr(p: PeerState): void {
    if (!p.session.inbound) {
      this.log.debug('ignoring getaddr from outbound connection', { peer: p.id });
      return;
    }
    if (p.sentAddr) {
      this.log.debug('ignoring repeated getaddr', { peer: p.id });
      return;
    }
    p.sentAddr = true;
    const addrs = this.addresses.sample(2500);
    for (const a of addrs) p.knownAddresses.add(addressKey(a.ip, a.port));
    for (let i = 0; i < addrs.length; i += MAX_ADDR_PER_MESSAGE) p.session.send('addr', { addresses: addrs.slice(i, i + MAX_ADDR_PER_MESSAGE) });
  }

  // ───────────── announcements ─────────────

  private onChainEvent(e: ChainEvent): void {
    if (e.type === 'tip') {
      void this.announceBlocks(e.connected).catch((err) => this.log.error('block announcement failed', { error: (err as Error).stack ?? String(err) }));
      this.sync.schedule();
      return;
    }
    if (!this.relayTxs) return;
    const feePerKb = e.fee === undefined || e.raw.length === 0 ? undefined : (e.fee * 1000n) / BigInt(e.raw.length);
    for (const p of this.peers.values()) {
      if (p.session.ready && p.session.relay && !p.knows(e.txid)) p.txToAnnounce.push({ txid: e.txid, feePerKb });
    }
  }

  /** PeerHasHeader: the peer's best known block or our last header to it descends from `b`. */
  private async peerHasHeader(p: PeerState, b: ChainBlock): Promise<boolean> {
    for (const top of [p.bestKnown, p.bestHeaderSent]) {
      if (!top || top.height < b.height) continue;
      const a = await this.chain.getAncestor(top.hash, b.height);
      if (a && toHex(a.hash) === toHex(b.hash)) return true;
    }
    return false;
  }

  /** SendBlockHeaders after a new tip: `headers` to peers that asked for them and can connect them, else `inv` of the tip. */
  private async announceBlocks(connected: ChainBlock[]): Promise<void> {
    if (connected.length === 0 || this.sync.isInitialBlockDownload()) return;
    const blocks = connected.slice(-MAX_BLOCKS_TO_ANNOUNCE);
    const tip = blocks[blocks.length - 1];
    for (const p of [...this.peers.values()]) {
      if (!p.session.ready) continue;
      if (tip.height <= (p.session.startHeight !== -1 ? p.session.startHeight - 2000 : 0)) continue;
      let revertToInv = !p.session.preferHeaders || connected.length > MAX_BLOCKS_TO_ANNOUNCE;
      const headers: ChainBlock[] = [];
      if (!revertToInv) {
        let found = false;
        for (const b of blocks) {
          if (found) headers.push(b);
          else if (await this.peerHasHeader(p, b)) continue;
          else if (b.height === 0 || (await this.peerHasParent(p, b))) {
            found = true;
            headers.push(b);
          } else {
            revertToInv = true;
            break;
          }
        }
      }
      if (p.session.closed) continue;
      if (!revertToInv && headers.length) {
        p.session.send('headers', { headers: headers.map((b) => ({ header: b.header, txCount: 0 })) });
        p.bestHeaderSent = headers[headers.length - 1];
        for (const b of headers) p.markKnown(b.hash);
      } else if (revertToInv && !(await this.peerHasHeader(p, tip))) {
        p.session.send('inv', { inventory: [{ type: InvType.Block, hash: tip.hash }] });
        p.markKnown(tip.hash);
      }
    }
  }

  private async peerHasParent(p: PeerState, b: ChainBlock): Promise<boolean> {
    const parent = await this.chain.getBlock(b.header.prevHash);
    return parent ? this.peerHasHeader(p, parent) : false;
  }

  /** The inventory trickle: queued transaction announcements, at most what the peer accepts per message. */
  private flushInventory(): void {
    for (const p of this.peers.values()) {
      if (!p.session.ready || p.txToAnnounce.length === 0) continue;
      const items: InvItem[] = [];
      const filter = p.session.feeFilter;
      for (const { txid, feePerKb } of p.txToAnnounce) {
        if (p.knows(txid)) continue;
        // The peer's feefilter: transactions paying less per kB are not announced to it (SV's SendTxnInventory).
        if (filter > 0n && feePerKb !== undefined && feePerKb < filter) continue;
        p.markKnown(txid);
        items.push({ type: InvType.Tx, hash: txid });
      }
      p.txToAnnounce = [];
      for (let i = 0; i < items.length; i += p.session.maxInvItems) p.session.send('inv', { inventory: items.slice(i, i + p.session.maxInvItems) });
    }
  }

  /** Periodic work: download timers and progress, expiry of transaction requests. */
  tick(): void {
    this.sync.tick();
    for (const p of this.peers.values()) this.updateFeeFilter(p);
    const t = this.now();
    for (const [k, at] of this.askedTx) if (t - at > this.txRequestTimeoutMs * 10) this.askedTx.delete(k);
  }
}
