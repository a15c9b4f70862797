import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { QueueName, createStreamQueue, deadLetterKey, startStreamBatchConsumer, streamKey, type QueuedJob, type SharesQueueJob } from '@metamorph/queue';
import { TEST_REDIS_URL, clearRedisPrefix, testRedisPrefix, waitFor } from '@metamorph/testing';

const share = (i: number): QueuedJob<SharesQueueJob> => ({
  id: `k${i}`,
  data: { kind: 'share', shareKey: `k${i}`, address: 'a', worker: 'w', jobId: 'j', difficulty: '1', height: 1, isBlock: false, submittedAt: i },
});

describe('durable share stream (real Redis)', () => {
  const prefix = testRedisPrefix('queue_streams');
  const redis = new Redis(TEST_REDIS_URL);
  before(() => clearRedisPrefix(prefix));
  after(async () => {
    await clearRedisPrefix(prefix);
    redis.disconnect();
  });
  const opts = { redisUrl: TEST_REDIS_URL, prefix };

  test('one addBulk is one stream entry under the deployment prefix', async () => {
    assert.equal(streamKey('mm:', QueueName.Shares), 'mm:stream:shares');
    const q = createStreamQueue(QueueName.Shares, opts);
    await q.addBulk([share(1), share(2), share(3)]);
    await q.addBulk([]);
    const entries = await redis.xrange(streamKey(prefix, QueueName.Shares), '-', '+');
    assert.equal(entries.length, 1);
    assert.deepEqual(JSON.parse(entries[0][1][1]).map((j: QueuedJob<SharesQueueJob>) => j.id), ['k1', 'k2', 'k3']);
    await q.close();
  });

  test('a consumer group hands out every job once, in batches of whole entries, and deletes what it finished', async () => {
    const q = createStreamQueue(QueueName.Shares, opts);
    for (let b = 0; b < 5; b++) await q.addBulk([share(100 + 2 * b), share(101 + 2 * b)]);
    const seen: string[] = [];
    const sizes: number[] = [];
    const c = startStreamBatchConsumer(QueueName.Shares, async (jobs) => {
      sizes.push(jobs.length);
      seen.push(...jobs.map((j) => j.id));
    }, { ...opts, group: 'g1', batchSize: 4, blockMs: 50, claimIdleMs: 60_000 });
    // The first test's entry is read too: the group starts at the beginning of the stream.
    await waitFor('13 jobs', () => seen.length === 13, 10_000, 20);
    assert.ok(sizes.every((n) => n <= 4 || n === 3), `batches ${sizes}`);
    await waitFor('entries deleted', async () => (await redis.xlen(streamKey(prefix, QueueName.Shares))) === 0, 10_000, 20);
    await c.close();
    await q.close();
  });

  test('a consumer that dies mid-batch leaves its entries pending; another takes them over, and the handler sees them again', async () => {
    const q = createStreamQueue(QueueName.Shares, opts);
    await q.addBulk([share(200), share(201)]);
    let release!: () => void;
    const stuck = new Promise<void>((r) => (release = r));
    let started = false;
    const dying = startStreamBatchConsumer(QueueName.Shares, async () => {
      started = true;
      await stuck;
      throw new Error('killed');
    }, { ...opts, group: 'g2', batchSize: 10, blockMs: 50, claimIdleMs: 300, consumer: 'dying' });
    await waitFor('the first consumer took the entry', () => started, 10_000, 20);
    const seen: string[] = [];
    const survivor = startStreamBatchConsumer(QueueName.Shares, async (jobs) => void seen.push(...jobs.map((j) => j.id)), {
      ...opts,
      group: 'g2',
      batchSize: 10,
      blockMs: 50,
      claimIdleMs: 300,
      consumer: 'survivor',
    });
    await waitFor('the survivor claimed the pending entry', () => seen.length === 2, 5000, 20);
    assert.deepEqual(seen, ['k200', 'k201']);
    release();
    await dying.close();
    await survivor.close();
    await q.close();
  });

  test('an entry that keeps failing goes to the dead-letter stream instead of blocking the rest', async () => {
    const q = createStreamQueue(QueueName.Shares, opts);
    await q.addBulk([share(300)]);
    await q.addBulk([share(301)]);
    const done: string[] = [];
    const errors: string[] = [];
    const c = startStreamBatchConsumer(QueueName.Shares, async (jobs) => {
      if (jobs.some((j) => j.id === 'k300')) throw new Error('poison');
      done.push(...jobs.map((j) => j.id));
    }, { ...opts, group: 'g3', batchSize: 10, blockMs: 20, claimIdleMs: 100, maxDeliveries: 2, onError: (e) => errors.push(e.message) });
    await waitFor('the good entry is done', () => done.includes('k301'), 10_000, 20);
    await waitFor('the poison entry is buried', async () => (await redis.xlen(deadLetterKey(prefix, QueueName.Shares))) === 1, 10_000, 20);
    const [dead] = await redis.xrange(deadLetterKey(prefix, QueueName.Shares), '-', '+');
    assert.match(dead[1].join(' '), /failed 2 deliveries/);
    assert.ok(errors.some((e) => /moved to/.test(e)));
    await c.close();
    await q.close();
  });
});
