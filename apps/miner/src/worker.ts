import { hex32, targetForDifficulty } from '@metamorph/bitcoin';
import type { Logger } from '@metamorph/config';
import { MinerError, MinerErrorCode } from './errors.js';
import { scanNonces } from './hasher.js';
import { CLIENT_VERSION, StratumClient } from './stratum-client.js';
import { buildHeader, hashValue, parseNotify, rolledVersionBits, targetFromCompact, type NotifyJob } from './work.js';

export interface WorkerStats {
  hashes: number;
  accepted: number;
  rejected: number;
  /** Shares whose hash also met the network target. */
  blocks: number;
  /** Accepted shares submitted with rolled version bits. */
  rolled: number;
  /** `mining.notify` messages received, and when the last one with clean_jobs arrived (Unix ms). */
  notifies: number;
  lastCleanJobAt: number;
}

interface Work {
  job: NotifyJob;
  header: Buffer;
  extranonce1: Buffer;
  extranonce2: Buffer;
  /** BIP310 version bits in the header (0 without version rolling). */
  versionBits: number;
  nextNonce: number;
  shareTarget: bigint;
  networkTarget: bigint;
}

export interface MinerWorkerOptions {
  host: string;
  port: number;
  username: string;
  password: string;
  logger: Logger;
  /** Negotiate BIP310 version rolling and roll the granted bits. */
  versionRolling?: boolean;
  /** Sent with `mining.suggest_difficulty` before authorizing. */
  suggestDifficulty?: number;
  /** Local source address of the connection. */
  localAddress?: string;
  /** Delay before reconnecting after a lost connection (grows to 30 s). */
  reconnectMs?: number;
}

/**
 * One simulated miner: its own Stratum connection, the current work, and a nonce cursor the
 * fleet advances in small batches. Speaks the protocol as real miners do: `mining.configure`
 * first (version rolling), subscribe (resuming its earlier session after a reconnect),
 * suggest_difficulty, authorize; follows set_difficulty, set_extranonce and set_version_mask
 * from the next job, client.reconnect, show_message and ping.
 */
export class MinerWorker {
  readonly stats: WorkerStats = { hashes: 0, accepted: 0, rejected: 0, blocks: 0, rolled: 0, notifies: 0, lastCleanJobAt: 0 };
  private client: StratumClient | undefined;
  private extranonce1: Buffer = Buffer.alloc(0);
  private extranonce2Size = 0;
  private pendingExtranonce: { extranonce1: Buffer; size: number } | undefined;
  private extranonce2Counter = 0n;
  private versionMask = 0;
  private rollCounter = 0;
  private difficulty = 1;
  private pendingDifficulty: number | undefined;
  private work: Work | undefined;
  private stopped = false;
  private retryMs: number;
  /** The subscription id the pool gave us: sent back on reconnect to resume the session. */
  private sessionId: string | undefined;
  private host: string;
  private port: number;
  private redirectDelayMs: number | undefined;

  constructor(private readonly options: MinerWorkerOptions) {
    this.retryMs = options.reconnectMs ?? 1000;
    this.host = options.host;
    this.port = options.port;
  }

  get hasWork(): boolean {
    return this.work !== undefined;
  }

  get name(): string {
    return this.options.username;
  }

  get extranonce1Hex(): string {
    return this.extranonce1.toString('hex');
  }

  get grantedVersionMask(): number {
    return this.versionMask;
  }

  get currentDifficulty(): number {
    return this.difficulty;
  }

  /** Connect, configure, subscribe and authorize; rejects if the first attempt fails. */
  async start(): Promise<void> {
    await this.session();
  }

  private async session(): Promise<void> {
    const client = new StratumClient(this.host, this.port, this.options.localAddress);
    client.on('notify', (params) => this.onNotify(params));
    client.on('difficulty', (d) => (this.pendingDifficulty = d));
    client.on('extranonce', (en1, size) => (this.pendingExtranonce = { extranonce1: Buffer.from(en1, 'hex'), size }));
    client.on('versionMask', (mask) => (this.versionMask = mask));
    client.on('message', (text) => this.options.logger.info('message from the pool', { worker: this.options.username, text }));
    client.on('reconnect', (to, wait) => this.onReconnect(client, to, wait));
    client.on('close', () => this.onClose(client));
    await client.connect();
    this.client = client;
    if (this.options.versionRolling) {
      const conf = (await client.request('mining.configure', [['version-rolling'], { 'version-rolling.mask': 'ffffffff', 'version-rolling.min-bit-count': 2 }])) as Record<string, unknown>;
      const mask = conf?.['version-rolling'] === true && typeof conf['version-rolling.mask'] === 'string' ? parseInt(conf['version-rolling.mask'], 16) >>> 0 : 0;
      this.versionMask = mask;
    }
    const sub = await client.request('mining.subscribe', this.sessionId ? [CLIENT_VERSION, this.sessionId] : [CLIENT_VERSION]);
    if (!Array.isArray(sub) || typeof sub[1] !== 'string' || typeof sub[2] !== 'number' || !/^([0-9a-f]{2})+$/i.test(sub[1])) {
      client.close();
      throw new MinerError(MinerErrorCode.BadReply, `unexpected reply ${JSON.stringify(sub)}`, 'mining.subscribe');
    }
    this.sessionId = subscriptionId(sub) ?? sub[1];
    this.extranonce1 = Buffer.from(sub[1], 'hex');
    this.extranonce2Size = sub[2];
    this.pendingExtranonce = undefined;
    if (this.options.suggestDifficulty) await client.request('mining.suggest_difficulty', [this.options.suggestDifficulty]);
    const ok = await client.request('mining.authorize', [this.options.username, this.options.password]);
    if (ok !== true) throw new MinerError(MinerErrorCode.Refused, `pool refused ${this.options.username}`, 'mining.authorize');
    this.retryMs = this.options.reconnectMs ?? 1000;
    this.options.logger.debug('connected', { worker: this.options.username, extranonce1: sub[1], versionMask: this.versionMask.toString(16) });
  }

  private onReconnect(client: StratumClient, to: { host: string; port: number } | undefined, waitSeconds: number): void {
    if (this.client !== client) return;
    if (to) {
      this.host = to.host;
      this.port = to.port;
    }
    this.redirectDelayMs = waitSeconds * 1000;
    this.options.logger.info('the pool asks to reconnect', { worker: this.options.username, to: `${this.host}:${this.port}`, waitSeconds });
    client.close();
  }

  private onClose(client: StratumClient): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.work = undefined;
    if (this.stopped) return;
    const delay = this.redirectDelayMs ?? this.retryMs;
    this.redirectDelayMs = undefined;
    this.options.logger.debug('connection lost; reconnecting', { worker: this.options.username, inMs: delay });
    const retry = () => {
      if (this.stopped) return;
      this.session().catch((e) => {
        this.options.logger.debug('reconnect failed', { worker: this.options.username, error: (e as Error).message });
        this.retryMs = Math.min(30_000, this.retryMs * 2);
        setTimeout(retry, this.retryMs);
      });
    };
    setTimeout(retry, delay);
  }

  private onNotify(params: unknown[]): void {
    let job: NotifyJob;
    try {
      job = parseNotify(params);
    } catch (e) {
      this.options.logger.warn('ignoring a bad mining.notify', { error: (e as Error).message });
      return;
    }
    this.stats.notifies++;
    if (job.cleanJobs) this.stats.lastCleanJobAt = Date.now();
    if (this.pendingDifficulty !== undefined) {
      this.difficulty = this.pendingDifficulty;
      this.pendingDifficulty = undefined;
    }
    if (this.pendingExtranonce) {
      this.extranonce1 = this.pendingExtranonce.extranonce1;
      this.extranonce2Size = this.pendingExtranonce.size;
      this.pendingExtranonce = undefined;
    }
    this.extranonce2Counter++;
    this.setWork(job);
  }

  private setWork(job: NotifyJob): void {
    const extranonce2 = Buffer.alloc(this.extranonce2Size);
    let n = this.extranonce2Counter;
    for (let i = this.extranonce2Size - 1; i >= 0 && n > 0n; i--, n >>= 8n) extranonce2[i] = Number(n & 0xffn);
    const versionBits = this.versionMask ? rolledVersionBits(this.versionMask, ++this.rollCounter) : 0;
    const rolled = { ...job, version: ((job.version & ~this.versionMask) | versionBits) >>> 0 };
    const { header } = buildHeader(rolled, this.extranonce1, extranonce2);
    this.work = {
      job,
      header,
      extranonce1: this.extranonce1,
      extranonce2,
      versionBits,
      nextNonce: 0,
      shareTarget: targetForDifficulty(this.difficulty),
      networkTarget: targetFromCompact(job.bits),
    };
  }

  /** Hash up to `count` nonces of the current work and submit what meets the share target. */
  hashBatch(count: number): number {
    const w = this.work;
    if (!w) return 0;
    const n = Math.min(count, 0x100000000 - w.nextNonce);
    const found = scanNonces(w.header, w.nextNonce, n, w.shareTarget);
    w.nextNonce += n;
    this.stats.hashes += n;
    for (const f of found) this.submit(w, f.nonce, hashValue(f.hash) <= w.networkTarget);
    if (w.nextNonce >= 0x100000000) {
      // Nonce space used up: next extranonce2 (and version bits).
      this.extranonce2Counter++;
      this.setWork(w.job);
    }
    return n;
  }

  private submit(w: Work, nonce: number, block: boolean): void {
    const client = this.client;
    if (!client) return;
    const params = [this.options.username, w.job.jobId, w.extranonce2.toString('hex'), hex32(w.job.ntime), hex32(nonce)];
    if (this.versionMask) params.push(hex32(w.versionBits));
    client.request('mining.submit', params).then(
      (ok) => {
        if (ok === true) {
          this.stats.accepted++;
          if (w.versionBits) this.stats.rolled++;
          if (block) {
            this.stats.blocks++;
            this.options.logger.debug('share meets the network target: block candidate', { worker: this.options.username, job: w.job.jobId });
          }
        } else this.stats.rejected++;
      },
      (e) => {
        this.stats.rejected++;
        if ((e as MinerError).code !== MinerErrorCode.Disconnected) this.options.logger.info('share rejected', { worker: this.options.username, reason: (e as Error).message });
      },
    );
  }

  /** Drop the connection as a network failure would (it reconnects and resumes). */
  dropConnection(): void {
    this.client?.close();
  }

  stop(): void {
    this.stopped = true;
    this.client?.close();
    this.client = undefined;
    this.work = undefined;
  }
}

/** The `mining.notify` subscription id of a subscribe reply (what cpuminer sends back to resume). */
function subscriptionId(sub: unknown[]): string | undefined {
  const subs = sub[0];
  if (!Array.isArray(subs)) return undefined;
  for (const s of subs) if (Array.isArray(s) && s[0] === 'mining.notify' && typeof s[1] === 'string') return s[1];
  return undefined;
}

