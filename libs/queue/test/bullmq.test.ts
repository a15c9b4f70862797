import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { BatchAccumulator, QueueName, bullPrefix, createBullQueue, startBullBatchConsumer, type QueuedJob, type SharesQueueJob } from '@metamorph/queue';
import { TEST_REDIS_URL, clearRedisPrefix, testRedisPrefix } from '@metamorph/testing';

describe('batch accumulator', () => {
  test('a full batch is handled at once; a partial one after the wait', async () => {
    const seen: number[][] = [];
    const acc = new BatchAccumulator<number>(async (jobs) => void seen.push(jobs.map((j) => j.data)), 3, 30);
    const started = Date.now();
    await Promise.all([1, 2, 3].map((n) => acc.add({ id: String(n), data: n })));
    assert.deepEqual(seen, [[1, 2, 3]]);
    assert.ok(Date.now() - started < 25);
    await Promise.all([4, 5].map((n) => acc.add({ id: String(n), data: n })));
    assert.deepEqual(seen, [[1, 2, 3], [4, 5]]);
  });

  test('a failing batch is retried job by job so only the bad job fails', async () => {
    const acc = new BatchAccumulator<number>(async (jobs) => {
      if (jobs.some((j) => j.data < 0)) throw new Error('negative');
    }, 10, 5);
    const results = await Promise.allSettled([1, -1, 2].map((n) => acc.add({ id: String(n), data: n })));
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
  });
});

describe('BullMQ queue and batch consumer (real Redis)', () => {
  const prefix = testRedisPrefix('queue_bullmq');
  before(() => clearRedisPrefix(prefix));
  after(() => clearRedisPrefix(prefix));

  test('keys live under the deployment prefix', () => {
    assert.equal(bullPrefix('mm:'), 'mm');
    assert.equal(bullPrefix('test:x:'), 'test:x');
  });

  test('jobs added with the same id are stored once and consumed in batches', async () => {
    const queue = createBullQueue(QueueName.Shares, { redisUrl: TEST_REDIS_URL, prefix });
    const job = (i: number): QueuedJob<SharesQueueJob> => ({
      id: `k${i}`,
      data: { kind: 'share', shareKey: `k${i}`, address: 'a', worker: 'w', jobId: 'j', difficulty: '1', height: 1, isBlock: false, submittedAt: 0 },
    });
    await queue.addBulk(Array.from({ length: 20 }, (_, i) => job(i)));
    await queue.addBulk([job(3), job(7)]);
    const batches: string[][] = [];
    const done = new Promise<void>((resolve) => {
      const consumer = startBullBatchConsumer(
        QueueName.Shares,
        async (jobs) => {
          batches.push(jobs.map((j) => j.id));
          if (batches.flat().length >= 20) setTimeout(() => void consumer.close().then(resolve), 100);
        },
        { redisUrl: TEST_REDIS_URL, prefix, batchSize: 8, maxWaitMs: 20 },
      );
    });
    await done;
    const ids = batches.flat();
    assert.equal(ids.length, 20);
    assert.equal(new Set(ids).size, 20);
    assert.ok(batches.length >= 3 && batches.every((b) => b.length <= 8));
    const redis = new Redis(TEST_REDIS_URL);
    const exists = await redis.exists(`${prefix}shares:meta`);
    redis.disconnect();
    assert.equal(exists, 1, 'BullMQ keys are under the prefix');
    await queue.close();
  });
});
