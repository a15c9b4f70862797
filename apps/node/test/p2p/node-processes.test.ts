import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { hashFromHex } from '@metamorph/bitcoin';
import { clearRedisPrefix, createTestDatabase, testRedisPrefix, TEST_REDIS_URL, type TestDatabase, freePort } from '@metamorph/testing';
import { blockHex, buildBlock, mine } from '../helpers/blocks.js';
import { waitFor } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

interface Proc {
  child: ChildProcess;
  out: string;
  rpcPort: number;
  exit: Promise<number | null>;
}

function startProcess(env: Record<string, string>, args: string[], rpcPort: number): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/node/src/main.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', NODE_RPC_PORT: String(rpcPort), NODE_P2P_BIND: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const p: Proc = { child, out: '', rpcPort, exit: new Promise((r) => child.on('exit', (code) => r(code))) };
  child.stdout!.on('data', (d) => (p.out += d));
  child.stderr!.on('data', (d) => (p.out += d));
  return p;
}

async function rpc(p: Proc, method: string, params: unknown[] = []): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${p.rpcPort}/`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('metamorph:metamorph').toString('base64')}` },
    body: JSON.stringify({ method, params, id: 1 }),
  });
  const j = (await res.json()) as { result: any; error: { message: string } | null };
  if (j.error) throw new Error(`${method}: ${j.error.message}`);
  return j.result;
}

describe('two node processes on regtest', () => {
  const dbs: TestDatabase[] = [];
  const prefixes = [testRedisPrefix('node_p2p_proc_a'), testRedisPrefix('node_p2p_proc_b')];
  const procs: Proc[] = [];
  before(async () => {
    dbs.push(await createTestDatabase('node_p2p_proc_a'), await createTestDatabase('node_p2p_proc_b'));
  });
  after(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    for (const d of dbs) await d.close();
    for (const x of prefixes) await clearRedisPrefix(x);
  });

  it('the second, started later with only --connect, reaches the first one\'s tip; both stop cleanly', async () => {
    const p2pA = await freePort();
    const a = startProcess({ DATABASE_URL: dbs[0].url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefixes[0], NODE_P2P_PORT: String(p2pA) }, [], await freePort());
    procs.push(a);
    await waitFor(() => a.out.includes('RPC server listening'), 30_000, 'node A');
    for (let h = 1; h <= 5; h++) {
      const best = await rpc(a, 'getbestblockhash');
      const time = Math.floor(Date.now() / 1000) - 100 + h;
      assert.equal(await rpc(a, 'submitblock', [blockHex(mine(buildBlock({ prevHash: hashFromHex(best), height: h, time })))]), null);
    }
    const b = startProcess({ DATABASE_URL: dbs[1].url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefixes[1] }, [`--connect=127.0.0.1:${p2pA}`, '--listen=0'], await freePort());
    procs.push(b);
    await waitFor(() => b.out.includes('RPC server listening'), 30_000, 'node B');
    const tipA = await rpc(a, 'getbestblockhash');
    await waitFor(async () => (await rpc(b, 'getbestblockhash')) === tipA, 30_000, 'B at A\'s tip');
    assert.equal(await rpc(b, 'getblockcount'), 5);
    const [peer] = await rpc(b, 'getpeerinfo');
    assert.equal(peer.addr, `127.0.0.1:${p2pA}`);
    assert.match(b.out, /new outbound peer connected/);
    for (const p of [b, a]) {
      p.child.kill('SIGTERM');
      assert.equal(await p.exit, 0);
    }
  });
});
