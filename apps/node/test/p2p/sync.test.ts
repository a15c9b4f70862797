import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { encodeTransaction, hashToHex, toHex, txid } from '@metamorph/bitcoin';
import { MemoryChain } from './memory-chain.js';
import { startNode, type TestNode } from './net-harness.js';
import { waitFor } from './helpers.js';

const nodes: TestNode[] = [];
async function node(opts: Parameters<typeof startNode>[0] = {}): Promise<TestNode> {
  const n = await startNode(opts);
  nodes.push(n);
  return n;
}
after(async () => {
  for (const n of nodes) await n.stop();
});

const sameTip = (a: TestNode, b: TestNode) => toHex(a.chain.tip().hash) === toHex(b.chain.tip().hash);

/** An in-memory chain that pauses before checking each block (and each lookup of missing blocks), as a loaded store does. */
function slowChain(tag: number, delays: { acceptMs: number; lookupMs?: number }): MemoryChain {
  const chain = new MemoryChain({ tag });
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const accept = chain.acceptBlock.bind(chain);
  chain.acceptBlock = async (raw, hash, requested) => (await pause(delays.acceptMs), accept(raw, hash, requested));
  if (delays.lookupMs !== undefined) {
    const missing = chain.missingBlocks.bind(chain);
    const ms = delays.lookupMs;
    chain.missingBlocks = async (target, maxHeight, limit) => (await pause(ms), missing(target, maxHeight, limit));
  }
  return chain;
}

describe('headers-first sync and relay between two nodes over TCP', () => {
  it('a node started later with only connect= syncs 2,100 blocks (two getheaders rounds), then follows new blocks', async () => {
    const a = await node({ tag: 1 });
    await a.chain.mine(2100);
    const b = await node({ tag: 2, connect: [a.addr] });
    await waitFor(() => sameTip(a, b), 60_000, 'B to reach A\'s tip');
    assert.equal(b.chain.height, 2100);
    // B asked for headers in two rounds of at most 2000.
    const aPeer = a.manager.peerInfo()[0];
    assert.ok(aPeer.bytesRecvPerCommand.getheaders >= 2 * (24 + 4 + 1 + 32 + 32), 'at least two getheaders');
    assert.ok(!Object.keys(aPeer.bytesRecvPerCommand).includes('mempool'), 'never mempool');

    // New blocks on A reach B by headers announcement.
    await a.chain.mine(3);
    await waitFor(() => sameTip(a, b), 10_000, 'relay A→B');
    assert.ok(a.manager.peerInfo()[0].bytesSentPerCommand.headers > 0);

    // And a block found on B reaches A.
    await b.chain.mine(1);
    await waitFor(() => sameTip(a, b), 10_000, 'relay B→A');
    assert.equal(a.chain.height, 2104);
    assert.ok(b.lines.some((l) => l.msg === 'new outbound peer connected'));
  });

  it('relays transactions both ways (inv, getdata, tx)', async () => {
    const a = await node({ tag: 3 });
    await a.chain.mine(5);
    const b = await node({ tag: 4, connect: [a.addr] });
    await waitFor(() => sameTip(a, b), 10_000, 'sync');
    const tx1 = MemoryChain.dummyTx(1);
    const id1 = txid(tx1);
    await a.chain.acceptTransaction(encodeTransaction(tx1), id1);
    await waitFor(() => b.chain.mempool.has(toHex(id1)), 10_000, 'tx A→B');
    const tx2 = MemoryChain.dummyTx(2);
    const id2 = txid(tx2);
    await b.chain.acceptTransaction(encodeTransaction(tx2), id2);
    await waitFor(() => a.chain.mempool.has(toHex(id2)), 10_000, 'tx B→A');
    // A block with both transactions clears both mempools.
    await a.chain.mine(1, () => [tx1, tx2]);
    await waitFor(() => sameTip(a, b) && b.chain.mempool.size === 0, 10_000, 'block with txs');
  });

  it('downloads from several peers at once within the window', async () => {
    const source = await node({ tag: 5 });
    await source.chain.mine(400);
    // Two more peers with the same chain.
    const copies: TestNode[] = [];
    for (const tag of [6, 7]) {
      const c = await node({ tag, connect: [source.addr] });
      await waitFor(() => sameTip(source, c), 30_000, 'copy sync');
      copies.push(c);
    }
    // D checks each block at a pace a real chain store might (2 ms), so the download lasts long
    // enough to see where blocks come from. Its housekeeping timer is held off: the other peers
    // must be asked for headers as soon as the first batch makes D's best header recent, as SV does.
    const d = await node({ chain: slowChain(8, { acceptMs: 2 }), tickMs: 600_000, connect: [source.addr, ...copies.map((c) => c.addr)] });
    await waitFor(() => sameTip(source, d), 30_000, 'D sync');
    const servers = d.manager.peerInfo().filter((p) => (p.bytesRecvPerCommand.block ?? 0) > 0);
    assert.equal(servers.length, 3, `blocks came from ${servers.length} of 3 peers`);
  });

  it('asks for each block once, even while the chain is slow to check the ones received (seen live against SV Node)', async () => {
    const a = await node({ tag: 12 });
    await a.chain.mine(40);
    // A chain that takes its time over each block and each lookup, as Postgres under load does: the
    // download scheduler then runs while received blocks are still being checked.
    const slow = slowChain(13, { acceptMs: 15, lookupMs: 5 });
    const b = await node({ chain: slow, connect: [a.addr] });
    await waitFor(() => sameTip(a, b), 30_000, 'sync');
    const hashes = slow.received.map((r) => r.hash);
    assert.equal(hashes.length, 40, `${hashes.length} blocks received for 40`);
    assert.equal(new Set(hashes).size, 40);
  });

  it('follows the chain with the most work after a reorganisation', async () => {
    const a = await node({ tag: 9 });
    await a.chain.mine(10);
    const b = await node({ tag: 10, connect: [a.addr] });
    await waitFor(() => sameTip(a, b), 10_000, 'sync');
    // A side chain built elsewhere, longer than A's, forking at height 8.
    const side = new MemoryChain({ tag: 11 });
    for (let h = 1; h <= 8; h++) {
      const raw = await a.chain.getBlockRaw((await a.chain.getAncestor(a.chain.tip().hash, h))!.hash);
      const { rawBlock } = await import('../../src/p2p/messages/primitives.js');
      const rb = rawBlock(raw!);
      await side.acceptBlock(rb.raw, rb.hash, true);
    }
    await side.mine(5);
    const s = await node({ chain: side, connect: [b.addr] });
    await waitFor(() => sameTip(s, a) && sameTip(s, b), 20_000, 'both on the longer chain');
    assert.equal(a.chain.height, 13);
    assert.equal(hashToHex(a.chain.tip().hash), hashToHex(side.tip().hash));
  });
});

describe('outbound peers from DNS seeds and the address book', () => {
  it('with no configured peers, asks the DNS seeds, dials what they return and learns addresses from addr', async () => {
    const a = await node({ tag: 31 });
    await a.chain.mine(2);
    const { regtest } = await import('@metamorph/bitcoin');
    const asked: string[] = [];
    const params = { ...regtest, dnsSeeds: ['seed.example'], defaultPort: a.addr.port };
    const b = await node({
      tag: 32,
      params,
      dnsSeed: true,
      resolver: {
        resolve4: async (h: string) => (asked.push(h), ['127.0.0.1']),
        resolve6: async () => [],
      },
    });
    await waitFor(() => sameTip(a, b), 10_000, 'sync via a DNS-seeded peer');
    assert.deepEqual(asked, ['seed.example']);
    const [peer] = b.manager.peerInfo();
    assert.equal(peer.addnode, false, 'an automatic outbound connection');
    assert.equal(peer.port, a.addr.port);
    assert.ok(b.manager.addresses.list().some((e) => e.port === a.addr.port && e.lastSuccess > 0), 'marked good in the address book');
  });
});
