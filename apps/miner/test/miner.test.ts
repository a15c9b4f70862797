import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PrivateKey, addressFromPublicKey, encodeAddress, encodeWif, makeWifKey, regtest } from '@metamorph/bitcoin';
import { TEST_REDIS_URL, clearRedisPrefix, testRedisPrefix } from '@metamorph/testing';
import { MinerFleet } from '../src/fleet.js';
import { scanNonces } from '../src/hasher.js';
import { REGTEST_MINER_KEYS, REGTEST_MINER_ADDRESSES } from '../src/test-keys.js';
import { hashValue, sha256d } from '../src/work.js';
import { startStratum, type StratumApp } from '../../stratum/src/app.js';
import { NodeDouble, makeTx } from '../../stratum/test/support/node-double.js';
import { memoryLogger } from '../../stratum/test/support/silent-logger.js';
import { testStratumConfig } from '../../stratum/test/support/stratum-fixture.js';

test('the fleet addresses are P2PKH of the compressed public keys of test keys 2, 3 and 4', () => {
  for (const k of REGTEST_MINER_KEYS) {
    const secret = new Uint8Array(32);
    secret[31] = Number(k.privateKey);
    assert.equal(encodeAddress(addressFromPublicKey(regtest, PrivateKey.fromBytes(secret).publicKey().bytes)), k.address);
    assert.equal(encodeWif(makeWifKey(regtest, secret, true)), k.wif);
  }
  assert.equal(new Set(REGTEST_MINER_ADDRESSES).size, 3);
});

test('nonce scanning finds exactly the nonces whose hash meets the target', () => {
  const header = Buffer.alloc(80, 7);
  const target = 1n << 250n;
  const found = scanNonces(header, 1000, 2000, target);
  let expected = 0;
  for (let n = 1000; n < 3000; n++) {
    header.writeUInt32LE(n, 76);
    if (hashValue(sha256d(header)) <= target) expected++;
  }
  assert.equal(found.length, expected);
  assert.ok(found.length > 0);
  for (const f of found) {
    header.writeUInt32LE(f.nonce, 76);
    assert.deepEqual(sha256d(header), f.hash);
  }
});

describe('the CPU miner fleet against the stratum over real TCP', () => {
  const prefix = testRedisPrefix('miner_fleet');
  let node: NodeDouble;
  let app: StratumApp;
  let fleet: MinerFleet;

  before(async () => {
    await clearRedisPrefix(prefix);
    node = await new NodeDouble({ events: { redisUrl: TEST_REDIS_URL, prefix } }).listen();
    node.mempool = [makeTx(1), makeTx(2), makeTx(3)];
    app = await startStratum(
      testStratumConfig({ REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, STRATUM_NODE_RPC_URL: node.url, STRATUM_DIFFICULTY: '0.00002', STRATUM_VARDIFF: 'false' }),
      { logger: memoryLogger() },
    );
  });

  after(async () => {
    fleet?.stop();
    await app?.close();
    await node?.close();
    await clearRedisPrefix(prefix);
  });

  test('workers authorize as <address>.cpuN, find shares, and their blocks connect on the node', async () => {
    const logs: string[] = [];
    fleet = new MinerFleet({
      host: '127.0.0.1',
      port: app.address.port,
      workers: 3,
      addresses: REGTEST_MINER_ADDRESSES,
      workerPrefix: 'cpu',
      password: 'x',
      cpuPercent: 60,
      logger: memoryLogger(logs),
    });
    assert.deepEqual(fleet.workers.map((w) => w.name), REGTEST_MINER_ADDRESSES.map((a, i) => `${a}.cpu${i + 1}`));
    await fleet.start();
    const deadline = Date.now() + 60_000;
    while ((node.accepted.length < 3 || fleet.totals().accepted < 3) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const totals = fleet.totals();
    assert.ok(totals.accepted >= 3, `accepted ${totals.accepted}`);
    assert.ok(totals.hashes > 0);
    // On regtest almost every share is also a block, and the node checked each (PoW, merkle root,
    // coinbase). Workers racing on one tip may submit a second block on a parent that was just
    // replaced; nothing else may be refused.
    assert.ok(node.accepted.length >= 3, `blocks ${node.accepted.length}`);
    assert.ok(node.submissions.every((s) => s === null || s === 'inconclusive'), JSON.stringify(node.submissions));
    assert.equal(node.accepted[0].txCount, 4, 'the first block carried the template transactions');
    const rejections = logs.filter((l) => l.includes('share rejected'));
    assert.ok(rejections.every((l) => /Stale job|Job not found/.test(l)), rejections.join('\n'));
  });
});
