import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { p2pRpcMethods } from '../../src/p2p/rpc.js';
import type { RpcError } from '../../src/rpc/protocol.js';
import { startNode, type TestNode } from './net-harness.js';
import { waitFor } from './helpers.js';

const nodes: TestNode[] = [];
after(async () => {
  for (const n of nodes) await n.stop();
});

async function rejects(call: () => unknown, code: number, message: RegExp) {
  await assert.rejects(async () => call(), (e: RpcError) => e.code === code && message.test(e.message));
}

describe('network RPC methods, as the reference node shapes them', () => {
  it('getpeerinfo, getconnectioncount, getnetworkinfo, addnode, disconnectnode, setban, listbanned, clearbanned', async () => {
    const a = await startNode({ tag: 21 });
    nodes.push(a);
    await a.chain.mine(3);
    const b = await startNode({ tag: 22 });
    nodes.push(b);
    const rpcA = p2pRpcMethods(a.manager);
    const rpc = p2pRpcMethods(b.manager);

    assert.equal(await rpc.getconnectioncount([]), 0);
    assert.equal(await rpc.addnode([`127.0.0.1:${a.addr.port}`, 'add']), null);
    await rejects(() => rpc.addnode([`127.0.0.1:${a.addr.port}`, 'add']), -23, /Node already added/);
    await waitFor(async () => ((await rpc.getpeerinfo([])) as { synced_blocks: number }[])[0]?.synced_blocks === 3, 10_000, 'peer synced');

    const [peer] = (await rpc.getpeerinfo([])) as Record<string, unknown>[];
    assert.equal(peer.addr, `127.0.0.1:${a.addr.port}`);
    assert.equal(peer.services, '0000000000000021');
    assert.equal(peer.version, 70016);
    assert.equal(peer.subver, '/Metamorph:0.1.0/');
    assert.equal(peer.inbound, false);
    assert.equal(peer.addnode, true);
    assert.equal(peer.startingheight, 3);
    assert.equal(peer.associd, 'Not-Set');
    assert.equal(peer.banscore, 0);
    assert.equal(peer.synced_blocks, 3);
    assert.deepEqual(peer.inflight, []);
    assert.ok((peer.bytessent_per_msg as Record<string, number>).version > 0);
    assert.ok(typeof peer.pingtime === 'number');
    const [inbound] = (await rpcA.getpeerinfo([])) as Record<string, unknown>[];
    assert.equal(inbound.inbound, true);

    const info = (await rpc.getnetworkinfo([])) as Record<string, unknown>;
    assert.equal(info.protocolversion, 70016);
    assert.equal(info.localservices, '0000000000000021');
    assert.equal(info.connections, 1);
    assert.equal(info.subversion, '/Metamorph:0.1.0/');

    const added = (await rpc.getaddednodeinfo([])) as { addednode: string; connected: boolean }[];
    assert.deepEqual(added.map((n) => [n.addednode, n.connected]), [[`127.0.0.1:${a.addr.port}`, true]]);

    await rejects(() => rpc.disconnectnode(['', 999]), -29, /Node not found in connected nodes/);
    await rejects(() => rpc.disconnectnode([`127.0.0.1:${a.addr.port}`, 1]), -8, /Only one of address and nodeid/);
    assert.equal(await rpc.disconnectnode([`127.0.0.1:${a.addr.port}`]), null);
    await waitFor(async () => (await rpcA.getconnectioncount([])) === 0, 5000, 'A sees the disconnect');
    // The addnode target reconnects.
    await waitFor(async () => (await rpc.getconnectioncount([])) === 1, 10_000, 'reconnect');
    assert.equal(await rpc.addnode([`127.0.0.1:${a.addr.port}`, 'remove']), null);
    await rejects(() => rpc.addnode([`127.0.0.1:${a.addr.port}`, 'remove']), -24, /has not been added/);
    await rejects(() => rpc.addnode(['x', 'bogus']), -8, /command must be/);

    // setban disconnects a connected peer in the subnet and refuses it afterwards.
    assert.equal(await rpcA.setban(['127.0.0.0/8', 'add', 3600]), null);
    await rejects(() => rpcA.setban(['not-an-ip', 'add']), -30, /Invalid IP\/Subnet/);
    await waitFor(async () => (await rpcA.getconnectioncount([])) === 0, 5000, 'banned peer dropped');
    const banned = (await rpcA.listbanned([])) as { address: string; ban_reason: string; banned_until: number }[];
    assert.equal(banned.length, 1);
    assert.equal(banned[0].address, '127.0.0.0/8');
    assert.equal(banned[0].ban_reason, 'manually added');
    assert.equal(await rpcA.setban(['127.0.0.0/8', 'remove']), null);
    await rejects(() => rpcA.setban(['127.0.0.0/8', 'remove']), -30, /Unban failed/);
    await rpcA.setban(['10.0.0.1', 'add']);
    assert.equal(await rpcA.clearbanned([]), null);
    assert.deepEqual(await rpcA.listbanned([]), []);
  });
});
