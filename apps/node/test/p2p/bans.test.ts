import assert from 'node:assert/strict';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { mainnet, regtest } from '@metamorph/bitcoin';
import { createTestDatabase, type TestDatabase } from '@metamorph/testing';
import { AddressBook } from '../../src/p2p/address-book.js';
import { BanList } from '../../src/p2p/ban-list.js';
import { encodeFrame, encodeFrameHeader } from '../../src/p2p/framing.js';
import { encodePayload } from '../../src/p2p/messages/index.js';
import { ipFromString } from '../../src/p2p/net-address.js';
import { PgAddressStore, PgBanStore } from '../../src/p2p/pg-stores.js';
import { startNode, type TestNode } from './net-harness.js';
import { waitFor } from './helpers.js';
import { loadCapture, frameBytes } from './capture.js';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase('node_p2p_bans');
});
after(async () => {
  await db.close();
});

/** Send bytes on a fresh connection; resolves with what came back once the node hangs up (or after `ms`). */
function poke(n: TestNode, bytes: Uint8Array, ms = 3000): Promise<{ closed: boolean; received: number }> {
  return new Promise((resolve) => {
    const s = net.connect(n.addr.port, '127.0.0.1');
    let received = 0;
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ closed: false, received });
    }, ms);
    s.on('data', (d) => (received += d.length));
    s.on('connect', () => s.write(bytes));
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ closed: true, received });
    });
    s.on('error', () => {});
  });
}

const capture = loadCapture();
const svVersion = frameBytes(capture.magic, capture.messages.find((m) => m.command === 'version' && m.from === 'B')!);

describe('bans and the address book persist in Postgres', () => {
  it('PgBanStore keeps bans across BanList instances; expired ones are swept', async () => {
    const t = { now: Date.now() };
    const a = new BanList(new PgBanStore(db.pool), () => t.now);
    await a.ban('203.0.113.7', 3600, 'test');
    await a.ban('198.51.100.0/24', 10, 'subnet test');
    const b = new BanList(new PgBanStore(db.pool), () => t.now);
    await b.load();
    assert.ok(b.isBanned('203.0.113.7'));
    assert.ok(b.isBanned('198.51.100.200'));
    assert.ok(!b.isBanned('198.51.101.1'));
    t.now += 11_000;
    await b.sweep();
    assert.deepEqual(b.list().map((e) => e.subnet), ['203.0.113.7']);
    await b.clear();
    const c = new BanList(new PgBanStore(db.pool));
    await c.load();
    assert.deepEqual(c.list(), []);
  });

  it('PgAddressStore saves and reloads the address book', async () => {
    const book = new AddressBook(new PgAddressStore(db.pool), { allowLocal: false });
    const now = Math.floor(Date.now() / 1000);
    assert.equal(book.add([
      { time: now, services: 0x21n, ip: ipFromString('93.184.216.34'), port: 8333 },
      { time: now, services: 0x20n, ip: ipFromString('93.184.216.35'), port: 8333 }, // no NODE_NETWORK: refused
      { time: now, services: 0x21n, ip: ipFromString('10.1.2.3'), port: 8333 }, // private: refused
      { time: now, services: 1n, ip: ipFromString('2606:2800:220:1::1'), port: 8333 },
    ], 'addr'), 2);
    book.markGood('93.184.216.34', 8333, 0x21n);
    await book.flush();
    const again = new AddressBook(new PgAddressStore(db.pool), { allowLocal: false });
    await again.load();
    const hosts = again.list().map((e) => `${e.host}:${e.port}:${e.lastSuccess > 0}`).sort();
    assert.deepEqual(hosts, ['2606:2800:220:1::1:8333:false', '93.184.216.34:8333:true']);
  });
});

describe('hostile input over TCP: disconnect, ban, never crash', () => {
  it('random bytes, another network\'s magic and an oversized header each get the address banned, recorded in Postgres, and it stays banned after a restart', async () => {
    await db.pool.query('DELETE FROM p2p_ban');
    const n = await startNode({ bans: new PgBanStore(db.pool), whitelist: [] });
    try {
      const r = await poke(n, randomBytes(300));
      assert.ok(r.closed);
      await waitFor(async () => (await db.pool.query('SELECT 1 FROM p2p_ban')).rowCount === 1, 5000, 'ban row');
      const { rows } = await db.pool.query<{ subnet: string; reason: string; banned_until: Date }>('SELECT subnet, reason, banned_until FROM p2p_ban');
      assert.equal(rows[0].subnet, '127.0.0.1');
      assert.match(rows[0].reason, /WRONG_MAGIC/);
      assert.ok(Math.abs(rows[0].banned_until.getTime() - Date.now() - 24 * 3600_000) < 60_000, '24 hours');
      assert.ok(n.lines.some((l) => l.msg === 'peer disconnected' && /magic/.test(String(l.fields?.reason))));
      // The next connection from the banned address is dropped at once, before any version.
      const again = await poke(n, svVersion);
      assert.deepEqual(again, { closed: true, received: 0 });
      assert.ok(n.lines.some((l) => l.msg === 'connection dropped (banned)'));
    } finally {
      await n.stop();
    }
    const restarted = await startNode({ bans: new PgBanStore(db.pool) });
    try {
      assert.deepEqual(await poke(restarted, svVersion), { closed: true, received: 0 });
    } finally {
      await restarted.stop();
    }
    await db.pool.query('DELETE FROM p2p_ban');
  });

  for (const [what, bytes, pattern] of [
    ['wrong magic', encodeFrame(mainnet.netMagic, 'version', capture.messages[0].payload), /magic/],
    ['oversized length', encodeFrameHeader(regtest.netMagic, 'inv', 3_000_000, new Uint8Array(4)), /exceeds the limit/],
    ['extended header without a command', (() => {
      const h = encodeFrameHeader(regtest.netMagic, 'block', 5_000_000_000, new Uint8Array(4));
      h.fill(0, 24, 36);
      return h;
    })(), /extended header/],
  ] as const) {
    it(`${what}: disconnected and banned with the reason logged; whitelisted peers may reconnect`, async () => {
      const n = await startNode({ whitelist: ['127.0.0.0/8'] });
      try {
        assert.ok((await poke(n, bytes)).closed);
        await waitFor(() => n.manager.listBanned().length === 1, 5000, 'ban');
        assert.match(n.manager.listBanned()[0].reason, pattern);
        // Whitelisted: still banned on record, but allowed back in, and it gets a version back.
        const back = await poke(n, svVersion, 1000);
        assert.equal(back.closed, false);
        assert.ok(back.received > 0);
      } finally {
        await n.stop();
      }
    });
  }

  it('a connect= peer that misbehaves is disconnected, as SV Node treats -connect peers; an addnode peer is only warned about', async () => {
    const verack = frameBytes(capture.magic, capture.messages.find((m) => m.command === 'verack')!);
    const filter = encodeFrame(regtest.netMagic, 'filterload', new Uint8Array(12));
    for (const kind of ['connect', 'addnode'] as const) {
      const server = net.createServer();
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      const target = [{ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port }];
      const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
      const n = await startNode(kind === 'connect' ? { connect: target } : { addNodes: target });
      const s = await accepted;
      let closed = false;
      s.on('close', () => (closed = true));
      s.on('error', () => {});
      s.resume();
      try {
        s.write(Buffer.concat([svVersion, verack, filter]));
        if (kind === 'connect') {
          await waitFor(() => closed, 5000, 'disconnected');
          assert.ok(n.lines.some((l) => l.msg === 'not banning local peer'));
        } else {
          await waitFor(() => n.lines.some((l) => l.msg === 'not punishing manually added peer'), 5000, 'warning');
          assert.equal(closed, false);
          assert.equal(n.manager.peerInfo()[0].addnode, true);
        }
      } finally {
        s.destroy();
        server.close();
        await n.stop();
      }
    }
  });

  it('misbehaviour from a local address disconnects without a ban; bad checksums and truncated payloads do not disconnect', async () => {
    const n = await startNode();
    try {
      const ping = encodeFrame(regtest.netMagic, 'ping', encodePayload({ command: 'ping', payload: { nonce: 1n } }));
      const bad = ping.slice();
      bad[20] ^= 0xff;
      const truncated = encodeFrame(regtest.netMagic, 'getheaders', new Uint8Array([1, 2, 3]));
      const r = await poke(n, Buffer.concat([svVersion, bad, truncated]), 1000);
      assert.equal(r.closed, false, 'still connected');
      const filter = encodeFrame(regtest.netMagic, 'filterload', new Uint8Array(12));
      const r2 = await poke(n, Buffer.concat([svVersion, frameBytes(capture.magic, capture.messages.find((m) => m.command === 'verack')!), filter]));
      assert.ok(r2.closed);
      await waitFor(() => n.lines.some((l) => l.msg === 'not banning local peer'), 3000, 'log');
      assert.deepEqual(n.manager.listBanned(), []);
    } finally {
      await n.stop();
    }
  });
});
