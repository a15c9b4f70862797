import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, clearRedisPrefix, testRedisPrefix, TEST_REDIS_URL, type TestDatabase, waitFor, freePort } from '@metamorph/testing';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = 'apps/node/src/main.ts';

interface Run {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(env: Record<string, string>): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const r: Run = {
    child,
    stdout: '',
    stderr: '',
    exit: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
  };
  child.stdout!.on('data', (d) => (r.stdout += d));
  child.stderr!.on('data', (d) => (r.stderr += d));
  return r;
}

const lines = (s: string) => s.split('\n').filter(Boolean);

describe('the node process (apps/node/src/main.ts)', () => {
  let db: TestDatabase;
  const prefix = testRedisPrefix('node_main');
  let base: Record<string, string>;

  before(async () => {
    db = await createTestDatabase('node_main');
    await clearRedisPrefix(prefix);
    // No P2P listener: these runs must not compete for the network's default port.
    base = { DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, NODE_P2P_LISTEN: '0' };
  });
  after(async () => {
    await clearRedisPrefix(prefix);
    await db.close();
  });

  test('invalid configuration: one line per problem, exit 1', async () => {
    const r = run({ ...base, NETWORK: 'bitcoin', NODE_RPC_PORT: 'abc' });
    assert.equal((await r.exit).code, 1);
    assert.deepEqual(lines(r.stderr), [
      'node: invalid configuration: NETWORK "bitcoin" is not one of mainnet, testnet, regtest',
      'node: invalid configuration: NODE_RPC_PORT "abc" is not a TCP port (1-65535)',
    ]);
    assert.equal(r.stdout, '');
  });

  test('unreachable PostgreSQL: one line, exit 1', async () => {
    const r = run({ ...base, DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/metamorph' });
    assert.equal((await r.exit).code, 1);
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    assert.match(r.stderr, /^node: cannot start: PostgreSQL is not reachable at 127\.0\.0\.1:1 \(ECONNREFUSED\)/);
  });

  test('unreachable Redis: one line, exit 1', async () => {
    const r = run({ ...base, REDIS_URL: 'redis://127.0.0.1:1' });
    assert.equal((await r.exit).code, 1);
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    assert.match(r.stderr, /^node: cannot start: Redis is not reachable at 127\.0\.0\.1:1/);
  });

  test('RPC port in use: one line, exit 1', async () => {
    const blocker = net.createServer();
    const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as net.AddressInfo).port)));
    try {
      const r = run({ ...base, NODE_RPC_PORT: String(port) });
      assert.equal((await r.exit).code, 1);
      assert.deepEqual(lines(r.stderr), [`node: cannot start: port ${port} on 127.0.0.1 is already in use: stop whatever listens there or choose another port`]);
    } finally {
      blocker.close();
    }
  });

  test('serves RPC, refuses a second node on the same database, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const r = run({ ...base, NODE_RPC_PORT: String(port) });
    try {
      await waitFor('the RPC server', () => r.stdout.includes('RPC server listening'), 30_000, 50);
      const res = await fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from('metamorph:metamorph').toString('base64')}` },
        body: '{"method":"getblockcount","id":1}',
      });
      assert.deepEqual(await res.json(), { result: 0, error: null, id: 1 });

      const second = run({ ...base, NODE_RPC_PORT: String(await freePort()) });
      assert.equal((await second.exit).code, 1);
      assert.deepEqual(lines(second.stderr), [
        'node: cannot start: another node process is already using this database (stop it, or give this one its own DATABASE_URL)',
      ]);

      const started = Date.now();
      r.child.kill('SIGTERM');
      const { code } = await r.exit;
      assert.equal(code, 0);
      assert.ok(Date.now() - started < 5000, 'stops within a few seconds');
      assert.match(r.stdout, /node stopped/);
      assert.equal(r.stderr, '');
    } finally {
      if (r.child.exitCode === null) r.child.kill('SIGKILL');
    }
  });
});
