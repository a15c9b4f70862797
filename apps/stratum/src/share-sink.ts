import type { Logger } from '@metamorph/config';
import type { JobQueue, QueuedJob, SharesQueueJob } from '@metamorph/queue';
import { StratumAppError, StratumAppErrorCode } from './errors.js';
import { settleWithin } from './timeout.js';

/** Where accepted shares and found blocks go (the accounting stream in production). */
export interface ShareSink {
  /**
   * Resolves once the job is stored durably; a share is answered `true` only after that. Rejects
   * at once when too much waits to be stored, unless `always` (found blocks are never refused).
   */
  push(id: string, data: SharesQueueJob, always?: boolean): Promise<void>;
}

export interface DurableShareSinkOptions {
  /** Most jobs per write (one stream entry). */
  maxBatch?: number;
  /** Writes in flight at once (pipelined). */
  maxInFlight?: number;
  /** Jobs waiting or in flight beyond which new ones are refused at once. */
  maxPending?: number;
  logger?: Logger;
}

interface Waiting {
  job: QueuedJob<SharesQueueJob>;
  resolve: () => void;
}

/**
 * Gathers the jobs pushed during one turn of the event loop (every connection's shares at once)
 * into one write, and resolves each push when its write is stored: a miner hears `true` only
 * for a share that survives the process. Failed writes are retried (with backoff) until they
 * succeed; nothing is ever dropped once accepted into the buffer.
 */
export class DurableShareSink implements ShareSink {
  private buffer: Waiting[] = [];
  private scheduled = false;
  private inFlight = 0;
  private inFlightJobs = 0;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly maxPending: number;
  written = 0;

  constructor(
    private readonly queue: JobQueue<SharesQueueJob>,
    private readonly options: DurableShareSinkOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 2000;
    this.maxInFlight = options.maxInFlight ?? 4;
    this.maxPending = options.maxPending ?? 200_000;
  }

  /** Jobs not yet stored. */
  get pending(): number {
    return this.buffer.length + this.inFlightJobs;
  }

  push(id: string, data: SharesQueueJob, always = false): Promise<void> {
    if (!always && this.pending >= this.maxPending) {
      return Promise.reject(new StratumAppError(StratumAppErrorCode.SinkFull, `${this.pending} shares are waiting to be stored`));
    }
    return new Promise<void>((resolve) => {
      this.buffer.push({ job: { id, data }, resolve });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.retryTimer) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.buffer.length && this.inFlight < this.maxInFlight && !this.retryTimer) {
      const batch = this.buffer.splice(0, this.maxBatch);
      this.inFlight++;
      this.inFlightJobs += batch.length;
      this.queue.addBulk(batch.map((w) => w.job)).then(
        () => {
          this.settle(batch);
          this.written += batch.length;
          if (this.failures) this.options.logger?.info('shares are stored again', { pending: this.pending });
          this.failures = 0;
          for (const w of batch) w.resolve();
          this.pump();
          this.checkIdle();
        },
        (e: unknown) => {
          this.settle(batch);
          // Back to the front, in order; retried after a pause.
          this.buffer.unshift(...batch);
          this.failures++;
          if (this.failures === 1 || this.failures % 20 === 0) {
            this.options.logger?.error('cannot store shares; holding their replies and retrying', { pending: this.pending, error: (e as Error).message });
          }
          if (!this.retryTimer) {
            this.retryTimer = setTimeout(() => {
              this.retryTimer = undefined;
              this.pump();
            }, Math.min(5000, 50 * 2 ** Math.min(this.failures, 7)));
          }
        },
      );
    }
  }

  private settle(batch: Waiting[]): void {
    this.inFlight--;
    this.inFlightJobs -= batch.length;
  }

  private checkIdle(): void {
    if (this.pending === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Resolves once everything pushed so far is stored (or `timeoutMs` passed); returns how many jobs are still not stored. */
  async drain(timeoutMs = 10_000): Promise<number> {
    if (this.pending) await settleWithin(new Promise<void>((r) => this.idleWaiters.push(r)), timeoutMs);
    return this.pending;
  }

  /** Drain, then stop retrying; returns how many jobs could not be stored. */
  async close(timeoutMs = 10_000): Promise<number> {
    const left = await this.drain(timeoutMs);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    return left;
  }
}
