import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Channel, channelKey } from '@metamorph/queue';
import { blockSubsidy, hashFromHex, regtest, type Block } from '@metamorph/bitcoin';
import { EventListener, TestNode } from '../helpers/node-harness.js';
import { blockHashHex, blockHex, buildBlock, coinbaseTx, mine } from '../helpers/blocks.js';
import { TestWallet, coinbaseUtxo, type Utxo } from '../helpers/wallet.js';

const sorted = (xs: string[]) => [...xs].sort();
const withoutDiskSize = (s: any) => ({ ...s, disk_size: 0 });

/**
 * A three-block reorganisation: the UTXO set becomes exactly that of the new chain (the same
 * hash a node that only ever saw the new chain computes), the transactions of the
 * disconnected blocks return to the mempool unless the new chain spent their inputs, and
 * going back restores the first state exactly.
 */
describe('reorganisations restore the UTXO set and the mempool', () => {
  let t: TestNode;
  let fresh: TestNode;
  let events: EventListener;
  const alice = new TestWallet('alice');
  const coins: Utxo[] = [];

  before(async () => {
    t = await TestNode.start('node_cs_reorg');
    fresh = await TestNode.start('node_cs_reorg_fresh');
    events = await EventListener.start([
      channelKey(t.prefix, Channel.BlockConnected),
      channelKey(t.prefix, Channel.BlockDisconnected),
      channelKey(t.prefix, Channel.TemplateChanged),
    ]);
    const hashes: string[] = await t.rpc('generatetoaddress', 101, alice.address);
    for (const h of hashes.slice(0, 5)) coins.push(coinbaseUtxo(await t.rpc('getblock', h, 2)));
    for (const h of hashes) assert.equal(await fresh.rpc('submitblock', await t.rpc('getblock', h, 0)), null);
  });
  after(async () => {
    await events.close();
    await fresh.close();
    await t.close();
  });

  test('three blocks replaced by four', async () => {
    const fork = await t.tip();
    // Main branch A1..A3 mined from the mempool.
    const tx1 = alice.spend([coins[0]], [{ value: coins[0].value - 1000n }]);
    await t.rpc('sendrawtransaction', tx1.hex);
    const [a1] = await t.rpc('generatetoaddress', 1, alice.address);
    const tx2 = alice.spend([tx1.outputs[0]], [{ value: tx1.outputs[0].value - 1000n }]);
    const tx3 = alice.spend([coins[1]], [{ value: coins[1].value - 1000n }]);
    await t.rpc('sendrawtransactions', [{ hex: tx2.hex }, { hex: tx3.hex }]);
    const [a2] = await t.rpc('generatetoaddress', 1, alice.address);
    const tx4 = alice.spend([coins[2]], [{ value: coins[2].value - 1000n }]);
    await t.rpc('sendrawtransaction', tx4.hex);
    const [a3] = await t.rpc('generatetoaddress', 1, alice.address);
    // Waiting in the mempool meanwhile.
    const tx5 = alice.spend([coins[3]], [{ value: coins[3].value - 1000n }]);
    await t.rpc('sendrawtransaction', tx5.hex);

    const stateA = withoutDiskSize(await t.rpc('gettxoutsetinfo'));
    assert.deepEqual(Object.keys(stateA), ['height', 'bestblock', 'transactions', 'txouts', 'bogosize', 'hash_serialized', 'disk_size', 'total_amount']);
    assert.equal(stateA.height, fork.height + 3);
    assert.equal(stateA.bestblock, a3);
    const mempoolA = sorted(await t.rpc('getrawmempool'));
    assert.deepEqual(mempoolA, [tx5.txidHex]);

    // Branch B1..B4 from the fork; B2 spends the coin tx4 spent on the main branch.
    const txX = alice.spend([coins[2]], [{ value: coins[2].value - 3000n }]);
    const branch: Block[] = [];
    let prev = fork;
    for (let i = 1; i <= 4; i++) {
      const height = fork.height + i;
      const txs = i === 2 ? [txX.tx] : [];
      const fees = i === 2 ? 3000n : 0n;
      const b = mine(
        buildBlock({
          prevHash: prev.hash,
          height,
          time: prev.time + 1,
          coinbase: coinbaseTx({ height, value: blockSubsidy(height, regtest) + fees, extra: new Uint8Array([0xb, i]) }),
          txs,
        }),
      );
      branch.push(b);
      prev = { hash: hashFromHex(blockHashHex(b)), height, time: prev.time + 1 };
    }
    const start = await events.settled(a3);
    for (const b of branch.slice(0, 3)) assert.equal(await t.rpc('submitblock', blockHex(b)), 'inconclusive');
    assert.equal(await t.rpc('getbestblockhash'), a3);
    assert.equal(await t.rpc('submitblock', blockHex(branch[3])), null);
    assert.equal(await t.rpc('getbestblockhash'), blockHashHex(branch[3]));

    // The disconnected transactions are back at once, except tx4 whose input B2 spent.
    assert.deepEqual(sorted(await t.rpc('getrawmempool')), sorted([tx1.txidHex, tx2.txidHex, tx3.txidHex, tx5.txidHex]));
    assert.equal(await t.rpc('gettxout', tx4.txidHex, 0, false), null);
    assert.equal((await t.rpc('gettxout', txX.txidHex, 0, false)).confirmations, 3);

    // Events: three disconnected (highest first), four connected (lowest first), one template.
    await events.settled(blockHashHex(branch[3]));
    const seen = events.messages.slice(start).map((m) => [m.channel.slice(t.prefix.length), m.payload.hash ?? m.payload.prevHash]);
    assert.deepEqual(seen, [
      ['events:block-disconnected', a3],
      ['events:block-disconnected', a2],
      ['events:block-disconnected', a1],
      ...branch.map((b) => ['events:block-connected', blockHashHex(b)]),
      ['events:template-changed', blockHashHex(branch[3])],
    ]);

    // A node that only ever saw branch B has the same UTXO set, to the hash.
    for (const b of branch) assert.equal(await fresh.rpc('submitblock', blockHex(b)), null);
    const stateB = withoutDiskSize(await t.rpc('gettxoutsetinfo'));
    assert.deepEqual(stateB, withoutDiskSize(await fresh.rpc('gettxoutsetinfo')));
    assert.notEqual(stateB.hash_serialized, stateA.hash_serialized);

    // invalidateblock B1: back to A3; the first state returns exactly (txX conflicts with tx4 again and is dropped).
    await t.rpc('invalidateblock', blockHashHex(branch[0]));
    assert.equal(await t.rpc('getbestblockhash'), a3);
    assert.deepEqual(withoutDiskSize(await t.rpc('gettxoutsetinfo')), stateA);
    assert.deepEqual(sorted(await t.rpc('getrawmempool')), mempoolA);
    const tips = await t.rpc('getchaintips');
    assert.equal(tips.find((x: any) => x.hash === blockHashHex(branch[3])).status, 'invalid');

    // reconsiderblock: branch B is the most work again.
    await t.rpc('reconsiderblock', blockHashHex(branch[0]));
    assert.equal(await t.rpc('getbestblockhash'), blockHashHex(branch[3]));
    assert.deepEqual(withoutDiskSize(await t.rpc('gettxoutsetinfo')), stateB);
    assert.deepEqual(sorted(await t.rpc('getrawmempool')), sorted([tx1.txidHex, tx2.txidHex, tx3.txidHex, tx5.txidHex]));
  });

  test('invalidateblock on the tip returns its transactions to the mempool; errors as the reference node', async () => {
    const before = await t.tip();
    const [h] = await t.rpc('generatetoaddress', 1, alice.address);
    const mined = (await t.rpc('getblock', h)).tx.slice(1);
    assert.ok(mined.length >= 4);
    assert.deepEqual(await t.rpc('getrawmempool'), []);
    assert.equal(await t.rpc('invalidateblock', h), null);
    assert.equal((await t.tip()).height, before.height);
    assert.deepEqual(sorted(await t.rpc('getrawmempool')), sorted(mined));
    assert.deepEqual((await t.call('invalidateblock', ['00'.repeat(32)])).error, { code: -5, message: 'Block not found' });
    assert.deepEqual((await t.call('reconsiderblock', ['zz'])).error, { code: -5, message: 'Block not found' });
  });
});
