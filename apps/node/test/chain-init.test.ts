import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hashFromHex, mainnet } from '@metamorph/bitcoin';
import { NodeError, NodeErrorCode } from '../src/errors.js';
import { startNode } from '../src/node.js';
import { GENESIS_HEX, TestNode, testLogger } from './helpers/node-harness.js';

describe('chain initialisation and restart', () => {
  let t: TestNode;
  before(async () => {
    t = await TestNode.start('node_chain_init');
  });
  after(async () => {
    await t.close();
  });

  test('an empty database starts from the regtest genesis block', async () => {
    assert.equal(await t.rpc('getblockcount'), 0);
    assert.equal(await t.rpc('getbestblockhash'), GENESIS_HEX);
    const { rows } = await t.db.pool.query('SELECT height, encode(hash, $1) AS hash FROM main_chain', ['hex']);
    assert.deepEqual(rows, [{ height: 0, hash: Buffer.from(GENESIS_HEX, 'hex').reverse().toString('hex') }]);
    const { rows: idx } = await t.db.pool.query("SELECT status, tx_count, size FROM block_index");
    assert.deepEqual(idx, [{ status: 'VALID', tx_count: 1, size: 285 }]);
  });

  test('the node resumes from the database after a restart', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await t.mineBlock()).result, null);
    const before = await t.rpc('getblockchaininfo');
    assert.equal(before.blocks, 3);
    await t.stop();
    await t.restart();
    const afterRestart = await t.rpc('getblockchaininfo');
    assert.deepEqual(afterRestart, before);
    // And it keeps extending the same chain.
    assert.equal((await t.mineBlock()).result, null);
    assert.equal(await t.rpc('getblockcount'), 4);
  });

  test('a second node on the same database refuses to start', async () => {
    await assert.rejects(startNode(t.config, { logger: testLogger }), (e: unknown) => {
      assert.ok(e instanceof NodeError);
      assert.equal(e.code, NodeErrorCode.DatabaseLocked);
      assert.match(e.message, /another node process is already using this database/);
      return true;
    });
    // The running node is unaffected.
    assert.equal(await t.rpc('getblockcount'), 4);
  });

  test('a database holding another network refuses to load', async () => {
    await t.stop();
    try {
      await assert.rejects(startNode({ ...t.config, network: 'mainnet' }, { logger: testLogger }), (e: unknown) => {
        assert.ok(e instanceof NodeError);
        assert.equal(e.code, NodeErrorCode.ChainMismatch);
        assert.match(e.message, new RegExp(`holds another network's chain \\(genesis ${GENESIS_HEX}, mainnet expects ${Buffer.from(mainnet.genesisHash).reverse().toString('hex')}\\)`));
        return true;
      });
    } finally {
      await t.restart();
    }
    assert.deepEqual(hashFromHex(await t.rpc('getblockhash', 0)), hashFromHex(GENESIS_HEX));
  });
});
