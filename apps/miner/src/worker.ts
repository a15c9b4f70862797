import { targetForDifficulty } from '@metamorph/bitcoin';
import type { Logger } from '@metamorph/config';
import { MinerError, MinerErrorCode } from './errors.js';
import { scanNonces } from './hasher.js';
import { StratumClient } from './stratum-client.js';
import { buildHeader, hashValue, parseNotify, targetFromCompact, type NotifyJob } from './work.js';

export interface WorkerStats {
  hashes: number;
  accepted: number;
  rejected: number;
  /** Shares whose hash also met the network target. */
  blocks: number;
}

interface Work {
  job: NotifyJob;
  header: Buffer;
  extranonce2: Buffer;
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
  /** Delay before reconnecting after a lost connection (grows to 30 s). */
  reconnectMs?: number;
}

/**
 * One simulated miner: its own Stratum connection, the current work, and a nonce cursor the
 * fleet advances in small batches.
 */
export class MinerWorker {
  readonly stats: WorkerStats = { hashes: 0, accepted: 0, rejected: 0, blocks: 0 };
  private client: StratumClient | undefined;
  private extranonce1 = Buffer.alloc(0);
  private extranonce2Size = 0;
  private extranonce2Counter = 0n;
  private difficulty = 1;
  private pendingDifficulty: number | undefined;
  private work: Work | undefined;
  private stopped = false;
  private retryMs: number;

  constructor(private readonly options: MinerWorkerOptions) {
    this.retryMs = options.reconnectMs ?? 1000;
  }

  get hasWork(): boolean {
    return this.work !== undefined;
  }

  get name(): string {
    return this.options.username;
  }

  /** Connect, subscribe and authorize; rejects if the first attempt fails. */
  async start(): Promise<void> {
    await this.session();
  }

  private async session(): Promise<void> {
    const client = new StratumClient(this.options.host, this.options.port);
    client.on('notify', (params) => this.onNotify(params));
    client.on('difficulty', (d) => (this.pendingDifficulty = d));
    client.on('close', () => this.onClose(client));
    await client.connect();
    this.client = client;
    const sub = await client.request('mining.subscribe', ['metamorph-cpu/0.1']);
    if (!Array.isArray(sub) || typeof sub[1] !== 'string' || typeof sub[2] !== 'number' || !/^([0-9a-f]{2})+$/i.test(sub[1])) {
      client.close();
      throw new MinerError(MinerErrorCode.BadReply, `unexpected reply ${JSON.stringify(sub)}`, 'mining.subscribe');
    }
    this.extranonce1 = Buffer.from(sub[1], 'hex');
    this.extranonce2Size = sub[2];
    const ok = await client.request('mining.authorize', [this.options.username, this.options.password]);
    if (ok !== true) throw new MinerError(MinerErrorCode.Refused, `pool refused ${this.options.username}`, 'mining.authorize');
    this.retryMs = this.options.reconnectMs ?? 1000;
    this.options.logger.info('connected', { worker: this.options.username, extranonce1: sub[1] });
  }

  private onClose(client: StratumClient): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.work = undefined;
    if (this.stopped) return;
    this.options.logger.warn('connection lost; reconnecting', { worker: this.options.username, inMs: this.retryMs });
    const retry = () => {
      if (this.stopped) return;
      this.session().catch((e) => {
        this.options.logger.debug('reconnect failed', { worker: this.options.username, error: (e as Error).message });
        this.retryMs = Math.min(30_000, this.retryMs * 2);
        setTimeout(retry, this.retryMs);
      });
    };
    setTimeout(retry, this.retryMs);
  }

  private onNotify(params: unknown[]): void {
    let job: NotifyJob;
    try {
      job = parseNotify(params);
    } catch (e) {
      this.options.logger.warn('ignoring a bad mining.notify', { error: (e as Error).message });
      return;
    }
    if (this.pendingDifficulty !== undefined) {
      this.difficulty = this.pendingDifficulty;
      this.pendingDifficulty = undefined;
    }
    this.extranonce2Counter++;
    this.setWork(job);
  }

  private setWork(job: NotifyJob): void {
    const extranonce2 = Buffer.alloc(this.extranonce2Size);
    let n = this.extranonce2Counter;
    for (let i = this.extranonce2Size - 1; i >= 0 && n > 0n; i--, n >>= 8n) extranonce2[i] = Number(n & 0xffn);
    const { header } = buildHeader(job, this.extranonce1, extranonce2);
    this.work = {
      job,
      header,
      extranonce2,
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
      // Nonce space used up: next extranonce2.
      this.extranonce2Counter++;
      this.setWork(w.job);
    }
    return n;
  }

  private submit(w: Work, nonce: number, block: boolean): void {
    const client = this.client;
    if (!client) return;
    const params = [this.options.username, w.job.jobId, w.extranonce2.toString('hex'), hex32(w.job.ntime), hex32(nonce)];
    client.request('mining.submit', params).then(
      (ok) => {
        if (ok === true) {
          this.stats.accepted++;
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

  stop(): void {
    this.stopped = true;
    this.client?.close();
    this.client = undefined;
    this.work = undefined;
  }
}

function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
