import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from '@metamorph/config';
import { ConnectionGate, normalizeIp } from './connection-gate.js';
import { Extranonce1Allocator } from './extranonce.js';
import { splitLines } from './framing.js';
import type { Job } from './job.js';
import type { JobManager } from './job-manager.js';
import { StratumSession, type ResumableState, type SessionConfig, type SessionTransport } from './session.js';
import { settleWithin } from './timeout.js';

export interface StratumServerOptions {
  host: string;
  /** Plain TCP port; undefined when sockets are handed over by a primary process instead. */
  port?: number;
  /** TLS listener (port, PEM certificate and key); sockets handed over as TLS are wrapped with the same context. */
  tls?: { port?: number; cert: string; key: string };
  maxLineBytes: number;
  maxConnections: number;
  idleTimeoutSeconds: number;
  authTimeoutSeconds: number;
  /** Lost connections' state waits this long to be resumed (0 = never). */
  resumeSeconds: number;
  banSeconds: number;
  instanceId: number;
  processIndex: number;
  jobs: JobManager;
  /** Everything a session needs besides the job source and the server hooks. */
  session: Omit<SessionConfig, 'jobs' | 'hooks'>;
  /** Admission per address; omit when a primary process admits connections (then `onRelease`/`onBan` report to it). */
  gate?: ConnectionGate;
  onRelease?: (ip: string) => void;
  onBan?: (ip: string, seconds: number, reason: string) => void;
  /** Where `client.reconnect` sends miners at shutdown (omitted: where they are). */
  reconnectTo?: { host: string; port: number };
  logger: Logger;
  now?: () => number;
}

/** A socket whose peer stops reading is dropped once this much output is waiting for it. */
const MAX_PENDING_OUTPUT = 1024 * 1024;
const SWEEP_MS = 1000;
/** Lost sessions kept for resumption, at most. */
const MAX_PARKED = 100_000;
const CONNECTION = Symbol('stratum connection');

type StratumSocket = net.Socket & { [CONNECTION]?: Connection };

/** One socket and its session: the transport side, with line framing. */
class Connection implements SessionTransport {
  session!: StratumSession;
  private partial: Buffer | undefined;

  constructor(
    readonly socket: StratumSocket,
    readonly server: StratumServer,
    readonly ip: string,
  ) {}

  write(data: string | Uint8Array): void {
    const socket = this.socket;
    if (socket.destroyed) return;
    socket.write(data);
    if (socket.writableLength > MAX_PENDING_OUTPUT) {
      this.server.logger.warn('dropping a connection that does not read', { peer: this.ip });
      socket.destroy();
    }
  }

  close(): void {
    // Flush what is written, then close, whether or not the peer closes its side.
    this.socket.destroySoon();
  }

  onData(chunk: Buffer): void {
    const session = this.session;
    const max = this.server.maxLineBytes;
    const r = splitLines(this.partial, chunk, max, (line) => {
      session.receive(line);
      return !session.isClosed;
    });
    this.partial = r.partial;
    if (r.tooLong) session.lineTooLong(max);
  }
}

function onSocketData(this: StratumSocket, chunk: Buffer): void {
  this[CONNECTION]?.onData(chunk);
}

function onSocketClose(this: StratumSocket): void {
  const conn = this[CONNECTION];
  if (conn) conn.server.onClose(conn);
}

function ignoreError(): void {}

/**
 * The transport side of the Stratum server: one StratumSession per connection, extranonce1
 * allocation, idle and authorization timeouts, bans, resumption of lost sessions, and the
 * broadcast of new jobs. Listens itself (one process) or adopts sockets a primary hands over.
 */
export class StratumServer {
  private readonly servers: net.Server[] = [];
  private readonly connections = new Map<number, Connection>();
  private readonly parked = new Map<number, { state: ResumableState; until: number }>();
  private readonly retired = new Map<number, number>();
  private readonly allocator: Extranonce1Allocator;
  private readonly secureContext: tls.SecureContext | undefined;
  private readonly sessionConfig: SessionConfig;
  private readonly onJobEvent: (job: Job) => void;
  private readonly sweeper: NodeJS.Timeout;
  private readonly now: () => number;
  private closing = false;
  readonly logger: Logger;
  readonly maxLineBytes: number;
  /** Listening addresses once `listen` resolved. */
  readonly addresses: { tcp?: net.AddressInfo; tls?: net.AddressInfo } = {};

  constructor(private readonly options: StratumServerOptions) {
    this.logger = options.logger;
    this.maxLineBytes = options.maxLineBytes;
    this.now = options.now ?? Date.now;
    // A value is in use while it is live, parked for resumption or retired after set_extranonce.
    this.allocator = new Extranonce1Allocator(options.instanceId, options.processIndex, (v) => this.connections.has(v) || this.parked.has(v) || this.retired.has(v));
    this.secureContext = options.tls ? tls.createSecureContext({ cert: options.tls.cert, key: options.tls.key }) : undefined;
    this.sessionConfig = {
      ...options.session,
      jobs: options.jobs,
      now: options.session.now ?? options.now,
      hooks: {
        resume: (session, wanted) => this.resume(session, wanted),
        ban: (session, reason) => this.ban(session.peer, reason),
      },
    };
    this.onJobEvent = (job) => this.broadcast(job);
    options.jobs.on('job', this.onJobEvent);
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  get parkedCount(): number {
    return this.parked.size;
  }

  sessions(): StratumSession[] {
    return [...this.connections.values()].map((c) => c.session);
  }

  /** Start the listeners this server owns; rejects with the listen error (e.g. EADDRINUSE). */
  async listen(): Promise<void> {
    if (this.options.port !== undefined) this.addresses.tcp = await this.listenOn(this.options.port, false);
    if (this.options.tls?.port !== undefined) this.addresses.tls = await this.listenOn(this.options.tls.port, true);
  }

  private listenOn(port: number, secure: boolean): Promise<net.AddressInfo> {
    const server = net.createServer({ noDelay: true }, (socket) => {
      const gate = this.options.gate;
      const ip = normalizeIp(socket.remoteAddress);
      if (this.closing || (gate && gate.admit(ip) !== 'ok')) {
        socket.on('error', ignoreError);
        socket.destroy();
        return;
      }
      this.adopt(socket, secure, ip);
    });
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      server.once('error', onError);
      server.listen({ host: this.options.host, port, backlog: 4096 }, () => {
        server.off('error', onError);
        server.on('error', (e) => this.logger.error('server error', { error: e.message }));
        resolve(server.address() as net.AddressInfo);
      });
    });
  }

  /** Take a connection (already admitted) and start its session. */
  adopt(raw: net.Socket, secure: boolean, ip = normalizeIp(raw.remoteAddress)): void {
    if (this.closing || this.connections.size >= this.options.maxConnections) {
      raw.on('error', ignoreError);
      raw.destroy();
      this.released(ip);
      if (!this.closing) this.logger.warn('refused a connection: this process is full', { ip, limit: this.options.maxConnections });
      return;
    }
    let socket: StratumSocket = raw;
    if (secure) {
      if (!this.secureContext) {
        raw.destroy();
        this.released(ip);
        return;
      }
      socket = new tls.TLSSocket(raw, { isServer: true, secureContext: this.secureContext });
    }
    const conn = new Connection(socket, this, ip);
    const extranonce1 = this.allocator.allocate();
    conn.session = new StratumSession(conn, this.sessionConfig, extranonce1, ip);
    this.connections.set(extranonce1, conn);
    socket[CONNECTION] = conn;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    socket.on('data', onSocketData);
    socket.on('error', ignoreError);
    socket.on('close', onSocketClose);
    socket.resume();
  }

  /** A socket closed (called by its shared 'close' listener). */
  onClose(conn: Connection): void {
    const session = conn.session;
    session.close();
    conn.socket[CONNECTION] = undefined;
    const en1 = session.extranonce1;
    if (this.connections.get(en1) === conn) this.connections.delete(en1);
    this.released(conn.ip);
    if (!this.closing && this.options.resumeSeconds > 0 && session.isSubscribed) {
      this.park(session);
    } else {
      this.allocator.release(en1);
    }
  }

  private released(ip: string): void {
    this.options.gate?.release(ip);
    this.options.onRelease?.(ip);
  }

  private park(session: StratumSession): void {
    if (this.parked.size >= MAX_PARKED) {
      const [oldest] = this.parked.keys();
      this.parked.delete(oldest);
      this.allocator.release(oldest);
    }
    this.parked.set(session.extranonce1, { state: session.saveState(), until: this.now() + this.options.resumeSeconds * 1000 });
  }

  private resume(session: StratumSession, wanted: number): boolean {
    const entry = this.parked.get(wanted);
    if (!entry || entry.until <= this.now()) return false;
    this.parked.delete(wanted);
    const conn = this.connections.get(session.extranonce1);
    if (!conn) return false;
    this.connections.delete(session.extranonce1);
    this.allocator.release(session.extranonce1);
    session.restoreState(entry.state);
    this.connections.set(wanted, conn);
    return true;
  }

  /**
   * Give a session a new extranonce1 with `mining.set_extranonce` (it must have subscribed to
   * extranonce changes). The old value stays reserved while jobs sent with it may still be mined.
   */
  changeExtranonce(session: StratumSession): boolean {
    const conn = this.connections.get(session.extranonce1);
    if (!conn || !session.acceptsExtranonceChanges) return false;
    const old = session.extranonce1;
    const next = this.allocator.allocate();
    if (!session.changeExtranonce(next)) {
      this.allocator.release(next);
      return false;
    }
    this.connections.delete(old);
    this.connections.set(next, conn);
    this.retired.set(old, this.now() + 30 * 60_000);
    return true;
  }

  private ban(ip: string, reason: string): void {
    const seconds = this.options.banSeconds;
    this.options.gate?.ban(ip, seconds, reason);
    this.options.onBan?.(ip, seconds, reason);
  }

  private broadcast(job: Job): void {
    const cache = new Map<string, Uint8Array>();
    for (const c of this.connections.values()) c.session.onJob(job, cache);
  }

  /** Timeouts, vardiff looks, expiry of parked sessions and retired extranonces. */
  private sweep(): void {
    const now = this.now();
    const idleMs = this.options.idleTimeoutSeconds * 1000;
    const authMs = this.options.authTimeoutSeconds * 1000;
    for (const c of this.connections.values()) {
      const s = c.session;
      if (now - s.lastActivity > idleMs) {
        this.logger.debug('closing an idle connection', { peer: c.ip, extranonce1: s.extranonce1Hex });
        s.close();
      } else if (!s.isAuthorized && now - s.connectedAt > authMs) {
        this.logger.debug('closing a connection that did not authorize', { peer: c.ip, extranonce1: s.extranonce1Hex });
        s.close();
      } else s.tick();
    }
    for (const [en1, p] of this.parked) {
      if (p.until > now) break;
      this.parked.delete(en1);
      this.allocator.release(en1);
    }
    for (const [en1, until] of this.retired) {
      if (until > now) break;
      this.retired.delete(en1);
      this.allocator.release(en1);
    }
    this.options.gate?.sweep();
  }

  /** For tests and logs: is this extranonce1 live, parked or free? */
  describeExtranonce(value: number): 'live' | 'parked' | 'free' {
    if (this.connections.has(value)) return 'live';
    if (this.parked.has(value)) return 'parked';
    return 'free';
  }

  /**
   * Stop accepting, ask miners to reconnect (elsewhere or later), let sessions finish the lines
   * they hold (each accepted share is stored before its reply), then close every connection.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.options.jobs.off('job', this.onJobEvent);
    clearInterval(this.sweeper);
    const closed = Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    const conns = [...this.connections.values()];
    for (const c of conns) c.session.reconnect(this.options.reconnectTo);
    await settleWithin(Promise.allSettled(conns.map((c) => c.session.idle())), 2000);
    for (const c of conns) c.session.close();
    await new Promise((r) => setTimeout(r, 50));
    for (const c of conns) c.socket.destroy();
    await settleWithin(closed, 3000);
  }
}

