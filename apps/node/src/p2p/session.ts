import { randomBytes } from 'node:crypto';
import { BitcoinError, BitcoinErrorCode, type ChainParams, type Hash32, hashToHex, toHex } from '@metamorph/bitcoin';
import type { Logger } from '@metamorph/config';
import { P2PError, P2PErrorCode } from './errors.js';
import { DEFAULT_PAYLOAD_LIMITS, FrameDecoder, encodeFrame, type FrameEvent, type PayloadLimits } from './framing.js';
import {
  UNSUPPORTED_COMMANDS,
  decodePayload,
  encodePayload,
  isCommand,
  type Command,
  type Message,
  type MessageOf,
  type PayloadOf,
} from './messages/index.js';
import { UNSPECIFIED_IP, ipFromString, isRoutableIp, type NetAddress } from './net-address.js';
import {
  AUTHCH_CHALLENGE_SIZE,
  AUTHCH_VERSION,
  BIP0031_VERSION,
  COMPRESSED_PUBKEY_SIZE,
  DEFAULT_BANSCORE_THRESHOLD,
  DEFAULT_STREAM_POLICY,
  DER_SIGNATURE_MAX_SIZE,
  DER_SIGNATURE_MIN_SIZE,
  HANDSHAKE_TIMEOUT_SECONDS,
  INVALID_CHECKSUM_FREQUENCY,
  INVALID_CHECKSUM_INTERVAL_MS,
  LEGACY_MAX_PAYLOAD,
  MAX_REJECT_MESSAGE_LENGTH,
  MAX_SEND_PAYLOAD_FACTOR,
  MIN_PEER_PROTO_VERSION,
  P2P_TIMEOUT_SECONDS,
  PING_INTERVAL_SECONDS,
  PROTOCOL_VERSION,
  RejectCode,
  SENDHEADERS_VERSION,
} from './protocol.js';
import { verifyAuthResponse } from './auth.js';

/** What a closed connection costs its address. */
export type BanPolicy =
  /** Framing violations: banned whatever the peer's standing, as SV Node does. */
  | 'always'
  /** Misbehaviour over the threshold: banned unless whitelisted, manually added or local. */
  | 'misbehaviour'
  | 'none';

export interface CloseReason {
  reason: string;
  ban: BanPolicy;
}

export type SessionState = 'new' | 'version-sent' | 'version-received' | 'ready' | 'closed';

/** What the local node tells peers about itself. */
export interface LocalNodeInfo {
  services: bigint;
  userAgent: string;
  /** Whether we want transaction announcements (false: blocks only). */
  relay: boolean;
  startHeight(): number;
  /** Our maximum receive payload for ordinary messages, announced in `protoconf`. */
  maxRecvPayload: number;
}

export interface SessionOptions {
  id: number;
  inbound: boolean;
  params: ChainParams;
  local: LocalNodeInfo;
  /** The peer's address as we see it (host text and port). */
  remote: { host: string; port: number };
  limits?: PayloadLimits;
  /** Whitelisted and manually added peers are never banned for misbehaviour. */
  whitelisted?: boolean;
  manual?: boolean;
  /**
   * Services we already know the peer's address to offer (from the address book), sent back in
   * our version's addrRecv as SV Node does; 0 for inbound, connect and addnode peers.
   */
  addrServices?: bigint;
  /** Services an automatic outbound peer must offer, else we disconnect. */
  servicesExpected?: bigint;
  banScore?: number;
  handshakeTimeoutMs?: number;
  inactivityTimeoutMs?: number;
  pingIntervalMs?: number;
  /** True when a `version` nonce is one of ours: we dialled ourselves. */
  isOwnNonce?(nonce: bigint): boolean;
  now?(): number;
  log: Logger;
}

export interface SessionHandler {
  /** Both sides sent version and verack: the connection is usable. */
  onReady?(session: PeerSession): void;
  /**
   * An application message (addresses, inventory, headers, blocks, transactions). Messages
   * of one session are handled one at a time, in arrival order; the next waits for a
   * returned promise.
   */
  onMessage?(session: PeerSession, message: Message): void | Promise<void>;
  onClose?(session: PeerSession, reason: CloseReason): void;
  /** An outbound peer accepted our version: its address is good. */
  onVersion?(session: PeerSession): void;
}

/** Messages the session answers itself; everything else goes to the handler. */
const SESSION_COMMANDS = new Set<Command>([
  'version',
  'verack',
  'protoconf',
  'authch',
  'authresp',
  'createstrm',
  'streamack',
  'ping',
  'pong',
  'sendheaders',
  'sendcmpct',
  'feefilter',
  'reject',
]);

/** What `getpeerinfo` shows of a session. */
export interface PeerStats {
  id: number;
  inbound: boolean;
  host: string;
  port: number;
  state: SessionState;
  version: number;
  services: bigint;
  userAgent: string;
  startHeight: number;
  relay: boolean;
  associationId: string;
  connectedAt: number;
  lastSend: number;
  lastRecv: number;
  bytesSent: number;
  bytesRecv: number;
  bytesSentPerCommand: Record<string, number>;
  bytesRecvPerCommand: Record<string, number>;
  timeOffset: number;
  pingMs?: number;
  minPingMs?: number;
  pingWaitMs?: number;
  banScore: number;
  whitelisted: boolean;
  authenticated: boolean;
  peerMaxRecvPayload: number;
  preferHeaders: boolean;
  feeFilter: bigint;
}

function randomNonce(): bigint {
  for (;;) {
    const n = randomBytes(8).readBigUInt64LE();
    if (n !== 0n) return n;
  }
}

/** An association ID as SV Node prints it: the UUID of a type-0 ID, else "Not-Set" (none or empty). */
export function formatAssociationId(id: Uint8Array | undefined): string {
  if (!id || id.length <= 1) return 'Not-Set';
  if (id[0] !== 0 || id.length !== 17) return toHex(id);
  const h = toHex(id.subarray(1));
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A reject reason as the wire allows it. */
function clip(reason: string): string {
  return reason.length > MAX_REJECT_MESSAGE_LENGTH ? reason.slice(0, MAX_REJECT_MESSAGE_LENGTH) : reason;
}

/**
 * One peer connection's protocol state, independent of its socket: bytes in through
 * `receive`, bytes out through `write`, time through `tick`. It runs the handshake as
 * SV Node 1.2.2 does (on a `version`: `version` if inbound, then `verack` and
 * `protoconf`; on `verack`: `authch` and `sendheaders`), keeps the connection alive
 * with pings, scores misbehaviour, and hands application messages to its handler.
 */
export class PeerSession {
  readonly id: number;
  readonly inbound: boolean;
  readonly remote: { host: string; port: number };
  readonly whitelisted: boolean;
  readonly manual: boolean;
  readonly localNonce = randomNonce();
  readonly connectedAt: number;

  state: SessionState = 'new';
  peerVersion = 0;
  peerServices = 0n;
  userAgent = '';
  startHeight = -1;
  relay = true;
  associationId: Uint8Array | undefined;
  /** Our address as the peer sees it (its version's addrRecv). */
  addrLocal: NetAddress | undefined;
  timeOffset = 0;
  /** The peer asked for `headers` announcements (BIP 130). */
  preferHeaders = false;
  /** The peer's `sendcmpct`; we never use compact blocks, but remember what it offered. */
  compact: { announce: boolean; version: bigint } | undefined;
  /** The peer's fee filter in satoshis per kB. */
  feeFilter = 0n;
  /** Largest ordinary payload the peer accepts (1 MiB until its protoconf says otherwise). */
  peerMaxRecvPayload = LEGACY_MAX_PAYLOAD;
  peerStreamPolicies = '';
  authenticated = false;
  banScore = 0;
  closeReason: CloseReason | undefined;

  private readonly params: ChainParams;
  private readonly local: LocalNodeInfo;
  private readonly decoder: FrameDecoder;
  private readonly limits: PayloadLimits;
  private readonly banThreshold: number;
  private readonly handshakeTimeoutMs: number;
  private readonly inactivityTimeoutMs: number;
  private readonly pingIntervalMs: number;
  private readonly servicesExpected: bigint;
  private readonly addrServices: bigint;
  private readonly isOwnNonce: (nonce: bigint) => boolean;
  private readonly now: () => number;
  private readonly log: Logger;
  private handler: SessionHandler = {};
  private writer: (bytes: Uint8Array) => void = () => {};

  private versionSent = false;
  private verackReceived = false;
  private protoconfReceived = false;
  private authChallenge: Uint8Array | undefined;
  private authAttempts = 0;
  private pingNonceSent = 0n;
  private pingStartedAt = 0;
  private pingMs: number | undefined;
  private minPingMs: number | undefined;
  private lastSend = 0;
  private lastRecv = 0;
  private bytesSent = 0;
  private bytesRecv = 0;
  private readonly sentPerCommand: Record<string, number> = {};
  private readonly recvPerCommand: Record<string, number> = {};
  private lastBadChecksumAt = 0;
  private badChecksumRun = 0;

  private readonly queue: { command: string; payload: Uint8Array }[] = [];
  private queuedBytes = 0;
  private pumping = false;
  private drainWaiters: (() => void)[] = [];

  constructor(opts: SessionOptions) {
    this.id = opts.id;
    this.inbound = opts.inbound;
    this.remote = opts.remote;
    this.params = opts.params;
    this.local = opts.local;
    this.limits = opts.limits ?? DEFAULT_PAYLOAD_LIMITS;
    this.decoder = new FrameDecoder(opts.params.netMagic, this.limits);
    this.whitelisted = opts.whitelisted ?? false;
    this.manual = opts.manual ?? false;
    this.servicesExpected = opts.servicesExpected ?? 0n;
    this.addrServices = opts.addrServices ?? 0n;
    this.banThreshold = opts.banScore ?? DEFAULT_BANSCORE_THRESHOLD;
    this.handshakeTimeoutMs = opts.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_SECONDS * 1000;
    this.inactivityTimeoutMs = opts.inactivityTimeoutMs ?? P2P_TIMEOUT_SECONDS * 1000;
    this.pingIntervalMs = opts.pingIntervalMs ?? PING_INTERVAL_SECONDS * 1000;
    this.isOwnNonce = opts.isOwnNonce ?? (() => false);
    this.now = opts.now ?? Date.now;
    this.log = opts.log;
    this.connectedAt = this.now();
  }

  /** Where outgoing bytes go and who handles application messages. */
  attach(writer: (bytes: Uint8Array) => void, handler: SessionHandler): void {
    this.writer = writer;
    this.handler = handler;
  }

  get ready(): boolean {
    return this.state === 'ready';
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  /** Payload bytes of complete messages not yet handled (the connection pauses reading above a limit). */
  get backlog(): number {
    return this.queuedBytes;
  }

  get label(): string {
    return `peer=${this.id}`;
  }

  /** Outbound connections speak first. */
  start(): void {
    if (!this.inbound) this.sendVersion();
  }

  /** Bytes from the socket. Never throws: protocol violations close the session. */
  receive(chunk: Uint8Array): void {
    if (this.closed) return;
    this.lastRecv = this.now();
    this.bytesRecv += chunk.length;
    let events: FrameEvent[];
    try {
      events = this.decoder.push(chunk);
    } catch (e) {
      const err = e as P2PError;
      // SV Node bans the address for any unreadable header, oversized or of another network.
      this.close({ reason: `${err.message} (${err.code ?? P2PErrorCode.BadHeader})`, ban: 'always' });
      return;
    }
    for (const ev of events) {
      if (this.closed) return;
      if (ev.kind === 'bad-checksum') {
        this.log.debug('dropped a frame with a bad checksum', { peer: this.id, command: ev.command, length: ev.length, expected: ev.expected, actual: ev.actual });
        this.noteBadChecksum();
        continue;
      }
      if (ev.kind === 'bad-command') {
        this.log.debug('dropped a frame with an invalid command', { peer: this.id, command: ev.command, length: ev.length });
        continue;
      }
      this.recvPerCommand[ev.command] = (this.recvPerCommand[ev.command] ?? 0) + ev.payload.length + 24;
      this.queue.push({ command: ev.command, payload: ev.payload });
      this.queuedBytes += ev.payload.length;
    }
    void this.pump();
  }

  /** Resolves once every received message has been handled. */
  drained(): Promise<void> {
    if (!this.pumping && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const next = this.queue.shift()!;
        this.queuedBytes -= next.payload.length;
        try {
          await this.dispatch(next.command, next.payload);
        } catch (e) {
          // A handler failure is ours, not the peer's: log it and carry on, as SV Node does.
          this.log.error('message handling failed', { peer: this.id, command: next.command, error: (e as Error).stack ?? String(e) });
        }
      }
    } finally {
      this.pumping = false;
      if (this.closed) {
        this.queue.length = 0;
        this.queuedBytes = 0;
      }
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async dispatch(command: string, payload: Uint8Array): Promise<void> {
    if (command === 'filterload' || command === 'filteradd') {
      // We do not offer NODE_BLOOM.
      if (this.peerVersion >= 70011 || this.peerVersion === 0) this.misbehave(100, 'no-bloom-version');
      else this.close({ reason: `${command} without bloom support`, ban: 'none' });
      return;
    }
    // The order of SV Node's ProcessMessage: these four before anything, then version, then verack.
    const anyTime = command === 'reject' || command === 'version' || command === 'createstrm' || command === 'streamack';
    if (!anyTime && this.peerVersion === 0) {
      this.misbehave(1, 'missing-version');
      return;
    }
    const beforeVerack = command === 'verack' || command === 'authch' || command === 'authresp';
    if (!anyTime && !beforeVerack && !this.verackReceived) {
      this.misbehave(1, 'missing-verack');
      return;
    }
    if (!isCommand(command)) {
      this.log.debug(UNSUPPORTED_COMMANDS.has(command) ? 'ignored unsupported command' : 'ignored unknown command', { peer: this.id, command, length: payload.length });
      return;
    }
    let message: Message;
    try {
      const decoded = decodePayload(command, payload);
      message = decoded.message;
      if (decoded.trailing > 0) this.log.debug('ignored bytes after the known fields', { peer: this.id, command, bytes: decoded.trailing });
    } catch (e) {
      this.malformed(command, e as P2PError);
      return;
    }

    if (command === 'reject') return this.onReject(message as MessageOf<'reject'>);
    if (command === 'version') return this.onVersion(message as MessageOf<'version'>);
    if (command === 'createstrm' || command === 'streamack') return this.onStreamRequest(command);
    if (command === 'verack') return this.onVerack();
    if (command === 'authch') return this.onAuthChallenge(message as MessageOf<'authch'>);
    if (command === 'authresp') return this.onAuthResponse(message as MessageOf<'authresp'>);
    switch (message.command) {
      case 'protoconf':
        return this.onProtoconf(message);
      case 'ping':
        this.send('pong', { nonce: message.payload.nonce });
        return;
      case 'pong':
        return this.onPong(message.payload.nonce);
      case 'sendheaders':
        if (this.preferHeaders) {
          this.misbehave(1, 'Invalid SendHeaders activity');
        } else {
          this.preferHeaders = true;
        }
        return;
      case 'sendcmpct':
        if (message.payload.version === 1n) this.compact = message.payload;
        return;
      case 'feefilter': {
        const rate = message.payload.feeRate;
        if (rate >= 0n && rate <= 21_000_000n * 100_000_000n) {
          this.feeFilter = rate;
          this.log.debug('received feefilter', { peer: this.id, satPerKb: rate });
        }
        return;
      }
    }
    if (SESSION_COMMANDS.has(command)) return;
    await this.handler.onMessage?.(this, message);
  }

  private malformed(command: string, err: P2PError): void {
    this.log.info('malformed message', { peer: this.id, command, reason: err.message });
    if (command === 'pong') {
      // A short pong cancels the outstanding ping, as SV Node does.
      this.pingNonceSent = 0n;
      return;
    }
    this.reject(command, RejectCode.Malformed, 'error parsing message');
    if (err.cause instanceof BitcoinError && err.cause.code === BitcoinErrorCode.Oversized) this.misbehave(1, 'Over-long size message protection');
  }

  private noteBadChecksum(): void {
    const t = this.now();
    this.badChecksumRun = t - this.lastBadChecksumAt < INVALID_CHECKSUM_INTERVAL_MS ? this.badChecksumRun + 1 : 0;
    this.lastBadChecksumAt = t;
    if (this.badChecksumRun > INVALID_CHECKSUM_FREQUENCY) this.misbehave(1, 'Invalid Checksum activity');
  }

  // ───────────── handshake ─────────────

  private sendVersion(): void {
    const ip = (() => {
      try {
        return ipFromString(this.remote.host);
      } catch {
        return UNSPECIFIED_IP;
      }
    })();
    // As SV Node: the peer's address only when it is routable, else an unspecified one, with the
    // services its address book entry has (not what the peer's own version says).
    const addrRecv: NetAddress = isRoutableIp(ip)
      ? { services: this.addrServices, ip, port: this.remote.port }
      : { services: this.addrServices, ip: UNSPECIFIED_IP, port: 0 };
    this.send('version', {
      version: PROTOCOL_VERSION,
      services: this.local.services,
      timestamp: BigInt(Math.floor(this.now() / 1000)),
      addrRecv,
      addrFrom: { services: this.local.services, ip: UNSPECIFIED_IP, port: 0 },
      nonce: this.localNonce,
      userAgent: this.local.userAgent,
      startHeight: this.local.startHeight(),
      relay: this.local.relay,
      // Empty: we support the field but keep a single connection, so SV Node opens no extra stream.
      associationId: new Uint8Array(0),
    });
    this.versionSent = true;
    if (this.state === 'new') this.state = 'version-sent';
  }

  private onVersion(m: MessageOf<'version'>): void {
    const v = m.payload;
    if (this.peerVersion !== 0) {
      this.reject('version', RejectCode.Duplicate, 'Duplicate version message');
      this.misbehave(1, 'multiple-version');
      return;
    }
    this.peerVersion = v.version;
    this.peerServices = v.services;
    if (this.servicesExpected & ~v.services) {
      const want = this.servicesExpected.toString(16).padStart(8, '0');
      this.reject('version', RejectCode.Nonstandard, `Expected to offer services ${want}`);
      this.close({ reason: `does not offer the expected services (${v.services.toString(16)} offered, ${want} expected)`, ban: 'none' });
      return;
    }
    if (v.version < MIN_PEER_PROTO_VERSION) {
      this.reject('version', RejectCode.Obsolete, `Version must be ${MIN_PEER_PROTO_VERSION} or greater`);
      this.close({ reason: `obsolete protocol version ${v.version}`, ban: 'none' });
      return;
    }
    if (v.associationId !== undefined && v.associationId.length > 1) {
      const id = v.associationId;
      const problem = id[0] !== 0 ? `Unsupported association ID type ${id[0]}` : id.length !== 17 ? `Wrong number of bytes in UUID (${id.length - 1} != 16)` : undefined;
      if (problem) {
        this.reject('version', RejectCode.StreamSetup, `Badly formatted association ID: ${problem}`);
        this.close({ reason: `badly formatted association ID: ${problem}`, ban: 'none' });
        return;
      }
    }
    if (this.inbound && this.isOwnNonce(v.nonce)) {
      this.close({ reason: 'connected to self', ban: 'none' });
      return;
    }
    this.userAgent = v.userAgent;
    this.startHeight = v.startHeight;
    this.relay = v.relay ?? true;
    this.associationId = v.associationId;
    this.addrLocal = v.addrRecv;
    this.timeOffset = Number(v.timestamp) - Math.floor(this.now() / 1000);
    this.state = 'version-received';

    if (this.inbound) this.sendVersion();
    this.send('verack', {});
    this.send('protoconf', { numberOfFields: 2, maxRecvPayloadLength: this.local.maxRecvPayload, streamPolicies: DEFAULT_STREAM_POLICY });
    if (!this.inbound) {
      this.send('getaddr', {});
      this.handler.onVersion?.(this);
    }
    this.log.debug('received version', {
      peer: this.id,
      version: v.version,
      userAgent: v.userAgent,
      blocks: v.startHeight,
      services: v.services.toString(16),
      associd: formatAssociationId(v.associationId),
    });
  }

  private onVerack(): void {
    if (this.verackReceived) return;
    this.verackReceived = true;
    this.log.info(`new ${this.inbound ? 'inbound' : 'outbound'} peer connected`, {
      peer: this.id,
      addr: `${this.remote.host}:${this.remote.port}`,
      version: this.peerVersion,
      subver: this.userAgent,
      blocks: this.startHeight,
    });
    this.authChallenge = randomBytes(AUTHCH_CHALLENGE_SIZE);
    this.send('authch', { version: AUTHCH_VERSION, length: AUTHCH_CHALLENGE_SIZE, challenge: this.authChallenge });
    if (this.peerVersion >= SENDHEADERS_VERSION) this.send('sendheaders', {});
    // No sendcmpct: we decline compact blocks, so peers send us full blocks.
    this.state = 'ready';
    this.sendPing();
    this.handler.onReady?.(this);
  }

  private onProtoconf(m: MessageOf<'protoconf'>): void {
    if (this.protoconfReceived) {
      this.close({ reason: 'second protoconf', ban: 'none' });
      return;
    }
    this.protoconfReceived = true;
    const p = m.payload;
    if (p.maxRecvPayloadLength < LEGACY_MAX_PAYLOAD) {
      this.close({ reason: `protoconf maximum message size ${p.maxRecvPayloadLength} is below ${LEGACY_MAX_PAYLOAD}`, ban: 'none' });
      return;
    }
    this.peerMaxRecvPayload = Math.min(p.maxRecvPayloadLength, this.local.maxRecvPayload * MAX_SEND_PAYLOAD_FACTOR);
    this.peerStreamPolicies = p.streamPolicies ?? '';
    this.log.debug('received protoconf', { peer: this.id, maxRecvPayload: p.maxRecvPayloadLength, streamPolicies: p.streamPolicies });
  }

  /**
   * SV Node answers `authch` only when it runs with a miner ID; we have none, so we
   * ignore it, which SV Node accepts (the connection stays unauthenticated).
   */
  private onAuthChallenge(m: MessageOf<'authch'>): void {
    this.log.debug('ignored authch (no miner ID to answer with)', { peer: this.id, version: m.payload.version });
  }

  private onAuthResponse(m: MessageOf<'authresp'>): void {
    if (this.authenticated) return;
    if (++this.authAttempts > 1) {
      this.misbehave(10, 'authresp-rate-limit');
      return;
    }
    const r = m.payload;
    let problem: string | undefined;
    if (!this.authChallenge) problem = 'no authch was sent';
    else if (r.publicKey.length !== COMPRESSED_PUBKEY_SIZE) problem = `Incorrect nPubKeyLen=${r.publicKey.length}`;
    else if (r.signature.length < DER_SIGNATURE_MIN_SIZE || r.signature.length > DER_SIGNATURE_MAX_SIZE) problem = `Incorrect vSign.size()=${r.signature.length}`;
    else if (!verifyAuthResponse(this.authChallenge, r.nonce, r.publicKey, r.signature)) problem = 'authresp message signature failed to verify.';
    if (problem) {
      this.log.info('authresp refused', { peer: this.id, reason: problem });
      this.reject('authresp', RejectCode.AuthConnSetup, problem);
      return;
    }
    this.authenticated = true;
    this.log.info('authenticated connection established', { peer: this.id, minerId: toHex(r.publicKey) });
  }

  /** We keep one connection per peer: extra streams are refused as SV Node refuses a bad request. */
  private onStreamRequest(command: 'createstrm' | 'streamack'): void {
    if (this.peerVersion !== 0) {
      this.reject(command, RejectCode.Nonstandard, command === 'createstrm' ? 'Invalid createstream scenario' : 'Invalid streamack');
    } else if (command === 'createstrm') {
      this.reject(command, RejectCode.StreamSetup, 'Multiple streams are not supported');
    }
    this.close({ reason: `${command} refused: this node keeps one connection per peer`, ban: 'none' });
  }

  private onReject(m: MessageOf<'reject'>): void {
    const r = m.payload;
    this.log.info('peer rejected a message', {
      peer: this.id,
      message: r.message,
      code: `0x${r.code.toString(16).padStart(2, '0')}`,
      reason: r.reason,
      hash: r.hash ? hashToHex(r.hash) : undefined,
    });
  }

  // ───────────── keepalive ─────────────

  private sendPing(): void {
    const nonce = randomNonce();
    this.pingStartedAt = this.now();
    if (this.peerVersion > BIP0031_VERSION) {
      this.pingNonceSent = nonce;
      this.send('ping', { nonce });
    }
  }

  /** Ask the peer for a pong now (the `ping` RPC). */
  requestPing(): void {
    if (this.ready) this.sendPing();
  }

  private onPong(nonce: bigint): void {
    if (this.pingNonceSent === 0n) {
      this.log.debug('pong: unsolicited pong without ping', { peer: this.id });
      return;
    }
    if (nonce === this.pingNonceSent) {
      const ms = this.now() - this.pingStartedAt;
      this.pingMs = ms;
      this.minPingMs = this.minPingMs === undefined ? ms : Math.min(this.minPingMs, ms);
      this.pingNonceSent = 0n;
    } else if (nonce === 0n) {
      this.pingNonceSent = 0n;
      this.log.debug('pong: nonce zero', { peer: this.id });
    } else {
      this.log.debug('pong: nonce mismatch', { peer: this.id });
    }
  }

  /** Timers: handshake and inactivity timeouts, periodic pings. Call about once a second. */
  tick(): void {
    if (this.closed) return;
    const t = this.now();
    const timeout = this.inactivityTimeoutMs;
    if (t - this.connectedAt > this.handshakeTimeoutMs) {
      if (this.lastRecv === 0 || this.lastSend === 0) {
        this.close({ reason: `no message in the first ${Math.round(this.handshakeTimeoutMs / 1000)} seconds`, ban: 'none' });
      } else if (t - this.lastSend > timeout) {
        this.close({ reason: `sending timeout: ${Math.round((t - this.lastSend) / 1000)}s`, ban: 'none' });
      } else if (t - this.lastRecv > timeout) {
        this.close({ reason: `receive timeout: ${Math.round((t - this.lastRecv) / 1000)}s`, ban: 'none' });
      } else if (this.pingNonceSent !== 0n && t - this.pingStartedAt > timeout) {
        this.close({ reason: `ping timeout: ${Math.round((t - this.pingStartedAt) / 1000)}s`, ban: 'none' });
      } else if (!this.ready) {
        this.close({ reason: 'version handshake timeout', ban: 'none' });
      }
      if (this.closed) return;
    }
    if (this.ready && this.pingNonceSent === 0n && t - this.pingStartedAt > this.pingIntervalMs) this.sendPing();
  }

  // ───────────── sending ─────────────

  /** Encode and send a message; a no-op once closed. */
  send<C extends Command>(command: C, payload: PayloadOf<C>): void {
    if (this.closed) return;
    this.sendRaw(command, encodePayload({ command, payload } as Message));
  }

  /** Send an already-encoded payload (e.g. a stored block). */
  sendRaw(command: Command, payload: Uint8Array): void {
    if (this.closed) return;
    const frame = encodeFrame(this.params.netMagic, command, payload);
    this.lastSend = this.now();
    this.bytesSent += frame.length;
    this.sentPerCommand[command] = (this.sentPerCommand[command] ?? 0) + frame.length;
    this.writer(frame);
  }

  /** How many inventory items fit in one message the peer accepts. */
  get maxInvItems(): number {
    return Math.max(1, Math.floor((this.peerMaxRecvPayload - 8) / 36));
  }

  reject(message: string, code: RejectCode, reason: string, hash?: Hash32): void {
    this.send('reject', { message: message.slice(0, 12), code, reason: clip(reason), hash });
  }

  /**
   * Add to the peer's misbehaviour score; crossing the threshold disconnects it for a
   * ban, unless it is whitelisted or manually added (then only logged).
   */
  misbehave(points: number, reason: string): void {
    if (points <= 0 || this.closed) return;
    const before = this.banScore;
    this.banScore += points;
    const crossed = before < this.banThreshold && this.banScore >= this.banThreshold;
    this.log.warn(`misbehaving${crossed ? ': ban threshold exceeded' : ''}`, {
      peer: this.id,
      addr: `${this.remote.host}:${this.remote.port}`,
      score: `${before}->${this.banScore}`,
      reason,
    });
    if (!crossed) return;
    if (this.whitelisted || this.manual) {
      this.log.warn(`not punishing ${this.whitelisted ? 'whitelisted' : 'manually added'} peer`, { peer: this.id });
      return;
    }
    this.close({ reason: `misbehaviour: ${reason}`, ban: 'misbehaviour' });
  }

  /** Stop the session; the handler's onClose runs once. */
  close(reason: CloseReason): void {
    if (this.closed) return;
    this.state = 'closed';
    this.closeReason = reason;
    this.handler.onClose?.(this, reason);
  }

  stats(): PeerStats {
    const t = this.now();
    return {
      id: this.id,
      inbound: this.inbound,
      host: this.remote.host,
      port: this.remote.port,
      state: this.state,
      version: this.peerVersion,
      services: this.peerServices,
      userAgent: this.userAgent,
      startHeight: this.startHeight,
      relay: this.relay,
      // We answer every association ID with an empty one, so no association is ever set up (as SV Node
      // shows a peer that cleared it: "Not-Set", whatever ID the peer offered).
      associationId: 'Not-Set',
      connectedAt: this.connectedAt,
      lastSend: this.lastSend,
      lastRecv: this.lastRecv,
      bytesSent: this.bytesSent,
      bytesRecv: this.bytesRecv,
      bytesSentPerCommand: { ...this.sentPerCommand },
      bytesRecvPerCommand: { ...this.recvPerCommand },
      timeOffset: this.timeOffset,
      pingMs: this.pingMs,
      minPingMs: this.minPingMs,
      pingWaitMs: this.pingNonceSent !== 0n ? t - this.pingStartedAt : undefined,
      banScore: this.banScore,
      whitelisted: this.whitelisted,
      authenticated: this.authenticated,
      peerMaxRecvPayload: this.peerMaxRecvPayload,
      preferHeaders: this.preferHeaders,
      feeFilter: this.feeFilter,
    };
  }
}
