import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { Channel, channelKey, type BlockConnectedEvent } from '@metamorph/queue';
import { TEST_REDIS_URL, type TestDatabase } from '@metamorph/testing';
import type { Client } from 'graphql-ws';
import type { RunningApi } from '../src/server.js';
import { collect, wsClient } from './client.js';
import { appendBlocks, insertShare, seedPool, type SeededBlock, type SeededPool } from './fixtures.js';
import { startTestApi, testEnvironment } from './setup.js';

let db: TestDatabase;
let prefix: string;
let api: RunningApi;
let redis: Redis;
let client: Client;
let blocks: SeededBlock[];
let pool: SeededPool;

before(async () => {
  const env = await testEnvironment('api_ws');
  db = env.db;
  prefix = env.prefix;
  blocks = await appendBlocks(db.pool, 5);
  pool = await seedPool(db.pool, blocks[3]);
  api = await startTestApi({ databaseUrl: db.url, prefix }, { API_STATS_INTERVAL_SECONDS: '1' });
  redis = new Redis(TEST_REDIS_URL);
  client = wsClient(api.wsUrl);
});

after(async () => {
  await client?.dispose();
  redis?.disconnect();
  await api?.stop();
  await db?.close();
});

/** What the node does when its tip moves: write the rows, then publish. */
async function connectBlock(): Promise<SeededBlock> {
  const [b] = await appendBlocks(db.pool, 1);
  const prev = await db.pool.query<{ hash: Buffer }>('SELECT prev_hash AS hash FROM block_index WHERE height = $1', [b.height]);
  const event: BlockConnectedEvent = { hash: b.hex, height: b.height, prevHash: Buffer.from(prev.rows[0].hash).reverse().toString('hex'), time: b.time };
  await redis.publish(channelKey(prefix, Channel.BlockConnected), JSON.stringify(event));
  return b;
}

describe('subscriptions', () => {
  test('newBlock and chainTip follow block-connected events from the node', async () => {
    const nb = collect(client, 'subscription { newBlock { height hash txCount foundByPool } }');
    const tip = collect(client, 'subscription { chainTip { height hash } }');
    await waitForSubscribers(2);
    const b = await connectBlock();
    assert.deepEqual((await nb.next(1)).data, { newBlock: { height: b.height, hash: b.hex, txCount: 1, foundByPool: false } });
    assert.deepEqual((await tip.next(1)).data, { chainTip: { height: b.height, hash: b.hex } });
    nb.dispose();
    tip.dispose();
    await waitForSubscribers(0);
  });

  test('chainTip follows a disconnect back to the previous block', async () => {
    const tip = collect(client, 'subscription { chainTip { height hash } }');
    await waitForSubscribers(1);
    const { rows } = await db.pool.query<{ height: number; hash: Buffer }>('DELETE FROM main_chain WHERE height = (SELECT max(height) FROM main_chain) RETURNING height, hash');
    await redis.publish(channelKey(prefix, Channel.BlockDisconnected), JSON.stringify({ hash: Buffer.from(rows[0].hash).reverse().toString('hex'), height: rows[0].height }));
    const r = await tip.next(1);
    assert.equal(r.data!.chainTip.height, rows[0].height - 1);
    // Put it back so later tests see an unchanged chain.
    await db.pool.query('INSERT INTO main_chain (height, hash) VALUES ($1, $2)', [rows[0].height, rows[0].hash]);
    tip.dispose();
    await waitForSubscribers(0);
  });

  test('a block the database does not know yet is described from the event itself', async () => {
    const nb = collect(client, 'subscription { newBlock { height hash time txCount size foundByPool } }');
    await waitForSubscribers(1);
    const event = { hash: 'ab'.repeat(32), height: 999, prevHash: '00'.repeat(32), time: 1_800_000_000 };
    await redis.publish(channelKey(prefix, Channel.BlockConnected), JSON.stringify(event));
    assert.deepEqual((await nb.next(1)).data, {
      newBlock: { height: 999, hash: event.hash, time: new Date(event.time * 1000).toISOString(), txCount: null, size: null, foundByPool: false },
    });
    nb.dispose();
    await waitForSubscribers(0);
  });

  test('malformed events are ignored and the next good one still arrives', async () => {
    const nb = collect(client, 'subscription { newBlock { height } }');
    await waitForSubscribers(1);
    const ch = channelKey(prefix, Channel.BlockConnected);
    for (const bad of ['not json', '{}', JSON.stringify({ hash: 'zz', height: 1, prevHash: '00'.repeat(32), time: 1 }), JSON.stringify({ hash: 'ab'.repeat(32), height: -1, prevHash: '00'.repeat(32), time: 1 })]) {
      await redis.publish(ch, bad);
    }
    const b = await connectBlock();
    assert.deepEqual((await nb.next(1)).data, { newBlock: { height: b.height } });
    assert.equal(nb.results.length, 1);
    nb.dispose();
    await waitForSubscribers(0);
  });

  test('events published under another prefix are not ours', async () => {
    const nb = collect(client, 'subscription { newBlock { height } }');
    await waitForSubscribers(1);
    await redis.publish(channelKey('test:someone_else:', Channel.BlockConnected), JSON.stringify({ hash: 'cd'.repeat(32), height: 5, prevHash: '00'.repeat(32), time: 1 }));
    const b = await connectBlock();
    assert.deepEqual((await nb.next(1)).data, { newBlock: { height: b.height } });
    nb.dispose();
    await waitForSubscribers(0);
  });

  test('poolStats arrives at once, then on every interval with fresh figures', async () => {
    const ps = collect(client, 'subscription { poolStats { sharesLastHour workersOnline blocksFound hashrate updatedAt } }');
    const first = await ps.next(1, 3_000);
    assert.equal(first.data!.poolStats.sharesLastHour, pool.sharesLastHour);
    assert.equal(first.data!.poolStats.workersOnline, 2);
    await insertShare(db.pool, pool.workers.oldRig, '8', new Date(), 5);
    const later = await waitFor(ps, (r) => r.data!.poolStats.sharesLastHour === pool.sharesLastHour + 1, 5_000);
    assert.equal(later.data!.poolStats.workersOnline, 3);
    assert.ok(Date.parse(later.data!.poolStats.updatedAt) > Date.parse(first.data!.poolStats.updatedAt));
    ps.dispose();
    await waitFor(null, () => api.services.stats.size === 0, 3_000);
  });
});

describe('errors over WebSocket', () => {
  test('validation errors come back as GraphQL errors with a code', async () => {
    const s = collect(client, 'subscription { newBlock { colour } }');
    await s.ended();
    const errs = s.error as { message: string; extensions: { code: string } }[];
    assert.equal(errs[0].extensions.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.match(errs[0].message, /Cannot query field "colour"/);
  });

  test('syntax errors', async () => {
    const s = collect(client, 'subscription { newBlock { height }');
    await s.ended();
    assert.equal((s.error as any)[0].extensions.code, 'GRAPHQL_PARSE_FAILED');
  });

  test('the cost limit applies to WebSocket operations too', async () => {
    const fields = 'id difficulty actualDifficulty height isBlock submittedAt worker { id name minerAddress online hashrate lastShareAt }';
    const aliases = Array.from({ length: 10 }, (_, i) => `s${i}: recentShares(limit: 100) { ${fields} }`).join(' ');
    const s = collect(client, `query { ${aliases} }`);
    await s.ended();
    const errs = s.error as any[];
    assert.equal(errs[0].extensions.code, 'QUERY_TOO_COMPLEX');
    assert.equal(errs[0].extensions.http, undefined);
  });

  test('argument errors keep their code and argument name', async () => {
    const s = collect(client, 'query { recentBlocks(limit: 5000) { height } }');
    const r = await s.next(1);
    assert.equal(r.data, null);
    assert.equal(r.errors![0].extensions!.code, 'BAD_USER_INPUT');
    assert.equal(r.errors![0].extensions!.argument, 'limit');
  });

  test('queries work over WebSocket as well', async () => {
    const s = collect(client, 'query { chainTip { height } }');
    const r = await s.next(1);
    assert.equal(typeof r.data!.chainTip.height, 'number');
  });
});

describe('shutdown', () => {
  test('stop() ends open subscriptions and closes within a few seconds', async () => {
    const env = { databaseUrl: db.url, prefix: 'test:api_ws_stop:' };
    const other = await startTestApi(env);
    const c = wsClient(other.wsUrl);
    const nb = collect(c, 'subscription { newBlock { height } }');
    const ps = collect(c, 'subscription { poolStats { blocksFound } }');
    await ps.next(1);
    const t0 = Date.now();
    await other.stop();
    assert.ok(Date.now() - t0 < 4_000, `stop took ${Date.now() - t0} ms`);
    await nb.ended();
    await ps.ended();
    await c.dispose();
  });
});

async function waitForSubscribers(n: number): Promise<void> {
  await waitFor(null, () => api.services.hub.size === n, 5_000);
}

async function waitFor<T>(s: { results: T[] } | null, ok: (r: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (s) {
      const hit = s.results.find(ok);
      if (hit) return hit;
    } else if ((ok as () => boolean)()) {
      return undefined as T;
    }
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
