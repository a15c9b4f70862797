import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { blockHash, encodeBlock, hashToHex, sha256d, toHex, ZERO_HASH, type Block, type Hash32 } from '@metamorph/bitcoin';
import { banScoreFor, ChainServiceP2P, type P2PMempool } from '../../src/p2p/chain-service-adapter.js';
import type { ChainEvent } from '../../src/p2p/chain.js';
import { TestNode } from '../helpers/node-harness.js';
import { buildBlock, mine } from '../helpers/blocks.js';

let node: TestNode;
let chain: ChainServiceP2P;
const blocks: Block[] = [];
const t0 = Math.floor(Date.now() / 1000) - 1000;

before(async () => {
  node = await TestNode.start('node_p2p_adapter');
  chain = new ChainServiceP2P(node.node.chain);
  let prev = node.node.chain.tip().hash as Hash32;
  for (let h = 1; h <= 30; h++) {
    const b = mine(buildBlock({ prevHash: prev, height: h, time: t0 + h }));
    blocks.push(b);
    prev = blockHash(b.header);
  }
  // Headers for all 30, bodies for the first 20.
  await chain.acceptHeaders(blocks.map((b) => b.header));
  for (const b of blocks.slice(0, 20)) assert.equal((await chain.acceptBlock(encodeBlock(b), blockHash(b.header), true)).status, 'connected');
});
after(async () => {
  await node.close();
});

describe('the ChainService as the P2P layer sees it', () => {
  it('tip, best header, ancestors and locators', async () => {
    assert.equal(chain.tip().height, 20);
    assert.equal(chain.bestHeader().height, 30);
    assert.equal(chain.bestHeader().status, 'header');
    const tipHash = chain.tip().hash;
    assert.equal(hashToHex((await chain.getAncestor(chain.bestHeader().hash, 20))!.hash), hashToHex(tipHash));
    const loc = await chain.locator();
    const heights = await Promise.all(loc.map(async (h) => (await chain.getBlock(h))!.height));
    assert.deepEqual(heights, [20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 7, 3, 0], 'ten steps of one, then doubling, then genesis');
    assert.equal(hashToHex(loc[loc.length - 1]), hashToHex(chain.params.genesisHash));
  });

  it('headers and hashes after a locator, as getheaders and getblocks answer', async () => {
    const after5 = await chain.headersAfter([blockHash(blocks[4].header)], ZERO_HASH, 2000);
    assert.equal(after5!.length, 15);
    const stop = blockHash(blocks[9].header);
    assert.equal((await chain.headersAfter([blockHash(blocks[4].header)], stop, 2000))!.length, 5);
    assert.equal((await chain.headersAfter([], stop, 2000))!.length, 1);
    assert.equal(await chain.headersAfter([], sha256d(new Uint8Array([1])), 2000), undefined);
    const hashes = await chain.hashesAfter([blockHash(blocks[4].header)], stop, 500);
    assert.deepEqual(hashes.map(toHex), blocks.slice(5, 9).map((b) => toHex(blockHash(b.header))));
  });

  it('missing blocks toward a target, within the window, repeatedly and as the target grows', async () => {
    const best = chain.bestHeader().hash;
    const m = await chain.missingBlocks(best, 25, 100);
    assert.deepEqual(m.map((b) => b.height), [21, 22, 23, 24, 25]);
    assert.deepEqual((await chain.missingBlocks(best, 100, 3)).map((b) => b.height), [21, 22, 23]);
    assert.deepEqual((await chain.missingBlocks(blockHash(blocks[22].header), 100, 100)).map((b) => b.height), [21, 22, 23]);
    await chain.acceptBlock(encodeBlock(blocks[20]), blockHash(blocks[20].header), true);
    assert.deepEqual((await chain.missingBlocks(best, 100, 100)).map((b) => b.height), [22, 23, 24, 25, 26, 27, 28, 29, 30]);
  });

  it('unrequested blocks are kept only when they could become the tip', async () => {
    const side = mine(buildBlock({ prevHash: blockHash(blocks[9].header), height: 11, time: t0 + 11, extra: new Uint8Array([1, 9]) }));
    assert.equal((await chain.acceptBlock(encodeBlock(side), blockHash(side.header), false)).status, 'ignored');
    assert.equal((await chain.acceptBlock(encodeBlock(blocks[0]), blockHash(blocks[0].header), false)).status, 'duplicate');
    assert.equal((await chain.acceptBlock(encodeBlock(blocks[21]), blockHash(blocks[21].header), false)).status, 'connected');
  });

  it('refused headers carry the reference node\'s ban scores', async () => {
    const weak = { ...blocks[0].header, bits: 0x1d00ffff };
    const r = await chain.acceptHeaders([weak]);
    assert.equal(r.rejected?.reason, 'high-hash');
    assert.equal(r.rejected?.banScore, 50);
    assert.equal(banScoreFor('bad-diffbits'), 100);
    assert.equal(banScoreFor('time-too-new'), 0);
    assert.equal(banScoreFor('blk-bad-inputs'), 100, 'a block whose scripts fail');
    assert.equal(banScoreFor('bad-txns-unsupported'), 0, 'a rule this node lacks never costs a peer');
  });

  it('passes mempool events and calls through when the node has a mempool', async () => {
    const listeners: ((txid: Hash32, raw: Uint8Array) => void)[] = [];
    const pool: P2PMempool = {
      hasTransaction: async () => true,
      getTransactionRaw: async () => new Uint8Array([1]),
      acceptTransaction: async () => ({ accepted: true }),
      mempoolTxids: async () => [ZERO_HASH],
      minFeeRate: () => 500n,
      onTransaction: (l) => (listeners.push(l), () => listeners.splice(listeners.indexOf(l), 1)),
    };
    const withPool = new ChainServiceP2P(node.node.chain, pool);
    const events: ChainEvent[] = [];
    const off = withPool.subscribe((e) => events.push(e));
    listeners[0](ZERO_HASH, new Uint8Array([2]));
    assert.deepEqual(events.map((e) => e.type), ['tx']);
    assert.equal(withPool.minFeeRate(), 500n);
    assert.equal(await withPool.hasTransaction(ZERO_HASH), true);
    off();
    assert.equal(listeners.length, 0);
    assert.equal(await chain.hasTransaction(ZERO_HASH), false);
    assert.deepEqual(await chain.acceptTransaction(new Uint8Array(10), ZERO_HASH), { accepted: false, reason: 'no mempool' });
  });
});
