import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { encodeTransaction, regtest, toHex, txid } from '@metamorph/bitcoin';
import { AddressBook, MemoryAddressStore } from '../../src/p2p/address-book.js';
import type { ChainEvent } from '../../src/p2p/chain.js';
import { encodeFrame } from '../../src/p2p/framing.js';
import { FEE_FILTER_INTERVAL_MS, poissonNext, roundFeeFilter } from '../../src/p2p/fee-filter.js';
import { encodePayload, type Message } from '../../src/p2p/messages/index.js';
import { NetProcessor } from '../../src/p2p/processor.js';
import { FakeClock, memoryLogger, scriptedSession } from './helpers.js';
import { MemoryChain } from './memory-chain.js';
import { frameBytes, loadCapture } from './capture.js';

const capture = loadCapture();
const wire = (command: string) => frameBytes(capture.magic, capture.messages.find((m) => m.command === command && m.from === 'B' && m.conn === 0)!);
const frame = (m: Message) => encodeFrame(regtest.netMagic, m.command, encodePayload(m));

const processors: NetProcessor[] = [];
after(() => processors.forEach((p) => p.stop()));

/** A processor over a memory chain with a mempool minimum fee, one handshaken inbound peer, and a clock we move. */
async function setup(opts: { minFee?: bigint; recentTip?: boolean; whitelisted?: boolean } = {}) {
  const clock = new FakeClock(Date.now());
  const chain = new MemoryChain({ now: clock.now });
  if (opts.recentTip) await chain.mine(1);
  let minFee = opts.minFee ?? 0n;
  Object.assign(chain, { minFeeRate: () => minFee });
  const processor = new NetProcessor(chain, new AddressBook(new MemoryAddressStore(), { allowLocal: true }), memoryLogger(), { invIntervalMs: 10, now: clock.now });
  processors.push(processor);
  const s = scriptedSession({ inbound: true, whitelisted: opts.whitelisted, now: clock.now }, processor);
  processor.addSession(s.session);
  s.session.receive(wire('version'));
  s.session.receive(wire('verack'));
  await s.session.drained();
  await new Promise((r) => setTimeout(r, 30));
  const filters = () => s.sent.filter((m) => m.command === 'feefilter').map((m) => (m.payload as { feeRate: bigint }).feeRate);
  return { chain, processor, clock, ...s, filters, setMinFee: (f: bigint) => (minFee = f) };
}

describe('fee filter, as SV Node 1.2.2 sends and honours it', () => {
  it('rounds to SV Node\'s buckets: 1 BSV/kB becomes the 9,577,383 sat/kB it sent live during its initial sync; 0 stays 0', () => {
    assert.equal(roundFeeFilter(100_000_000n), 9_577_383n);
    assert.equal(roundFeeFilter(100_000_000n, () => 0), 9_577_383n, 'above every bucket: always the top one');
    assert.equal(roundFeeFilter(0n), 0n);
    assert.equal(roundFeeFilter(140n, () => 1), 137n, 'usually the bucket below');
    assert.equal(roundFeeFilter(140n, () => 0), 151n, 'one time in three the one above');
    assert.equal(roundFeeFilter(137n, () => 0), 137n);
    const next = poissonNext(1000, FEE_FILTER_INTERVAL_MS, () => 0.5);
    assert.equal(next, 1000 + Math.round(Math.log(2) * FEE_FILTER_INTERVAL_MS));
  });

  it('in initial block download: 1 BSV/kB (rounded) right after the handshake; on leaving it, the mempool minimum at once; then only changes, about every 10 minutes', async () => {
    const t = await setup({ minFee: 0n });
    assert.deepEqual(t.filters(), [9_577_383n]);
    // A tick before the next scheduled check sends nothing.
    t.processor.tick();
    assert.deepEqual(t.filters(), [9_577_383n]);
    // A recent tip ends initial block download: the real minimum goes out at once (SV Node sent 0 within 65 ms live).
    await t.chain.mine(1);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(t.filters(), [9_577_383n, 0n]);
    t.clock.advance(FEE_FILTER_INTERVAL_MS * 20);
    t.processor.tick();
    assert.deepEqual(t.filters(), [9_577_383n, 0n], 'unchanged: not sent again');
    // A mempool filling up raises the minimum: sent within a minute, not ten.
    t.setMinFee(50_000n);
    t.processor.tick();
    t.clock.advance(61_000);
    t.processor.tick();
    assert.equal(t.filters().length, 3);
    assert.ok(t.filters()[2] >= 45_000n && t.filters()[2] <= 55_000n);
  });

  it('a node out of initial block download with a zero minimum sends no feefilter at all (as SV Node A did live); whitelisted peers get none', async () => {
    const t = await setup({ minFee: 0n, recentTip: true });
    assert.deepEqual(t.filters(), []);
    const w = await setup({ minFee: 5000n, recentTip: true, whitelisted: true });
    assert.deepEqual(w.filters(), []);
    const p = await setup({ minFee: 5000n, recentTip: true });
    assert.equal(p.filters().length, 1);
    assert.ok([4_675n, 5_143n].includes(p.filters()[0]), `${p.filters()[0]} is a bucket next to 5000`);
  });

  it('transactions paying less than the peer\'s feefilter are not announced to it', async () => {
    const t = await setup({ minFee: 0n, recentTip: true });
    t.session.receive(frame({ command: 'feefilter', payload: { feeRate: 1000n } }));
    await t.session.drained();
    const emit = (e: ChainEvent) => (t.chain as unknown as { emit(e: ChainEvent): void }).emit(e);
    const cheap = encodeTransaction(MemoryChain.dummyTx(1));
    const paying = encodeTransaction(MemoryChain.dummyTx(2));
    emit({ type: 'tx', txid: txid(MemoryChain.dummyTx(1)), raw: cheap, fee: BigInt(cheap.length) - 1n });
    emit({ type: 'tx', txid: txid(MemoryChain.dummyTx(2)), raw: paying, fee: BigInt(paying.length) });
    await new Promise((r) => setTimeout(r, 50));
    const invs = t.sent.filter((m) => m.command === 'inv').flatMap((m) => (m.payload as { inventory: { hash: Uint8Array }[] }).inventory.map((i) => toHex(i.hash)));
    assert.deepEqual(invs, [toHex(txid(MemoryChain.dummyTx(2)))]);
  });
});
