import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hashToHex, sha256d } from '@metamorph/bitcoin';
import { QueueName, createStreamQueue, foundBlockJobId, type FoundBlockJobData, type JobQueue, type ShareJobData, type SharesQueueJob } from '@metamorph/queue';
import { TEST_REDIS_URL, clearRedisPrefix, createTestDatabase, testRedisPrefix, type TestDatabase, waitFor } from '@metamorph/testing';
import { startAccountingWorker, type AccountingWorker } from '../src/accounting/accounting-worker.js';
import { writeShareBatch } from '../src/accounting/share-writer.js';
import { DurableShareSink } from '../src/share-sink.js';
import { valueDifficultyDecimal } from '../src/difficulty.js';
import { memoryLogger } from './support/silent-logger.js';

const SUITE = 'stratum_share_pipeline';
const A = 'mg8Jz5776UdyiYcBb9Z873NTozEiADRW5H';
const B = 'mrzKXEpXfEDHk7vFS3LBXVXoa4YXFcCkje';
const T0 = Date.parse('2026-11-24T10:00:00.000Z');

let seq = 0;
function share(address: string, worker: string, at: number, difficulty = '0.0001', extra: Partial<ShareJobData> = {}): ShareJobData {
  const key = hashToHex(sha256d(new TextEncoder().encode(`share ${seq++}`)));
  return { kind: 'share', shareKey: key, address, worker, jobId: '010000010000', difficulty, height: 101, isBlock: false, submittedAt: at, ...extra };
}

describe('share pipeline: stratum sink → Redis stream → accounting worker → Postgres', () => {
  const prefix = testRedisPrefix(SUITE);
  let db: TestDatabase;
  let queue: JobQueue<SharesQueueJob>;
  let sink: DurableShareSink;
  let worker: AccountingWorker;

  before(async () => {
    await clearRedisPrefix(prefix);
    db = await createTestDatabase(SUITE);
    queue = createStreamQueue(QueueName.Shares, { redisUrl: TEST_REDIS_URL, prefix });
    sink = new DurableShareSink(queue);
    worker = startAccountingWorker(
      { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, ACCOUNTING_BATCH_SIZE: 50, ACCOUNTING_BATCH_WAIT_MS: 20 },
      db.pool,
      memoryLogger(),
    );
  });

  after(async () => {
    await worker.close();
    await sink.close();
    await queue.close();
    await db.close();
    await clearRedisPrefix(prefix);
  });

  const count = async (sql: string) => Number((await db.pool.query(sql)).rows[0].n);

  test('shares land in Postgres with miners, workers and per-minute rollups; a share sent twice counts once', async () => {
    const shares = [
      share(A, 'cpu1', T0 + 1_000),
      share(A, 'cpu1', T0 + 59_999, '0.0002'),
      share(A, 'cpu1', T0 + 60_000),
      share(A, 'cpu2', T0 + 5_000),
      share(B, 'default', T0 + 10_000, '1.5'),
    ];
    const pushed = shares.map((s) => sink.push(s.shareKey, s));
    // The same share delivered again (a retry, or a second stratum instance): same key.
    pushed.push(sink.push(shares[0].shareKey, { ...shares[0] }));
    await Promise.all(pushed);
    await waitFor('5 shares', async () => (await count('SELECT count(*) AS n FROM share')) === 5, 15_000, 50);

    const miners = await db.pool.query<{ address: string }>('SELECT address FROM miner ORDER BY address');
    assert.deepEqual(miners.rows.map((r) => r.address), [A, B].sort());
    const workers = await db.pool.query<{ address: string; name: string; last_share_at: Date }>(
      'SELECT m.address, w.name, w.last_share_at FROM worker w JOIN miner m ON m.id = w.miner_id ORDER BY m.address, w.name',
    );
    assert.deepEqual(workers.rows.map((r) => `${r.address}.${r.name}`), [`${A}.cpu1`, `${A}.cpu2`, `${B}.default`].sort());
    assert.equal(workers.rows.find((r) => r.name === 'cpu1')!.last_share_at.getTime(), T0 + 60_000);

    const rollups = await db.pool.query<{ name: string; minute: Date; shares: number; difficulty_sum: string }>(
      `SELECT w.name, r.minute, r.shares, r.difficulty_sum::text FROM share_rollup r JOIN worker w ON w.id = r.worker_id ORDER BY w.name, r.minute`,
    );
    assert.deepEqual(
      rollups.rows.map((r) => [r.name, r.minute.toISOString(), r.shares, Number(r.difficulty_sum)]),
      [
        ['cpu1', '2026-11-24T10:00:00.000Z', 2, 0.0003],
        ['cpu1', '2026-11-24T10:01:00.000Z', 1, 0.0001],
        ['cpu2', '2026-11-24T10:00:00.000Z', 1, 0.0001],
        ['default', '2026-11-24T10:00:00.000Z', 1, 1.5],
      ],
    );
    const stored = await db.pool.query('SELECT job_id, difficulty::text, actual_difficulty::text, height, is_block, submitted_at FROM share WHERE share_key = $1', [shares[1].shareKey]);
    assert.deepEqual(stored.rows[0], {
      job_id: '010000010000',
      difficulty: '0.000200000000',
      // DIFF1 / the key (a header hash), worked out by the writer.
      actual_difficulty: valueDifficultyDecimal(BigInt('0x' + shares[1].shareKey)).padEnd(stored.rows[0].actual_difficulty.length, '0'),
      height: 101,
      is_block: false,
      submitted_at: new Date(T0 + 59_999),
    });
  });

  test('a batch written again (a redelivery after a crash) changes nothing', async () => {
    const batch = [share(B, 'rig9', T0 + 120_000), share(B, 'rig9', T0 + 121_000)];
    const first = await writeShareBatch(db.pool, batch);
    assert.deepEqual(first, { inserted: 2, duplicates: 0, blocks: 0 });
    const again = await writeShareBatch(db.pool, [...batch, ...batch]);
    assert.deepEqual(again, { inserted: 0, duplicates: 2, blocks: 0 });
    const r = await db.pool.query(
      `SELECT r.shares FROM share_rollup r JOIN worker w ON w.id = r.worker_id WHERE w.name = 'rig9'`,
    );
    assert.deepEqual(r.rows, [{ shares: 2 }]);
  });

  test('found blocks go SUBMITTED → ACCEPTED/REJECTED whatever order the two jobs arrive in', async () => {
    const block = (hashSeed: string, status: FoundBlockJobData['status'], submitResult: string | null): FoundBlockJobData => ({
      kind: 'block',
      hash: hashToHex(sha256d(new TextEncoder().encode(hashSeed))),
      height: 102,
      address: A,
      worker: 'cpu1',
      reward: '5000000000',
      status,
      submitResult,
      foundAt: T0 + 3_000,
    });
    const accepted = block('one', 'ACCEPTED', null);
    const rejected = block('two', 'REJECTED', 'bad-cb-amount');
    await Promise.all([
      sink.push(foundBlockJobId(accepted.hash, 'found'), block('one', 'SUBMITTED', null)),
      sink.push(foundBlockJobId(accepted.hash, 'result'), accepted),
      sink.push(foundBlockJobId(rejected.hash, 'result'), rejected),
    ]);
    await waitFor('2 blocks', async () => (await count('SELECT count(*) AS n FROM found_block')) === 2, 15_000, 50);
    // The "found" job of the second block arrives late: it must not undo the verdict.
    await writeShareBatch(db.pool, [block('two', 'SUBMITTED', null)]);
    const rows = await db.pool.query<{ status: string; submit_result: string | null; reward: bigint; height: number; worker: string }>(
      `SELECT b.status, b.submit_result, b.reward, b.height, w.name AS worker FROM found_block b JOIN worker w ON w.id = b.worker_id ORDER BY b.submit_result NULLS FIRST`,
    );
    assert.deepEqual(rows.rows, [
      { status: 'ACCEPTED', submit_result: null, reward: 5_000_000_000n, height: 102, worker: 'cpu1' },
      { status: 'REJECTED', submit_result: 'bad-cb-amount', reward: 5_000_000_000n, height: 102, worker: 'cpu1' },
    ]);
  });

  test('a push resolves only once its share is in the stream; pushes of one turn share one entry', async () => {
    const before = await count('SELECT count(*) AS n FROM share');
    const pending = Array.from({ length: 30 }, (_, i) => share(A, 'cpu3', T0 + 180_000 + i));
    const recording: JobQueue<SharesQueueJob> & { calls: number } = {
      calls: 0,
      addBulk(jobs) {
        this.calls++;
        return queue.addBulk(jobs);
      },
      close: async () => {},
    };
    const s = new DurableShareSink(recording);
    await Promise.all(pending.map((p) => s.push(p.shareKey, p)));
    assert.equal(recording.calls, 1, 'one write for the whole turn');
    assert.equal(s.pending, 0);
    assert.equal(await s.close(), 0);
    await waitFor('30 more shares', async () => (await count('SELECT count(*) AS n FROM share')) === before + 30, 15_000, 50);
  });

  test('a failing store holds the replies and retries until it succeeds; a full sink refuses at once', async () => {
    let fail = 2;
    const flaky: JobQueue<SharesQueueJob> = {
      async addBulk(jobs) {
        if (fail-- > 0) throw new Error('READONLY You can\'t write against a read only replica.');
        await queue.addBulk(jobs);
      },
      close: async () => {},
    };
    const logs: string[] = [];
    const s = new DurableShareSink(flaky, { logger: memoryLogger(logs), maxPending: 3 });
    const a = share(B, 'flaky', T0 + 240_000);
    let resolved = false;
    const p = s.push(a.shareKey, a).then(() => (resolved = true));
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(resolved, false, 'not answered while the store fails');
    await p;
    assert.ok(logs.some((l) => l.includes('cannot store shares')));
    assert.ok(logs.some((l) => l.includes('shares are stored again')));
    const blocked: JobQueue<SharesQueueJob> = { addBulk: () => new Promise(() => {}), close: async () => {} };
    const full = new DurableShareSink(blocked, { maxPending: 2 });
    void full.push('x1', share(B, 'f', 0));
    void full.push('x2', share(B, 'f', 0));
    await assert.rejects(full.push('x3', share(B, 'f', 0)), /2 shares are waiting to be stored/);
    // A found block is never refused.
    void full.push('b1', { ...share(B, 'f', 0) }, true);
    assert.equal(full.pending, 3);
    assert.equal(await full.close(50), 3);
  });
});
