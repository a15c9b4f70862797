import { hashToHex, type ChainParams } from '@metamorph/bitcoin';
import type { Logger } from '@metamorph/config';
import type { ShareJobData } from '@metamorph/queue';
import { parseP2pkhAddress } from './address.js';
import type { BlockCandidate } from './block-submitter.js';
import { EXTRANONCE2_SIZE } from './coinbase.js';
import { difficultyDecimal, normalizeDifficulty, shareTarget, targetDifficultyDecimal } from './difficulty.js';
import { StratumAppError, StratumAppErrorCode } from './errors.js';
import { extranonce1Hex } from './extranonce.js';
import { notifyLine, type Job } from './job.js';
import {
  StratumErrorCode,
  StratumProtocolError,
  bitCount,
  errorReply,
  notification,
  parseAuthorizeParams,
  parseConfigureParams,
  parseLine,
  parseSubmitParams,
  parseSubscribeParams,
  parseSuggestDifficulty,
  resultReply,
  splitUsername,
  type RequestId,
  type StratumRequest,
  type StratumResponse,
} from './protocol.js';
import { ShareDedupe, dedupeKey } from './share-dedupe.js';
import type { ShareSink } from './share-sink.js';
import { buildShare, hashShare } from './share-validator.js';
import { VarDiff, type VarDiffOptions } from './vardiff.js';

/** Malformed lines tolerated before the connection is closed (and its address banned). */
export const MAX_PROTOCOL_ERRORS = 50;
/** Lines a connection may have waiting while an earlier one is handled. */
export const MAX_QUEUED_LINES = 1000;
/** Difficulty epochs remembered per connection (each change of difficulty or extranonce1 starts one). */
const MAX_EPOCHS = 32;

export interface JobSource {
  current(): Job | undefined;
  get(id: string): Job | undefined;
  isStale(job: Job): boolean;
  /** Sequence number of the oldest job still remembered. */
  oldestSeq(): number;
}

export interface AuthorizedWorker {
  address: string;
  worker: string;
}

/** The side of a connection the session writes to: a TCP socket in production, an array in tests. */
export interface SessionTransport {
  /** One or more complete lines, each ending with a newline. */
  write(data: string | Uint8Array): void;
  close(): void;
}

/** What the server does for a session that a socket-free session cannot. */
export interface SessionHooks {
  /** The miner asks for an earlier session back (`mining.subscribe` param 2); true if it was restored. */
  resume?(session: StratumSession, extranonce1: number): boolean;
  /** Too many invalid shares or malformed lines: ban the address (the session closes itself). */
  ban?(session: StratumSession, reason: string): void;
}

/** Settings shared by every session of a server (one object, not one per connection). */
export interface SessionConfig {
  jobs: JobSource;
  network: ChainParams;
  /** Starting difficulty. */
  difficulty: number;
  minDifficulty: number;
  maxDifficulty: number;
  /** Vardiff settings (one object for all connections; `min`/`max` should be the pool bounds); undefined keeps each connection's difficulty where it starts. */
  vardiff?: VarDiffOptions;
  /** The version bits the pool lets miners roll (BIP310). */
  versionMask: number;
  sink: ShareSink;
  submitBlock: (candidate: BlockCandidate) => void;
  /** Decides whether a username may mine; the default checks the address for the network. */
  authorize?: (username: string, password: string) => Promise<AuthorizedWorker>;
  /** Invalid shares in a row that get the address banned (0 = never). */
  banInvalidShares: number;
  hooks?: SessionHooks;
  logger: Logger;
  now?: () => number;
}

/** A stretch of jobs sent with one difficulty and one extranonce1; its number is the last 4 hex digits of the job ids. */
interface Epoch {
  n: number;
  /** The first job sent in this epoch (the current job, re-sent, when the epoch began mid-job). */
  firstSeq: number;
  difficulty: number;
  extranonce1: number;
}

/** State that survives a lost connection for `mining.subscribe` resumption. */
export interface ResumableState {
  extranonce1: number;
  difficulty: number;
  epochs: Epoch[];
  epochN: number;
  dedupe: ShareDedupe | undefined;
  vardiff: VarDiff | undefined;
  versionMask: number;
}

const SUBSCRIBED = 1;
const WORK_SENT = 2;
const CLOSED = 4;
const EXTRANONCE_SUBSCRIBED = 8;
const BUSY = 16;

const NO_WORKERS: ReadonlyMap<string, AuthorizedWorker> = new Map();

/**
 * One miner connection's Stratum V1 state machine, independent of any socket: lines in, replies
 * and notifications out, each line handled only after the previous one finished (a share is
 * answered only once it is stored, and the next line waits for that).
 */
export class StratumSession {
  extranonce1: number;
  difficulty: number;
  versionMask = 0;
  accepted = 0;
  rejected = 0;
  blocks = 0;
  /** Unix ms of the last line received. */
  lastActivity: number;
  readonly connectedAt: number;
  /** Unix ms the first worker was authorized (0 = none yet). */
  authorizedAt = 0;
  private flags = 0;
  /** The first authorized username and its worker; further ones (rare) in `moreWorkers`. */
  private username: string | undefined;
  private worker: AuthorizedWorker | undefined;
  private moreWorkers: Map<string, AuthorizedWorker> | undefined;
  private epochs: Epoch[] | undefined;
  private epochN = 0;
  private dedupe: ShareDedupe | undefined;
  private vardiff: VarDiff | undefined;
  private floor: number;
  private invalidStreak = 0;
  private protocolErrors = 0;
  private queue: string[] | undefined;
  private idleWaiters: (() => void)[] | undefined;
  private pings = 0;
  /** A difficulty change decided while handling a request (vardiff, a suggestion), applied after its reply. */
  private pendingDifficulty: number | undefined;

  constructor(
    private readonly transport: SessionTransport,
    private readonly cfg: SessionConfig,
    extranonce1: number,
    /** The remote address, for logs and bans. */
    readonly peer: string = '',
  ) {
    this.extranonce1 = extranonce1 >>> 0;
    const now = this.time();
    this.lastActivity = now;
    this.connectedAt = now;
    this.floor = cfg.minDifficulty;
    this.difficulty = normalizeDifficulty(cfg.difficulty, cfg.minDifficulty, cfg.maxDifficulty);
  }

  private time(): number {
    return this.cfg.now ? this.cfg.now() : Date.now();
  }

  get isClosed(): boolean {
    return (this.flags & CLOSED) !== 0;
  }

  get isSubscribed(): boolean {
    return (this.flags & SUBSCRIBED) !== 0;
  }

  get isAuthorized(): boolean {
    return this.authorizedAt !== 0;
  }

  get extranonce1Hex(): string {
    return extranonce1Hex(this.extranonce1);
  }

  get authorizedWorkers(): ReadonlyMap<string, AuthorizedWorker> {
    const all = new Map(this.moreWorkers ?? NO_WORKERS);
    if (this.username !== undefined) all.set(this.username, this.worker!);
    return all;
  }

  private lookupWorker(username: string): AuthorizedWorker | undefined {
    return username === this.username ? this.worker : this.moreWorkers?.get(username);
  }

  // ───── Input ─────

  /** Take one received line; lines are handled strictly in arrival order. */
  receive(line: string): void {
    if (this.flags & CLOSED) return;
    this.lastActivity = this.time();
    if (this.flags & BUSY) {
      (this.queue ??= []).push(line);
      if (this.queue.length > MAX_QUEUED_LINES) {
        this.cfg.logger.warn('closing a connection that sends faster than it is answered', { peer: this.peer, queued: this.queue.length });
        this.close();
      }
      return;
    }
    this.run(line);
  }

  private run(line: string): void {
    const pending = this.handleLine(line);
    if (!pending) return;
    this.flags |= BUSY;
    void pending.then(() => {
      this.flags &= ~BUSY;
      while (this.queue?.length && !(this.flags & (BUSY | CLOSED))) this.run(this.queue.shift()!);
      if (!(this.flags & BUSY)) {
        this.queue = undefined;
        const waiters = this.idleWaiters;
        this.idleWaiters = undefined;
        if (waiters) for (const w of waiters) w();
      }
    });
  }

  /** The framer saw a line longer than allowed: answer, then hang up. */
  lineTooLong(limit: number): void {
    if (this.flags & CLOSED) return;
    this.write(replyLine(errorReply(null, new StratumProtocolError(StratumErrorCode.Other, `Line too long: more than ${limit} bytes without a newline`))));
    this.close();
  }

  /** Resolves once every line received so far has been handled. */
  idle(): Promise<void> {
    if (!(this.flags & BUSY)) return Promise.resolve();
    return new Promise((r) => (this.idleWaiters ??= []).push(r));
  }

  close(): void {
    if (this.flags & CLOSED) return;
    this.flags |= CLOSED;
    this.queue = undefined;
    this.transport.close();
  }

  private write(data: string | Uint8Array): void {
    if (!(this.flags & CLOSED)) this.transport.write(data);
  }

  private handleLine(line: string): Promise<void> | undefined {
    if (line.length === 0 || line.trim() === '') return undefined;
    const parsed = parseLine(line);
    if (!parsed.ok) {
      this.write(replyLine(errorReply(parsed.id, parsed.error)));
      if (++this.protocolErrors > MAX_PROTOCOL_ERRORS) this.misbehaving(`${this.protocolErrors} malformed messages`);
      return undefined;
    }
    if (parsed.response) {
      this.onResponse(parsed.response);
      return undefined;
    }
    const req = parsed.request;
    let result: unknown;
    try {
      result = this.dispatch(req);
    } catch (e) {
      this.replyError(req, e);
      return undefined;
    }
    if (result instanceof Promise) {
      return result.then(
        (r) => this.replyResult(req, r),
        (e) => this.replyError(req, e),
      );
    }
    this.replyResult(req, result);
    return undefined;
  }

  private replyResult(req: StratumRequest, result: unknown): void {
    // `true` (every accepted share) is by far the most common answer: no generic serialisation for it.
    this.write(result === true ? `{"id":${JSON.stringify(req.id)},"result":true,"error":null}\n` : replyLine(resultReply(req.id, result)));
    const next = this.pendingDifficulty;
    if (next !== undefined) {
      this.pendingDifficulty = undefined;
      this.cfg.logger.debug('difficulty', { peer: this.peer, from: this.difficulty, to: next, by: req.method });
      this.changeDifficulty(next);
    }
    if ((req.method === 'mining.subscribe' || req.method === 'mining.authorize') && !(this.flags & WORK_SENT)) {
      // Work goes out after the reply that made the miner ready (subscribe or authorize, in either order).
      this.offerFirstWork();
    }
  }

  private replyError(req: StratumRequest, e: unknown): void {
    let err: StratumProtocolError;
    if (e instanceof StratumProtocolError) err = e;
    else if (e instanceof StratumAppError && e.code === StratumAppErrorCode.SinkFull) {
      err = new StratumProtocolError(StratumErrorCode.Other, 'The pool cannot record shares right now; try again');
    } else {
      this.cfg.logger.error('unexpected error handling a request', { method: req.method, error: (e as Error).message });
      err = new StratumProtocolError(StratumErrorCode.Other, 'Internal error');
    }
    this.write(replyLine(errorReply(req.id, err)));
    if (req.method === 'mining.submit') this.onInvalidShare(err);
  }

  private onResponse(r: StratumResponse): void {
    if (typeof r.id === 'string' && r.id.startsWith('ping-')) this.cfg.logger.debug('ping answered', { peer: this.peer, result: r.result });
  }

  private dispatch(req: StratumRequest): unknown {
    switch (req.method) {
      case 'mining.subscribe':
        return this.subscribe(req.params);
      case 'mining.authorize':
        return this.authorizeWorker(req.params);
      case 'mining.submit':
        return this.submit(req.params);
      case 'mining.configure':
        return this.configure(req.params);
      case 'mining.suggest_difficulty':
        return this.suggestDifficulty(req.params);
      case 'mining.extranonce.subscribe':
        this.flags |= EXTRANONCE_SUBSCRIBED;
        return true;
      case 'mining.ping':
        return 'pong';
      default:
        throw new StratumProtocolError(StratumErrorCode.Other, `Unknown method ${req.method}`);
    }
  }

  // ───── Methods ─────

  private subscribe(params: unknown[]): unknown {
    const p = parseSubscribeParams(params);
    if (!(this.flags & SUBSCRIBED) && p.resume && /^[0-9a-fA-F]{8}$/.test(p.resume)) {
      const wanted = parseInt(p.resume, 16) >>> 0;
      if (wanted !== this.extranonce1 && this.cfg.hooks?.resume?.(this, wanted)) {
        this.cfg.logger.debug('session resumed', { peer: this.peer, extranonce1: this.extranonce1Hex });
      }
    }
    this.flags |= SUBSCRIBED;
    const id = this.extranonce1Hex;
    this.cfg.logger.debug('subscribed', { peer: this.peer, agent: p.userAgent, extranonce1: id });
    return [
      [
        ['mining.set_difficulty', id],
        ['mining.notify', id],
      ],
      id,
      EXTRANONCE2_SIZE,
    ];
  }

  private authorizeWorker(params: unknown[]): boolean | Promise<boolean> {
    const { username, password } = parseAuthorizeParams(params);
    if (this.lookupWorker(username)) return true;
    const done = (worker: AuthorizedWorker) => {
      if (this.username === undefined) {
        this.username = username;
        this.worker = worker;
      } else (this.moreWorkers ??= new Map()).set(username, worker);
      if (!this.authorizedAt) this.authorizedAt = this.time();
      this.cfg.logger.info('worker authorized', { peer: this.peer, address: worker.address, worker: worker.worker });
      return true;
    };
    if (this.cfg.authorize) return this.cfg.authorize(username, password).then(done);
    return done(this.checkUsername(username));
  }

  private checkUsername(username: string): AuthorizedWorker {
    const { address, worker } = splitUsername(username);
    try {
      parseP2pkhAddress(address, this.cfg.network, 'username');
    } catch (e) {
      const why = e instanceof StratumAppError ? e.message.replace(/^username: /, '') : 'invalid address';
      throw new StratumProtocolError(StratumErrorCode.Unauthorized, `Unauthorized: ${why}`);
    }
    return { address, worker };
  }

  private configure(params: unknown[]): Record<string, unknown> {
    const req = parseConfigureParams(params);
    const result: Record<string, unknown> = {};
    for (const ext of req.extensions) {
      if (ext === 'version-rolling' && req.versionRolling) {
        this.versionMask = (req.versionRolling.mask & this.cfg.versionMask) >>> 0;
        result['version-rolling'] = true;
        result['version-rolling.mask'] = this.versionMask.toString(16).padStart(8, '0');
        if (bitCount(this.versionMask) < req.versionRolling.minBitCount) {
          this.cfg.logger.info('miner wants more version bits than granted', { peer: this.peer, granted: result['version-rolling.mask'], minBitCount: req.versionRolling.minBitCount });
        }
      } else if (ext === 'minimum-difficulty' && req.minimumDifficulty !== undefined) {
        result['minimum-difficulty'] = this.setMinimumDifficulty(req.minimumDifficulty);
      } else if (ext === 'subscribe-extranonce') {
        this.flags |= EXTRANONCE_SUBSCRIBED;
        result['subscribe-extranonce'] = true;
      } else if (ext === 'info') {
        this.cfg.logger.info('miner info', { peer: this.peer, ...req.info });
        result.info = true;
      } else {
        result[ext] = false;
      }
    }
    return result;
  }

  /** BIP310 minimum-difficulty: a floor for this connection (0 turns it off). */
  private setMinimumDifficulty(value: number): boolean {
    if (value > this.cfg.maxDifficulty) return false;
    this.floor = value === 0 ? this.cfg.minDifficulty : normalizeDifficulty(Math.max(value, this.cfg.minDifficulty), this.cfg.minDifficulty, this.cfg.maxDifficulty);
    this.vardiff?.setFloor(this.floor);
    if (this.difficulty < this.floor) this.pendingDifficulty = this.floor;
    return true;
  }

  private suggestDifficulty(params: unknown[]): boolean {
    this.pendingDifficulty = normalizeDifficulty(parseSuggestDifficulty(params), this.floor, this.cfg.maxDifficulty);
    return true;
  }

  // ───── Work ─────

  private ready(): boolean {
    return (this.flags & (SUBSCRIBED | CLOSED)) === SUBSCRIBED && this.authorizedAt !== 0;
  }

  private offerFirstWork(): void {
    const job = this.cfg.jobs.current();
    if (job && this.ready()) this.sendJob(job, true);
  }

  /** A new job was made: send it to this miner if it is ready for work. `cache` shares encoded lines between sessions. */
  onJob(job: Job, cache?: Map<string, Uint8Array>): void {
    if (!this.ready()) return;
    if (!(this.flags & WORK_SENT)) {
      this.sendJob(job, true);
      return;
    }
    if (job.cleanJobs) this.pruneJobs();
    const id = job.id + epochHex(this.epochN);
    const clean = job.cleanJobs;
    if (!cache) {
      this.write(notifyLine(job, id, clean));
      return;
    }
    const key = clean ? id + 't' : id;
    let line = cache.get(key);
    if (!line) cache.set(key, (line = Buffer.from(notifyLine(job, id, clean))));
    this.write(line);
  }

  private sendJob(job: Job, clean: boolean): void {
    if (!(this.flags & WORK_SENT)) {
      this.flags |= WORK_SENT;
      // A resumed session keeps its earlier jobs valid and continues in a new epoch.
      if (this.epochs?.length) this.newEpoch();
      else this.epochs = [{ n: this.epochN, firstSeq: job.seq, difficulty: this.difficulty, extranonce1: this.extranonce1 }];
      if (this.cfg.vardiff && !this.vardiff) {
        this.vardiff = new VarDiff(this.cfg.vardiff, this.difficulty, this.time(), this.floor);
      }
      this.write(notificationLine('mining.set_difficulty', [this.difficulty]));
    }
    this.write(notifyLine(job, job.id + epochHex(this.epochN), clean));
  }

  /** A new difficulty for this connection: `mining.set_difficulty`, then the current job again under a new id. */
  changeDifficulty(d: number): void {
    if (d === this.difficulty) return;
    this.difficulty = d;
    this.vardiff?.reset(d, this.time());
    if (!(this.flags & WORK_SENT) || (this.flags & CLOSED)) return;
    this.newEpoch();
    this.write(notificationLine('mining.set_difficulty', [d]));
    const job = this.cfg.jobs.current();
    // Shares of the jobs sent before stay valid at the lower of the two difficulties until they expire.
    if (job) this.write(notifyLine(job, job.id + epochHex(this.epochN), false));
  }

  /** A new extranonce1 (the server allocated it): `mining.set_extranonce`, then the current job, clean. */
  changeExtranonce(extranonce1: number): boolean {
    if (!(this.flags & EXTRANONCE_SUBSCRIBED) || (this.flags & CLOSED)) return false;
    this.extranonce1 = extranonce1 >>> 0;
    if (!(this.flags & WORK_SENT)) return true;
    this.newEpoch();
    this.write(notificationLine('mining.set_extranonce', [this.extranonce1Hex, EXTRANONCE2_SIZE]));
    const job = this.cfg.jobs.current();
    if (job) this.write(notifyLine(job, job.id + epochHex(this.epochN), true));
    return true;
  }

  get acceptsExtranonceChanges(): boolean {
    return (this.flags & EXTRANONCE_SUBSCRIBED) !== 0;
  }

  private newEpoch(): void {
    const job = this.cfg.jobs.current();
    this.epochN = (this.epochN + 1) & 0xffff;
    const epochs = (this.epochs ??= []);
    epochs.push({ n: this.epochN, firstSeq: job ? job.seq : 0, difficulty: this.difficulty, extranonce1: this.extranonce1 });
    this.pruneJobs();
    if (epochs.length > MAX_EPOCHS) epochs.shift();
  }

  /** Forget epochs and duplicate records that only cover jobs the job source no longer has. */
  private pruneJobs(): void {
    const oldest = this.cfg.jobs.oldestSeq();
    const epochs = this.epochs;
    if (epochs) while (epochs.length > 1 && epochs[1].firstSeq < oldest) epochs.shift();
    this.dedupe?.prune(oldest);
  }

  /** Called from time to time by the server: vardiff's look when shares are scarce. */
  tick(): void {
    if (!this.vardiff || (this.flags & CLOSED)) return;
    const next = this.vardiff.tick(this.time());
    if (next !== undefined) this.retargeted(next);
  }

  private retargeted(next: number): void {
    this.cfg.logger.debug('vardiff', { peer: this.peer, from: this.difficulty, to: next });
    this.changeDifficulty(next);
  }

  // ───── Shares ─────

  private findEpoch(jobId: string, job: Job): Epoch | undefined {
    const epochs = this.epochs;
    if (!epochs || jobId.length !== 12) return undefined;
    const n = parseInt(jobId.slice(8), 16);
    for (let i = epochs.length - 1; i >= 0; i--) {
      const e = epochs[i];
      if (e.n !== n) continue;
      const end = i + 1 < epochs.length ? epochs[i + 1].firstSeq : Infinity;
      return job.seq >= e.firstSeq && job.seq <= end ? e : undefined;
    }
    return undefined;
  }

  private submit(params: unknown[]): Promise<boolean> {
    const p = parseSubmitParams(params);
    if (!(this.flags & SUBSCRIBED)) throw new StratumProtocolError(StratumErrorCode.NotSubscribed, 'Not subscribed');
    const worker = this.lookupWorker(p.username);
    if (!worker) throw new StratumProtocolError(StratumErrorCode.Unauthorized, 'Unauthorized worker');
    const jobs = this.cfg.jobs;
    const job = jobs.get(p.jobId.slice(0, 8));
    const epoch = job && this.findEpoch(p.jobId, job);
    if (!job || !epoch) throw new StratumProtocolError(StratumErrorCode.JobNotFound, 'Job not found');
    if (jobs.isStale(job)) throw new StratumProtocolError(StratumErrorCode.JobNotFound, 'Stale job');

    let version = job.template.version >>> 0;
    if (p.versionBits !== undefined) {
      if ((p.versionBits & ~this.versionMask) >>> 0 !== 0) throw new StratumProtocolError(StratumErrorCode.Other, 'Version bits outside the negotiated mask');
      version = ((version & ~this.versionMask) | (p.versionBits & this.versionMask)) >>> 0;
    }

    const now = this.time();
    let share = buildShare({ job, extranonce1: epoch.extranonce1, extranonce2: p.extranonce2, ntime: p.ntime, nonce: p.nonce, version, now });
    // Around a difficulty change a share counts at the lower of the difficulty its job was sent with and the current one.
    const difficulty = epoch.difficulty < this.difficulty ? epoch.difficulty : this.difficulty;
    const target = shareTarget(difficulty);
    let hashHex = hashToHex(share.hash);
    // The display hex is the hash as a big-endian number: BigInt parses it natively.
    let value = BigInt('0x' + hashHex);
    if (value > target && value > job.template.target && epoch.extranonce1 !== this.extranonce1) {
      // After mining.set_extranonce some miners use the new extranonce1 at once, even on earlier jobs.
      const other = hashShare(job, this.extranonce1, p.extranonce2, p.ntime, p.nonce, version);
      const otherHex = hashToHex(other.hash);
      const v = BigInt('0x' + otherHex);
      if (v <= target || v <= job.template.target) {
        share = other;
        hashHex = otherHex;
        value = v;
      }
    }
    const dedupe = (this.dedupe ??= new ShareDedupe());
    const key = dedupeKey(share.hash);
    if (dedupe.has(key)) throw new StratumProtocolError(StratumErrorCode.DuplicateShare, 'Duplicate share');
    const isBlock = value <= job.template.target;
    const meetsShareTarget = value <= target;
    if (!meetsShareTarget && !isBlock) throw new StratumProtocolError(StratumErrorCode.LowDifficulty, 'Low difficulty share');
    dedupe.add(key, job.seq, jobs.oldestSeq());

    this.accepted++;
    this.invalidStreak = 0;
    const data: ShareJobData = {
      kind: 'share',
      shareKey: hashHex,
      address: worker.address,
      worker: worker.worker,
      jobId: p.jobId,
      // A block that misses the share target (pool difficulty above the network's) weighs the network difficulty.
      difficulty: meetsShareTarget ? difficultyDecimal(difficulty) : targetDifficultyDecimal(job.template.target),
      height: job.template.height,
      isBlock,
      submittedAt: now,
    };
    if (isBlock) {
      this.blocks++;
      this.cfg.submitBlock({ job, header: share.header, coinbase: share.coinbase, hash: share.hash, hashHex, address: worker.address, worker: worker.worker, foundAt: now });
    }
    if (this.vardiff) this.pendingDifficulty = this.vardiff.recordShare(difficulty, now);
    return this.cfg.sink.push(hashHex, data).then(
      () => true,
      (e) => {
        dedupe.delete(key);
        this.accepted--;
        this.pendingDifficulty = undefined;
        throw e;
      },
    );
  }

  private onInvalidShare(err: StratumProtocolError): void {
    this.rejected++;
    // Stale and unknown jobs happen to honest miners around new blocks and restarts.
    if (err.code === StratumErrorCode.JobNotFound) return;
    this.invalidStreak++;
    const limit = this.cfg.banInvalidShares;
    if (limit > 0 && this.invalidStreak >= limit) this.misbehaving(`${this.invalidStreak} invalid shares in a row`);
  }

  private misbehaving(reason: string): void {
    this.cfg.logger.warn('closing a misbehaving connection', { peer: this.peer, reason });
    this.showMessage(`Disconnected: ${reason}`);
    this.cfg.hooks?.ban?.(this, reason);
    this.close();
  }

  // ───── Messages the pool sends on its own ─────

  showMessage(text: string): void {
    this.write(notificationLine('client.show_message', [text]));
  }

  /** Ask the miner to reconnect (to `host:port`, or where it is when omitted), e.g. before a shutdown. */
  reconnect(to?: { host: string; port: number }, waitSeconds = 0): void {
    this.write(notificationLine('client.reconnect', to ? [to.host, to.port, waitSeconds] : []));
  }

  ping(): void {
    this.write(replyLineRaw({ id: `ping-${++this.pings}`, method: 'mining.ping', params: [] }));
  }

  // ───── Resumption ─────

  /** What a later connection of the same miner may take over. */
  saveState(): ResumableState {
    return {
      extranonce1: this.extranonce1,
      difficulty: this.difficulty,
      epochs: this.epochs ?? [],
      epochN: this.epochN,
      dedupe: this.dedupe,
      vardiff: this.vardiff,
      versionMask: this.versionMask,
    };
  }

  /** Take over an earlier connection's extranonce1, difficulty, jobs and duplicates (before work was sent here). */
  restoreState(s: ResumableState): void {
    this.extranonce1 = s.extranonce1;
    this.difficulty = s.difficulty;
    if (s.epochs.length) {
      this.epochs = s.epochs;
      this.epochN = s.epochN;
    }
    this.dedupe = s.dedupe;
    this.vardiff = s.vardiff;
    this.versionMask = s.versionMask;
  }
}

function epochHex(n: number): string {
  return (n & 0xffff).toString(16).padStart(4, '0');
}

function replyLine(reply: { id: RequestId; result: unknown; error: unknown }): string {
  return JSON.stringify(reply) + '\n';
}

function replyLineRaw(msg: unknown): string {
  return JSON.stringify(msg) + '\n';
}

function notificationLine(method: string, params: unknown[]): string {
  return JSON.stringify(notification(method, params)) + '\n';
}
