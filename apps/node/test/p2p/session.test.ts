import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import secp256k1 from 'secp256k1';
import { randomBytes } from 'node:crypto';
import { concatBytes, mainnet, regtest, sha256d } from '@metamorph/bitcoin';
import { encodeFrame, encodeFrameHeader } from '../../src/p2p/framing.js';
import { encodePayload, type Message } from '../../src/p2p/messages/index.js';
import { PeerSession } from '../../src/p2p/session.js';
import { frameBytes, loadCapture } from './capture.js';
import { FakeClock, memoryLogger, scriptedSession } from './helpers.js';

const capture = loadCapture();
const captured = (command: string, from: 'A' | 'B') => capture.messages.find((m) => m.command === command && m.from === from && m.conn === 0)!;
const wire = (command: string, from: 'A' | 'B') => frameBytes(capture.magic, captured(command, from));
const frame = (m: Message) => encodeFrame(regtest.netMagic, m.command, encodePayload(m));

/** SV Node's version toward a peer that sent an empty association ID: the captured one, re-ended with 0x00. */
function svVersionWithoutAssociation(from: 'A' | 'B'): Uint8Array {
  const p = captured('version', from).payload;
  const payload = concatBytes(p.subarray(0, 104), new Uint8Array([0]));
  return encodeFrame(regtest.netMagic, 'version', payload);
}

const tick = () => new Promise((r) => setImmediate(r));

describe('peer session handshake, as SV Node 1.2.2 runs it', () => {
  it('outbound: version with an empty association ID; on their version: verack, protoconf, getaddr; on verack: authch, sendheaders, ping', async () => {
    let ready = 0;
    const s = scriptedSession({ inbound: false }, { onReady: () => ready++ });
    s.session.start();
    assert.deepEqual(s.commands(), ['version']);
    const v = s.sent[0].payload as Extract<Message, { command: 'version' }>['payload'];
    assert.equal(v.version, 70016);
    assert.equal(v.services, 0x21n);
    assert.equal(v.relay, true);
    assert.equal(v.associationId?.length, 0);
    assert.equal(v.startHeight, 7);
    const lastByte = s.sentFrames[0][s.sentFrames[0].length - 1];
    assert.equal(lastByte, 0, 'the association ID is one 0x00 byte');

    s.session.receive(svVersionWithoutAssociation('A'));
    await s.session.drained();
    assert.deepEqual(s.commands(), ['version', 'verack', 'protoconf', 'getaddr']);
    const pc = s.sent[2].payload as Extract<Message, { command: 'protoconf' }>['payload'];
    assert.deepEqual(pc, { numberOfFields: 2, maxRecvPayloadLength: 2_097_152, streamPolicies: 'Default' });

    s.session.receive(concatBytes(wire('verack', 'A'), wire('protoconf', 'A')));
    await s.session.drained();
    assert.deepEqual(s.commands().slice(4), ['authch', 'sendheaders', 'ping']);
    assert.equal(ready, 1);
    assert.ok(s.session.ready);
    assert.equal(s.session.peerVersion, 70016);
    assert.equal(s.session.userAgent, '/Bitcoin SV:1.2.2/');
    assert.equal(s.session.startHeight, 110);
    assert.equal(s.session.peerMaxRecvPayload, 2_097_152);
    assert.equal(s.session.peerStreamPolicies, 'BlockPriority,Default');
    assert.ok(!s.commands().includes('sendcmpct'), 'compact blocks declined');
    assert.ok(!s.commands().includes('mempool'), 'never mempool');
  });

  it('inbound: answers a captured SV Node version (with association ID) with version, verack, protoconf, in that order', async () => {
    const s = scriptedSession({ inbound: true });
    s.session.start();
    assert.deepEqual(s.commands(), []);
    s.session.receive(wire('version', 'B'));
    await s.session.drained();
    assert.deepEqual(s.commands(), ['version', 'verack', 'protoconf']);
    const v = s.sent[0].payload as Extract<Message, { command: 'version' }>['payload'];
    assert.equal(v.associationId?.length, 0, 'we do not echo the association: SV Node then opens no second stream');
    assert.equal(s.session.associationId?.length, 17);
    // SV Node's own follow-ups after its verack: authch, sendheaders, sendcmpct, ping, getheaders, feefilter.
    const after = ['verack', 'protoconf', 'authch', 'sendheaders', 'sendcmpct', 'ping', 'getheaders', 'feefilter'].map((c) => wire(c, 'B'));
    const forwarded: string[] = [];
    s.session.attach((b) => void b, { onMessage: (_s, m) => void forwarded.push(m.command) });
    s.session.receive(concatBytes(...after));
    await s.session.drained();
    assert.ok(s.session.ready);
    assert.ok(s.session.preferHeaders);
    assert.deepEqual(s.session.compact, { announce: false, version: 1n });
    assert.equal(s.session.feeFilter, 9_577_383n);
    assert.deepEqual(forwarded, ['getheaders']);
    assert.deepEqual(s.closes, []);
  });

  it('addrRecv carries the services our address book knows for the peer, not what its version says (0 for inbound peers), as SV Node sends it', async () => {
    const inbound = scriptedSession({ inbound: true, remote: { host: '93.184.216.34', port: 8333 } });
    inbound.session.receive(wire('version', 'B'));
    await inbound.session.drained();
    const vi = inbound.sent[0].payload as Extract<Message, { command: 'version' }>['payload'];
    assert.equal(inbound.session.peerServices, 0x21n);
    assert.deepEqual({ ...vi.addrRecv, ip: [...vi.addrRecv.ip] }, { services: 0n, ip: [...new Uint8Array(10), 0xff, 0xff, 93, 184, 216, 34], port: 8333 });
    const outbound = scriptedSession({ inbound: false, addrServices: 0x25n, remote: { host: '93.184.216.34', port: 8333 } });
    outbound.session.start();
    const vo = outbound.sent[0].payload as Extract<Message, { command: 'version' }>['payload'];
    assert.equal(vo.addrRecv.services, 0x25n);
    assert.deepEqual(vo.addrFrom, { services: 0x21n, ip: new Uint8Array(16), port: 0 });
  });

  it('two sessions complete the handshake with each other', async () => {
    const clock = new FakeClock();
    const log = memoryLogger();
    const mk = (id: number, inbound: boolean) =>
      new PeerSession({
        id,
        inbound,
        params: regtest,
        remote: { host: '127.0.0.1', port: 1 },
        local: { services: 0x21n, userAgent: '/t/', relay: true, startHeight: () => 0, maxRecvPayload: 2_097_152 },
        now: clock.now,
        log,
      });
    const a = mk(1, false);
    const b = mk(2, true);
    const readies: number[] = [];
    a.attach((bytes) => b.receive(bytes), { onReady: (s) => readies.push(s.id) });
    b.attach((bytes) => a.receive(bytes), { onReady: (s) => readies.push(s.id) });
    a.start();
    for (let i = 0; i < 10; i++) await tick();
    assert.deepEqual(readies.sort(), [1, 2]);
    // Both pinged on ready; the pongs came back.
    clock.advance(5);
    for (let i = 0; i < 5; i++) await tick();
    assert.ok(a.stats().pingMs !== undefined && b.stats().pingMs !== undefined);
  });
});

async function readySession(opts: Partial<Parameters<typeof scriptedSession>[0]> = {}, handler = {}) {
  const s = scriptedSession({ inbound: true, ...opts }, handler);
  s.session.receive(concatBytes(wire('version', 'B'), wire('verack', 'B')));
  await s.session.drained();
  assert.ok(s.session.ready);
  s.sent.length = 0;
  return s;
}

describe('peer session keepalive', () => {
  it('answers ping with the same nonce, and times its own pings', async () => {
    const clock = new FakeClock();
    const s = await readySession({ now: clock.now });
    s.session.receive(frame({ command: 'ping', payload: { nonce: 0xdeadbeefn } }));
    await s.session.drained();
    assert.deepEqual(s.sent, [{ command: 'pong', payload: { nonce: 0xdeadbeefn } }]);
    // Our ping went out on ready (before the reset); answer it after 40 ms.
    const ourPing = s.session['pingNonceSent'] as bigint;
    clock.advance(40);
    s.session.receive(frame({ command: 'pong', payload: { nonce: ourPing } }));
    await s.session.drained();
    assert.equal(s.session.stats().pingMs, 40);
    // Next ping after two minutes.
    clock.advance(119_000);
    s.session.tick();
    assert.equal(s.sent.filter((m) => m.command === 'ping').length, 0);
    clock.advance(2_000);
    s.session.tick();
    assert.equal(s.sent.filter((m) => m.command === 'ping').length, 1);
  });

  it('times out a handshake that never completes, and an unanswered ping', async () => {
    const clock = new FakeClock();
    const s = scriptedSession({ inbound: false, now: clock.now });
    s.session.start();
    s.session.receive(svVersionWithoutAssociation('A'));
    await s.session.drained();
    clock.advance(61_000);
    s.session.tick();
    assert.equal(s.closes[0]?.reason, 'version handshake timeout');

    const r = await readySession({ now: clock.now });
    clock.advance(20 * 60_000 + 1);
    r.session.tick();
    assert.match(r.closes[0]?.reason ?? '', /timeout/);
  });
});

describe('malformed and hostile input never crashes, and costs the peer as SV Node charges it', () => {
  it('wrong magic: disconnect, ban always, reason logged', async () => {
    const s = scriptedSession({ inbound: true });
    s.session.receive(encodeFrame(mainnet.netMagic, 'version', captured('version', 'B').payload));
    assert.equal(s.closes.length, 1);
    assert.equal(s.closes[0].ban, 'always');
    assert.match(s.closes[0].reason, /magic/);
    // Further bytes are ignored.
    s.session.receive(wire('version', 'B'));
    assert.equal(s.closes.length, 1);
  });

  it('oversized length: disconnect and ban before the payload arrives', () => {
    const s = scriptedSession({ inbound: true });
    s.session.receive(encodeFrameHeader(regtest.netMagic, 'inv', 50_000_000, new Uint8Array(4)));
    assert.equal(s.closes[0]?.ban, 'always');
    assert.match(s.closes[0].reason, /inv payload of 50000000 bytes exceeds the limit of 2097152/);
  });

  it('random bytes: disconnect and ban', () => {
    const s = scriptedSession({ inbound: true });
    s.session.receive(randomBytes(200));
    assert.equal(s.closes[0]?.ban, 'always');
  });

  it('bad checksum: dropped silently, connection stays', async () => {
    const s = await readySession();
    const f = frame({ command: 'ping', payload: { nonce: 5n } });
    f[21] ^= 1;
    s.session.receive(f);
    await s.session.drained();
    assert.deepEqual(s.sent, []);
    assert.deepEqual(s.closes, []);
  });

  it('a burst of bad checksums earns a point', async () => {
    const s = await readySession();
    const f = frame({ command: 'ping', payload: { nonce: 5n } });
    f[21] ^= 1;
    for (let i = 0; i < 102; i++) s.session.receive(f);
    await s.session.drained();
    assert.equal(s.session.banScore, 1);
  });

  it('truncated payload: reject MALFORMED, no disconnect', async () => {
    const s = await readySession();
    s.session.receive(encodeFrame(regtest.netMagic, 'getheaders', new Uint8Array([0x80, 0x11, 0x01, 0x00, 0x05])));
    await s.session.drained();
    assert.deepEqual(s.sent, [{ command: 'reject', payload: { message: 'getheaders', code: 1, reason: 'error parsing message' } }]);
    assert.deepEqual(s.closes, []);
    assert.ok(s.log.lines.some((l) => l.msg === 'malformed message' && /getheaders\.locator/.test(String(l.fields?.reason))));
  });

  it('messages before version cost a point each; the hundredth bans', async () => {
    const s = scriptedSession({ inbound: true });
    const ping = frame({ command: 'ping', payload: { nonce: 1n } });
    for (let i = 0; i < 100; i++) s.session.receive(ping);
    await s.session.drained();
    assert.equal(s.closes.length, 1);
    assert.equal(s.closes[0].ban, 'misbehaviour');
    assert.match(s.closes[0].reason, /missing-version/);
  });

  it('a message between version and verack costs a point', async () => {
    const s = scriptedSession({ inbound: true });
    s.session.receive(concatBytes(wire('version', 'B'), frame({ command: 'getaddr', payload: {} })));
    await s.session.drained();
    assert.equal(s.session.banScore, 1);
  });

  it('duplicate version: reject DUPLICATE and a point', async () => {
    const s = await readySession();
    s.session.receive(wire('version', 'B'));
    await s.session.drained();
    assert.deepEqual(s.sent, [{ command: 'reject', payload: { message: 'version', code: 0x12, reason: 'Duplicate version message' } }]);
    assert.equal(s.session.banScore, 1);
  });

  it('filterload without NODE_BLOOM: 100 points, banned', async () => {
    const s = await readySession();
    s.session.receive(encodeFrame(regtest.netMagic, 'filterload', new Uint8Array(10)));
    await s.session.drained();
    assert.equal(s.closes[0]?.ban, 'misbehaviour');
    assert.match(s.closes[0].reason, /no-bloom-version/);
  });

  it('whitelisted peers are not punished for misbehaviour', async () => {
    const s = await readySession({ whitelisted: true });
    s.session.receive(encodeFrame(regtest.netMagic, 'filterload', new Uint8Array(10)));
    await s.session.drained();
    assert.deepEqual(s.closes, []);
    assert.equal(s.session.banScore, 100);
  });

  it('sendheaders twice: a point', async () => {
    const s = await readySession();
    s.session.receive(frame({ command: 'sendheaders', payload: {} }));
    s.session.receive(frame({ command: 'sendheaders', payload: {} }));
    await s.session.drained();
    assert.equal(s.session.banScore, 1);
  });

  it('unknown and unsupported commands are ignored after the handshake', async () => {
    const s = await readySession();
    s.session.receive(concatBytes(encodeFrame(regtest.netMagic, 'whatever', new Uint8Array(3)), encodeFrame(regtest.netMagic, 'sendhdrsen', new Uint8Array(0))));
    await s.session.drained();
    assert.deepEqual(s.sent, []);
    assert.deepEqual(s.closes, []);
    assert.equal(s.session.banScore, 0);
  });

  it('createstrm is refused politely: reject STREAM_SETUP, then the connection closes without a ban', async () => {
    const s = scriptedSession({ inbound: true });
    s.session.receive(frameBytes(capture.magic, capture.messages.find((m) => m.command === 'createstrm')!));
    await s.session.drained();
    assert.equal(s.sent[0].command, 'reject');
    assert.equal((s.sent[0].payload as { code: number }).code, 0x60);
    assert.equal(s.closes[0]?.ban, 'none');
  });

  it('obsolete protocol versions are refused', async () => {
    const s = scriptedSession({ inbound: true });
    const p = captured('version', 'B').payload.slice();
    new DataView(p.buffer).setInt32(0, 31799, true);
    s.session.receive(encodeFrame(regtest.netMagic, 'version', p));
    await s.session.drained();
    assert.deepEqual(s.sent, [{ command: 'reject', payload: { message: 'version', code: 0x11, reason: 'Version must be 31800 or greater' } }]);
    assert.equal(s.closes[0]?.ban, 'none');
  });

  it('a connection to ourselves is dropped', async () => {
    const nonce = 0x3efe77b4f39e8862n; // the captured version's nonce
    const s = scriptedSession({ inbound: true, isOwnNonce: (n) => n === nonce });
    s.session.receive(wire('version', 'B'));
    await s.session.drained();
    assert.equal(s.closes[0]?.reason, 'connected to self');
  });

  it('a second protoconf, or one announcing less than 1 MiB, disconnects', async () => {
    const s = await readySession();
    s.session.receive(concatBytes(wire('protoconf', 'B'), wire('protoconf', 'B')));
    await s.session.drained();
    assert.equal(s.closes[0]?.reason, 'second protoconf');
    const t = await readySession();
    t.session.receive(frame({ command: 'protoconf', payload: { numberOfFields: 1, maxRecvPayloadLength: 1000 } }));
    await t.session.drained();
    assert.match(t.closes[0]?.reason ?? '', /below 1048576/);
  });

  it('a handler that throws is logged and the session carries on', async () => {
    const s = await readySession({}, { onMessage: () => { throw new Error('boom'); } });
    s.session.receive(frame({ command: 'getaddr', payload: {} }));
    s.session.receive(frame({ command: 'ping', payload: { nonce: 9n } }));
    await s.session.drained();
    assert.ok(s.log.lines.some((l) => l.level === 'error' && /boom/.test(String(l.fields?.error))));
    assert.deepEqual(s.sent, [{ command: 'pong', payload: { nonce: 9n } }]);
  });
});

describe('authch / authresp', () => {
  it('ignores the peer\'s authch (no miner ID), and verifies an authresp to ours', async () => {
    const s = scriptedSession({ inbound: true });
    s.session.receive(concatBytes(wire('version', 'B'), wire('verack', 'B'), wire('authch', 'B')));
    await s.session.drained();
    const ours = s.sent.find((m) => m.command === 'authch')!.payload as { challenge: Uint8Array; version: number; length: number };
    assert.equal(ours.version, 1);
    assert.equal(ours.length, 32);
    assert.ok(!s.commands().includes('authresp'));
    const key = randomBytes(32);
    const publicKey = secp256k1.publicKeyCreate(key, true);
    const nonce = 0x1122334455667788n;
    const nb = new Uint8Array(8);
    new DataView(nb.buffer).setBigUint64(0, nonce, true);
    const { signature } = secp256k1.ecdsaSign(sha256d(concatBytes(ours.challenge, nb)), key);
    const der = secp256k1.signatureExport(signature);
    s.session.receive(frame({ command: 'authresp', payload: { publicKey, nonce, signature: der } }));
    await s.session.drained();
    assert.ok(s.session.authenticated);
  });

  it('a bad authresp signature is rejected with AUTH_CONN_SETUP and the connection stays', async () => {
    const s = await readySession();
    const publicKey = secp256k1.publicKeyCreate(randomBytes(32), true);
    const der = secp256k1.signatureExport(secp256k1.ecdsaSign(new Uint8Array(32).fill(1), randomBytes(32)).signature);
    s.session.receive(frame({ command: 'authresp', payload: { publicKey, nonce: 1n, signature: der } }));
    await s.session.drained();
    assert.equal(s.sent[0].command, 'reject');
    assert.equal((s.sent[0].payload as { code: number }).code, 0x70);
    assert.ok(!s.session.authenticated);
    assert.deepEqual(s.closes, []);
  });
});
