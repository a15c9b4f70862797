import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { createTestDatabase, testRedisPrefix, TEST_REDIS_URL, type TestDatabase, freePort } from '@metamorph/testing';

const MAIN = 'apps/api/src/main.ts';
let db: TestDatabase;

before(async () => {
  db = await createTestDatabase('api_main');
});
after(async () => {
  await db?.close();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function baseEnv(port: number): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: testRedisPrefix('api_main'), API_PORT: String(port), LOG_LEVEL: 'info' };
}

/** Run main.ts to completion (start-up failures exit by themselves). */
function run(env: NodeJS.ProcessEnv, timeoutMs = 20_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`main.ts did not exit within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('invalid configuration: one line per bad variable, exit 1', async () => {
  const r = await run({ ...baseEnv(4000), API_PORT: 'http', NETWORK: 'bitcoin', API_CORS_ORIGINS: 'http://a.example/path', API_MAX_PAGE_SIZE: '0' });
  assert.equal(r.code, 1);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 4, r.stderr);
  assert.ok(lines.every((l) => l.startsWith('api: invalid configuration: ')));
  assert.match(r.stderr, /API_PORT "http" is not a TCP port/);
  assert.match(r.stderr, /NETWORK "bitcoin" is not one of mainnet, testnet, regtest/);
  assert.match(r.stderr, /API_CORS_ORIGINS/);
  assert.match(r.stderr, /API_MAX_PAGE_SIZE "0" is not an integer from 1 to 1000/);
});

test('unreachable Postgres: one clear line, exit 1', async () => {
  const r = await run({ ...baseEnv(await freePort()), DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/metamorph' });
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^api: cannot start: PostgreSQL is not reachable at 127\.0\.0\.1:1 \(ECONNREFUSED\)/);
});

test('unreachable Redis: one clear line, exit 1', async () => {
  const r = await run({ ...baseEnv(await freePort()), REDIS_URL: 'redis://127.0.0.1:1' });
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^api: cannot start: Redis is not reachable at 127\.0\.0\.1:1/);
});

test('port in use: one clear line, exit 1', async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const r = await run(baseEnv(port));
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^api: cannot start: port ${port} on 127\\.0\\.0\\.1 is already in use`));
  } finally {
    blocker.close();
  }
});

test('starts, answers, and exits cleanly on SIGTERM', async () => {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], { env: baseEnv(port), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  try {
    const deadline = Date.now() + 20_000;
    while (!stdout.includes('listening')) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`api did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ chainTip { height } poolStats { blocksFound } }"}' });
    assert.deepEqual(await res.json(), { data: { chainTip: null, poolStats: { blocksFound: 0 } } });
    const t0 = Date.now();
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.ok(Date.now() - t0 < 5_000);
    assert.match(stdout, /stopping signal=SIGTERM/);
    assert.equal(stderr, '');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
