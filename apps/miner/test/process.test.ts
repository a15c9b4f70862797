// The miner process as `npm start` runs it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_REDIS_URL, clearRedisPrefix, testRedisPrefix } from '@metamorph/testing';
import { startStratum, type StratumApp } from '../../stratum/src/app.js';
import { NodeDouble } from '../../stratum/test/support/node-double.js';
import { memoryLogger } from '../../stratum/test/support/silent-logger.js';
import { freePort, spawnApp } from '../../stratum/test/support/spawn-app.js';
import { testStratumConfig } from '../../stratum/test/support/stratum-fixture.js';

const MINER = 'apps/miner/src/main.ts';
const prefix = testRedisPrefix('miner_process');
let node: NodeDouble;
let stratum: StratumApp;

before(async () => {
  await clearRedisPrefix(prefix);
  node = await new NodeDouble().listen();
  stratum = await startStratum(
    testStratumConfig({ REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, STRATUM_NODE_RPC_URL: node.url, STRATUM_DIFFICULTY: '0.00002' }),
    { logger: memoryLogger() },
  );
});

after(async () => {
  await stratum?.close();
  await node?.close();
  await clearRedisPrefix(prefix);
});

test('bad settings and an unreachable pool: one clear line, exit 1', async () => {
  const closed = await freePort();
  const bad = spawnApp(MINER, { MINER_WORKERS: '0', MINER_STRATUM_URL: 'http://x:1', NETWORK: 'mainnet' });
  const unreachable = spawnApp(MINER, { MINER_STRATUM_URL: `stratum+tcp://127.0.0.1:${closed}` });
  assert.equal((await bad.exited).code, 1);
  assert.deepEqual(bad.stderr.sort(), [
    'miner: invalid configuration: MINER_STRATUM_URL "http://x:1" is not a URL starting with stratum+tcp://',
    'miner: invalid configuration: MINER_WORKERS "0" is not an integer from 1 to 19000',
  ]);
  assert.equal((await unreachable.exited).code, 1);
  assert.deepEqual(unreachable.stderr, [
    `miner: cannot start: the pool at 127.0.0.1:${closed} is not reachable (ECONNREFUSED): start the stratum, or point MINER_STRATUM_URL at it`,
  ]);
});

test('the fleet mines blocks through the stratum, then stops on SIGTERM', async () => {
  const miner = spawnApp(MINER, { MINER_STRATUM_URL: `stratum+tcp://127.0.0.1:${stratum.address.port}`, MINER_WORKERS: '2', MINER_CPU_PERCENT: '50' });
  try {
    await miner.waitForLine(/INFO  miner: mining workers=2/);
    const deadline = Date.now() + 60_000;
    while (node.accepted.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(node.accepted.length >= 1, 'a block within a minute');
    miner.child.kill('SIGTERM');
    assert.deepEqual(await miner.exited, { code: 0, signal: null });
    assert.equal(miner.stderr.filter((l) => !l.includes('WARN')).length, 0, miner.stderr.join('\n'));
  } finally {
    miner.stop();
  }
});
