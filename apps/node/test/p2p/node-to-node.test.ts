import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { loadNodeConfig, type NodeConfig } from '@metamorph/config';
import { TestNode } from '../helpers/node-harness.js';
import { waitFor } from './helpers.js';
import { freePort } from '@metamorph/testing';

const nodes: TestNode[] = [];
after(async () => {
  for (const n of nodes) await n.close().catch(() => {});
});

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
    assert.equal(info.localrelay, true, 'the node relays transactions (it has a mempool)');
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

describe('an SV Node conversation replayed against apps/node over TCP', () => {
  it('answers the captured dialling SV Node as SV Node would: version (empty association ID), verack, protoconf; then authch, sendheaders, ping, the pong, headers', async () => {
    const { loadCapture, frameBytes } = await import('./capture.js');
    const { FrameDecoder } = await import('../../src/p2p/framing.js');
    const { decodePayload, isCommand } = await import('../../src/p2p/messages/index.js');
    const { concatBytes, regtest } = await import('@metamorph/bitcoin');
    const capture = loadCapture();
    const fromB = (c: string) => frameBytes(capture.magic, capture.messages.find((m) => m.command === c && m.from === 'B' && m.conn === 0)!);
    const n = await TestNode.start('node_p2p_replay', {}, p2pConfig({}));
    nodes.push(n);
    await mineRecent(n, 3, 9);
    const socket = net.connect(n.node.p2pAddress!.port, '127.0.0.1');
    const decoder = new FrameDecoder(regtest.netMagic);
    const got: { command: string; payload: any }[] = [];
    socket.on('data', (d) => {
      for (const ev of decoder.push(d)) if (ev.kind === 'frame' && isCommand(ev.command)) got.push({ command: ev.command, payload: decodePayload(ev.command, ev.payload).message.payload });
    });
    await new Promise((r) => socket.once('connect', r));
    try {
      socket.write(fromB('version'));
      await waitFor(() => got.length >= 3, 5000, 'version, verack, protoconf');
      assert.deepEqual(got.slice(0, 3).map((m) => m.command), ['version', 'verack', 'protoconf']);
      assert.equal(got[0].payload.associationId.length, 0);
      assert.equal(got[0].payload.startHeight, 3);
      assert.deepEqual(got[2].payload, { numberOfFields: 2, maxRecvPayloadLength: 2_097_152, streamPolicies: 'Default' });
      // SV Node's side after our version: verack, protoconf, getaddr; after our verack: authch, sendheaders, sendcmpct, ping, getheaders.
      socket.write(concatBytes(...['verack', 'protoconf', 'getaddr', 'authch', 'sendheaders', 'sendcmpct', 'ping', 'getheaders', 'feefilter'].map(fromB)));
      await waitFor(() => got.some((m) => m.command === 'headers') && got.some((m) => m.command === 'pong'), 5000, 'pong and headers');
      const commands = got.map((m) => m.command);
      assert.deepEqual(commands.slice(3, 6), ['authch', 'sendheaders', 'ping']);
      const ping = capture.messages.find((m) => m.command === 'ping' && m.from === 'B')!;
      assert.equal(got.find((m) => m.command === 'pong')!.payload.nonce, (decodePayload('ping', ping.payload).message.payload as { nonce: bigint }).nonce);
      assert.equal(got.find((m) => m.command === 'headers')!.payload.headers.length, 3, 'our chain after the genesis locator');
      assert.ok(!commands.includes('sendcmpct') && !commands.includes('mempool') && !commands.includes('createstrm'));
      const [peer] = await n.rpc('getpeerinfo');
      assert.equal(peer.subver, '/Bitcoin SV:1.2.2/');
      assert.equal(peer.inbound, true);
      assert.equal(peer.banscore, 0);
    } finally {
      socket.destroy();
    }
  });
});
