import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { concatBytes, regtest, sha256d, toHex } from '@metamorph/bitcoin';
import { loadNodeConfig, type NodeConfig } from '@metamorph/config';
import { FrameDecoder, encodeFrame } from '../../src/p2p/framing.js';
import { decodePayload, encodePayload, type Command, type Message, type PayloadOf } from '../../src/p2p/messages/index.js';
import { TestNode } from '../helpers/node-harness.js';
import { waitFor } from './helpers.js';
import { SV_LIVE_SHA256, WirePeer, blockHashOf, checksumOf, loadLiveRecording, wireBytes, type LiveFrame, type Side } from './sv-live.js';

const rec = loadLiveRecording();
const OUT = rec.sessions.outbound.frames;
const IN = rec.sessions.inbound.frames;

const all = (frames: LiveFrame[], from: Side, command: string) => frames.filter((f) => f.from === from && f.command === command);
const nth = (frames: LiveFrame[], from: Side, command: string, i = 0) => {
  const f = all(frames, from, command)[i];
  assert.ok(f, `the recording has ${from} ${command} #${i}`);
  return f;
};
function decoded<C extends Command>(f: LiveFrame | { command: string; payload: Uint8Array }, command: C): PayloadOf<C> {
  assert.equal(f.command, command);
  return decodePayload(command, f.payload).message.payload as PayloadOf<C>;
}
const frame = (m: Message) => encodeFrame(regtest.netMagic, m.command, encodePayload(m));
const sameBytes = (got: Uint8Array, want: Uint8Array, what: string) => assert.equal(toHex(got), toHex(want), what);

const nodes: TestNode[] = [];
const sockets: { close(): void }[] = [];
after(async () => {
  for (const s of sockets) s.close();
  for (const n of nodes) await n.close().catch(() => {});
});

function p2pConfig(p2p: Partial<NodeConfig['p2p']>): Partial<NodeConfig> {
  const base = loadNodeConfig({});
  return { p2p: { ...base.p2p, bind: '127.0.0.1', port: 0, ...p2p } };
}

/** The node's clock starts where SV Node's clock was when it sent its version, and runs on from there. */
function clockFrom(svVersion: LiveFrame): () => number {
  const base = Number(decoded(svVersion, 'version').timestamp);
  const start = Date.now();
  return () => base + Math.floor((Date.now() - start) / 1000);
}

/** Our version matches the recorded one field for field, but for the per-connection nonce and the clock. */
function assertVersionAsRecorded(got: Uint8Array, recorded: LiveFrame): void {
  const ours = decodePayload('version', got).message.payload as PayloadOf<'version'>;
  const live = decoded(recorded, 'version');
  sameBytes(got, encodePayload({ command: 'version', payload: { ...live, nonce: ours.nonce, timestamp: ours.timestamp } }), 'version');
}

async function tipOf(n: TestNode): Promise<string> {
  return n.rpc('getbestblockhash');
}

describe('SV Node 1.2.2 live sessions: the recorded frames', () => {
  it('are the pinned recording', () => {
    assert.equal(rec.sha256, SV_LIVE_SHA256);
    assert.equal(OUT.length, 280);
    assert.equal(IN.length, 206);
  });

  it('each decodes with our codecs and re-encodes to the same bytes; the stream frames the same whole or byte by byte', () => {
    for (const [name, frames] of Object.entries(rec.sessions)) {
      for (const [i, f] of frames.frames.entries()) {
        assert.equal(toHex(f.checksum), checksumOf(f.payload), `${name} #${i} checksum`);
        const { message, trailing } = decodePayload(f.command as Command, f.payload);
        assert.equal(trailing, 0, `${name} #${i} ${f.command}: no bytes left over`);
        sameBytes(encodePayload(message), f.payload, `${name} #${i} ${f.command} re-encodes`);
      }
      for (const from of ['sv', 'mm'] as const) {
        const mine = frames.frames.filter((f) => f.from === from);
        const stream = concatBytes(...mine.map(wireBytes));
        const whole = new FrameDecoder(regtest.netMagic).push(stream);
        const decoder = new FrameDecoder(regtest.netMagic);
        const bytewise = [];
        for (let i = 0; i < stream.length; i += 7) bytewise.push(...decoder.push(stream.subarray(i, i + 7)));
        for (const events of [whole, bytewise]) {
          assert.deepEqual(
            events.map((e) => (e.kind === 'frame' ? `${e.command}:${toHex(e.payload)}` : e.kind)),
            mine.map((f) => `${f.command}:${toHex(f.payload)}`),
          );
        }
      }
    }
  });

  it('show SV Node\'s side of the handshake in both directions, as it ran live', () => {
    const seq = (frames: LiveFrame[], from: Side, n: number) => frames.filter((f) => f.from === from).slice(0, n).map((f) => f.command);
    // Dialled by us: version, verack, protoconf on our version; on our verack authch, sendheaders, sendcmpct, ping, getheaders.
    assert.deepEqual(seq(OUT, 'sv', 8), ['version', 'verack', 'protoconf', 'authch', 'sendheaders', 'sendcmpct', 'ping', 'getheaders']);
    // Dialling us: version; on ours verack, protoconf, getaddr; on our verack authch, sendheaders, sendcmpct, ping, getheaders, feefilter.
    assert.deepEqual(seq(IN, 'sv', 10), ['version', 'verack', 'protoconf', 'getaddr', 'authch', 'sendheaders', 'sendcmpct', 'ping', 'getheaders', 'feefilter']);

    const vOut = decoded(nth(OUT, 'sv', 'version'), 'version');
    const vIn = decoded(nth(IN, 'sv', 'version'), 'version');
    for (const v of [vOut, vIn]) {
      assert.equal(v.version, 70016);
      assert.equal(v.services, 0x21n);
      assert.equal(v.userAgent, '/Bitcoin SV:1.2.2/');
      assert.equal(v.relay, true);
      assert.equal(v.addrRecv.services, 0n, 'addrRecv carries the address book\'s services: none for connect peers and inbound ones');
      assert.equal(toHex(v.addrRecv.ip), '00'.repeat(16), 'loopback is not routable: unspecified');
      assert.equal(v.addrFrom.services, 0x21n);
    }
    // Toward our empty association ID it sends an empty one (105 bytes); dialling, it offers a type-0 UUID (122 bytes).
    assert.equal(nth(OUT, 'sv', 'version').payload.length, 105);
    assert.equal(vOut.associationId?.length, 0);
    assert.equal(nth(IN, 'sv', 'version').payload.length, 122);
    assert.equal(vIn.associationId?.length, 17);
    assert.equal(vIn.associationId?.[0], 0);
    assert.equal(vOut.startHeight, 110);
    assert.equal(vIn.startHeight, 0);

    assert.deepEqual(decoded(nth(OUT, 'sv', 'protoconf'), 'protoconf'), { numberOfFields: 2, maxRecvPayloadLength: 2_097_152, streamPolicies: 'BlockPriority,Default' });
    assert.deepEqual(decoded(nth(OUT, 'sv', 'sendcmpct'), 'sendcmpct'), { announce: false, version: 1n });
    const ch = decoded(nth(OUT, 'sv', 'authch'), 'authch');
    assert.equal(ch.version, 1);
    assert.equal(ch.length, 32);
    // While it syncs from us it asks for no transactions at all (fee filter at its maximum), then opens up.
    assert.deepEqual(all(IN, 'sv', 'feefilter').map((f) => decoded(f, 'feefilter').feeRate), [9_577_383n, 0n]);
    // It never opened a second stream, never asked for our mempool, never sent reject.
    for (const frames of [OUT, IN]) {
      const cmds = new Set(frames.map((f) => f.command));
      for (const c of ['createstrm', 'streamack', 'mempool', 'reject', 'cmpctblock', 'notfound']) assert.ok(!cmds.has(c), c);
    }
  });

  it('show what we sent, which SV Node accepted with a ban score of 0', () => {
    for (const [frames, startHeight] of [[OUT, 0], [IN, 116]] as const) {
      const v = decoded(nth(frames, 'mm', 'version'), 'version');
      assert.equal(nth(frames, 'mm', 'version').payload.length, 104);
      assert.equal(v.version, 70016);
      assert.equal(v.services, 0x21n);
      assert.equal(v.relay, false, 'blocks only');
      assert.equal(v.associationId?.length, 0, 'an empty association ID: one connection per peer');
      assert.equal(v.addrRecv.services, 0n);
      assert.equal(v.startHeight, startHeight);
      assert.deepEqual(decoded(nth(frames, 'mm', 'protoconf'), 'protoconf'), { numberOfFields: 2, maxRecvPayloadLength: 2_097_152, streamPolicies: 'Default' });
      const cmds = new Set(frames.filter((f) => f.from === 'mm').map((f) => f.command));
      for (const c of ['sendcmpct', 'mempool', 'createstrm', 'reject', 'feefilter']) assert.ok(!cmds.has(c), c);
    }
    for (const p of [...rec.getpeerinfo.svA, ...rec.getpeerinfo.svB]) {
      assert.equal(p.subver, '/Metamorph:0.1.0/');
      assert.equal(p.banscore, 0);
      assert.equal(p.services, '0000000000000021');
      assert.equal(p.relaytxes, false);
      assert.equal(p.associd, 'Not-Set');
      assert.equal(p.streampolicy, 'Default');
      assert.equal(p.version, 70016);
    }
    assert.equal(rec.getpeerinfo.svA[0].inbound, true);
    assert.equal(rec.getpeerinfo.svB[0].inbound, false);
    assert.equal(rec.getpeerinfo.svB[0].addnode, false, 'a -connect peer is not an addnode peer');
  });
});

describe('apps/node against recorded SV Node frames over TCP', () => {
  it('dialling SV Node: handshake, headers-first download, relay both ways and inv-announced reorganisations both ways, our replies as recorded live', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    sockets.push({ close: () => server.close() });
    const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
    const port = (server.address() as net.AddressInfo).port;
    const n = await TestNode.start('node_sv_live_out', { clock: clockFrom(nth(OUT, 'sv', 'version')) }, p2pConfig({ connect: [{ host: '127.0.0.1', port }], listen: false }));
    nodes.push(n);
    const sv = new WirePeer(await accepted);
    sockets.push(sv);

    // Handshake.
    assertVersionAsRecorded((await sv.take('version')).payload, nth(OUT, 'mm', 'version'));
    sv.send(nth(OUT, 'sv', 'version'), nth(OUT, 'sv', 'verack'), nth(OUT, 'sv', 'protoconf'));
    for (const c of ['verack', 'protoconf', 'getaddr']) sameBytes((await sv.take(c)).payload, nth(OUT, 'mm', c).payload, c);
    sv.send(...['authch', 'sendheaders', 'sendcmpct', 'ping', 'getheaders'].map((c) => nth(OUT, 'sv', c)));
    const ch = decoded(await sv.take('authch'), 'authch');
    assert.equal(ch.version, 1);
    assert.equal(ch.challenge.length, 32);
    sameBytes((await sv.take('sendheaders')).payload, new Uint8Array(0), 'sendheaders');
    const ourPing = decoded(await sv.take('ping'), 'ping');
    sameBytes((await sv.take('getheaders')).payload, nth(OUT, 'mm', 'getheaders').payload, 'getheaders from genesis');
    sameBytes((await sv.take('pong')).payload, nth(OUT, 'mm', 'pong').payload, 'pong echoes SV Node\'s nonce');
    sv.send(frame({ command: 'pong', payload: ourPing }), nth(OUT, 'sv', 'headers', 0));
    assert.equal(decoded(nth(OUT, 'sv', 'headers', 0), 'headers').headers.length, 110);

    // Headers-first download: each of the 110 blocks asked for once, 16 at most in flight.
    const blocks = new Map(all(OUT, 'sv', 'block').map((f) => [blockHashOf(f.payload), f]));
    const asked = new Set<string>();
    const serve = async (count: number) => {
      while (asked.size < count) {
        const gd = decoded(await sv.take('getdata'), 'getdata').inventory;
        assert.ok(gd.length <= 16);
        for (const item of gd) {
          const h = toHex(Uint8Array.from(item.hash).reverse());
          assert.equal(item.type, 2, 'full blocks (no compact blocks asked for)');
          assert.ok(!asked.has(h), `block ${h} asked for once`);
          asked.add(h);
          sv.send(blocks.get(h)!);
        }
      }
    };
    await serve(110);
    const tip110 = blockHashOf(all(OUT, 'sv', 'block')[109].payload);
    await waitFor(async () => (await tipOf(n)) === tip110, 20_000, 'our tip at SV Node\'s block 110');

    // SV Node announces block 111 with headers: we fetch it at once.
    sv.send(nth(OUT, 'sv', 'headers', 1));
    sameBytes((await sv.take('getdata')).payload, OUT[OUT.indexOf(nth(OUT, 'sv', 'headers', 1)) + 1].payload, 'getdata 111');
    const b111 = nth(OUT, 'sv', 'block', 110);
    sv.send(b111);
    await waitFor(async () => (await tipOf(n)) === blockHashOf(b111.payload), 10_000, 'tip 111');

    // Block 112 found here: announced with headers, served on getdata, bytes as live.
    const mmBlocks = all(OUT, 'mm', 'block');
    assert.equal(await n.rpc('submitblock', toHex(mmBlocks[0].payload)), null);
    sameBytes((await sv.take('headers')).payload, nth(OUT, 'mm', 'headers', 0).payload, 'headers announcing 112');
    sv.send(nth(OUT, 'sv', 'getdata', 0));
    sameBytes((await sv.take('block')).payload, mmBlocks[0].payload, 'block 112');

    // SV Node's ping RPC.
    sv.send(nth(OUT, 'sv', 'ping', 1));
    sameBytes((await sv.take('pong')).payload, nth(OUT, 'mm', 'pong', 1).payload, 'pong');

    // A 12-block reorganisation on SV Node, announced with inv: getheaders, then the blocks.
    sv.send(nth(OUT, 'sv', 'inv', 0));
    sameBytes((await sv.take('getheaders')).payload, nth(OUT, 'mm', 'getheaders', 1).payload, 'getheaders toward the announced block');
    sv.send(nth(OUT, 'sv', 'headers', 2));
    assert.equal(decoded(nth(OUT, 'sv', 'headers', 2), 'headers').headers.length, 11);
    sv.send(nth(OUT, 'sv', 'headers', 3));
    await serve(110 + 12);
    const forkTip = blockHashOf(nth(OUT, 'sv', 'block', 122).payload);
    await waitFor(async () => (await tipOf(n)) === forkTip, 10_000, 'SV Node\'s fork is our chain');

    // A 12-block reorganisation here: inv of the tip (more than 8 blocks), headers on its getheaders, blocks on getdata.
    for (const b of mmBlocks.slice(1, 12)) await n.rpc('submitblock', toHex(b.payload));
    sameBytes((await sv.take('inv')).payload, nth(OUT, 'mm', 'inv').payload, 'inv of our new tip');
    sv.send(nth(OUT, 'sv', 'getheaders', 1));
    sameBytes((await sv.take('headers')).payload, nth(OUT, 'mm', 'headers', 1).payload, '11 headers from the fork');
    assert.equal(await n.rpc('submitblock', toHex(mmBlocks[12].payload)), null);
    sameBytes((await sv.take('headers')).payload, nth(OUT, 'mm', 'headers', 2).payload, 'the 12th announced with headers');
    sv.send(nth(OUT, 'sv', 'getdata', 1), nth(OUT, 'sv', 'getdata', 2));
    for (const b of mmBlocks.slice(1, 13)) sameBytes((await sv.take('block')).payload, b.payload, 'fork block');

    // Block 117 from here, 118 from SV Node.
    assert.equal(await n.rpc('submitblock', toHex(mmBlocks[13].payload)), null);
    sameBytes((await sv.take('headers')).payload, nth(OUT, 'mm', 'headers', 3).payload, 'headers announcing 117');
    sv.send(nth(OUT, 'sv', 'getdata', 3));
    sameBytes((await sv.take('block')).payload, mmBlocks[13].payload, 'block 117');
    sv.send(nth(OUT, 'sv', 'headers', 4));
    decoded(await sv.take('getdata'), 'getdata');
    const b118 = nth(OUT, 'sv', 'block', 123);
    sv.send(b118);
    await waitFor(async () => (await tipOf(n)) === blockHashOf(b118.payload), 10_000, 'tip 118');
    assert.equal((await n.rpc('getblockchaininfo')).blocks, 118);

    const [peer] = await n.rpc('getpeerinfo');
    assert.equal(peer.subver, '/Bitcoin SV:1.2.2/');
    assert.equal(peer.inbound, false);
    assert.equal(peer.addnode, false, 'a connect= peer, as SV Node shows it');
    assert.equal(peer.banscore, 0);
    assert.equal(peer.associd, 'Not-Set');
    assert.equal(peer.relaytxes, true);
    assert.equal(peer.startingheight, 110);
    assert.equal(peer.synced_headers, 118);
    assert.ok(!('addrlocal' in peer), 'SV Node told us an unspecified address');
    const sent = new Set(sv.commands());
    for (const c of ['sendcmpct', 'mempool', 'createstrm', 'reject', 'notfound']) assert.ok(!sent.has(c), `never ${c}`);
  });

  it('dialled by SV Node: its association ID answered with an empty one, headers and blocks served byte for byte as live, new blocks announced with headers', async () => {
    const n = await TestNode.start('node_sv_live_in', { clock: clockFrom(nth(IN, 'sv', 'version')) }, p2pConfig({ listen: true }));
    nodes.push(n);
    // The chain we served: the first 116 blocks sent, linked from genesis.
    const served = all(IN, 'mm', 'block');
    const byPrev = new Map(served.map((f) => [toHex(f.payload.subarray(4, 36)), f]));
    let prev = toHex(regtest.genesisHash);
    for (let h = 1; h <= 116; h++) {
      const f = byPrev.get(prev)!;
      const r = await n.node.chain.acceptBlock(f.payload, 'peer');
      assert.equal(r.outcome, 'connected', `block ${h}`);
      prev = toHex(sha256d(f.payload.subarray(0, 80)));
    }

    const socket = net.connect(n.node.p2pAddress!.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const sv = new WirePeer(socket);
    sockets.push(sv);

    sv.send(nth(IN, 'sv', 'version'));
    assertVersionAsRecorded((await sv.take('version')).payload, nth(IN, 'mm', 'version'));
    for (const c of ['verack', 'protoconf']) sameBytes((await sv.take(c)).payload, nth(IN, 'mm', c).payload, c);
    sv.send(...['verack', 'protoconf', 'getaddr', 'authch', 'sendheaders', 'sendcmpct', 'ping', 'getheaders', 'feefilter'].map((c) => nth(IN, 'sv', c)));
    decoded(await sv.take('authch'), 'authch');
    await sv.take('sendheaders');
    const ourPing = decoded(await sv.take('ping'), 'ping');
    sameBytes((await sv.take('getheaders')).payload, nth(IN, 'mm', 'getheaders').payload, 'our getheaders from 115');
    sameBytes((await sv.take('pong')).payload, nth(IN, 'mm', 'pong').payload, 'pong');
    sameBytes((await sv.take('headers')).payload, nth(IN, 'mm', 'headers').payload, '116 headers after the genesis locator');
    sv.send(frame({ command: 'pong', payload: ourPing }));

    // Its block download: every getdata as it sent them, every block as we sent it.
    const lastIbd = IN.indexOf(nth(IN, 'mm', 'headers', 1));
    const ibd = IN.slice(IN.indexOf(nth(IN, 'sv', 'getdata')), lastIbd);
    sv.send(...ibd.filter((f) => f.from === 'sv'));
    const want = ibd.filter((f) => f.from === 'mm');
    assert.equal(want.length, 116);
    for (const [i, f] of want.entries()) sameBytes((await sv.take('block')).payload, f.payload, `block #${i}`);

    // New blocks (117 found here, 118 received from elsewhere) are announced with headers.
    for (const i of [1, 2]) {
      const blockFrame = IN[IN.indexOf(nth(IN, 'mm', 'headers', i)) + 2];
      assert.equal(await n.rpc('submitblock', toHex(blockFrame.payload)), null);
      sameBytes((await sv.take('headers')).payload, nth(IN, 'mm', 'headers', i).payload, `headers ${i}`);
      sv.send(nth(IN, 'sv', 'getdata', all(IN, 'sv', 'getdata').length - 3 + i));
      sameBytes((await sv.take('block')).payload, blockFrame.payload, `block ${116 + i}`);
    }
    sv.send(nth(IN, 'sv', 'ping', 1));
    sameBytes((await sv.take('pong')).payload, nth(IN, 'mm', 'pong', 1).payload, 'pong');

    const [peer] = await n.rpc('getpeerinfo');
    assert.equal(peer.inbound, true);
    assert.equal(peer.subver, '/Bitcoin SV:1.2.2/');
    assert.equal(peer.associd, 'Not-Set', 'we answered with an empty association ID: none is set up');
    assert.equal(peer.banscore, 0);
    assert.equal(peer.addnode, false);
    assert.equal(peer.startingheight, 0);
    const sent = new Set(sv.commands());
    for (const c of ['sendcmpct', 'mempool', 'createstrm', 'reject', 'notfound', 'inv']) assert.ok(!sent.has(c), `never ${c}`);
  });
});
