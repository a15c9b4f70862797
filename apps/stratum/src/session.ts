import { targetForDifficulty, toHex, type ChainParams } from '@metamorph/bitcoin';
import type { Logger } from '@metamorph/config';
import type { ShareJobData } from '@metamorph/queue';
import { parseP2pkhAddress } from './address.js';
import type { BlockCandidate } from './block-submitter.js';
import { EXTRANONCE2_SIZE } from './coinbase.js';
import { difficultyToDecimal, hashDifficultyDecimal, normalizeDifficulty, targetDifficultyDecimal } from './difficulty.js';
import { StratumAppError } from './errors.js';
import type { Job, NotifyParams } from './job.js';
import {
  StratumErrorCode,
  StratumProtocolError,
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
  type StratumRequest,
} from './protocol.js';
import type { ShareSink } from './share-sink.js';
import { validateShare } from './share-validator.js';
import { VarDiff } from './vardiff.js';

/** BIP310: the version bits miners may roll (what most pools allow). */
export const POOL_VERSION_ROLLING_MASK = 0x1fffe000;

/** Malformed lines tolerated before the connection is closed. */
const MAX_PROTOCOL_ERRORS = 50;
/** Per-connection memory of which difficulty each recent job was sent with. */
const MAX_JOB_DIFFICULTIES = 64;

export interface JobSource {
  current(): Job | undefined;
  currentNotify(): NotifyParams | undefined;
  get(id: string): Job | undefined;
  isStale(job: Job): boolean;
}

export interface AuthorizedWorker {
  address: string;
  worker: string;
}

/** The side of a connection the session writes to: a TCP socket in production, an array in tests. */
export interface SessionTransport {
  /** One JSON message, already serialised, without the newline. */
  send(line: string): void;
  close(): void;
}

export interface SessionOptions {
  extranonce1: Uint8Array;
  jobs: JobSource;
  network: ChainParams;
  difficulty: number;
  minDifficulty: number;
  maxDifficulty: number;
  /** Seconds between shares vardiff aims for; undefined keeps the difficulty fixed. */
  vardiffTargetSeconds?: number;
  sink: ShareSink;
  submitBlock: (candidate: BlockCandidate) => void;
  /** Decides whether a username may mine; the default checks the address for the network. */
  authorize?: (username: string, password: string) => Promise<AuthorizedWorker>;
  logger: Logger;
  now?: () => number;
  /** A label for logs, e.g. the remote address. */
  peer?: string;
}

export interface SessionStats {
  accepted: number;
  rejected: number;
  blocks: number;
}

/**
 * One miner connection's Stratum V1 state machine, independent of any socket: lines in,
 * replies and notifications out, each line handled after the previous one finished.
 */
export class StratumSession {
  readonly extranonce1Hex: string;
  readonly stats: SessionStats = { accepted: 0, rejected: 0, blocks: 0 };
  private subscribed = false;
  private readonly workers = new Map<string, AuthorizedWorker>();
  private difficulty: number;
  private readonly vardiff: VarDiff | undefined;
  private sentDifficulty: number | undefined;
  private readonly jobDifficulty = new Map<string, number>();
  private readonly targets = new Map<number, bigint>();
  private versionMask = 0;
  private workSent = false;
  private protocolErrors = 0;
  private tail: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly now: () => number;
  private readonly log: Logger;

  constructor(
    private readonly transport: SessionTransport,
    private readonly options: SessionOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.extranonce1Hex = toHex(options.extranonce1);
    this.difficulty = normalizeDifficulty(options.difficulty, options.minDifficulty, options.maxDifficulty);
    this.vardiff =
      options.vardiffTargetSeconds === undefined
        ? undefined
        : new VarDiff({ targetSeconds: options.vardiffTargetSeconds, min: options.minDifficulty, max: options.maxDifficulty }, this.difficulty, this.now());
    this.log = options.logger;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get currentDifficulty(): number {
    return this.difficulty;
  }

  /** Queue one received line; lines are handled strictly in arrival order. */
  receive(line: string): Promise<void> {
    this.tail = this.tail.then(() => (this.closed ? undefined : this.handleLine(line)));
    return this.tail;
  }

  /** The framer saw a line longer than allowed: answer, then hang up. */
  lineTooLong(limit: number): Promise<void> {
    this.tail = this.tail.then(() => {
      if (this.closed) return;
      this.sendReply(errorReply(null, new StratumProtocolError(StratumErrorCode.Other, `Line too long: more than ${limit} bytes without a newline`)));
      this.close();
    });
    return this.tail;
  }

  /** Wait until every received line has been handled. */
  idle(): Promise<void> {
    return this.tail;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.transport.close();
  }

  /** A new job was made: send it to this miner if it is ready for work. */
  onJob(job: Job, notify: NotifyParams): void {
    if (this.closed || !this.subscribed || this.workers.size === 0) return;
    this.sendWork(job, notify);
  }

  private send(msg: unknown): void {
    if (!this.closed) this.transport.send(JSON.stringify(msg));
  }

  private sendReply(reply: ReturnType<typeof resultReply>): void {
    this.send(reply);
  }

  private async handleLine(line: string): Promise<void> {
    if (line.trim() === '') return;
    const parsed = parseLine(line);
    if (!parsed.ok) {
      this.sendReply(errorReply(parsed.id, parsed.error));
      if (++this.protocolErrors > MAX_PROTOCOL_ERRORS) {
        this.log.warn('closing a connection that sends malformed messages', { peer: this.options.peer });
        this.close();
      }
      return;
    }
    const req = parsed.request;
    try {
      const result = await this.dispatch(req);
      this.sendReply(resultReply(req.id, result));
      this.afterReply(req);
    } catch (e) {
      if (e instanceof StratumProtocolError) {
        if (req.method === 'mining.submit') this.stats.rejected++;
        this.sendReply(errorReply(req.id, e));
        return;
      }
      this.log.error('unexpected error handling a request', { method: req.method, error: (e as Error).message });
      this.sendReply(errorReply(req.id, new StratumProtocolError(StratumErrorCode.Other, 'Internal error')));
    }
  }

  private dispatch(req: StratumRequest): unknown | Promise<unknown> {
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
        // We never change a connection's extranonce; accepting keeps such miners happy.
        return true;
      default:
        throw new StratumProtocolError(StratumErrorCode.Other, `Unknown method ${req.method}`);
    }
  }

  /** Work goes out after the reply that made the miner ready (subscribe or authorize). */
  private afterReply(req: StratumRequest): void {
    if ((req.method === 'mining.subscribe' || req.method === 'mining.authorize') && !this.workSent && this.subscribed && this.workers.size > 0) {
      const job = this.options.jobs.current();
      const notify = this.options.jobs.currentNotify();
      if (job && notify) this.sendWork(job, notify);
    }
  }

  private subscribe(params: unknown[]): unknown {
    const p = parseSubscribeParams(params);
    this.subscribed = true;
    const subscriptionId = this.extranonce1Hex;
    this.log.debug('subscribed', { peer: this.options.peer, agent: p.userAgent, extranonce1: this.extranonce1Hex });
    return [
      [
        ['mining.set_difficulty', subscriptionId],
        ['mining.notify', subscriptionId],
      ],
      this.extranonce1Hex,
      EXTRANONCE2_SIZE,
    ];
  }

  private async authorizeWorker(params: unknown[]): Promise<boolean> {
    const { username, password } = parseAuthorizeParams(params);
    const authorize = this.options.authorize ?? ((u: string) => Promise.resolve(this.checkUsername(u)));
    const worker = await authorize(username, password);
    this.workers.set(username, worker);
    this.log.info('worker authorized', { peer: this.options.peer, address: worker.address, worker: worker.worker });
    return true;
  }

  private checkUsername(username: string): AuthorizedWorker {
    const { address, worker } = splitUsername(username);
    try {
      parseP2pkhAddress(address, this.options.network, 'username');
    } catch (e) {
      const why = e instanceof StratumAppError ? e.message.replace(/^username: /, '') : 'invalid address';
      throw new StratumProtocolError(StratumErrorCode.Unauthorized, `Unauthorized: ${why}`);
    }
    return { address, worker };
  }

  private configure(params: unknown[]): Record<string, unknown> {
    const { extensions, options } = parseConfigureParams(params);
    const result: Record<string, unknown> = {};
    for (const ext of extensions) {
      if (ext === 'version-rolling') {
        const requested = options['version-rolling.mask'];
        const mask = typeof requested === 'string' && /^[0-9a-fA-F]{1,8}$/.test(requested) ? parseInt(requested, 16) >>> 0 : 0xffffffff;
        this.versionMask = (mask & POOL_VERSION_ROLLING_MASK) >>> 0;
        result['version-rolling'] = true;
        result['version-rolling.mask'] = this.versionMask.toString(16).padStart(8, '0');
      } else {
        result[ext] = false;
      }
    }
    return result;
  }

  private suggestDifficulty(params: unknown[]): boolean {
    const d = normalizeDifficulty(parseSuggestDifficulty(params), this.options.minDifficulty, this.options.maxDifficulty);
    // Honoured before the first job only: afterwards vardiff is in charge.
    if (!this.workSent) this.difficulty = d;
    return true;
  }

  private sendWork(job: Job, notify: NotifyParams): void {
    if (this.vardiff) {
      const next = this.vardiff.retarget(this.now());
      if (next !== undefined) {
        this.log.debug('vardiff', { peer: this.options.peer, from: this.difficulty, to: next });
        this.difficulty = next;
      }
    }
    if (this.sentDifficulty !== this.difficulty) {
      this.send(notification('mining.set_difficulty', [this.difficulty]));
      this.sentDifficulty = this.difficulty;
    }
    this.jobDifficulty.set(job.id, this.difficulty);
    if (this.jobDifficulty.size > MAX_JOB_DIFFICULTIES) this.jobDifficulty.delete(this.jobDifficulty.keys().next().value!);
    const params = this.workSent ? notify : ([...notify.slice(0, 8), true] as NotifyParams);
    this.workSent = true;
    this.send(notification('mining.notify', params));
  }

  private shareTarget(difficulty: number): bigint {
    let t = this.targets.get(difficulty);
    if (t === undefined) {
      t = targetForDifficulty(difficulty);
      if (this.targets.size > 16) this.targets.clear();
      this.targets.set(difficulty, t);
    }
    return t;
  }

  private submit(params: unknown[]): boolean {
    const p = parseSubmitParams(params);
    if (!this.subscribed) throw new StratumProtocolError(StratumErrorCode.NotSubscribed, 'Not subscribed');
    const worker = this.workers.get(p.username);
    if (!worker) throw new StratumProtocolError(StratumErrorCode.Unauthorized, 'Unauthorized worker');
    const job = this.options.jobs.get(p.jobId);
    if (!job) throw new StratumProtocolError(StratumErrorCode.JobNotFound, 'Job not found');
    if (this.options.jobs.isStale(job)) throw new StratumProtocolError(StratumErrorCode.JobNotFound, 'Stale job');

    let version = job.template.version >>> 0;
    if (p.versionBits !== undefined) {
      if (this.versionMask === 0) throw new StratumProtocolError(StratumErrorCode.Other, 'Version rolling was not negotiated (mining.configure)');
      if ((p.versionBits & ~this.versionMask) >>> 0 !== 0) throw new StratumProtocolError(StratumErrorCode.Other, 'Version bits outside the negotiated mask');
      version = ((version & ~this.versionMask) | (p.versionBits & this.versionMask)) >>> 0;
    }

    const difficulty = this.jobDifficulty.get(job.id) ?? this.sentDifficulty ?? this.difficulty;
    const now = this.now();
    const share = validateShare({
      job,
      extranonce1: this.options.extranonce1,
      extranonce2: p.extranonce2,
      ntime: p.ntime,
      nonce: p.nonce,
      version,
      shareTarget: this.shareTarget(difficulty),
      now,
    });

    this.stats.accepted++;
    this.vardiff?.recordShare();
    const data: ShareJobData = {
      kind: 'share',
      shareKey: share.hashHex,
      address: worker.address,
      worker: worker.worker,
      jobId: job.id,
      // A block that misses the share target (pool difficulty above the network's) weighs the network difficulty.
      difficulty: share.meetsShareTarget ? difficultyToDecimal(difficulty) : targetDifficultyDecimal(job.template.target),
      actualDifficulty: hashDifficultyDecimal(share.hash),
      height: job.template.height,
      isBlock: share.isBlock,
      submittedAt: now,
    };
    this.options.sink.push(share.hashHex, data);
    this.log.debug('share accepted', { peer: this.options.peer, worker: `${worker.address}.${worker.worker}`, difficulty, block: share.isBlock });
    if (share.isBlock) {
      this.stats.blocks++;
      this.options.submitBlock({
        job,
        header: share.header,
        coinbase: share.coinbase,
        hash: share.hash,
        hashHex: share.hashHex,
        address: worker.address,
        worker: worker.worker,
        foundAt: now,
      });
    }
    return true;
  }
}
