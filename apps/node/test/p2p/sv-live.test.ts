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
    assert.equal(OUT.length, 303);
    assert.equal(IN.length, 225);
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
    for (const [frames, startHeight] of [[OUT, 0], [IN, 118]] as const) {
      const v = decoded(nth(frames, 'mm', 'version'), 'version');
      assert.equal(nth(frames, 'mm', 'version').payload.length, 104);
      assert.equal(v.version, 70016);
      assert.equal(v.services, 0x21n);
      assert.equal(v.relay, true);
      assert.equal(v.associationId?.length, 0, 'an empty association ID: one connection per peer');
      assert.equal(v.addrRecv.services, 0n);
      assert.equal(v.startHeight, startHeight);
      assert.deepEqual(decoded(nth(frames, 'mm', 'protoconf'), 'protoconf'), { numberOfFields: 2, maxRecvPayloadLength: 2_097_152, streamPolicies: 'Default' });
      const cmds = new Set(frames.filter((f) => f.from === 'mm').map((f) => f.command));
      for (const c of ['sendcmpct', 'mempool', 'createstrm', 'reject']) assert.ok(!cmds.has(c), c);
    }
    // Our fee filter behaves as SV Node's: the rounded 1 BSV/kB during our initial sync, 0 on leaving it, none when nothing changed.
    assert.deepEqual(all(OUT, 'mm', 'feefilter').map((f) => decoded(f, 'feefilter').feeRate), [9_577_383n, 0n]);
    assert.deepEqual(all(IN, 'mm', 'feefilter'), []);
    assert.deepEqual(all(OUT, 'sv', 'feefilter'), [], 'SV Node A, out of initial block download with a zero minimum, sent none either');
    for (const p of [...rec.getpeerinfo.svA, ...rec.getpeerinfo.svB]) {
      assert.equal(p.subver, '/Metamorph:0.1.0/');
      assert.equal(p.banscore, 0);
      assert.equal(p.services, '0000000000000021');
      assert.equal(p.relaytxes, true);
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
  it('dialling SV Node: handshake, headers-first download, block and transaction relay both ways, inv-announced reorganisations both ways, our replies as recorded live', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    sockets.push({ close: () => server.close() });
    const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
    const port = (server.address() as net.AddressInfo).port;
    const n = await TestNode.start('node_sv_live_out', { clock: clockFrom(nth(OUT, 'sv', 'version')) }, p2pConfig({ connect: [{ host: '127.0.0.1', port }], listen: false }));
    nodes.push(n);
    const sv = new WirePeer(await accepted);
    sockets.push(sv);
    const same = async (command: string, recorded: LiveFrame, what = command) => sameBytes((await sv.take(command)).payload, recorded.payload, what);

    // Handshake.
    assertVersionAsRecorded((await sv.take('version')).payload, nth(OUT, 'mm', 'version'));
    sv.send(nth(OUT, 'sv', 'version'), nth(OUT, 'sv', 'verack'), nth(OUT, 'sv', 'protoconf'));
    for (const c of ['verack', 'protoconf', 'getaddr']) await same(c, nth(OUT, 'mm', c));
    sv.send(...['authch', 'sendheaders', 'sendcmpct', 'ping', 'getheaders'].map((c) => nth(OUT, 'sv', c)));
    const ch = decoded(await sv.take('authch'), 'authch');
    assert.equal(ch.version, 1);
    assert.equal(ch.challenge.length, 32);
    await same('sendheaders', nth(OUT, 'mm', 'sendheaders'));
    const ourPing = decoded(await sv.take('ping'), 'ping');
    await same('getheaders', nth(OUT, 'mm', 'getheaders'), 'getheaders from genesis');
    await same('feefilter', nth(OUT, 'mm', 'feefilter', 0), 'feefilter during initial block download');
    await same('pong', nth(OUT, 'mm', 'pong'), 'pong echoes SV Node\'s nonce');
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
    const svBlocks = all(OUT, 'sv', 'block');
    await waitFor(async () => (await tipOf(n)) === blockHashOf(svBlocks[109].payload), 20_000, 'our tip at SV Node\'s block 110');
    await same('feefilter', nth(OUT, 'mm', 'feefilter', 1), 'feefilter on leaving initial block download');

    // SV Node announces block 111 with headers: we fetch it at once.
    sv.send(nth(OUT, 'sv', 'headers', 1));
    await same('getdata', OUT[OUT.indexOf(nth(OUT, 'sv', 'headers', 1)) + 1], 'getdata 111');
    sv.send(svBlocks[110]);
    await waitFor(async () => (await tipOf(n)) === blockHashOf(svBlocks[110].payload), 10_000, 'tip 111');

    // Block 112 found here: announced with headers, served on getdata, bytes as live.
    const mmBlocks = all(OUT, 'mm', 'block');
    assert.equal(await n.rpc('submitblock', toHex(mmBlocks[0].payload)), null);
    await same('headers', nth(OUT, 'mm', 'headers', 0), 'headers announcing 112');
    sv.send(nth(OUT, 'sv', 'getdata', 0));
    await same('block', mmBlocks[0], 'block 112');

    // SV Node's ping RPC.
    sv.send(nth(OUT, 'sv', 'ping', 1));
    await same('pong', nth(OUT, 'mm', 'pong', 1));

    // A 12-block reorganisation on SV Node, announced with inv: getheaders, then the blocks.
    sv.send(nth(OUT, 'sv', 'inv', 0));
    await same('getheaders', nth(OUT, 'mm', 'getheaders', 1), 'getheaders toward the announced block');
    assert.equal(decoded(nth(OUT, 'sv', 'headers', 2), 'headers').headers.length, 11);
    sv.send(nth(OUT, 'sv', 'headers', 2), nth(OUT, 'sv', 'headers', 3));
    await serve(110 + 12);
    await waitFor(async () => (await tipOf(n)) === blockHashOf(svBlocks[122].payload), 10_000, 'SV Node\'s fork is our chain');

    // A 12-block reorganisation here: inv of the tip (more than 8 blocks), headers on its getheaders, blocks on getdata.
    for (const b of mmBlocks.slice(1, 12)) await n.rpc('submitblock', toHex(b.payload));
    await same('inv', nth(OUT, 'mm', 'inv', 0), 'inv of our new tip');
    sv.send(nth(OUT, 'sv', 'getheaders', 1));
    await same('headers', nth(OUT, 'mm', 'headers', 1), '11 headers from the fork');
    assert.equal(await n.rpc('submitblock', toHex(mmBlocks[12].payload)), null);
    await same('headers', nth(OUT, 'mm', 'headers', 2), 'the 12th announced with headers');
    sv.send(nth(OUT, 'sv', 'getdata', 1), nth(OUT, 'sv', 'getdata', 2));
    for (const b of mmBlocks.slice(1, 13)) await same('block', b, 'fork block');

    // Transactions: SV Node's announced with inv and fetched; ours announced and served; SV Node mines both in 117.
    const svTxs = all(OUT, 'sv', 'tx');
    const mmTxs = all(OUT, 'mm', 'tx');
    sv.send(nth(OUT, 'sv', 'inv', 1));
    await same('getdata', OUT[OUT.indexOf(nth(OUT, 'sv', 'inv', 1)) + 1], 'getdata for the announced transaction');
    sv.send(svTxs[0]);
    await waitFor(async () => (await n.rpc('getrawmempool')).length === 1, 10_000, 'SV Node\'s transaction in our mempool');
    await n.rpc('sendrawtransaction', toHex(mmTxs[0].payload));
    await same('inv', nth(OUT, 'mm', 'inv', 1), 'inv of our transaction');
    sv.send(nth(OUT, 'sv', 'getdata', 3));
    await same('tx', mmTxs[0], 'our transaction');
    sv.send(nth(OUT, 'sv', 'headers', 4));
    await same('getdata', OUT[OUT.indexOf(nth(OUT, 'sv', 'headers', 4)) + 1], 'getdata 117');
    sv.send(svBlocks[123]);
    await waitFor(async () => (await tipOf(n)) === blockHashOf(svBlocks[123].payload), 10_000, 'tip 117, with both transactions');
    assert.deepEqual(await n.rpc('getrawmempool'), []);

    // A transaction sent to us, relayed, and mined by us in 118.
    await n.rpc('sendrawtransaction', toHex(mmTxs[1].payload));
    await same('inv', nth(OUT, 'mm', 'inv', 2));
    sv.send(nth(OUT, 'sv', 'getdata', 4));
    await same('tx', mmTxs[1]);
    assert.equal(await n.rpc('submitblock', toHex(mmBlocks[13].payload)), null);
    await same('headers', nth(OUT, 'mm', 'headers', 3), 'headers announcing 118');
    sv.send(nth(OUT, 'sv', 'getdata', 5));
    await same('block', mmBlocks[13], 'block 118');

    // One transaction from SV Node, one from elsewhere through us; both mined by us in 119; SV Node's 120.
    sv.send(nth(OUT, 'sv', 'inv', 2));
    await same('getdata', OUT[OUT.indexOf(nth(OUT, 'sv', 'inv', 2)) + 1]);
    sv.send(svTxs[1]);
    await waitFor(async () => (await n.rpc('getrawmempool')).length === 1, 10_000, 'SV Node\'s second transaction');
    await n.rpc('sendrawtransaction', toHex(mmTxs[2].payload));
    await same('inv', nth(OUT, 'mm', 'inv', 3));
    sv.send(nth(OUT, 'sv', 'getdata', 6));
    await same('tx', mmTxs[2]);
    assert.equal(await n.rpc('submitblock', toHex(mmBlocks[14].payload)), null);
    await same('headers', nth(OUT, 'mm', 'headers', 4), 'headers announcing 119');
    sv.send(nth(OUT, 'sv', 'getdata', 7));
    await same('block', mmBlocks[14], 'block 119');
    sv.send(nth(OUT, 'sv', 'headers', 5));
    await same('getdata', OUT[OUT.indexOf(nth(OUT, 'sv', 'headers', 5)) + 1], 'getdata 120');
    sv.send(svBlocks[124]);
    await waitFor(async () => (await tipOf(n)) === blockHashOf(svBlocks[124].payload), 10_000, 'tip 120');
    assert.equal((await n.rpc('getblockchaininfo')).blocks, 120);

    // Its periodic ping.
    sv.send(nth(OUT, 'sv', 'ping', 2));
    await same('pong', nth(OUT, 'mm', 'pong', 2));

    const [peer] = await n.rpc('getpeerinfo');
    assert.equal(peer.subver, '/Bitcoin SV:1.2.2/');
    assert.equal(peer.inbound, false);
    assert.equal(peer.addnode, false, 'a connect= peer, as SV Node shows it');
    assert.equal(peer.banscore, 0);
    assert.equal(peer.associd, 'Not-Set');
    assert.equal(peer.relaytxes, true);
    assert.equal(peer.startingheight, 110);
    assert.equal(peer.synced_headers, 120);
    assert.ok(!('addrlocal' in peer), 'SV Node told us an unspecified address');
    const sent = new Set(sv.commands());
    for (const c of ['sendcmpct', 'mempool', 'createstrm', 'reject', 'notfound']) assert.ok(!sent.has(c), `never ${c}`);
  });

  it('dialled by SV Node: its association ID answered with an empty one, headers and blocks served byte for byte as live, transactions and new blocks relayed', async () => {
    const n = await TestNode.start('node_sv_live_in', { clock: clockFrom(nth(IN, 'sv', 'version')) }, p2pConfig({ listen: true }));
    nodes.push(n);
    // The chain we served: the first 118 blocks sent, linked from genesis (SV Node A's, our fork, blocks with transactions).
    const firstInv = IN.indexOf(nth(IN, 'mm', 'inv'));
    const served = IN.slice(0, firstInv).filter((f) => f.from === 'mm' && f.command === 'block');
    assert.equal(served.length, 118);
    const byPrev = new Map(served.map((f) => [toHex(f.payload.subarray(4, 36)), f]));
    let prev = toHex(regtest.genesisHash);
    for (let h = 1; h <= 118; h++) {
      const f = byPrev.get(prev)!;
      const r = await n.node.chain.acceptBlock(f.payload, 'peer');
      assert.equal(r.outcome, 'connected', `block ${h}`);
      prev = toHex(sha256d(f.payload.subarray(0, 80)));
    }

    const socket = net.connect(n.node.p2pAddress!.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const sv = new WirePeer(socket);
    sockets.push(sv);
    const same = async (command: string, recorded: LiveFrame, what = command) => sameBytes((await sv.take(command)).payload, recorded.payload, what);

    sv.send(nth(IN, 'sv', 'version'));
    assertVersionAsRecorded((await sv.take('version')).payload, nth(IN, 'mm', 'version'));
    for (const c of ['verack', 'protoconf']) await same(c, nth(IN, 'mm', c));
    sv.send(...['verack', 'protoconf', 'getaddr', 'authch', 'sendheaders', 'sendcmpct', 'ping', 'getheaders', 'feefilter'].map((c) => nth(IN, 'sv', c)));
    decoded(await sv.take('authch'), 'authch');
    await sv.take('sendheaders');
    const ourPing = decoded(await sv.take('ping'), 'ping');
    await same('getheaders', nth(IN, 'mm', 'getheaders'), 'our getheaders from 117');
    await same('pong', nth(IN, 'mm', 'pong'));
    await same('headers', nth(IN, 'mm', 'headers'), '118 headers after the genesis locator');
    sv.send(frame({ command: 'pong', payload: ourPing }));

    // Its block download: every getdata (and feefilter) as it sent them, every block as we sent it.
    const ibd = IN.slice(IN.indexOf(nth(IN, 'sv', 'getdata')), firstInv);
    sv.send(...ibd.filter((f) => f.from === 'sv'));
    const want = ibd.filter((f) => f.from === 'mm');
    assert.equal(want.length, 118);
    for (const [i, f] of want.entries()) await same('block', f, `block #${i}`);

    // A transaction reaching us is announced to it and served; its own transaction is fetched from it.
    await n.rpc('sendrawtransaction', toHex(nth(IN, 'mm', 'tx').payload));
    await same('inv', nth(IN, 'mm', 'inv'));
    sv.send(IN[IN.indexOf(nth(IN, 'mm', 'inv')) + 1]);
    await same('tx', nth(IN, 'mm', 'tx'));
    sv.send(nth(IN, 'sv', 'inv'));
    await same('getdata', nth(IN, 'mm', 'getdata'));
    sv.send(nth(IN, 'sv', 'tx'));
    await waitFor(async () => (await n.rpc('getrawmempool')).length === 2, 10_000, 'both transactions in our mempool');

    // New blocks (119 found here with both transactions, 120 received from elsewhere) are announced with headers.
    for (const i of [1, 2]) {
      const at = IN.indexOf(nth(IN, 'mm', 'headers', i));
      assert.equal(await n.rpc('submitblock', toHex(IN[at + 2].payload)), null);
      await same('headers', IN[at], `headers ${118 + i}`);
      sv.send(IN[at + 1]);
      await same('block', IN[at + 2], `block ${118 + i}`);
    }
    assert.deepEqual(await n.rpc('getrawmempool'), []);
    sv.send(nth(IN, 'sv', 'ping', 1));
    await same('pong', nth(IN, 'mm', 'pong', 1));

    const [peer] = await n.rpc('getpeerinfo');
    assert.equal(peer.inbound, true);
    assert.equal(peer.subver, '/Bitcoin SV:1.2.2/');
    assert.equal(peer.associd, 'Not-Set', 'we answered with an empty association ID: none is set up');
    assert.equal(peer.banscore, 0);
    assert.equal(peer.addnode, false);
    assert.equal(peer.startingheight, 0);
    const sent = new Set(sv.commands());
    for (const c of ['sendcmpct', 'mempool', 'createstrm', 'reject', 'notfound', 'feefilter']) assert.ok(!sent.has(c), `never ${c}`);
  });
});
