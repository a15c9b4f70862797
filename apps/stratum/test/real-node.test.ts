// End to end with the real node (apps/node): node templates and events → stratum → CPU miner fleet
// over TCP → submitblock → the node's chain, and the shares and found blocks in Postgres.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBlock, fromHex, hashToHex, regtest, toHex } from '@metamorph/bitcoin';
import { loadNodeConfig } from '@metamorph/config';
import { TEST_REDIS_URL, clearRedisPrefix, createTestDatabase, testRedisPrefix, type TestDatabase } from '@metamorph/testing';
import { startNode, type RunningNode } from '../../node/src/node.js';
import { MinerFleet } from '../../miner/src/fleet.js';
import { REGTEST_MINER_ADDRESSES } from '../../miner/src/test-keys.js';
import { startAccountingWorker, type AccountingWorker } from '../src/accounting/accounting-worker.js';
import { BlockTracker } from '../src/accounting/block-tracker.js';
import { parseP2pkhAddress } from '../src/address.js';
import { startStratum, type StratumApp } from '../src/app.js';
import { createNodeRpc, type NodeRpc } from '../src/node-rpc.js';
import { REGTEST_POOL_ADDRESS } from '../src/regtest-pool-key.js';
import { memoryLogger } from './support/silent-logger.js';
import { testStratumConfig } from './support/stratum-fixture.js';

const SUITE = 'stratum_real_node';

describe('stratum and miner fleet against the real node', () => {
  const prefix = testRedisPrefix(SUITE);
  let db: TestDatabase;
  let node: RunningNode;
  let stratum: StratumApp;
  let accounting: AccountingWorker;
  let fleet: MinerFleet;
  let rpc: NodeRpc;
  const stratumLogs: string[] = [];

  before(async () => {
    await clearRedisPrefix(prefix);
    db = await createTestDatabase(SUITE);
    const base = loadNodeConfig({ DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, LOG_LEVEL: 'error' });
    node = await startNode({ ...base, rpc: { ...base.rpc, bind: '127.0.0.1', port: 0 } }, { logger: memoryLogger() });
    const url = `http://metamorph:metamorph@127.0.0.1:${node.rpcAddress.port}`;
    rpc = createNodeRpc(url);
    stratum = await startStratum(
      // A long poll interval: new work after each block comes from the node's TemplateChanged events.
      testStratumConfig({ REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, STRATUM_NODE_RPC_URL: url, STRATUM_DIFFICULTY: '0.00002', STRATUM_VARDIFF: 'false' }, { STRATUM_POLL_INTERVAL_MS: 600_000 }),
      { logger: memoryLogger(stratumLogs) },
    );
    accounting = startAccountingWorker({ REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, ACCOUNTING_BATCH_SIZE: 100, ACCOUNTING_BATCH_WAIT_MS: 10 }, db.pool, memoryLogger());
  });

  after(async () => {
    fleet?.stop();
    await stratum?.close();
    await accounting?.close();
    rpc?.close();
    await node?.stop();
    await db?.close();
    await clearRedisPrefix(prefix);
  });

  test('blocks found by the fleet become the node chain, paying the pool, recorded as ACCEPTED', async () => {
    fleet = new MinerFleet({
      host: '127.0.0.1',
      port: stratum.address.port,
      workers: 2,
      addresses: REGTEST_MINER_ADDRESSES,
      workerPrefix: 'cpu',
      password: 'x',
      cpuPercent: 60,
      logger: memoryLogger(),
      versionRolling: true,
    });
    await fleet.start();
    const deadline = Date.now() + 60_000;
    // Mine until there are 3 blocks and both workers' shares have reached the database
    // (on a loaded machine one worker can win the first blocks alone).
    const workerCount = async () => Number((await db.pool.query<{ n: string }>('SELECT count(DISTINCT worker_id) AS n FROM share')).rows[0].n);
    while (((await rpc.call<number>('getblockcount')) < 3 || (await workerCount()) < 2) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    fleet.stop();
    assert.ok(fleet.totals().rolled > 0, 'shares with rolled version bits were accepted');
    // Let submissions under way finish and their verdicts reach the queue before looking.
    await stratum.blocks.drain();
    await stratum.sink.drain();
    const height = await rpc.call<number>('getblockcount');
    assert.ok(height >= 3, `chain height ${height}`);

    // Every block of the active chain was built by the stratum: BIP34 height, pool tag, pool output.
    const poolScript = toHex(parseP2pkhAddress(REGTEST_POOL_ADDRESS, regtest).script);
    for (let h = 1; h <= height; h++) {
      const hash = await rpc.call<string>('getblockhash', [h]);
      const block = decodeBlock(fromHex(await rpc.call<string>('getblock', [hash, 0])));
      const cb = block.txs[0];
      assert.equal(toHex(cb.outputs[0].script), poolScript);
      assert.equal(cb.outputs[0].value, 50n * 100_000_000n);
      assert.ok(new TextDecoder().decode(cb.inputs[0].script).includes('/metamorph/'));
    }
    const tip = await rpc.call<string>('getbestblockhash');
    const deadline2 = Date.now() + 10_000;
    while (hashToHex(stratum.jobs.current()!.template.prevHash) !== tip && Date.now() < deadline2) await new Promise((r) => setTimeout(r, 20));
    assert.equal(hashToHex(stratum.jobs.current()!.template.prevHash), tip, 'the stratum works on the node tip');

    // Accounting: every block the node took is ACCEPTED; racing blocks on a replaced tip are
    // SUBMITTED with the node's "inconclusive" until the block tracker sees another block holds
    // their height: then ORPHANED. Nothing was refused.
    const rows = await waitForRows(db, height);
    const accepted = rows.filter((r) => r.status === 'ACCEPTED').map((r) => hashToHex(r.hash));
    for (let h = 1; h <= height; h++) assert.ok(accepted.includes(await rpc.call<string>('getblockhash', [h])), `block ${h} recorded`);
    assert.deepEqual(rows.filter((r) => r.status !== 'ACCEPTED').map((r) => `${r.status} ${r.submit_result}`).filter((s) => s !== 'SUBMITTED inconclusive'), []);
    const tracker = new BlockTracker({ pool: db.pool, rpc, logger: memoryLogger(), intervalMs: 60_000, unknownGraceMs: 0 });
    await tracker.check();
    await tracker.close();
    const tracked = await db.pool.query<{ hash: Buffer; status: string; confirmations: number }>('SELECT hash, status, confirmations FROM found_block');
    for (const r of tracked.rows) {
      const hex = hashToHex(new Uint8Array(r.hash));
      if (accepted.includes(hex)) {
        const header = await rpc.call<{ confirmations: number }>('getblockheader', [hex]);
        assert.deepEqual([r.status, r.confirmations], ['ACCEPTED', header.confirmations], hex);
      } else assert.ok(r.status === 'ORPHANED' || r.status === 'REJECTED', `${hex}: ${r.status}`);
    }
    const shares = await db.pool.query<{ n: string; blocks: string }>('SELECT count(*) AS n, count(*) FILTER (WHERE is_block) AS blocks FROM share');
    assert.ok(Number(shares.rows[0].blocks) >= height);
    const workers = await db.pool.query<{ name: string }>('SELECT name FROM worker ORDER BY name');
    assert.deepEqual(workers.rows.map((r) => r.name), ['cpu1', 'cpu2']);
    assert.ok(stratumLogs.some((l) => l.includes('block accepted by the node')));
  });
});

async function waitForRows(db: TestDatabase, atLeast: number) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const r = await db.pool.query<{ hash: Uint8Array; status: string; submit_result: string | null }>('SELECT hash, status, submit_result FROM found_block');
    const verdictsIn = !r.rows.some((x) => x.status === 'SUBMITTED' && x.submit_result === null);
    if ((verdictsIn && r.rows.filter((x) => x.status === 'ACCEPTED').length >= atLeast) || Date.now() > deadline) return r.rows;
    await new Promise((res) => setTimeout(res, 50));
  }
}
