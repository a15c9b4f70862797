import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { QueueName } from './names.js';
import type { QueueJobTypes } from './jobs.js';
import type { BatchConsumer, BatchHandler, JobQueue, QueuedJob } from './queue.js';
import { redisOptions } from './redis.js';

/**
 * Durable batches on a Redis stream: each `addBulk` is one XADD entry holding the whole batch
 * (one round trip, whatever the batch size), so a producer can make every job durable before it
 * answers anyone. Consumers read through a consumer group; an entry is acknowledged and deleted
 * only after its handler succeeded, and entries left pending by a consumer that died are taken
 * over by another after `claimIdleMs`. Delivery is at least once: handlers must be idempotent.
 */

export interface StreamQueueOptions {
  redisUrl: string;
  /** The deployment's key prefix (`REDIS_PREFIX`, e.g. `mm:`). */
  prefix: string;
}

/** `mm:` + `shares` → `mm:stream:shares`. */
export function streamKey(prefix: string, name: QueueName): string {
  return `${prefix}stream:${name}`;
}

/** Where entries that keep failing are moved, with the error, for a human to look at. */
export function deadLetterKey(prefix: string, name: QueueName): string {
  return `${streamKey(prefix, name)}:dead`;
}

const ENTRY_FIELD = 'jobs';

export function createStreamQueue<N extends QueueName>(name: N, options: StreamQueueOptions): JobQueue<QueueJobTypes[N]> {
  const key = streamKey(options.prefix, name);
  // Commands issued while Redis is away wait in ioredis' offline queue and go out on reconnect.
  const redis = new Redis(redisOptions(options.redisUrl, { lazyConnect: false }));
  redis.on('error', () => {});
  return {
    async addBulk(jobs) {
      if (jobs.length === 0) return;
      await redis.xadd(key, '*', ENTRY_FIELD, JSON.stringify(jobs));
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

export interface StreamConsumerOptions extends StreamQueueOptions {
  /** Consumer group, e.g. `accounting`: each entry goes to one member of the group. */
  group: string;
  /** This member's name; unique per process by default. */
  consumer?: string;
  /** Most jobs per handler call (whole entries are never split). */
  batchSize: number;
  /** How long one read waits for new entries. */
  blockMs: number;
  /** Entries pending this long (their consumer died or failed) are taken over. */
  claimIdleMs: number;
  /** Deliveries after which a failing entry is moved to the dead-letter stream. */
  maxDeliveries?: number;
  onError?: (e: Error, context: string) => void;
}

interface Entry<T> {
  id: string;
  jobs: QueuedJob<T>[];
}

type RawEntry = [id: string, fields: string[]] | null;

export interface StreamConsumer extends BatchConsumer {
  readonly consumerName: string;
}

export function startStreamBatchConsumer<N extends QueueName>(
  name: N,
  handler: BatchHandler<QueueJobTypes[N]>,
  options: StreamConsumerOptions,
): StreamConsumer {
  type T = QueueJobTypes[N];
  const key = streamKey(options.prefix, name);
  const dead = deadLetterKey(options.prefix, name);
  const consumer = options.consumer ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const maxDeliveries = options.maxDeliveries ?? 10;
  const reader = new Redis(redisOptions(options.redisUrl));
  const cmd = new Redis(redisOptions(options.redisUrl));
  const report = (e: unknown, context: string) => options.onError?.(e instanceof Error ? e : new Error(String(e)), context);
  reader.on('error', (e) => report(e, 'connection'));
  cmd.on('error', (e) => report(e, 'connection'));

  let closed = false;
  let lastClaim = 0;
  let failures = 0;

  const parse = (raw: RawEntry[]): { entries: Entry<T>[]; broken: string[] } => {
    const entries: Entry<T>[] = [];
    const broken: string[] = [];
    for (const r of raw) {
      if (!r) continue;
      const [id, fields] = r;
      const i = fields.indexOf(ENTRY_FIELD);
      try {
        const jobs = JSON.parse(fields[i + 1]) as QueuedJob<T>[];
        if (i < 0 || !Array.isArray(jobs)) throw new Error('not a batch');
        entries.push({ id, jobs });
      } catch {
        broken.push(id);
      }
    }
    return { entries, broken };
  };

  const finish = async (ids: string[]) => {
    if (ids.length) await cmd.multi().xack(key, options.group, ...ids).xdel(key, ...ids).exec();
  };

  const bury = async (ids: string[], reason: string) => {
    if (!ids.length) return;
    const m = cmd.multi();
    for (const id of ids) {
      const raw = (await cmd.xrange(key, id, id))[0];
      m.xadd(dead, '*', 'source', id, 'reason', reason, ENTRY_FIELD, raw ? raw[1][raw[1].indexOf(ENTRY_FIELD) + 1] ?? '' : '');
    }
    m.xack(key, options.group, ...ids).xdel(key, ...ids);
    await m.exec();
    report(new Error(`${ids.length} entr${ids.length === 1 ? 'y' : 'ies'} moved to ${dead}: ${reason}`), 'dead-letter');
  };

  const ensureGroup = async () => {
    try {
      await cmd.xgroup('CREATE', key, options.group, '0', 'MKSTREAM');
    } catch (e) {
      if (!/BUSYGROUP/.test((e as Error).message)) throw e;
    }
  };

  /** Members that left nothing pending and were idle for an hour are forgotten. */
  const pruneConsumers = async () => {
    const list = (await cmd.xinfo('CONSUMERS', key, options.group)) as unknown[][];
    for (const c of list) {
      const info: Record<string, unknown> = {};
      for (let i = 0; i + 1 < c.length; i += 2) info[String(c[i])] = c[i + 1];
      if (info.name !== consumer && Number(info.pending) === 0 && Number(info.idle) > 3_600_000) {
        await cmd.xgroup('DELCONSUMER', key, options.group, String(info.name));
      }
    }
  };

  const claim = async (): Promise<Entry<T>[]> => {
    const now = Date.now();
    if (now - lastClaim < options.claimIdleMs / 2) return [];
    lastClaim = now;
    const [, raw] = (await cmd.xautoclaim(key, options.group, consumer, options.claimIdleMs, '0-0', 'COUNT', 100)) as [string, RawEntry[], string[]];
    if (!raw.length) return [];
    const { entries, broken } = parse(raw);
    await bury(broken, 'not a JSON batch');
    // Entries that failed too often go to the dead-letter stream instead of blocking the queue.
    const tooMany: string[] = [];
    if (entries.length) {
      const pending = (await cmd.xpending(key, options.group, entries[0].id, entries[entries.length - 1].id, entries.length + 10)) as [string, string, number, number][];
      const deliveries = new Map(pending.map((p) => [p[0], Number(p[3])]));
      for (const e of entries) if ((deliveries.get(e.id) ?? 0) > maxDeliveries) tooMany.push(e.id);
    }
    await bury(tooMany, `failed ${maxDeliveries} deliveries`);
    return entries.filter((e) => !tooMany.includes(e.id));
  };

  const readNew = async (): Promise<Entry<T>[]> => {
    const res = (await reader.xreadgroup('GROUP', options.group, consumer, 'COUNT', 64, 'BLOCK', options.blockMs, 'STREAMS', key, '>')) as
      | [string, RawEntry[]][]
      | null;
    if (!res || !res.length) return [];
    const { entries, broken } = parse(res[0][1]);
    await bury(broken, 'not a JSON batch');
    return entries;
  };

  /** Handles entries in chunks of whole entries; a failing chunk is retried entry by entry. */
  const handle = async (entries: Entry<T>[]): Promise<boolean> => {
    let ok = true;
    let chunk: Entry<T>[] = [];
    let size = 0;
    const run = async (part: Entry<T>[]) => {
      if (!part.length) return;
      try {
        await handler(part.flatMap((e) => e.jobs));
        await finish(part.map((e) => e.id));
      } catch (e) {
        if (part.length > 1) {
          for (const one of part) await run([one]);
          return;
        }
        ok = false;
        report(e, `entry ${part[0].id} failed; it stays pending and will be retried`);
      }
    };
    for (const e of entries) {
      if (size && size + e.jobs.length > options.batchSize) {
        await run(chunk);
        chunk = [];
        size = 0;
      }
      chunk.push(e);
      size += e.jobs.length;
    }
    await run(chunk);
    return ok;
  };

  const loop = (async () => {
    while (!closed) {
      try {
        await ensureGroup();
        await pruneConsumers().catch((e) => report(e, 'pruning consumers'));
        break;
      } catch (e) {
        report(e, 'creating the consumer group');
        await sleep(1000);
      }
    }
    while (!closed) {
      try {
        let entries = await claim();
        if (!entries.length) entries = await readNew();
        if (!entries.length) continue;
        const ok = await handle(entries);
        failures = ok ? 0 : failures + 1;
        if (failures) await sleep(Math.min(5000, 100 * 2 ** Math.min(failures, 6)));
      } catch (e) {
        if (closed) break;
        report(e, 'reading the stream');
        await sleep(500);
      }
    }
  })();

  return {
    consumerName: consumer,
    async close() {
      closed = true;
      // A read blocked in Redis is abandoned: anything it was handed stays pending and is claimed later.
      reader.disconnect();
      await loop;
      await cmd.quit().catch(() => cmd.disconnect());
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
