// The stratum and accounting processes as `npm start` runs them: start-up failures are one clear
// line and exit 1; SIGTERM stops them cleanly without losing accepted shares.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { streamShareKeys } from './support/stream-reader.js';
import { TEST_REDIS_URL, clearRedisPrefix, createTestDatabase, testRedisPrefix, type TestDatabase, waitFor } from '@metamorph/testing';
import { buildHeader, hashValue, parseNotify, sha256d } from '../../miner/src/work.js';
import { NodeDouble } from './support/node-double.js';
import { freePort, spawnApp, stratumEnv } from './support/spawn-app.js';
import { LineClient } from './support/stratum-fixture.js';

const STRATUM = 'apps/stratum/src/main.ts';
const ACCOUNTING = 'apps/stratum/src/workers-main.ts';
const prefix = testRedisPrefix('stratum_processes');

describe('start-up failures: one clear line, exit code 1', () => {
  test('invalid configuration names every bad variable', async () => {
    const app = spawnApp(STRATUM, { STRATUM_PORT: 'abc', STRATUM_DIFFICULTY: '-1', NETWORK: 'regtest' });
    const { code } = await app.exited;
    assert.equal(code, 1);
    assert.deepEqual(app.stderr.sort(), [
      'stratum: invalid configuration: STRATUM_DIFFICULTY "-1" is not a number from 1e-8 to 1000000000000000',
      'stratum: invalid configuration: STRATUM_PORT "abc" is not a TCP port (1-65535)',
    ]);
  });

  test('a pool address of the wrong network is refused', async () => {
    const app = spawnApp(STRATUM, { STRATUM_POOL_ADDRESS: '1AGNa15ZQXAZUgFiqJ2i7Z2DPU2J6hW62i' });
    assert.equal((await app.exited).code, 1);
    assert.deepEqual(app.stderr, ['stratum: invalid configuration: STRATUM_POOL_ADDRESS "1AGNa15ZQXAZUgFiqJ2i7Z2DPU2J6hW62i" is not a regtest address: prefix 0x00 is a mainnet address, expected regtest']);
  });

  test('an unreachable node, an unreachable Redis, a port in use', async () => {
    const closedPort = await freePort();
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const busy = (blocker.address() as net.AddressInfo).port;
    const node = await new NodeDouble().listen();
    try {
      const base = { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, STRATUM_HOST: '127.0.0.1' };
      const [noNode, noRedis, portInUse, accountingNoDb] = [
        spawnApp(STRATUM, { ...base, STRATUM_PORT: String(await freePort()), STRATUM_NODE_RPC_URL: `http://u:p@127.0.0.1:${closedPort}` }),
        spawnApp(STRATUM, { ...base, REDIS_URL: `redis://127.0.0.1:${closedPort}` }),
        spawnApp(STRATUM, { ...base, STRATUM_PORT: String(busy), STRATUM_NODE_RPC_URL: node.url }),
        spawnApp(ACCOUNTING, { ...base, DATABASE_URL: `postgresql://postgres@127.0.0.1:${closedPort}/x` }),
      ];
      for (const a of [noNode, noRedis, portInUse, accountingNoDb]) assert.equal((await a.exited).code, 1);
      assert.deepEqual(noNode.stderr, [`stratum: cannot start: getblocktemplate: node RPC at http://127.0.0.1:${closedPort} is not reachable (ECONNREFUSED)`]);
      assert.deepEqual(noRedis.stderr, [`stratum: cannot start: Redis is not reachable at 127.0.0.1:${closedPort} (ECONNREFUSED): start it, or point REDIS_URL at a running server`]);
      assert.deepEqual(portInUse.stderr, [`stratum: cannot start: port ${busy} on 127.0.0.1 is already in use: stop whatever listens there or choose another port`]);
      assert.deepEqual(accountingNoDb.stderr, [
        `accounting: cannot start: PostgreSQL is not reachable at 127.0.0.1:${closedPort} (ECONNREFUSED): start it, or point DATABASE_URL at a running server`,
      ]);
    } finally {
      blocker.close();
      await node.close();
    }
  });
});

describe('clean shutdown', () => {
  let db: TestDatabase;
  before(async () => {
    await clearRedisPrefix(prefix);
    db = await createTestDatabase('stratum_processes');
  });
  after(async () => {
    await db.close();
    await clearRedisPrefix(prefix);
  });

  test('SIGTERM: the stratum answers what it holds, asks miners to reconnect, every accepted share is in the stream, exit 0', async () => {
    const node = await new NodeDouble({ bits: 0x1d00ffff }).listen();
    const port = await freePort();
    const app = spawnApp(STRATUM, {
      ...stratumEnv(prefix, port, node.url),
      STRATUM_DIFFICULTY: '0.00001',
    });
    try {
      await app.waitForLine(/INFO  stratum: listening/);
      const c = await LineClient.connect(port);
      c.send({ id: 1, method: 'mining.subscribe', params: [] });
      const en1 = (await c.next((m) => m.id === 1)).result[1];
      c.send({ id: 2, method: 'mining.authorize', params: ['mg8Jz5776UdyiYcBb9Z873NTozEiADRW5H.p1', 'x'] });
      const notify = await c.next((m) => m.method === 'mining.notify');
      const job = parseNotify(notify.params);
      const target = (0xffffn << 208n) * 100_000n;
      const keys: string[] = [];
      const { header } = buildHeader(job, Buffer.from(en1, 'hex'), Buffer.alloc(8));
      for (let n = 0; keys.length < 5; n++) {
        header.writeUInt32LE(n, 76);
        const hash = sha256d(header);
        if (hashValue(hash) > target) continue;
        keys.push(Buffer.from(hash).reverse().toString('hex'));
        c.send({ id: 10 + keys.length, method: 'mining.submit', params: ['mg8Jz5776UdyiYcBb9Z873NTozEiADRW5H.p1', job.jobId, '0000000000000000', notify.params[7], n.toString(16).padStart(8, '0')] });
      }
      for (let i = 1; i <= 5; i++) assert.equal((await c.next((m) => m.id === 10 + i)).result, true);
      app.child.kill('SIGTERM');
      assert.deepEqual(await c.next((m) => m.method === 'client.reconnect'), { id: null, method: 'client.reconnect', params: [] });
      const { code } = await app.exited;
      assert.equal(code, 0);
      assert.ok(app.stdout.some((l) => l.includes('stratum: stopped')));
      await c.waitClosed();
      const stored = await streamShareKeys(prefix);
      for (const k of keys) assert.ok(stored.has(k), `share ${k} in the stream`);
    } finally {
      app.stop();
      await node.close();
    }
  });

  test('SIGTERM: the accounting worker exits 0', async () => {
    const app = spawnApp(ACCOUNTING, { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, DATABASE_URL: db.url, ACCOUNTING_NODE_RPC_URL: 'http://u:p@127.0.0.1:1' });
    try {
      await app.waitForLine(/consuming accepted shares/);
      app.child.kill('SIGTERM');
      const exit = await app.exited;
      assert.deepEqual(exit, { code: 0, signal: null }, [...app.stdout, ...app.stderr].join('\n'));
      assert.ok(app.stdout.some((l) => l.includes('accounting: stopped')));
    } finally {
      app.stop();
    }
  });
});

describe('several stratum processes on one port (STRATUM_PROCESSES)', () => {
  const mp = testRedisPrefix('stratum_multiprocess');
  before(() => clearRedisPrefix(mp));
  after(() => clearRedisPrefix(mp));

  test('connections are spread over the workers (each its own extranonce1 prefix), admitted per address over all of them; SIGTERM stops all', async () => {
    const node = await new NodeDouble({ bits: 0x1d00ffff }).listen();
    const port = await freePort();
    const app = spawnApp(STRATUM, {
      ...stratumEnv(mp, port, node.url),
      STRATUM_PROCESSES: '2',
      STRATUM_MAX_CONNECTIONS_PER_IP: '5',
      STRATUM_INSTANCE_ID: '7',
    });
    try {
      await app.waitForLine(/INFO  stratum: listening .*processes=2/, 60_000);
      const clients: LineClient[] = [];
      const prefixes = new Set<string>();
      for (let i = 0; i < 5; i++) {
        const c = await LineClient.connect(port);
        clients.push(c);
        c.send({ id: 1, method: 'mining.subscribe', params: [] });
        const en1: string = (await c.next((m) => m.id === 1)).result[1];
        assert.match(en1, /^07[01]/);
        prefixes.add(en1.slice(0, 3));
        c.send({ id: 2, method: 'mining.authorize', params: ['mg8Jz5776UdyiYcBb9Z873NTozEiADRW5H.mp', 'x'] });
        const notify = await c.next((m) => m.method === 'mining.notify');
        assert.equal(notify.params[0].slice(0, 3), en1.slice(0, 3), 'jobs of the process that holds the connection');
      }
      assert.deepEqual([...prefixes].sort(), ['070', '071'], 'both processes hold connections');
      const sixth = await LineClient.connect(port);
      await sixth.waitClosed(3000);
      // Closing one frees a place (the worker reports it to the primary).
      clients.pop()!.close();
      const { again, answer } = await waitFor('a place freed by the closed connection', async () => {
        const c = await LineClient.connect(port);
        c.send({ id: 1, method: 'mining.subscribe', params: [] });
        try {
          return { again: c, answer: await c.next((m) => m.id === 1, 5000) };
        } catch {
          c.close();
          return undefined;
        }
      }, 15_000, 100);
      assert.match(answer.result[1], /^07[01]/);
      clients.push(again);
      app.child.kill('SIGTERM');
      const exit = await app.exited;
      assert.deepEqual(exit, { code: 0, signal: null }, [...app.stdout, ...app.stderr].join('\n'));
      for (const c of clients) await c.waitClosed();
      assert.ok(app.stdout.some((l) => l.includes('stratum#0')) && app.stdout.some((l) => l.includes('stratum#1')), 'workers log under their own scope');
    } finally {
      app.stop();
      await node.close();
    }
  });

  test('a worker that cannot start stops the whole stratum with one line', async () => {
    const closedPort = await freePort();
    const app = spawnApp(STRATUM, {
      ...stratumEnv(mp, await freePort(), `http://u:p@127.0.0.1:${closedPort}`),
      STRATUM_PROCESSES: '2',
    });
    const { code } = await app.exited;
    assert.equal(code, 1);
    assert.deepEqual(app.stderr, [`stratum: cannot start: getblocktemplate: node RPC at http://127.0.0.1:${closedPort} is not reachable (ECONNREFUSED)`]);
  });
});
