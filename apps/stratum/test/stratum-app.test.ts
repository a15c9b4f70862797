import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { TEST_REDIS_URL, clearRedisPrefix, createTestDatabase, testRedisPrefix, type TestDatabase, waitFor } from '@metamorph/testing';
import { startAccountingWorker, type AccountingWorker } from '../src/accounting/accounting-worker.js';
import { startStratum, type StratumApp } from '../src/app.js';
import { StratumAppError, StratumAppErrorCode } from '../src/errors.js';
import { buildHeader, hashValue, parseNotify, sha256d, targetFromCompact } from '../../miner/src/work.js';
import { NodeDouble, makeTx } from './support/node-double.js';
import { memoryLogger } from './support/silent-logger.js';
import { LineClient, testStratumConfig } from './support/stratum-fixture.js';

const SUITE = 'stratum_app';
const MINER = 'myQGSFVupuQvHqV8bpKtdh4sVUeCyyxs6M';

describe('stratum app over TCP against a node double, with events, queue and accounting', () => {
  const prefix = testRedisPrefix(SUITE);
  let db: TestDatabase;
  let node: NodeDouble;
  let app: StratumApp;
  let accounting: AccountingWorker;
  const logs: string[] = [];

  before(async () => {
    await clearRedisPrefix(prefix);
    db = await createTestDatabase(SUITE);
    node = await new NodeDouble({ events: { redisUrl: TEST_REDIS_URL, prefix } }).listen();
    node.mempool = [makeTx(1), makeTx(2)];
    const env = { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, STRATUM_NODE_RPC_URL: node.url, STRATUM_DIFFICULTY: '0.00001', STRATUM_VARDIFF: 'false' };
    // A long poll interval: new work below can only come from the node's events, the refresh timer or our own submissions.
    app = await startStratum(testStratumConfig(env, { STRATUM_POLL_INTERVAL_MS: 600_000, STRATUM_JOB_REFRESH_SECONDS: 1 }), { logger: memoryLogger(logs) });
    accounting = startAccountingWorker({ REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, ACCOUNTING_BATCH_SIZE: 100, ACCOUNTING_BATCH_WAIT_MS: 10 }, db.pool, memoryLogger());
  });

  after(async () => {
    await app?.close();
    await accounting?.close();
    await node?.close();
    await db?.close();
    await clearRedisPrefix(prefix);
  });

  test('a miner subscribes, authorizes and gets work built from the node template', async () => {
    const c = await LineClient.connect(app.address.port);
    c.send({ id: 1, method: 'mining.subscribe', params: ['test/1'] });
    const sub = await c.next((m) => m.id === 1);
    assert.match(sub.result[1], /^000[0-9a-f]{5}$/, 'extranonce1 starts with the instance id and process index');
    c.send({ id: 2, method: 'mining.authorize', params: [`${MINER}.t1`, 'x'] });
    assert.equal((await c.next((m) => m.id === 2)).result, true);
    assert.deepEqual((await c.next((m) => m.method === 'mining.set_difficulty')).params, [0.00001]);
    const notify = await c.next((m) => m.method === 'mining.notify');
    assert.equal(notify.params[4].length, 2, 'merkle branch over coinbase + 2 transactions');
    c.close();
  });

  test('new transactions reach miners with the next refresh; a block is submitted, accepted and recorded; the new tip is a clean job', async () => {
    const c = await LineClient.connect(app.address.port);
    c.send({ id: 1, method: 'mining.subscribe', params: [] });
    const sub = await c.next((m) => m.id === 1);
    c.send({ id: 2, method: 'mining.authorize', params: [`${MINER}.t2`, 'x'] });
    await c.next((m) => m.method === 'mining.notify');
    const calls = node.templateCalls;
    node.addTransactions([makeTx(3)]);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(node.templateCalls, calls, 'a new-transactions event alone fetches no template');
    const fresh = await c.next((m) => m.method === 'mining.notify');
    assert.equal(fresh.params[8], false, 'same tip: clean_jobs false');
    assert.equal(fresh.params[4].length, 2, 'coinbase + 3 transactions: two branch levels');
    assert.ok(node.templateCalls > calls);

    // Find a block for this job the way a miner does and submit it.
    const job = parseNotify(fresh.params);
    const en2 = Buffer.from('00000000000000aa', 'hex');
    const { header } = buildHeader(job, Buffer.from(sub.result[1], 'hex'), en2);
    const target = targetFromCompact(job.bits);
    let nonce = 0;
    while (hashValue(sha256d((header.writeUInt32LE(nonce, 76), header))) > target) nonce++;
    c.send({ id: 3, method: 'mining.submit', params: [`${MINER}.t2`, job.jobId, en2.toString('hex'), fresh.params[7], nonce.toString(16).padStart(8, '0')] });
    assert.deepEqual(await c.next((m) => m.id === 3), { id: 3, result: true, error: null });
    await waitFor('the node to accept the block', () => node.accepted.length === 1);
    assert.deepEqual(node.submissions, [null]);
    assert.equal(node.accepted[0].txCount, 4);
    const clean = await c.next((m) => m.method === 'mining.notify' && m.params[8] === true);
    assert.equal(parseNotify(clean.params).merkleBranch.length, 0, 'the new tip has an empty mempool');

    const row = await waitFor('found_block ACCEPTED', async () => {
      const r = await db.pool.query<{ status: string; height: number; reward: bigint }>('SELECT status, height, reward FROM found_block');
      return r.rows[0]?.status === 'ACCEPTED' ? r.rows[0] : undefined;
    });
    assert.equal(row.height, 1);
    assert.equal(row.reward, 50n * 100_000_000n + 3000n);
    const share = await waitFor('the block share', async () => (await db.pool.query('SELECT is_block FROM share')).rows[0]);
    assert.equal(share.is_block, true);
    assert.ok(logs.some((l) => l.includes('block accepted by the node')));
    c.close();
  });

  test('a block the node rejects is recorded REJECTED with its reason', async () => {
    const c = await LineClient.connect(app.address.port);
    c.send({ id: 1, method: 'mining.subscribe', params: [] });
    const sub = await c.next((m) => m.id === 1);
    c.send({ id: 2, method: 'mining.authorize', params: [`${MINER}.t3`, 'x'] });
    const n = await c.next((m) => m.method === 'mining.notify');
    const job = parseNotify(n.params);
    const en2 = Buffer.from('00000000000000bb', 'hex');
    const { header } = buildHeader(job, Buffer.from(sub.result[1], 'hex'), en2);
    let nonce = 0;
    while (hashValue(sha256d((header.writeUInt32LE(nonce, 76), header))) > targetFromCompact(job.bits)) nonce++;
    node.nextSubmitAnswer = 'bad-cb-amount';
    c.send({ id: 3, method: 'mining.submit', params: [`${MINER}.t3`, job.jobId, en2.toString('hex'), n.params[7], nonce.toString(16).padStart(8, '0')] });
    assert.equal((await c.next((m) => m.id === 3)).result, true);
    const row = await waitFor('found_block REJECTED', async () => {
      const r = await db.pool.query<{ status: string; submit_result: string }>("SELECT status, submit_result FROM found_block WHERE status = 'REJECTED'");
      return r.rows[0];
    });
    assert.equal(row.submit_result, 'bad-cb-amount');
    c.close();
  });

  test('an oversized line over TCP gets an error and the connection is closed', async () => {
    const c = await LineClient.connect(app.address.port);
    c.write('{"id":1,"method":"mining.subscribe","params":["' + 'x'.repeat(20_000));
    const err = await c.next((m) => m.error);
    assert.deepEqual(err, { id: null, result: null, error: [20, 'Line too long: more than 16384 bytes without a newline', null] });
    await c.waitClosed();
  });
});

describe('stratum start-up against an unusable node or port', () => {
  const prefix = testRedisPrefix('stratum_app_startup');
  before(() => clearRedisPrefix(prefix));
  after(() => clearRedisPrefix(prefix));
  const env = (url: string) => ({ REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, STRATUM_NODE_RPC_URL: url });

  test('an unreachable node stops the start with a clear error', async () => {
    const free = await new Promise<number>((r) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => r(p));
      });
    });
    await assert.rejects(startStratum(testStratumConfig(env(`http://metamorph:metamorph@127.0.0.1:${free}`)), { logger: memoryLogger() }), (e: unknown) => {
      assert.ok(e instanceof StratumAppError);
      assert.equal(e.code, StratumAppErrorCode.RpcTransport);
      assert.match(e.message, new RegExp(`node RPC at http://127.0.0.1:${free} is not reachable \\(ECONNREFUSED\\)`));
      assert.doesNotMatch(e.message, /metamorph:metamorph/, 'no credentials in messages');
      return true;
    });
  });

  test('wrong credentials stop the start with a clear error', async () => {
    const node = await new NodeDouble({ password: 'right' }).listen();
    try {
      await assert.rejects(startStratum(testStratumConfig(env(`http://metamorph:wrong@127.0.0.1:${node.port}`)), { logger: memoryLogger() }), /refused the credentials \(HTTP 401\)/);
    } finally {
      await node.close();
    }
  });

  test('polling asks for the tip (getbestblockhash) and fetches a template only when it moved', async () => {
    const node = await new NodeDouble().listen();
    const app = await startStratum(testStratumConfig(env(node.url), { STRATUM_POLL_INTERVAL_MS: 100 }), { logger: memoryLogger() });
    try {
      const calls = node.templateCalls;
      await waitFor('a few polls', () => node.bestHashCalls >= 3);
      assert.equal(node.templateCalls, calls, 'the tip did not move: no template fetched');
      node.extend(1);
      await waitFor('a job on the new tip', () => app.jobs.current()!.template.height === 2);
    } finally {
      await app.close();
      await node.close();
    }
  });

  test('a node that cannot give templates yet is polled until it can', async () => {
    const node = await new NodeDouble().listen();
    node.templateError = { code: -10, message: 'Bitcoin is downloading blocks...' };
    const logs: string[] = [];
    const app = await startStratum(testStratumConfig(env(node.url), { STRATUM_POLL_INTERVAL_MS: 100 }), { logger: memoryLogger(logs) });
    try {
      assert.equal(app.jobs.current(), undefined);
      assert.ok(logs.some((l) => l.includes('cannot give a block template yet') && l.includes('-10')));
      node.templateError = undefined;
      await waitFor('a first job', () => app.jobs.current());
    } finally {
      await app.close();
      await node.close();
    }
  });

  test('a port in use is reported as EADDRINUSE', async () => {
    const node = await new NodeDouble().listen();
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await assert.rejects(startStratum(testStratumConfig(env(node.url), { STRATUM_PORT: port }), { logger: memoryLogger() }), (e: NodeJS.ErrnoException) => e.code === 'EADDRINUSE');
    } finally {
      blocker.close();
      await node.close();
    }
  });
});
