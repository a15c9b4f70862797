import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { concatBytes, regtest, mainnet, toHex } from '@metamorph/bitcoin';
import { P2PError, P2PErrorCode } from '../../src/p2p/errors.js';
import {
  DEFAULT_PAYLOAD_LIMITS,
  FrameDecoder,
  encodeFrame,
  encodeFrameHeader,
  maxPayloadFor,
  type FrameEvent,
} from '../../src/p2p/framing.js';
import { frameBytes, loadCapture } from './capture.js';

const capture = loadCapture();
const magic = regtest.netMagic;

function seededChunks(bytes: Uint8Array, seed: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let x = seed;
  for (let off = 0; off < bytes.length; ) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    const n = 1 + (x % 97);
    out.push(bytes.slice(off, off + n));
    off += n;
  }
  return out;
}

function feed(decoder: FrameDecoder, chunks: Uint8Array[]): FrameEvent[] {
  const events: FrameEvent[] = [];
  for (const c of chunks) events.push(...decoder.push(c));
  return events;
}

describe('P2P framing', () => {
  it('encodes every captured frame byte for byte', () => {
    for (const m of capture.messages) {
      assert.equal(toHex(encodeFrame(magic, m.command, m.payload)), toHex(frameBytes(magic, m)), `#${m.seq} ${m.command}`);
    }
  });

  it('decodes each captured direction as one byte stream split at arbitrary points', () => {
    const directions = new Map<string, typeof capture.messages>();
    for (const m of capture.messages) {
      const key = `${m.conn}${m.from}`;
      directions.set(key, [...(directions.get(key) ?? []), m]);
    }
    for (const [key, msgs] of directions) {
      const stream = concatBytes(...msgs.map((m) => frameBytes(magic, m)));
      for (const seed of [1, 7, 42]) {
        const events = feed(new FrameDecoder(magic), seededChunks(stream, seed));
        assert.equal(events.length, msgs.length, key);
        events.forEach((e, i) => {
          assert.equal(e.kind, 'frame');
          if (e.kind !== 'frame') return;
          assert.equal(e.command, msgs[i].command);
          assert.equal(toHex(e.payload), toHex(msgs[i].payload));
          assert.equal(e.extended, false);
        });
      }
    }
  });

  it('refuses another network\'s magic as soon as the header is complete', () => {
    const frame = encodeFrame(mainnet.netMagic, 'ping', new Uint8Array(8));
    const d = new FrameDecoder(magic);
    assert.deepEqual(d.push(frame.subarray(0, 23)), []);
    assert.throws(() => d.push(frame.subarray(23, 24)), (e: P2PError) => e.code === P2PErrorCode.WrongMagic && /e3e1f3e8/.test(e.message));
    // The decoder stays failed.
    assert.throws(() => d.push(new Uint8Array(1)), (e: P2PError) => e.code === P2PErrorCode.WrongMagic);
  });

  it('refuses random bytes', () => {
    const d = new FrameDecoder(magic);
    const junk = new Uint8Array(64).map((_, i) => (i * 37 + 11) & 0xff);
    assert.throws(() => d.push(junk), (e: P2PError) => e.code === P2PErrorCode.WrongMagic);
  });

  it('refuses an oversized length before reading any payload byte', () => {
    const header = encodeFrameHeader(magic, 'ping', DEFAULT_PAYLOAD_LIMITS.maxRecvPayload + 1, new Uint8Array(4));
    assert.throws(
      () => new FrameDecoder(magic).push(header),
      (e: P2PError) => e.code === P2PErrorCode.Oversized && /ping payload of 2097153 bytes exceeds the limit of 2097152/.test(e.message),
    );
    // Exactly at the limit is fine (the decoder then waits for the payload).
    assert.deepEqual(new FrameDecoder(magic).push(encodeFrameHeader(magic, 'ping', 2_097_152, new Uint8Array(4))), []);
  });

  it('applies per-command limits as SV Node does', () => {
    const limits = { maxRecvPayload: 2_097_152, maxBlockSize: 10_000_000, maxTxSize: 1_000_000 };
    assert.equal(maxPayloadFor('protoconf', limits), 1_048_576);
    assert.equal(maxPayloadFor('inv', limits), 2_097_152);
    assert.equal(maxPayloadFor('unknowncmd', limits), 2_097_152);
    assert.equal(maxPayloadFor('tx', limits), 1_000_000);
    for (const c of ['block', 'cmpctblock', 'blocktxn', 'hdrsen']) assert.equal(maxPayloadFor(c, limits), 10_000_000);
    assert.equal(maxPayloadFor('getblocktxn', limits), Math.floor(10_000_000 / 215) * 6 + 24);
    const d = new FrameDecoder(magic, limits);
    assert.deepEqual(d.push(encodeFrameHeader(magic, 'block', 10_000_000, new Uint8Array(4))), []);
    assert.throws(() => new FrameDecoder(magic, limits).push(encodeFrameHeader(magic, 'protoconf', 1_048_577, new Uint8Array(4))), /Oversized|exceeds/);
  });

  it('drops a frame with a bad checksum and keeps reading', () => {
    const good = encodeFrame(magic, 'ping', new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    const bad = good.slice();
    bad[20] ^= 0xff;
    const events = new FrameDecoder(magic).push(concatBytes(bad, good));
    assert.equal(events.length, 2);
    assert.equal(events[0].kind, 'bad-checksum');
    assert.equal(events[1].kind, 'frame');
  });

  it('drops a frame whose command bytes are not printable ASCII, and keeps reading', () => {
    const frame = encodeFrame(magic, 'ping', new Uint8Array(8));
    frame[5] = 0x01;
    const nulThenText = encodeFrame(magic, 'ping', new Uint8Array(8));
    nulThenText[9] = 0x41; // "ping", a NUL, then a letter after it
    const events = new FrameDecoder(magic).push(concatBytes(frame, nulThenText, encodeFrame(magic, 'verack', new Uint8Array(0))));
    assert.deepEqual(events.map((e) => e.kind), ['bad-command', 'bad-command', 'frame']);
  });

  it('reads SV\'s extended header (extmsg) and skips its checksum', () => {
    const payload = new Uint8Array([9, 8, 7, 6, 5, 4, 3, 2]);
    const header = new Uint8Array(44);
    header.set(magic, 0);
    header.set(new TextEncoder().encode('extmsg'), 4);
    new DataView(header.buffer).setUint32(16, 0xffffffff, true);
    header.set(new TextEncoder().encode('ping'), 24);
    new DataView(header.buffer).setBigUint64(36, 8n, true);
    const events = feed(new FrameDecoder(magic), seededChunks(concatBytes(header, payload), 3));
    assert.equal(events.length, 1);
    assert.deepEqual(events[0], { kind: 'frame', command: 'ping', payload, extended: true });
  });

  it('writes the extended header for payloads above 4 GB', () => {
    const h = encodeFrameHeader(magic, 'block', 5_000_000_000, new Uint8Array(4).fill(0xaa));
    assert.equal(h.length, 44);
    assert.equal(new TextDecoder().decode(h.subarray(4, 10)), 'extmsg');
    assert.equal(new DataView(h.buffer).getUint32(16, true), 0xffffffff);
    assert.deepEqual([...h.subarray(20, 24)], [0, 0, 0, 0]);
    assert.equal(new TextDecoder().decode(h.subarray(24, 29)), 'block');
    assert.equal(new DataView(h.buffer).getBigUint64(36, true), 5_000_000_000n);
    // ...which our decoder refuses as over its block limit before any payload arrives.
    assert.throws(() => new FrameDecoder(magic).push(h), (e: P2PError) => e.code === P2PErrorCode.Oversized);
  });

  it('refuses an extended header without a valid inner command', () => {
    const h = encodeFrameHeader(magic, 'block', 5_000_000_000, new Uint8Array(4));
    h.fill(0, 24, 36);
    assert.throws(() => new FrameDecoder(magic).push(h), (e: P2PError) => e.code === P2PErrorCode.BadHeader);
  });

  it('refuses command names the wire cannot carry', () => {
    assert.throws(() => encodeFrame(magic, 'averylongcommand', new Uint8Array(0)), (e: P2PError) => e.code === P2PErrorCode.InvalidCommand);
    assert.throws(() => encodeFrame(magic, '', new Uint8Array(0)), (e: P2PError) => e.code === P2PErrorCode.InvalidCommand);
  });
});
