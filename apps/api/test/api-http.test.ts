import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestDatabase } from '@metamorph/testing';
import type { RunningApi } from '../src/server.js';
import { gql } from './client.js';
import { appendBlocks, MINER_A, MINER_B, seedPool, type SeededBlock, type SeededPool } from './fixtures.js';
import { startTestApi, testEnvironment } from './setup.js';

const H = 2 ** 32;

let db: TestDatabase;
let api: RunningApi;
let blocks: SeededBlock[];
let pool: SeededPool;

before(async () => {
  const env = await testEnvironment('api_http');
  db = env.db;
  blocks = await appendBlocks(db.pool, 12);
  pool = await seedPool(db.pool, blocks[9]);
  api = await startTestApi({ databaseUrl: db.url, prefix: env.prefix });
});

after(async () => {
  await api?.stop();
  await db?.close();
});

function close(actual: number, expected: number) {
  assert.ok(Math.abs(actual - expected) <= expected * 1e-9, `${actual} ≠ ${expected}`);
}

describe('queries', () => {
  test('chainTip is the highest main_chain block, hash in display order', async () => {
    const { status, body } = await gql(api.url, '{ chainTip { height hash time txCount size foundByPool } }');
    assert.equal(status, 200);
    assert.equal(body.errors, undefined);
    const tip = blocks[11];
    assert.deepEqual(body.data!.chainTip, {
      height: 11,
      hash: tip.hex,
      time: new Date(tip.time * 1000).toISOString(),
      txCount: 1,
      size: 281,
      foundByPool: false,
    });
    // Display order is the reverse of the stored bytes.
    assert.equal(tip.hex, Buffer.from(tip.hash).reverse().toString('hex'));
  });

  test('recentBlocks: newest first, found-by-pool marked with its record', async () => {
    const { body } = await gql(api.url, '{ recentBlocks(limit: 5) { height hash foundByPool found { hash height reward status submitResult worker { name minerAddress } } } }');
    assert.equal(body.errors, undefined);
    const list = body.data!.recentBlocks;
    assert.deepEqual(list.map((b: any) => b.height), [11, 10, 9, 8, 7]);
    assert.deepEqual(list.map((b: any) => b.foundByPool), [false, false, true, false, false]);
    assert.deepEqual(list[2].found, {
      hash: blocks[9].hex,
      height: 9,
      reward: '5000000000',
      status: 'ACCEPTED',
      submitResult: null,
      worker: { name: 'rigA', minerAddress: MINER_A },
    });
    assert.equal(list[0].found, null);
  });

  test('recentBlocks defaults to 10 and never returns more than the chain has', async () => {
    const { body } = await gql(api.url, '{ recentBlocks { height } }');
    assert.equal(body.data!.recentBlocks.length, 10);
    const all = await gql(api.url, '{ recentBlocks(limit: 100) { height } }');
    assert.equal(all.body.data!.recentBlocks.length, 12);
  });

  test('poolStats: hashrate = Σ difficulty × 2^32 / window, counts of workers, shares, blocks', async () => {
    const { body } = await gql(api.url, '{ poolStats { hashrate windowSeconds workersOnline sharesLastHour blocksFound updatedAt } }');
    assert.equal(body.errors, undefined);
    const s = body.data!.poolStats;
    assert.equal(s.windowSeconds, 600);
    close(s.hashrate, (pool.windowDifficulty * H) / 600);
    assert.equal(s.workersOnline, 2);
    assert.equal(s.sharesLastHour, pool.sharesLastHour);
    assert.equal(s.blocksFound, 1, 'the rejected block does not count');
    assert.ok(Math.abs(Date.parse(s.updatedAt) - Date.now()) < 10_000);
  });

  test('workers: most recent first, with miner address, online flag and hashrate', async () => {
    const { body } = await gql(api.url, '{ workers { id name minerAddress online hashrate lastShareAt } }');
    assert.equal(body.errors, undefined);
    const ws = body.data!.workers;
    assert.deepEqual(ws.map((w: any) => [w.name, w.minerAddress, w.online]), [
      ['rigA', MINER_A, true],
      ['rigB', MINER_B, true],
      ['oldRig', MINER_A, false],
    ]);
    assert.equal(ws[0].id, String(pool.workers.rigA));
    close(ws[0].hashrate, (30 * H) / 600);
    close(ws[1].hashrate, (5 * H) / 600);
    assert.equal(ws[2].hashrate, 0);
    const online = await gql(api.url, '{ workers(online: true) { name } }');
    assert.deepEqual(online.body.data!.workers.map((w: any) => w.name), ['rigA', 'rigB']);
    const offline = await gql(api.url, '{ workers(online: false) { name } }');
    assert.deepEqual(offline.body.data!.workers.map((w: any) => w.name), ['oldRig']);
    const one = await gql(api.url, '{ workers(limit: 1) { name } }');
    assert.equal(one.body.data!.workers.length, 1);
  });

  test('recentShares: newest first, filtered by worker or miner', async () => {
    const { body } = await gql(api.url, '{ recentShares(limit: 3) { id difficulty actualDifficulty height isBlock submittedAt worker { name } } }');
    assert.equal(body.errors, undefined);
    const shares = body.data!.recentShares;
    assert.equal(shares.length, 3);
    assert.deepEqual(shares[0], { ...shares[0], difficulty: '1', actualDifficulty: '12.5', height: 9, isBlock: false, worker: { name: 'rigA' } });
    const times = shares.map((s: any) => Date.parse(s.submittedAt));
    assert.deepEqual([...times].sort((a, b) => b - a), times);

    const byWorker = await gql(api.url, 'query($w: ID) { recentShares(workerId: $w, limit: 100) { difficulty worker { name } } }', { w: String(pool.workers.rigB) });
    assert.equal(byWorker.body.data!.recentShares.length, 10);
    assert.ok(byWorker.body.data!.recentShares.every((s: any) => s.worker.name === 'rigB' && s.difficulty === '0.5'));

    const byMiner = await gql(api.url, `{ recentShares(minerAddress: "${MINER_A}", limit: 100) { worker { name minerAddress } } }`);
    assert.equal(byMiner.body.data!.recentShares.length, 38);
    assert.ok(byMiner.body.data!.recentShares.every((s: any) => s.worker.minerAddress === MINER_A));
  });

  test('introspection works and costs nothing', async () => {
    const { status, body } = await gql(api.url, '{ __schema { queryType { name } subscriptionType { name } types { name fields { name type { name ofType { name ofType { name ofType { name } } } } } } } }');
    assert.equal(status, 200);
    assert.equal(body.data!.__schema.subscriptionType.name, 'Subscription');
  });
});

describe('errors', () => {
  test('a limit out of range names the argument and the allowed range', async () => {
    for (const limit of [0, 101, -5]) {
      const { status, body } = await gql(api.url, `{ recentBlocks(limit: ${limit}) { height } }`);
      assert.equal(status, 200);
      assert.equal(body.data, null);
      assert.equal(body.errors![0].extensions!.code, 'BAD_USER_INPUT');
      assert.equal(body.errors![0].extensions!.argument, 'limit');
      assert.equal(body.errors![0].message, `limit must be an integer from 1 to 100, got ${limit}`);
      assert.deepEqual(body.errors![0].path, ['recentBlocks']);
    }
  });

  test('an error in one field is reported once, with its path', async () => {
    const { body } = await gql(api.url, '{ chainTip { height } recentShares(limit: 1000) { id } }');
    // recentShares is non-null, so its failure nulls the whole result (GraphQL's rule).
    assert.equal(body.data, null);
    assert.equal(body.errors!.length, 1);
    assert.deepEqual(body.errors![0].path, ['recentShares']);
  });

  test('bad ids and addresses are refused by name', async () => {
    const id = await gql(api.url, '{ recentShares(workerId: "12abc") { id } }');
    assert.equal(id.body.errors![0].extensions!.argument, 'workerId');
    assert.match(id.body.errors![0].message, /workerId must be a positive integer id, got "12abc"/);
    const addr = await gql(api.url, '{ recentShares(minerAddress: "not an address!") { id } }');
    assert.equal(addr.body.errors![0].extensions!.argument, 'minerAddress');
    assert.match(addr.body.errors![0].message, /^minerAddress is not a regtest address: /);
    const mainnet = await gql(api.url, '{ recentShares(minerAddress: "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2") { id } }');
    assert.equal(mainnet.body.errors![0].message, 'minerAddress is not a regtest address: prefix 0x00 is a mainnet address, expected regtest');
  });

  test('unknown fields, wrong types and syntax errors are refused with 400', async () => {
    const unknown = await gql(api.url, '{ chainTip { height colour } }');
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.errors![0].extensions!.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.match(unknown.body.errors![0].message, /Cannot query field "colour" on type "Block"/);

    const wrongType = await gql(api.url, 'query($n: Int) { recentBlocks(limit: $n) { height } }', { n: 'ten' });
    assert.equal(wrongType.status, 400);
    assert.equal(wrongType.body.errors![0].extensions!.code, 'BAD_USER_INPUT');

    const syntax = await gql(api.url, '{ chainTip { height }');
    assert.equal(syntax.status, 400);
    assert.equal(syntax.body.errors![0].extensions!.code, 'GRAPHQL_PARSE_FAILED');
  });

  test('a query whose cost exceeds the limit is refused before it runs', async () => {
    const fields = 'id difficulty actualDifficulty height isBlock submittedAt worker { id name minerAddress online hashrate lastShareAt }';
    const aliases = Array.from({ length: 10 }, (_, i) => `s${i}: recentShares(limit: 100) { ${fields} }`).join(' ');
    const { status, body } = await gql(api.url, `{ ${aliases} }`);
    assert.equal(status, 400);
    assert.equal(body.errors![0].extensions!.code, 'QUERY_TOO_COMPLEX');
    assert.match(body.errors![0].message, /Query cost is \d+ .*the limit is 10000/);
    assert.equal(body.data, undefined);

    // The same with limits from variables.
    const vars = Array.from({ length: 10 }, (_, i) => `s${i}: recentShares(limit: $n) { ${fields} }`).join(' ');
    const small = await gql(api.url, `query($n: Int) { ${vars} }`, { n: 2 });
    assert.equal(small.status, 200);
    assert.equal(small.body.errors, undefined);
    const big = await gql(api.url, `query($n: Int) { ${vars} }`, { n: 100 });
    assert.equal(big.body.errors![0].extensions!.code, 'QUERY_TOO_COMPLEX');
  });

  test('malformed JSON and oversized bodies get JSON errors', async () => {
    const bad = await fetch(api.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": "{ chainTip' });
    assert.equal(bad.status, 400);
    const badBody = (await bad.json()) as any;
    assert.equal(badBody.errors[0].extensions.code, 'BAD_REQUEST');
    assert.match(badBody.errors[0].message, /not valid JSON/);

    const huge = await fetch(api.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ chainTip { height } } #${'x'.repeat(100_000)}` }) });
    assert.equal(huge.status, 413);
    assert.equal(((await huge.json()) as any).errors[0].extensions.code, 'PAYLOAD_TOO_LARGE');

    const empty = await fetch(api.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(empty.status, 400);
  });

  test('a nesting deeper than the configured limit is refused', async () => {
    const env = { databaseUrl: db.url, prefix: 'test:api_http_strict:' };
    const strict = await startTestApi(env, { API_MAX_DEPTH: '3' });
    try {
      const ok = await gql(strict.url, '{ recentBlocks(limit: 1) { found { height } } }');
      assert.equal(ok.status, 200);
      const deep = await gql(strict.url, '{ recentBlocks(limit: 1) { found { worker { name } } } }');
      assert.equal(deep.status, 400);
      assert.equal(deep.body.errors![0].extensions!.code, 'QUERY_TOO_DEEP');
      assert.equal(deep.body.errors![0].message, 'Query is nested 4 levels deep; the limit is 3');
      // Fragments count where they are spread.
      const frag = await gql(strict.url, 'query { recentBlocks(limit: 1) { ...B } } fragment B on Block { found { worker { name } } }');
      assert.equal(frag.body.errors![0].extensions!.code, 'QUERY_TOO_DEEP');
    } finally {
      await strict.stop();
    }
  });

  test('an unreachable database is reported as SERVICE_UNAVAILABLE, not a crash', async () => {
    const down = await startTestApi({ databaseUrl: 'postgresql://postgres@127.0.0.1:1/nowhere', prefix: 'test:api_http_down:' });
    try {
      const { status, body } = await gql(down.url, '{ chainTip { height } }');
      assert.equal(status, 200);
      assert.equal(body.errors![0].extensions!.code, 'SERVICE_UNAVAILABLE');
      assert.match(body.errors![0].message, /database is unavailable/);
      assert.equal((await fetch(down.url.replace('/graphql', '/health'))).status, 200);
    } finally {
      await down.stop();
    }
  });
});

describe('http', () => {
  test('CORS preflight and headers for browser clients', async () => {
    const pre = await fetch(api.url, { method: 'OPTIONS', headers: { origin: 'http://127.0.0.1:3000', 'access-control-request-method': 'POST' } });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), '*');
    assert.match(pre.headers.get('access-control-allow-headers')!, /content-type/i);
  });

  test('only listed origins are allowed when configured', async () => {
    const strict = await startTestApi({ databaseUrl: db.url, prefix: 'test:api_http_cors:' }, { API_CORS_ORIGINS: 'http://dash.example:3000' });
    try {
      const ok = await fetch(strict.url, { method: 'OPTIONS', headers: { origin: 'http://dash.example:3000' } });
      assert.equal(ok.headers.get('access-control-allow-origin'), 'http://dash.example:3000');
      const other = await fetch(strict.url, { method: 'OPTIONS', headers: { origin: 'http://evil.example' } });
      assert.equal(other.headers.get('access-control-allow-origin'), null);
    } finally {
      await strict.stop();
    }
  });

  test('GET /health answers', async () => {
    const res = await fetch(api.url.replace('/graphql', '/health'));
    assert.deepEqual(await res.json(), { status: 'ok' });
  });
});
