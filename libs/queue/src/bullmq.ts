import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { QueueName } from './names.js';
import type { QueueJobTypes } from './jobs.js';
import type { BatchConsumer, BatchHandler, JobQueue, QueuedJob } from './queue.js';
import { redisOptions } from './redis.js';

export interface BullQueueOptions {
  redisUrl: string;
  /** The deployment's key prefix (`REDIS_PREFIX`, e.g. `mm:`): keys become `mm:<queue>:…`. */
  prefix: string;
}

/** BullMQ joins its prefix and the queue name with `:`; ours already ends with one. */
export function bullPrefix(prefix: string): string {
  return prefix.replace(/:+$/, '') || 'bull';
}

function connection(url: string): ConnectionOptions {
  return redisOptions(url) as ConnectionOptions;
}

/** Completed jobs are kept a while so a re-sent job id is recognised by BullMQ itself too. */
const DEFAULT_JOB_OPTIONS = {
  attempts: 12,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 600, count: 50_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

export function createBullQueue<N extends QueueName>(name: N, options: BullQueueOptions): JobQueue<QueueJobTypes[N]> {
  const queue = new Queue(name, {
    connection: connection(options.redisUrl),
    prefix: bullPrefix(options.prefix),
    defaultJobOptions: DEFAULT_JOB_OPTIONS,
  });
  queue.on('error', () => {});
  return {
    async addBulk(jobs) {
      if (jobs.length === 0) return;
      await queue.addBulk(jobs.map((j) => ({ name: name, data: j.data, opts: { jobId: j.id } })));
    },
    async close() {
      await queue.close();
    },
  };
}

export interface BatchConsumerOptions extends BullQueueOptions {
  /** Most jobs per batch (also how many jobs are taken from Redis at once). */
  batchSize: number;
  /** How long a partly filled batch waits for more jobs. */
  maxWaitMs: number;
  onError?: (e: Error) => void;
}

interface Pending<T> {
  job: QueuedJob<T>;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * Gathers the jobs BullMQ hands to concurrent processor calls into batches: each call waits
 * until its batch is handled.
 */
export class BatchAccumulator<T> {
  private pending: Pending<T>[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly handler: BatchHandler<T>,
    private readonly batchSize: number,
    private readonly maxWaitMs: number,
  ) {}

  add(job: QueuedJob<T>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ job, resolve, reject });
      if (this.pending.length >= this.batchSize) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.maxWaitMs);
    });
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending.splice(0);
    if (batch.length) void this.run(batch);
  }

  private async run(batch: Pending<T>[]): Promise<void> {
    try {
      await this.handler(batch.map((p) => p.job));
      for (const p of batch) p.resolve();
    } catch (e) {
      if (batch.length === 1) return batch[0].reject(e);
      // Isolate the failing job(s): the others still succeed now.
      for (const p of batch) {
        try {
          await this.handler([p.job]);
          p.resolve();
        } catch (err) {
          p.reject(err);
        }
      }
    }
  }
}

export function startBullBatchConsumer<N extends QueueName>(
  name: N,
  handler: BatchHandler<QueueJobTypes[N]>,
  options: BatchConsumerOptions,
): BatchConsumer {
  const acc = new BatchAccumulator<QueueJobTypes[N]>(handler, options.batchSize, options.maxWaitMs);
  const worker = new Worker<QueueJobTypes[N]>(name, (job) => acc.add({ id: job.id!, data: job.data }), {
    connection: connection(options.redisUrl),
    prefix: bullPrefix(options.prefix),
    concurrency: options.batchSize,
  });
  worker.on('error', (e) => options.onError?.(e));
  return {
    async close() {
      const closing = worker.close();
      acc.flush();
      await closing;
    },
  };
}
