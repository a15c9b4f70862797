// Killing the stratum or the accounting worker (kill -9) loses no accepted share and counts none twice.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hashToHex, sha256d as sha256dLib } from '@metamorph/bitcoin';
import { QueueName, createStreamQueue, startStreamBatchConsumer, type ShareJobData } from '@metamorph/queue';
import { TEST_REDIS_URL, clearRedisPrefix, createTestDatabase, testRedisPrefix, type TestDatabase, waitFor } from '@metamorph/testing';
import { writeShareBatch } from '../src/accounting/share-writer.js';
import { buildHeader, hashValue, parseNotify, sha256d } from '../../miner/src/work.js';
import { NodeDouble } from './support/node-double.js';
import { freePort, spawnApp, stratumEnv } from './support/spawn-app.js';
import { streamShareKeys } from './support/stream-reader.js';
import { LineClient } from './support/stratum-fixture.js';

const STRATUM = 'apps/stratum/src/main.ts';
const ACCOUNTING = 'apps/stratum/src/workers-main.ts';
const MINER = 'mg8Jz5776UdyiYcBb9Z873NTozEiADRW5H';

describe('kill -9 of the stratum', () => {
  const prefix = testRedisPrefix('crash_stratum');
  before(() => clearRedisPrefix(prefix));
  after(() => clearRedisPrefix(prefix));

  test('every share answered true before the kill is in the stream', async () => {
    const node = await new NodeDouble({ bits: 0x1d00ffff }).listen();
    const port = await freePort();
    const app = spawnApp(STRATUM, {
      ...stratumEnv(prefix, port, node.url),
      STRATUM_DIFFICULTY: '0.00000001',
      STRATUM_VARDIFF: 'false',
      LOG_LEVEL: 'warn',
    });
    try {
      await waitFor('the stratum to listen', () => freePortTaken(port), 30_000);
      const c = await LineClient.connect(port);
      c.send({ id: 1, method: 'mining.subscribe', params: [] });
      const en1 = (await c.next((m) => m.id === 1)).result[1];
      c.send({ id: 2, method: 'mining.authorize', params: [`${MINER}.k9`, 'x'] });
      const notify = await c.next((m) => m.method === 'mining.notify');
      const job = parseNotify(notify.params);
      const target = ((0xffffn << 208n) * 100_000_000n) as bigint;
      const { header } = buildHeader(job, Buffer.from(en1, 'hex'), Buffer.alloc(8));
      const keyOf = new Map<number, string>();
      let id = 100;
      let nonce = 0;
      const sendOne = () => {
        for (;;) {
          header.writeUInt32LE(nonce, 76);
          const hash = sha256d(header);
          if (hashValue(hash) <= target) break;
          nonce++;
        }
        keyOf.set(id, Buffer.from(sha256d(header)).reverse().toString('hex'));
        c.send({ id: id++, method: 'mining.submit', params: [`${MINER}.k9`, job.jobId, '0000000000000000', notify.params[7], (nonce++).toString(16).padStart(8, '0')] });
      };
      // Keep 64 submits in flight; kill the process while shares are being answered.
      for (let i = 0; i < 64; i++) sendOne();
      const answered: string[] = [];
      let killed = false;
      while (!c.closed) {
        const m = await c.next((x) => typeof x.id === 'number' && x.id >= 100, 10_000).catch(() => undefined);
        if (!m) break;
        if (m.result === true) answered.push(keyOf.get(m.id)!);
        if (!killed && answered.length >= 400) {
          app.child.kill('SIGKILL');
          killed = true;
        }
        if (!killed) sendOne();
      }
      assert.ok(killed, `killed after ${answered.length} accepted shares`);
      await app.exited;
      const stored = await streamShareKeys(prefix);
      const missing = answered.filter((k) => !stored.has(k));
      assert.deepEqual(missing, [], `${missing.length} of ${answered.length} accepted shares lost`);
      c.close();
    } finally {
      app.stop();
      await node.close();
    }
  });
});

describe('kill -9 of the accounting worker', () => {
  const prefix = testRedisPrefix('crash_accounting');
  let db: TestDatabase;
  before(async () => {
    await clearRedisPrefix(prefix);
    db = await createTestDatabase('crash_accounting');
  });
  after(async () => {
    await db?.close();
    await clearRedisPrefix(prefix);
  });

  const shareData = (i: number): ShareJobData => ({
    kind: 'share',
    shareKey: hashToHex(sha256dLib(new TextEncoder().encode(`crash share ${i}`))),
    address: MINER,
    worker: `w${i % 7}`,
    jobId: '010000010000',
    difficulty: '0.5',
    height: 10,
    isBlock: false,
    submittedAt: Date.parse('2026-11-24T12:00:00Z') + i * 10,
  });
  const count = async () => Number((await db.pool.query('SELECT count(*) AS n FROM share')).rows[0].n);

  test('a batch written but not acknowledged (the worker died in between) is written again and changes nothing', async () => {
    const p = testRedisPrefix('crash_accounting_ack');
    await clearRedisPrefix(p);
    const queue = createStreamQueue(QueueName.Shares, { redisUrl: TEST_REDIS_URL, prefix: p });
    const jobs = Array.from({ length: 50 }, (_, i) => ({ id: `x${i}`, data: shareData(100_000 + i) }));
    await queue.addBulk(jobs.map((j) => ({ id: j.data.shareKey, data: j.data })));
    let deliveries = 0;
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const consumer = startStreamBatchConsumer(QueueName.Shares, async (batch) => {
      deliveries++;
      await writeShareBatch(db.pool, batch.map((b) => b.data));
      // The transaction committed; the process "dies" before the acknowledgement.
      if (deliveries === 1) throw new Error('killed after commit');
      done();
    }, { redisUrl: TEST_REDIS_URL, prefix: p, group: 'accounting', batchSize: 1000, blockMs: 20, claimIdleMs: 200 });
    await finished;
    await consumer.close();
    await queue.close();
    assert.equal(deliveries, 2);
    const r = await db.pool.query(`SELECT count(*)::int AS n, (SELECT sum(shares)::int FROM share_rollup) AS rolled FROM share WHERE submitted_at >= $1`, [new Date(shareData(100_000).submittedAt)]);
    assert.deepEqual(r.rows[0], { n: 50, rolled: 50 });
    await db.pool.query('DELETE FROM share; DELETE FROM share_rollup;');
    await clearRedisPrefix(p);
  });

  test('killed repeatedly mid-stream and restarted: every share is written exactly once, rollups add up', async () => {
    const total = 20_000;
    const queue = createStreamQueue(QueueName.Shares, { redisUrl: TEST_REDIS_URL, prefix });
    for (let b = 0; b < total; b += 500) {
      await queue.addBulk(Array.from({ length: 500 }, (_, i) => ({ id: shareData(b + i).shareKey, data: shareData(b + i) })));
    }
    await queue.close();
    const env = {
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
      DATABASE_URL: db.url,
      ACCOUNTING_BATCH_SIZE: '1000',
      ACCOUNTING_BATCH_WAIT_MS: '50',
      ACCOUNTING_CLAIM_IDLE_MS: '500',
      ACCOUNTING_NODE_RPC_URL: 'http://u:p@127.0.0.1:1',
      LOG_LEVEL: 'error',
    };
    const kills: number[] = [];
    for (let round = 0; round < 3; round++) {
      const before = await count();
      const worker = spawnApp(ACCOUNTING, env);
      try {
        // Kill it as soon as it has written something more: mid-stream, likely mid-batch.
        await waitFor('the worker to write', async () => (await count()) > before, 30_000);
        worker.child.kill('SIGKILL');
        await worker.exited;
        kills.push(await count());
      } finally {
        worker.stop();
      }
    }
    assert.ok(kills[kills.length - 1] < total, `the kills happened mid-stream (${kills})`);
    const last = spawnApp(ACCOUNTING, env);
    try {
      await waitFor('every share', async () => (await count()) === total, 60_000);
      // Give any re-delivery time to (not) change anything.
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      last.child.kill('SIGTERM');
      await last.exited;
    }
    const r = await db.pool.query(
      `SELECT (SELECT count(*)::int FROM share) AS shares, (SELECT count(DISTINCT share_key)::int FROM share) AS keys,
              (SELECT sum(shares)::int FROM share_rollup) AS rolled, (SELECT sum(difficulty_sum)::text FROM share_rollup) AS weight`,
    );
    assert.deepEqual(r.rows[0], { shares: total, keys: total, rolled: total, weight: (total / 2).toFixed(12) });
  });
});

/** True once something listens on the port (the stratum is up). */
function freePortTaken(port: number): Promise<boolean> {
  return LineClient.connect(port).then(
    (c) => (c.close(), true),
    () => false,
  );
}
