import type { Logger } from '@metamorph/config';
import type { JobQueue, QueuedJob, SharesQueueJob } from '@metamorph/queue';
import { settleWithin } from './timeout.js';

/** Where accepted shares and found blocks go (the accounting queue in production). */
export interface ShareSink {
  push(id: string, data: SharesQueueJob): void;
}

export interface QueueShareSinkOptions {
  flushIntervalMs?: number;
  maxBatch?: number;
  logger?: Logger;
}

/**
 * Buffers jobs in memory and writes them to the queue in bulk every few milliseconds; a failed
 * write keeps them for the next attempt. `close` flushes what is left.
 */
export class QueueShareSink implements ShareSink {
  private buffer: QueuedJob<SharesQueueJob>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private failures = 0;
  private readonly flushIntervalMs: number;
  private readonly maxBatch: number;

  constructor(
    private readonly queue: JobQueue<SharesQueueJob>,
    private readonly options: QueueShareSinkOptions = {},
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 50;
    this.maxBatch = options.maxBatch ?? 1000;
  }

  get pending(): number {
    return this.buffer.length;
  }

  push(id: string, data: SharesQueueJob): void {
    this.buffer.push({ id, data });
    this.schedule(this.buffer.length >= this.maxBatch ? 0 : this.flushIntervalMs);
  }

  private schedule(delay: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delay);
  }

  /** Write everything buffered now; resolves when the buffer was emptied or a write failed. */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async drain(): Promise<void> {
    while (this.buffer.length) {
      const batch = this.buffer.slice(0, this.maxBatch);
      try {
        await this.queue.addBulk(batch);
        this.buffer.splice(0, batch.length);
        if (this.failures) this.options.logger?.info('share queue writable again', { pending: this.buffer.length });
        this.failures = 0;
      } catch (e) {
        this.failures++;
        if (this.failures === 1 || this.failures % 20 === 0) {
          this.options.logger?.error('cannot write shares to the queue; keeping them to retry', { pending: this.buffer.length, error: (e as Error).message });
        }
        this.schedule(Math.min(5000, 100 * 2 ** Math.min(this.failures, 6)));
        return;
      }
    }
  }

  /** Flush until empty or `timeoutMs` passed; returns how many jobs could not be written. */
  async close(timeoutMs = 10_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.buffer.length && Date.now() < deadline) {
      if (this.timer) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
      await settleWithin(this.flush(), deadline - Date.now());
      if (this.buffer.length) await new Promise((r) => setTimeout(r, 100));
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    return this.buffer.length;
  }
}
