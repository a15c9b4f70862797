import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestNode } from '../helpers/node-harness.js';
import { TestWallet, coinbaseUtxo, type Utxo } from '../helpers/wallet.js';

const withoutDiskSize = (s: any) => ({ ...s, disk_size: 0 });

/**
 * Stopping in the middle of a sync, or failing inside a block's transaction, leaves the chain,
 * the UTXO set and its cache consistent: the node resumes where its last committed block left
 * it, with the same UTXO-set hash the source node had at that height.
 */
describe('restarts and failures mid-sync', () => {
  let source: TestNode;
  let t: TestNode;
  const alice = new TestWallet('alice');
  const blocks: string[] = [];
  /** The source's gettxoutsetinfo after each block, by height. */
  const stats = new Map<number, any>();

  before(async () => {
    source = await TestNode.start('node_cs_restart_source');
    t = await TestNode.start('node_cs_restart');
    const hashes: string[] = await source.rpc('generatetoaddress', 101, alice.address);
    const coins: Utxo[] = [];
    for (const h of hashes.slice(0, 30)) coins.push(coinbaseUtxo(await source.rpc('getblock', h, 2)));
    // 30 more blocks, each with a split of a mature coinbase and spends of an earlier split.
    let previous: Utxo[] = [];
    stats.set(101, withoutDiskSize(await source.rpc('gettxoutsetinfo')));
    for (let i = 0; i < 30; i++) {
      const split = alice.split(coins[i], 4);
      const spends = previous.map((u) => alice.spend([u], [{ value: u.value - 300n }]));
      await source.rpc('sendrawtransactions', [split, ...spends].map((x) => ({ hex: x.hex })));
      await source.rpc('generatetoaddress', 1, alice.address);
      const s = withoutDiskSize(await source.rpc('gettxoutsetinfo'));
      stats.set(s.height, s);
      previous = split.outputs;
    }
    const height: number = await source.rpc('getblockcount');
    for (let h = 1; h <= height; h++) blocks.push(await source.rpc('getblock', await source.rpc('getblockhash', h), 0));
  });
  after(async () => {
    await t.close();
    await source.close();
  });

  test('stopped while blocks arrive, the node restarts on its last committed block and catches up', async () => {
    for (const b of blocks.slice(0, 100)) assert.equal(await t.rpc('submitblock', b), null);
    let submitted = 100;
    const feeding = (async () => {
      for (; submitted < blocks.length; submitted++) {
        const r = await t.call('submitblock', [blocks[submitted]]).catch(() => null);
        if (!r || r.error) return;
      }
    })();
    while (submitted < 115) await new Promise((r) => setTimeout(r, 5));
    await t.stop();
    await feeding;

    await t.restart();
    const height: number = await t.rpc('getblockcount');
    assert.ok(height >= 115 && height <= blocks.length, `height ${height}`);
    assert.deepEqual(withoutDiskSize(await t.rpc('gettxoutsetinfo')), stats.get(height));
    for (const b of blocks.slice(height)) assert.equal(await t.rpc('submitblock', b), null);
    assert.deepEqual(withoutDiskSize(await t.rpc('gettxoutsetinfo')), stats.get(blocks.length));
  });

  test('a block whose transaction fails half-way changes nothing, and connects once the fault is gone', async () => {
    // A fault inside the chain transaction, after the UTXO writes: a trigger refusing the block's statistics row.
    await t.db.pool.query(`CREATE FUNCTION refuse_stats() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$ LANGUAGE plpgsql`);
    await t.db.pool.query('CREATE TRIGGER refuse_stats BEFORE INSERT ON block_stats FOR EACH ROW EXECUTE FUNCTION refuse_stats()');
    const tipBefore = await t.rpc('getbestblockhash');
    const before = withoutDiskSize(await t.rpc('gettxoutsetinfo'));
    const coin = coinbaseUtxo(await t.rpc('getblock', await t.rpc('getblockhash', 31), 2));
    const spend = alice.spend([coin], [{ value: coin.value - 1000n }]);
    assert.equal(await t.rpc('sendrawtransaction', spend.hex), spend.txidHex);
    const r = await t.call('generatetoaddress', [1, alice.address]);
    assert.equal(r.error.code, -25, JSON.stringify(r.error));
    assert.match(r.error.message, /disk full/);
    assert.equal(await t.rpc('getbestblockhash'), tipBefore);
    assert.deepEqual(withoutDiskSize(await t.rpc('gettxoutsetinfo')), before);
    // Memory followed the rollback: the spent coin is still there, the new output is not.
    assert.notEqual(await t.rpc('gettxout', Buffer.from(coin.txid).reverse().toString('hex'), 0, false), null);
    assert.equal(await t.rpc('gettxout', spend.txidHex, 0, false), null);
    assert.deepEqual(await t.rpc('getrawmempool'), [spend.txidHex]);

    await t.db.pool.query('DROP TRIGGER refuse_stats ON block_stats');
    const [hash] = await t.rpc('generatetoaddress', 1, alice.address);
    assert.equal(await t.rpc('getbestblockhash'), hash);
    assert.equal((await t.rpc('gettxout', spend.txidHex, 0, false)).confirmations, 1);
    assert.deepEqual(await t.rpc('getrawmempool'), []);
  });

  test('a database from before the chain state existed gets it built at start', async () => {
    const before = withoutDiskSize(await t.rpc('gettxoutsetinfo'));
    await t.stop();
    // What a skeleton-era database looks like: blocks and the active chain, no chain-state rows.
    await t.db.pool.query('TRUNCATE utxo, block_undo, tx_index, address_history, address_balance, block_stats');
    await t.restart();
    assert.deepEqual(withoutDiskSize(await t.rpc('gettxoutsetinfo')), before);
    const tip = await t.rpc('getblock', await t.rpc('getbestblockhash'), 2);
    assert.equal((await t.rpc('getrawtransaction', tip.tx[0].txid, true)).confirmations, 1);
  });

  test('the mempool is kept across a restart', async () => {
    const coin = coinbaseUtxo(await t.rpc('getblock', await t.rpc('getblockhash', 32), 2));
    const a = alice.spend([coin], [{ value: coin.value - 1000n }]);
    const b = alice.spend([a.outputs[0]], [{ value: a.outputs[0].value - 1000n }]);
    await t.rpc('sendrawtransactions', [{ hex: a.hex }, { hex: b.hex }]);
    const entries = await t.rpc('getrawmempool', true);
    await t.stop();
    await t.restart();
    assert.deepEqual(await t.rpc('getrawmempool', true), entries);
  });
});
