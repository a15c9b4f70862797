import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { loadNodeConfig, type NodeConfig } from '@metamorph/config';
import { TestNode } from '../helpers/node-harness.js';
import { waitFor } from './helpers.js';

const nodes: TestNode[] = [];
after(async () => {
  for (const n of nodes) await n.close().catch(() => {});
});

/** A port nothing listens on right now (so a node can come back on the same one after a restart). */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

function p2pConfig(p2p: Partial<NodeConfig['p2p']>): Partial<NodeConfig> {
  const base = loadNodeConfig({});
  return { p2p: { ...base.p2p, bind: '127.0.0.1', port: 0, ...p2p } };
}

/** Mine `n` blocks on the node's tip through submitblock, with recent times (so no node stays in IBD). */
async function mineRecent(node: TestNode, n: number, tag = 0): Promise<void> {
  for (let i = 0; i < n; i++) {
    const tip = await node.tip();
    const time = Math.max(tip.time + 1, Math.floor(Date.now() / 1000) - 3600);
    const { result } = await node.mineBlock({ time, extra: new Uint8Array([0x04, tag, i & 0xff, i >> 8, 0]) });
    assert.equal(result, null);
  }
}

const tipOf = async (n: TestNode) => (await n.rpc('getblockchaininfo')).bestblockhash as string;

describe('two apps/node instances on regtest over P2P', () => {
  it('a node started later with only connect= reaches the first node\'s tip, relays both ways, and resumes after restarts without re-downloading', async () => {
    const portA = await freePort();
    const a = await TestNode.start('node_p2p_a', {}, p2pConfig({ port: portA }));
    nodes.push(a);
    await mineRecent(a, 30, 1);

    const b = await TestNode.start('node_p2p_b', {}, p2pConfig({ connect: [{ host: '127.0.0.1', port: portA }], listen: false }));
    nodes.push(b);
    await waitFor(async () => (await tipOf(b)) === (await tipOf(a)), 30_000, 'B reaches A\'s tip');
    assert.equal((await b.rpc('getblockchaininfo')).blocks, 30);

    const [peer] = await b.rpc('getpeerinfo');
    assert.equal(peer.addr, `127.0.0.1:${portA}`);
    assert.equal(peer.inbound, false);
    assert.equal(peer.version, 70016);
    assert.equal(peer.synced_headers, 30);
    assert.ok(peer.bytesrecv_per_msg.block > 0);
    assert.ok(!('mempool' in peer.bytessent_per_msg));
    assert.equal(await a.rpc('getconnectioncount'), 1);

    // A new block on A reaches B; a block submitted to B reaches A.
    await mineRecent(a, 2, 2);
    await waitFor(async () => (await tipOf(b)) === (await tipOf(a)), 10_000, 'relay A→B');
    await mineRecent(b, 1, 3);
    await waitFor(async () => (await tipOf(a)) === (await tipOf(b)), 10_000, 'relay B→A');
    assert.equal((await a.rpc('getblockchaininfo')).blocks, 33);

    // Restart B: it resumes from its database and downloads no block it already has.
    await b.stop();
    await b.restart();
    await waitFor(async () => (await b.rpc('getconnectioncount')) === 1, 10_000, 'B reconnects');
    await waitFor(async () => (await b.rpc('getpeerinfo'))[0]?.synced_headers === 33, 10_000, 'headers exchanged');
    const afterRestart = (await b.rpc('getpeerinfo'))[0];
    assert.equal(afterRestart.bytesrecv_per_msg.block ?? 0, 0, 'no block downloaded again');
    assert.equal((await b.rpc('getblockchaininfo')).blocks, 33);

    // Restart A on the same port: B reconnects by itself and follows A's next block.
    await a.stop();
    await a.restart();
    await mineRecent(a, 1, 4);
    await waitFor(async () => (await tipOf(b)) === (await tipOf(a)), 40_000, 'B follows A after A restarts');
    assert.equal((await b.rpc('getblockchaininfo')).blocks, 34);
    const [again] = await b.rpc('getpeerinfo');
    assert.ok((again.bytesrecv_per_msg.block ?? 0) > 0 && (again.bytesrecv_per_msg.block ?? 0) < 2000, 'only the new block');
  });

  it('answers the network RPC methods with the reference node\'s error codes', async () => {
    const c = await TestNode.start('node_p2p_c', {}, p2pConfig({}));
    nodes.push(c);
    const info = await c.rpc('getnetworkinfo');
    assert.equal(info.protocolversion, 70016);
    assert.equal(info.localservices, '0000000000000021');
    assert.equal(info.localrelay, false, 'blocks only until the node has a mempool');
    const r = await c.call('disconnectnode', ['', 42]);
    assert.equal(r.error.code, -29);
    assert.equal(r.error.message, 'Node not found in connected nodes');
    const r2 = await c.call('addnode', ['127.0.0.1:1', 'remove']);
    assert.equal(r2.error.code, -24);
    assert.equal((await c.call('setban', ['bogus', 'add'])).error.code, -30);
    assert.deepEqual(await c.rpc('listbanned'), []);
    assert.ok((await c.rpc('help')).includes('== Network =='));
  });
});
