import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { blockHash, concatBytes, encodeBlock, encodeTransaction, regtest, toHex, txid, ZERO_HASH, type BlockHeader } from '@metamorph/bitcoin';
import { AddressBook, MemoryAddressStore } from '../../src/p2p/address-book.js';
import { encodeFrame } from '../../src/p2p/framing.js';
import { encodePayload, type Message } from '../../src/p2p/messages/index.js';
import { ipFromString } from '../../src/p2p/net-address.js';
import { NetProcessor } from '../../src/p2p/processor.js';
import { InvType } from '../../src/p2p/protocol.js';
import { frameBytes, loadCapture } from './capture.js';
import { memoryLogger, scriptedSession } from './helpers.js';
import { MemoryChain } from './memory-chain.js';

const capture = loadCapture();
const wire = (command: string) => frameBytes(capture.magic, capture.messages.find((m) => m.command === command && m.from === 'B' && m.conn === 0)!);
const frame = (m: Message) => encodeFrame(regtest.netMagic, m.command, encodePayload(m));

const processors: NetProcessor[] = [];
after(() => processors.forEach((p) => p.stop()));

/** A processor over a memory chain with one connected, handshaken scripted peer. */
async function setup(opts: { inbound?: boolean; whitelisted?: boolean; chain?: MemoryChain; host?: string } = {}) {
  const chain = opts.chain ?? new MemoryChain();
  const book = new AddressBook(new MemoryAddressStore(), { allowLocal: false });
  const processor = new NetProcessor(chain, book, memoryLogger(), { invIntervalMs: 10 });
  processors.push(processor);
  const s = scriptedSession({ inbound: opts.inbound ?? true, whitelisted: opts.whitelisted, remote: { host: opts.host ?? '93.184.216.34', port: 8333 } }, processor);
  processor.addSession(s.session);
  if (s.session.inbound) s.session.receive(concatBytes(wire('version'), wire('verack')));
  else {
    s.session.start();
    const v = capture.messages.find((m) => m.command === 'version' && m.from === 'A')!.payload;
    s.session.receive(concatBytes(encodeFrame(regtest.netMagic, 'version', concatBytes(v.subarray(0, 104), new Uint8Array([0]))), wire('verack')));
  }
  await s.session.drained();
  await new Promise((r) => setTimeout(r, 20));
  s.sent.length = 0;
  const send = async (...ms: Message[]) => {
    for (const m of ms) s.session.receive(frame(m));
    await s.session.drained();
  };
  return { chain, book, processor, ...s, send };
}

const now = Math.floor(Date.now() / 1000);
const addr = (ip: string, port = 8333, time = now) => ({ time, services: 0x21n, ip: ipFromString(ip), port });

describe('addresses', () => {
  it('an inbound peer\'s unsolicited addr only yields its own address', async () => {
    const t = await setup({ inbound: true, host: '93.184.216.34' });
    await t.send({ command: 'addr', payload: { addresses: [addr('1.2.3.4'), addr('93.184.216.34', 8333), addr('5.6.7.8')] } });
    assert.deepEqual(t.book.list().map((e) => e.host), ['93.184.216.34']);
  });

  it('an outbound peer\'s addr is learnt; more than 1000 entries cost 20 points', async () => {
    const t = await setup({ inbound: false });
    await t.send({ command: 'addr', payload: { addresses: [addr('1.2.3.4'), addr('5.6.7.8', 18333)] } });
    assert.equal(t.book.size, 2);
    await t.send({ command: 'addr', payload: { addresses: Array.from({ length: 1001 }, (_, i) => addr(`9.9.${i >> 8}.${i & 255}`)) } });
    assert.equal(t.session.banScore, 20);
    assert.equal(t.book.size, 2);
  });

  it('getaddr is answered once, and only to inbound peers', async () => {
    const t = await setup({ inbound: true });
    t.book.add([addr('1.2.3.4'), addr('5.6.7.8'), addr('9.10.11.12'), addr('13.14.15.16'), addr('17.18.19.20')], 'addr');
    await t.send({ command: 'getaddr', payload: {} }, { command: 'getaddr', payload: {} });
    assert.deepEqual(t.commands(), ['addr']);
    const o = await setup({ inbound: false });
    o.book.add([addr('1.2.3.4')], 'addr');
    await o.send({ command: 'getaddr', payload: {} });
    assert.deepEqual(o.commands(), []);
  });
});

describe('inventory, data and headers', () => {
  it('a non-whitelisted mempool request disconnects; an inv of an unknown type disconnects', async () => {
    const t = await setup();
    await t.send({ command: 'mempool', payload: {} });
    assert.match(t.closes[0]?.reason ?? '', /mempool/);
    const u = await setup();
    await u.send({ command: 'inv', payload: { inventory: [{ type: 7, hash: ZERO_HASH }] } });
    assert.match(u.closes[0]?.reason ?? '', /unknown type 7/);
  });

  it('getdata: blocks we have, notfound for transactions we lack', async () => {
    const chain = new MemoryChain();
    const [b1] = await chain.mine(1);
    const t = await setup({ chain });
    const unknown = ZERO_HASH;
    await t.send({ command: 'getdata', payload: { inventory: [{ type: InvType.Block, hash: blockHash(b1.header) }, { type: InvType.Tx, hash: unknown }] } });
    assert.deepEqual(t.commands(), ['block', 'notfound']);
    assert.equal(toHex((t.sent[0].payload as { raw: Uint8Array }).raw), toHex(encodeBlock(b1)));
  });

  it('getheaders is ignored during initial block download unless the peer is whitelisted', async () => {
    const old = new MemoryChain({ now: () => 1_300_000_000_000 });
    await old.mine(3);
    const ask: Message = { command: 'getheaders', payload: { version: 70016, locator: [regtest.genesisHash], hashStop: ZERO_HASH } };
    const t = await setup({ chain: old });
    await t.send(ask);
    assert.deepEqual(t.commands(), []);
    const w = await setup({ chain: old, whitelisted: true });
    await w.send(ask);
    assert.deepEqual(t.commands(), []);
    assert.deepEqual(w.commands(), ['headers']);
    assert.equal((w.sent[0].payload as { headers: unknown[] }).headers.length, 3);
  });

  it('headers: too many (20), not continuous (20), proof of work too weak (50)', async () => {
    const source = new MemoryChain();
    const blocks = await source.mine(3);
    const hs = blocks.map((b) => ({ header: b.header, txCount: 0 }));
    const t = await setup();
    await t.send({ command: 'headers', payload: { headers: [hs[0], hs[2]] } });
    assert.equal(t.session.banScore, 20);
    const bad: BlockHeader = { ...blocks[0].header, bits: 0x1d00ffff };
    await t.send({ command: 'headers', payload: { headers: [{ header: bad, txCount: 0 }] } });
    assert.equal(t.session.banScore, 70);
    const too = Array.from({ length: 2001 }, () => hs[0]);
    await t.send({ command: 'headers', payload: { headers: too } });
    assert.equal(t.session.banScore, 90);
  });

  it('announcements that do not connect: getheaders each time, 20 points every tenth', async () => {
    const source = new MemoryChain();
    const blocks = await source.mine(3);
    const t = await setup();
    for (let i = 0; i < 10; i++) await t.send({ command: 'headers', payload: { headers: [{ header: blocks[2].header, txCount: 0 }] } });
    assert.equal(t.commands().filter((c) => c === 'getheaders').length, 10);
    assert.equal(t.session.banScore, 20);
  });

  it('a header announcement is fetched with getdata, the block connected, and new transactions asked for', async () => {
    const source = new MemoryChain();
    const [b1] = await source.mine(1);
    const t = await setup();
    await t.send({ command: 'headers', payload: { headers: [{ header: b1.header, txCount: 0 }] } });
    await new Promise((r) => setTimeout(r, 30));
    const gd = t.sent.find((m) => m.command === 'getdata')!.payload as { inventory: { type: number; hash: Uint8Array }[] };
    assert.deepEqual(gd.inventory.map((i) => [i.type, toHex(i.hash)]), [[InvType.Block, toHex(blockHash(b1.header))]]);
    await t.send({ command: 'block', payload: (await import('../../src/p2p/messages/primitives.js')).rawBlock(encodeBlock(b1)) });
    assert.equal(t.chain.height, 1);
    const tx = MemoryChain.dummyTx(77);
    await t.send({ command: 'inv', payload: { inventory: [{ type: InvType.Tx, hash: txid(tx) }] } });
    assert.equal(t.commands().filter((c) => c === 'getdata').length, 2);
    await t.send({ command: 'tx', payload: (await import('../../src/p2p/messages/primitives.js')).rawTx(encodeTransaction(tx)) });
    assert.ok(t.chain.mempool.has(toHex(txid(tx))));
  });
});

describe('refused blocks', () => {
  it('a block the chain refuses without a penalty is not asked for again', async () => {
    const source = new MemoryChain();
    const t1 = MemoryChain.dummyTx(1);
    const t2 = MemoryChain.dummyTx(2);
    const [b1] = await source.mine(1, () => [t1, t2]);
    // CVE-2012-2459: the last transaction repeated gives the same merkle root, so the same header.
    const mutated = { header: b1.header, txs: [...b1.txs, t2] };
    const t = await setup();
    await t.send({ command: 'headers', payload: { headers: [{ header: b1.header, txCount: 0 }] } });
    await new Promise((r) => setTimeout(r, 30));
    const { rawBlock } = await import('../../src/p2p/messages/primitives.js');
    await t.send({ command: 'block', payload: rawBlock(encodeBlock(mutated)) });
    await new Promise((r) => setTimeout(r, 100));
    t.processor.tick();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(t.commands().filter((c) => c === 'getdata').length, 1);
    assert.equal(t.session.banScore, 0);
    assert.equal(t.chain.height, 0);
    assert.ok(t.commands().includes('reject'));
  });
});
