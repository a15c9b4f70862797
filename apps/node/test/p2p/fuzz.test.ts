import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { concatBytes, regtest } from '@metamorph/bitcoin';
import { AddressBook, MemoryAddressStore } from '../../src/p2p/address-book.js';
import { encodeFrame } from '../../src/p2p/framing.js';
import { MESSAGE_CODECS } from '../../src/p2p/messages/index.js';
import { NetProcessor } from '../../src/p2p/processor.js';
import { frameBytes, loadCapture } from './capture.js';
import { memoryLogger, scriptedSession } from './helpers.js';
import { MemoryChain } from './memory-chain.js';

const capture = loadCapture();
const handshake = concatBytes(
  ...['version', 'verack'].map((c) => frameBytes(capture.magic, capture.messages.find((m) => m.command === c && m.from === 'B' && m.conn === 0)!)),
);
const commands = [...Object.keys(MESSAGE_CODECS), 'filterclear', 'sendhdrsen', 'whatever', 'extmsg'];
/** Captured payloads, to mutate into nearly-valid messages. */
const samples = capture.messages.map((m) => ({ command: m.command, payload: m.payload }));

const frameArb = fc.oneof(
  fc.record({ command: fc.constantFrom(...commands), payload: fc.uint8Array({ maxLength: 200 }) }),
  fc.record({ sample: fc.constantFrom(...samples), cut: fc.nat(), flip: fc.nat() }).map(({ sample, cut, flip }) => {
    const p = sample.payload.slice(0, sample.payload.length ? cut % (sample.payload.length + 1) : 0);
    if (p.length) p[flip % p.length] ^= 0x5a;
    return { command: sample.command, payload: p };
  }),
);

describe('random and mutated messages after a handshake', () => {
  it('never throw out of the session, and any disconnect has a reason', async () => {
    const processors: NetProcessor[] = [];
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(frameArb, { maxLength: 12 }), fc.integer({ min: 1, max: 64 }), async (frames, chunk) => {
          const chain = new MemoryChain();
          const processor = new NetProcessor(chain, new AddressBook(new MemoryAddressStore(), { allowLocal: false }), memoryLogger(), { invIntervalMs: 1000 });
          processors.push(processor);
          const s = scriptedSession({ inbound: true }, processor);
          processor.addSession(s.session);
          const bytes = concatBytes(handshake, ...frames.map((f) => encodeFrame(regtest.netMagic, f.command, f.payload)));
          for (let i = 0; i < bytes.length; i += chunk) s.session.receive(bytes.subarray(i, i + chunk));
          await s.session.drained();
          for (const c of s.closes) assert.ok(c.reason.length > 0);
          assert.ok(!s.log.lines.some((l) => l.level === 'error'), JSON.stringify(s.log.lines.filter((l) => l.level === 'error')));
          processor.stop();
        }),
        { numRuns: 150 },
      );
    } finally {
      processors.forEach((p) => p.stop());
    }
  });
});
