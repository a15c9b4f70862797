import { promises as dns } from 'node:dns';
import net from 'node:net';
import type { ChainParams } from '@metamorph/bitcoin';
import type { Logger } from '@metamorph/config';
import { AddressBook, type AddressStore } from './address-book.js';
import { BanList, inSubnet, parseSubnet, type BanEntry, type BanStore } from './ban-list.js';
import type { SyncOptions } from './block-sync.js';
import type { P2PChain } from './chain.js';
import { P2PError, P2PErrorCode } from './errors.js';
import { DEFAULT_PAYLOAD_LIMITS, type PayloadLimits } from './framing.js';
import { formatHostPort, ipFromString, ipToString, isLocalIp, isValidIp, normaliseHost } from './net-address.js';
import { NetProcessor } from './processor.js';
import {
  DEFAULT_BAN_TIME_SECONDS,
  DEFAULT_BANSCORE_THRESHOLD,
  DEFAULT_MAX_ADDNODE,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_OUTBOUND,
  LOCAL_SERVICES,
  NODE_NETWORK,
  REQUIRED_SERVICES,
} from './protocol.js';
import { PeerSession, type CloseReason, type PeerStats } from './session.js';

export interface HostPort {
  host: string;
  port: number;
}

export interface PeerManagerOptions {
  params: ChainParams;
  /** Accept inbound connections. */
  listen: boolean;
  bindHost: string;
  port: number;
  /** Connect only to these peers (no DNS seeds, no automatic outbound). */
  connect: HostPort[];
  /** Keep connections to these peers, besides automatic ones. */
  addNodes: HostPort[];
  /** Ask the network's DNS seeds for addresses when the address book is empty (mainnet, testnet). */
  dnsSeed: boolean;
  maxConnections: number;
  maxOutbound: number;
  maxAddnode: number;
  /** Subnets whose peers are never banned for misbehaviour and may connect while banned. */
  whitelist: string[];
  banTimeSeconds: number;
  banScore: number;
  userAgent: string;
  relayTxs: boolean;
  limits: PayloadLimits;
  connectTimeoutMs: number;
  /** Longest wait between attempts to reach a configured peer. */
  retryMaxMs: number;
  sync?: Partial<SyncOptions>;
  handshakeTimeoutMs?: number;
  inactivityTimeoutMs?: number;
  pingIntervalMs?: number;
  tickMs?: number;
  /**
   * The protocol's clock in milliseconds: version timestamps, the tip age that decides initial
   * block download, ping and download timers (default: Date.now). Reconnection backoff keeps real time.
   */
  now?: () => number;
  /** DNS lookups for the seeds (node:dns by default). */
  resolver?: { resolve4(host: string): Promise<string[]>; resolve6(host: string): Promise<string[]> };
}

export function defaultPeerManagerOptions(params: ChainParams): PeerManagerOptions {
  return {
    params,
    listen: true,
    bindHost: '0.0.0.0',
    port: params.defaultPort,
    connect: [],
    addNodes: [],
    dnsSeed: params.dnsSeeds.length > 0,
    maxConnections: DEFAULT_MAX_CONNECTIONS,
    maxOutbound: DEFAULT_MAX_OUTBOUND,
    maxAddnode: DEFAULT_MAX_ADDNODE,
    whitelist: [],
    banTimeSeconds: DEFAULT_BAN_TIME_SECONDS,
    banScore: DEFAULT_BANSCORE_THRESHOLD,
    userAgent: '/Metamorph:0.1.0/',
    relayTxs: true,
    limits: DEFAULT_PAYLOAD_LIMITS,
    connectTimeoutMs: 5_000,
    retryMaxMs: 30_000,
  };
}

type TargetKind = 'connect' | 'addnode' | 'onetry';

interface Target extends HostPort {
  kind: TargetKind;
  nextAttemptAt: number;
  backoffMs: number;
  connecting: boolean;
  connectedId?: number;
}

interface Connection {
  socket: net.Socket;
  session: PeerSession;
  target?: Target;
}

/** Bytes of received, unhandled messages above which a connection stops reading. */
const RECV_BACKLOG_LIMIT = 16 * 1024 * 1024;
const ADDRESS_FLUSH_MS = 60_000;
const DNS_RETRY_MS = 11 * 60_000;

/**
 * The node's connections (SV Node's CConnman): a listener for inbound peers, outbound
 * connections to configured peers, to addresses from the address book and from DNS seeds,
 * connection limits, bans (kept in a store across restarts), and the sockets' glue to
 * each peer's session.
 */
export class PeerManager {
  readonly processor: NetProcessor;
  readonly addresses: AddressBook;
  readonly bans: BanList;
  private readonly conns = new Map<number, Connection>();
  private readonly targets = new Map<string, Target>();
  private readonly autoPending = new Set<string>();
  private server: net.Server | undefined;
  private timer: NodeJS.Timeout | undefined;
  private nextId = 0;
  private lastFlush = 0;
  private lastDns = -Infinity;
  private stopped = false;
  readonly startedAt = Date.now();
  totalBytesRecv = 0;
  totalBytesSent = 0;

  constructor(
    readonly opts: PeerManagerOptions,
    readonly chain: P2PChain,
    stores: { bans: BanStore; addresses: AddressStore },
    private readonly log: Logger,
  ) {
    this.addresses = new AddressBook(stores.addresses, { allowLocal: opts.params.name === 'regtest' });
    this.bans = new BanList(stores.bans);
    this.processor = new NetProcessor(chain, this.addresses, log, { relayTxs: opts.relayTxs, sync: opts.sync, now: opts.now });
    this.processor.hooks = {
      onClose: (s, r) => this.onSessionClosed(s, r),
      onVersion: (s) => this.onOutboundAccepted(s),
      waitWritable: (s, limit) => this.waitWritable(s.id, limit),
    };
    for (const hp of opts.connect) this.addTarget(hp, 'connect');
    if (opts.connect.length === 0) for (const hp of opts.addNodes) this.addTarget(hp, 'addnode');
  }

  /** The address we listen on, once listening. */
  get listenAddress(): HostPort | undefined {
    const a = this.server?.address();
    return a && typeof a === 'object' ? { host: a.address, port: a.port } : undefined;
  }

  async start(): Promise<void> {
    await this.bans.load();
    await this.addresses.load();
    if (this.opts.listen) {
      const server = net.createServer((socket) => this.onInbound(socket));
      server.maxConnections = this.opts.maxConnections + 16;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.opts.port, this.opts.bindHost, () => {
          server.off('error', reject);
          resolve();
        });
      });
      server.on('error', (e) => this.log.error('p2p listener error', { error: e.message }));
      this.server = server;
      const a = this.listenAddress!;
      this.processor.listenPort = a.port;
      this.log.info('p2p listening', { addr: formatHostPort(a.host, a.port), network: this.opts.params.name });
    }
    this.timer = setInterval(() => {
      try {
        this.tick();
      } catch (e) {
        // A timer must never take the process down.
        this.log.error('p2p housekeeping failed', { error: (e as Error).stack ?? String(e) });
      }
    }, this.opts.tickMs ?? 1000);
    this.timer.unref();
    this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    const closing = this.server ? new Promise<void>((r) => this.server!.close(() => r())) : Promise.resolve();
    for (const c of [...this.conns.values()]) {
      c.session.close({ reason: 'shutting down', ban: 'none' });
      c.socket.destroy();
    }
    this.processor.stop();
    await closing;
    await this.addresses.flush().catch((e) => this.log.warn('could not save the address book', { error: (e as Error).message }));
  }

  // ───────────── connections ─────────────

  private isWhitelisted(host: string): boolean {
    return this.opts.whitelist.some((s) => inSubnet(s, host));
  }

  private get maxInbound(): number {
    return Math.max(0, this.opts.maxConnections - this.opts.maxOutbound - this.opts.maxAddnode);
  }

  private count(inbound: boolean): number {
    let n = 0;
    for (const c of this.conns.values()) if (c.session.inbound === inbound) n++;
    return n;
  }

  private onInbound(socket: net.Socket): void {
    const host = socket.remoteAddress ? normaliseHost(socket.remoteAddress) : '';
    if (this.stopped || !host) {
      socket.destroy();
      return;
    }
    const whitelisted = this.isWhitelisted(host);
    if (this.bans.isBanned(host) && !whitelisted) {
      this.log.info('connection dropped (banned)', { addr: formatHostPort(host, socket.remotePort ?? 0) });
      socket.destroy();
      return;
    }
    if (this.count(true) >= this.maxInbound) {
      this.log.info('connection dropped: inbound connection limit reached', { addr: formatHostPort(host, socket.remotePort ?? 0), limit: this.maxInbound });
      socket.destroy();
      return;
    }
    this.attach(socket, true, host);
  }

  private attach(socket: net.Socket, inbound: boolean, host: string, target?: Target, addrServices = 0n): PeerSession {
    const id = ++this.nextId;
    const port = socket.remotePort ?? 0;
    const session = new PeerSession({
      id,
      inbound,
      params: this.opts.params,
      remote: { host, port: target?.port ?? port },
      local: {
        services: LOCAL_SERVICES,
        userAgent: this.opts.userAgent,
        relay: this.opts.relayTxs,
        startHeight: () => this.chain.tip().height,
        maxRecvPayload: this.opts.limits.maxRecvPayload,
      },
      limits: this.opts.limits,
      whitelisted: this.isWhitelisted(host),
      // As SV Node: only `addnode` peers escape misbehaviour bans; `connect` and `onetry` peers do not.
      manual: target?.kind === 'addnode',
      addrServices,
      servicesExpected: !inbound && !target ? REQUIRED_SERVICES : 0n,
      banScore: this.opts.banScore,
      handshakeTimeoutMs: this.opts.handshakeTimeoutMs,
      inactivityTimeoutMs: this.opts.inactivityTimeoutMs,
      pingIntervalMs: this.opts.pingIntervalMs,
      now: this.opts.now,
      isOwnNonce: (n) => [...this.conns.values()].some((c) => !c.session.inbound && c.session.localNonce === n),
      log: this.log,
    });
    const conn: Connection = { socket, session, target };
    this.conns.set(id, conn);
    if (target) target.connectedId = id;
    this.processor.addSession(session);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    session.attach((bytes) => {
      this.totalBytesSent += bytes.length;
      socket.write(bytes);
    }, this.processor);
    let paused = false;
    socket.on('data', (chunk: Buffer) => {
      this.totalBytesRecv += chunk.length;
      session.receive(chunk);
      if (!paused && session.backlog > RECV_BACKLOG_LIMIT) {
        paused = true;
        socket.pause();
        void session.drained().then(() => {
          paused = false;
          if (!socket.destroyed) socket.resume();
        });
      }
    });
    socket.on('error', (e) => session.close({ reason: `socket error: ${e.message}`, ban: 'none' }));
    socket.on('close', () => session.close({ reason: 'connection closed by peer', ban: 'none' }));
    this.log.debug(inbound ? 'connection accepted' : 'connected', { peer: id, addr: formatHostPort(host, port) });
    session.start();
    return session;
  }

  /** Resolves when the peer's socket buffer is below `limit` bytes (or the peer is gone). */
  private waitWritable(id: number, limit: number): Promise<void> {
    const c = this.conns.get(id);
    if (!c || c.socket.destroyed || c.socket.writableLength <= limit) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        c.socket.off('drain', done);
        c.socket.off('close', done);
        resolve();
      };
      c.socket.on('drain', done);
      c.socket.on('close', done);
    });
  }

  private onSessionClosed(session: PeerSession, reason: CloseReason): void {
    const c = this.conns.get(session.id);
    this.conns.delete(session.id);
    const addr = formatHostPort(session.remote.host, session.remote.port);
    const fields = { peer: session.id, addr, reason: reason.reason };
    if (reason.ban === 'none') this.log.info('peer disconnected', fields);
    else this.log.warn('peer disconnected', fields);
    const banIt = reason.ban === 'always' || (reason.ban === 'misbehaviour' && !isLocalIp(safeIp(session.remote.host)));
    if (reason.ban === 'misbehaviour' && !banIt) this.log.warn('not banning local peer', { peer: session.id, addr });
    if (banIt) {
      void this.bans
        .ban(session.remote.host, this.opts.banTimeSeconds, reason.reason)
        .then(() => this.log.warn('banned', { addr: session.remote.host, seconds: this.opts.banTimeSeconds, reason: reason.reason }))
        .catch((e) => this.log.error('could not record a ban', { addr: session.remote.host, error: (e as Error).message }));
    }
    if (c) {
      // Let queued bytes (a reject, say) go out, then make sure the socket is gone.
      c.socket.end();
      setTimeout(() => c.socket.destroy(), 2_000).unref();
      const t = c.target;
      if (t && t.connectedId === session.id) {
        t.connectedId = undefined;
        t.nextAttemptAt = Date.now() + t.backoffMs;
        t.backoffMs = Math.min(t.backoffMs * 2, this.opts.retryMaxMs);
        if (t.kind === 'onetry') this.targets.delete(targetKey(t));
      }
    }
  }

  private onOutboundAccepted(session: PeerSession): void {
    const c = this.conns.get(session.id);
    if (c?.target) c.target.backoffMs = 1_000;
    this.addresses.markGood(session.remote.host, session.remote.port, session.peerServices);
  }

  private addTarget(hp: HostPort, kind: TargetKind): Target {
    const t: Target = { ...hp, kind, nextAttemptAt: 0, backoffMs: 1_000, connecting: false };
    this.targets.set(targetKey(t), t);
    return t;
  }

  private dial(hp: HostPort & { services?: bigint }, target?: Target): void {
    const key = formatHostPort(hp.host, hp.port);
    if (target) target.connecting = true;
    else this.autoPending.add(key);
    this.addresses.markAttempt(hp.host, hp.port);
    const socket = net.connect({ host: hp.host, port: hp.port });
    socket.setTimeout(this.opts.connectTimeoutMs);
    const fail = (why: string) => {
      socket.destroy();
      if (target) {
        target.connecting = false;
        target.nextAttemptAt = Date.now() + target.backoffMs;
        target.backoffMs = Math.min(target.backoffMs * 2, this.opts.retryMaxMs);
        if (target.kind === 'onetry') this.targets.delete(targetKey(target));
        this.log.info('could not connect to peer', { addr: key, reason: why, retryInMs: target.kind === 'onetry' ? undefined : target.nextAttemptAt - Date.now() });
      } else {
        this.autoPending.delete(key);
        this.log.debug('could not connect to peer', { addr: key, reason: why });
      }
    };
    socket.once('timeout', () => fail('timeout'));
    socket.once('error', (e) => fail(e.message));
    socket.once('connect', () => {
      socket.removeAllListeners('timeout');
      socket.removeAllListeners('error');
      socket.setTimeout(0);
      if (target) target.connecting = false;
      else this.autoPending.delete(key);
      const host = socket.remoteAddress ? normaliseHost(socket.remoteAddress) : hp.host;
      if (this.stopped || (!target && this.bans.isBanned(host))) {
        socket.destroy();
        return;
      }
      this.attach(socket, false, host, target, hp.services ?? 0n);
    });
  }

  private connectedTo(host: string, port: number): boolean {
    for (const c of this.conns.values()) if (c.session.remote.host === host && c.session.remote.port === port) return true;
    return false;
  }

  /** Keep configured peers connected and automatic outbound slots filled. */
  private fillOutbound(): void {
    const t = Date.now();
    let addnodes = 0;
    for (const target of this.targets.values()) if (target.kind === 'addnode' && (target.connecting || target.connectedId !== undefined)) addnodes++;
    for (const target of this.targets.values()) {
      if (target.connecting || target.connectedId !== undefined || t < target.nextAttemptAt) continue;
      if (target.kind === 'addnode') {
        if (addnodes >= this.opts.maxAddnode) continue;
        addnodes++;
      }
      this.dial(target, target);
    }
    if (this.opts.connect.length > 0) return;
    let auto = this.autoPending.size;
    for (const c of this.conns.values()) if (!c.session.inbound && !c.target) auto++;
    while (auto < this.opts.maxOutbound) {
      const groups = new Set([...this.conns.values()].filter((c) => !c.session.inbound).map((c) => netGroup(c.session.remote.host)));
      const e = this.addresses.select(
        (a) =>
          this.autoPending.has(formatHostPort(a.host, a.port)) ||
          this.connectedTo(a.host, a.port) ||
          this.bans.isBanned(a.host) ||
          (groups.has(netGroup(a.host)) && this.opts.params.name !== 'regtest') ||
          (a.services & NODE_NETWORK) === 0n,
      );
      if (!e) {
        if (this.opts.dnsSeed && t - this.lastDns > DNS_RETRY_MS) void this.queryDnsSeeds();
        break;
      }
      this.dial(e);
      auto++;
    }
  }

  /** Addresses from the network's DNS seeds (node:dns), as SV Node's ThreadDNSAddressSeed. */
  async queryDnsSeeds(): Promise<number> {
    this.lastDns = Date.now();
    const port = this.opts.params.defaultPort;
    const now = Math.floor(Date.now() / 1000);
    let found = 0;
    this.log.info('loading addresses from DNS seeds');
    await Promise.all(
      this.opts.params.dnsSeeds.map(async (seed) => {
        const resolver = this.opts.resolver ?? dns;
        const results = await Promise.allSettled([resolver.resolve4(seed), resolver.resolve6(seed)]);
        for (const r of results) {
          if (r.status !== 'fulfilled') continue;
          found += this.addresses.add(
            r.value.map((ip) => ({ time: now - 3 * 24 * 3600, services: NODE_NETWORK, ip: ipFromString(ip), port })),
            'dns',
          );
        }
      }),
    );
    this.log.info('addresses found from DNS seeds', { count: found });
    return found;
  }

  private tick(): void {
    if (this.stopped) return;
    for (const c of this.conns.values()) c.session.tick();
    this.processor.tick();
    this.fillOutbound();
    const t = Date.now();
    if (t - this.lastFlush > ADDRESS_FLUSH_MS) {
      this.lastFlush = t;
      void this.addresses.flush().catch((e) => this.log.warn('could not save the address book', { error: (e as Error).message }));
      void this.bans.sweep().catch(() => {});
    }
  }

  // ───────────── what the RPC asks ─────────────

  sessions(): PeerSession[] {
    return [...this.conns.values()].map((c) => c.session);
  }

  connectionCount(): number {
    return this.conns.size;
  }

  peerInfo(): (PeerStats & { addnode: boolean; syncedHeaders: number; syncedBlocks: number; inflight: number[]; addrLocal?: string })[] {
    return [...this.conns.values()].map((c) => {
      const st = this.processor.peers.get(c.session.id);
      return {
        ...c.session.stats(),
        addnode: c.target?.kind === 'addnode',
        syncedHeaders: st?.bestKnown?.height ?? -1,
        syncedBlocks: st?.bestKnown ? Math.min(st.bestKnown.height, this.chain.tip().height) : -1,
        inflight: st ? [...st.inFlight.values()].map((f) => f.height).sort((a, b) => a - b) : [],
        // What the peer's version said our address is, when that is an address at all (SV's addrLocal).
        addrLocal: c.session.addrLocal && isValidIp(c.session.addrLocal.ip) ? formatHostPort(ipToString(c.session.addrLocal.ip), c.session.addrLocal.port) : undefined,
      };
    });
  }

  /** `addnode <node> add|remove|onetry`. */
  addNode(node: string, command: 'add' | 'remove' | 'onetry'): void {
    const hp = parseHostPortArg(node, this.opts.params.defaultPort);
    const key = targetKey(hp);
    if (command === 'add') {
      if (this.targets.has(key)) throw new P2PError(P2PErrorCode.AlreadyConnected, 'Error: Node already added');
      this.addTarget(hp, 'addnode');
    } else if (command === 'remove') {
      const t = this.targets.get(key);
      if (!t || t.kind === 'onetry') throw new P2PError(P2PErrorCode.UnknownPeer, 'Error: Node has not been added.');
      this.targets.delete(key);
    } else {
      this.addTarget(hp, 'onetry');
    }
    this.fillOutbound();
  }

  addedNodes(): { node: string; connected: boolean }[] {
    return [...this.targets.values()].filter((t) => t.kind !== 'onetry').map((t) => ({ node: targetKey(t), connected: t.connectedId !== undefined }));
  }

  /** `disconnectnode "address"` or `disconnectnode "" nodeid`. Returns false when no such peer is connected. */
  disconnect(by: { address?: string; id?: number }): boolean {
    for (const c of this.conns.values()) {
      const s = c.session;
      const match =
        by.id !== undefined
          ? s.id === by.id
          : by.address !== undefined &&
            (formatHostPort(s.remote.host, s.remote.port) === normaliseAddressArg(by.address, this.opts.params.defaultPort) || s.remote.host === by.address);
      if (match) {
        s.close({ reason: 'disconnected by request', ban: 'none' });
        return true;
      }
    }
    return false;
  }

  async setBan(subnet: string, command: 'add' | 'remove', seconds?: number, absolute = false): Promise<void> {
    parseSubnet(subnet);
    if (command === 'remove') {
      if (!(await this.bans.unban(subnet))) throw new P2PError(P2PErrorCode.UnknownPeer, 'Error: Unban failed');
      return;
    }
    if (this.bans.isBanned(subnet.split('/')[0]) && !subnet.includes('/')) throw new P2PError(P2PErrorCode.AlreadyConnected, 'Error: IP/Subnet already banned');
    await this.bans.ban(subnet, seconds && seconds > 0 ? seconds : this.opts.banTimeSeconds, 'manually added', absolute);
    for (const c of this.conns.values()) if (inSubnet(subnet, c.session.remote.host)) c.session.close({ reason: 'banned by request', ban: 'none' });
  }

  listBanned(): BanEntry[] {
    return this.bans.list();
  }

  /** Ask every peer for a pong now (`ping` RPC). */
  pingAll(): void {
    for (const c of this.conns.values()) c.session.requestPing();
  }
}

function targetKey(hp: HostPort): string {
  return formatHostPort(hp.host, hp.port);
}

function safeIp(host: string): Uint8Array {
  try {
    return ipFromString(host);
  } catch {
    return new Uint8Array(16);
  }
}

/** The /16 (IPv4) or /32 (IPv6) a host belongs to: outbound peers are spread over groups. */
function netGroup(host: string): string {
  const ip = safeIp(host);
  const v4 = ip.subarray(0, 12).every((b, i) => b === (i < 10 ? 0 : 0xff));
  return v4 ? `${ip[12]}.${ip[13]}` : Buffer.from(ip.subarray(0, 4)).toString('hex');
}

/** `host`, `host:port`, `[v6]:port` as given to addnode / connect. */
export function parseHostPortArg(s: string, defaultPort: number): HostPort {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+|[0-9a-fA-F:]+:[0-9a-fA-F:]*))(?::(\d{1,5}))?$/.exec(s.trim());
  const v6bare = net.isIPv6(s.trim()) ? s.trim() : undefined;
  if (v6bare) return { host: v6bare, port: defaultPort };
  if (!m) throw new P2PError(P2PErrorCode.InvalidAddress, `"${s}" is not host or host:port`, 'node');
  const host = m[1] ?? m[2];
  const port = m[3] ? Number(m[3]) : defaultPort;
  if (!host || port < 1 || port > 65535) throw new P2PError(P2PErrorCode.InvalidAddress, `"${s}" is not host or host:port`, 'node');
  return { host, port };
}

function normaliseAddressArg(s: string, defaultPort: number): string {
  try {
    const hp = parseHostPortArg(s, defaultPort);
    return formatHostPort(net.isIP(hp.host) ? normaliseHost(hp.host) : hp.host, hp.port);
  } catch {
    return s;
  }
}
