import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadNodeConfig, type NodeConfig } from '@metamorph/config';
import { TestNode } from '../helpers/node-harness.js';
import { TestWallet, coinbaseUtxo } from '../helpers/wallet.js';
import { waitFor } from '../p2p/helpers.js';
import { freePort } from '@metamorph/testing';

const nodes: TestNode[] = [];
after(async () => {
  for (const n of nodes) await n.close().catch(() => {});
});

function p2p(p: Partial<NodeConfig['p2p']>): Partial<NodeConfig> {
  const base = loadNodeConfig({});
  return { p2p: { ...base.p2p, bind: '127.0.0.1', port: 0, ...p } };
}

/** The mempool behind P2P: transactions relay between two nodes, blocks with spends sync and empty both mempools. */
describe('transactions and spending blocks over P2P', () => {
  test('a transaction sent to either node reaches the other; the block mining them connects on both', async () => {
    const alice = new TestWallet('alice');
    const port = await freePort();
    const a = await TestNode.start('node_cs_relay_a', {}, p2p({ port }));
    nodes.push(a);
    const hashes: string[] = await a.rpc('generatetoaddress', 102, alice.address);
    const b = await TestNode.start('node_cs_relay_b', {}, p2p({ connect: [{ host: '127.0.0.1', port }], listen: false }));
    nodes.push(b);
    await waitFor(async () => (await b.rpc('getbestblockhash')) === (await a.rpc('getbestblockhash')), 30_000, 'B syncs the 102 blocks');

    const c1 = coinbaseUtxo(await a.rpc('getblock', hashes[0], 2));
    const c2 = coinbaseUtxo(await a.rpc('getblock', hashes[1], 2));
    const toA = alice.spend([c1], [{ value: c1.value - 1000n }]);
    const toB = alice.spend([c2], [{ value: c2.value - 1000n }]);
    await a.rpc('sendrawtransaction', toA.hex);
    await b.rpc('sendrawtransaction', toB.hex);
    const both = [toA.txidHex, toB.txidHex].sort();
    await waitFor(async () => JSON.stringify((await b.rpc('getrawmempool')).sort()) === JSON.stringify(both), 20_000, 'A\'s transaction reaches B');
    await waitFor(async () => JSON.stringify((await a.rpc('getrawmempool')).sort()) === JSON.stringify(both), 20_000, 'B\'s transaction reaches A');

    // A double spend sent to B is refused there and never relayed.
    const conflict = alice.spend([c1], [{ value: c1.value - 5000n }]);
    assert.deepEqual((await b.call('sendrawtransaction', [conflict.hex])).error, { code: -26, message: '258: txn-mempool-conflict' });

    const [mined] = await a.rpc('generatetoaddress', 1, alice.address);
    await waitFor(async () => (await b.rpc('getbestblockhash')) === mined, 20_000, 'B connects the block with both spends');
    assert.deepEqual(await a.rpc('getrawmempool'), []);
    assert.deepEqual(await b.rpc('getrawmempool'), []);
    const sa = await a.rpc('gettxoutsetinfo');
    const sb = await b.rpc('gettxoutsetinfo');
    assert.equal(sa.hash_serialized, sb.hash_serialized);
  });
});
