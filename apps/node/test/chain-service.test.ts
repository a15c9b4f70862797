import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { blockHash, encodeBlock, hashToHex, type Block, type Hash32 } from '@metamorph/bitcoin';
import { CoinbaseOnlyConnector, type ConnectContext } from '../src/chain/connector.js';
import type { IndexEntry } from '../src/chain/index-entry.js';
import type { ParsedBlock } from '../src/chain/parsed-block.js';
import type { TipChange } from '../src/chain/chain-service.js';
import { NodeError, NodeErrorCode } from '../src/errors.js';
import { TestNode } from './helpers/node-harness.js';
import { buildBlock, mine, mineFailing } from './helpers/blocks.js';

/** A connector whose next connect can be made to fail like a database error would. */
class FlakyConnector extends CoinbaseOnlyConnector {
  failNext = false;
  override async connect(ctx: ConnectContext, p: ParsedBlock, entry: IndexEntry) {
    if (this.failNext) {
      this.failNext = false;
      await ctx.client.query('SELECT 1/0');
    }
    return super.connect(ctx, p, entry);
  }
}

/** `n` mined blocks on top of `from`, each 600 s after the previous one. */
function chainOf(from: { hash: Hash32; height: number; time: number }, n: number, tag = 0): Block[] {
  const out: Block[] = [];
  let prev = from;
  for (let i = 0; i < n; i++) {
    const b = mine(buildBlock({ prevHash: prev.hash, height: prev.height + 1, time: prev.time + 600, extra: new Uint8Array([tag, i]) }));
    out.push(b);
    prev = { hash: blockHash(b.header), height: prev.height + 1, time: b.header.time };
  }
  return out;
}

const raw = (b: Block) => encodeBlock(b).slice();

describe('chain service (the P2P seam)', () => {
  let t: TestNode;
  const connector = new FlakyConnector();
  const changes: TipChange[] = [];

  before(async () => {
    t = await TestNode.start('node_chain_service', { connector });
    t.node.chain.on('tip', (c) => changes.push(c));
  });
  after(async () => {
    await t.close();
  });

  const genesis = () => {
    const g = t.node.chain.index.atHeight(0)!;
    return { hash: g.hash, height: 0, time: g.header.time };
  };

  test('headers first, bodies later: headers-only entries, then the chain connects', async () => {
    const chain = t.node.chain;
    const blocks = chainOf(genesis(), 5);
    const headers = await chain.acceptHeaders(blocks.map((b) => b.header));
    assert.equal(headers.failed, undefined);
    assert.equal(headers.entries.length, 5);
    assert.equal(chain.index.bestHeader().height, 5);
    assert.equal(chain.tip().height, 0);
    // Bodies out of order: nothing connects until the gap is filled.
    for (const i of [4, 2, 3, 1]) {
      const r = await chain.acceptBlock(raw(blocks[i]), 'peer');
      assert.equal(r.outcome, 'stored');
      assert.equal(r.headerWasKnown, true);
      assert.equal(chain.tip().height, 0);
    }
    const before = changes.length;
    const r = await chain.acceptBlock(raw(blocks[0]), 'peer');
    assert.equal(r.outcome, 'connected');
    assert.equal(chain.tip().height, 5);
    assert.equal(changes.length, before + 1);
    assert.deepEqual(changes.at(-1)!.connected.map((e) => e.height), [1, 2, 3, 4, 5]);
    assert.deepEqual(changes.at(-1)!.disconnected, []);
  });

  test('header rejections name the first bad header', async () => {
    const chain = t.node.chain;
    const tip = chain.tip();
    const [a, b] = chainOf({ hash: tip.hash, height: tip.height, time: tip.header.time }, 2, 1);
    const badPow = mineFailing(b);
    let r = await chain.acceptHeaders([a.header, badPow.header]);
    assert.equal(r.entries.length, 1);
    assert.equal(r.failed?.index, 1);
    assert.equal(r.failed?.rejection.reason, 'high-hash');
    r = await chain.acceptHeaders([mine({ ...a, header: { ...a.header, prevHash: new Uint8Array(32).fill(3) as Hash32 } }).header]);
    assert.equal(r.failed?.rejection.reason, 'prev-blk-not-found');
    r = await chain.acceptHeaders([mine({ ...b, header: { ...b.header, time: tip.header.time - 10_000 } }).header]);
    assert.equal(r.failed?.rejection.reason, 'time-too-old');
  });

  test('getHeaders follows a locator along the active chain', () => {
    const chain = t.node.chain;
    const at = (h: number) => chain.index.atHeight(h)!.hash;
    assert.deepEqual(chain.getHeaders([at(2), at(1)], null).map((e) => e.height), [3, 4, 5]);
    assert.deepEqual(chain.getHeaders([new Uint8Array(32).fill(1), at(3)], null).map((e) => e.height), [4, 5]);
    assert.deepEqual(chain.getHeaders([new Uint8Array(32).fill(1)], null).map((e) => e.height), [1, 2, 3, 4, 5]);
    assert.deepEqual(chain.getHeaders([at(0)], at(2)).map((e) => e.height), [1, 2]);
    assert.deepEqual(chain.getHeaders([at(0)], null, 2).map((e) => e.height), [1, 2]);
    assert.deepEqual(chain.getHeaders([], at(4)).map((e) => e.height), [4]);
  });

  test('getBlock returns stored bodies only', async () => {
    const chain = t.node.chain;
    const tip = chain.tip();
    assert.equal(hashToHex(blockHash((await import('@metamorph/bitcoin')).decodeBlock((await chain.getBlock(tip.hash))!).header)), hashToHex(tip.hash));
    assert.equal(await chain.getBlock(new Uint8Array(32)), null);
  });

  test('a database failure while moving the tip leaves memory and database unchanged', async () => {
    const chain = t.node.chain;
    const tip = chain.tip();
    const [next] = chainOf({ hash: tip.hash, height: tip.height, time: tip.header.time }, 1, 2);
    connector.failNext = true;
    await assert.rejects(chain.acceptBlock(raw(next), 'peer'), (e: unknown) => {
      assert.ok(e instanceof NodeError);
      assert.equal(e.code, NodeErrorCode.Storage);
      assert.match(e.message, /division by zero/);
      return true;
    });
    assert.equal(chain.tip(), tip);
    assert.equal(chain.getEntry(blockHash(next.header)), undefined);
    const { rows } = await t.db.pool.query('SELECT count(*)::int AS n FROM block_index WHERE hash = $1', [Buffer.from(blockHash(next.header))]);
    assert.equal(rows[0].n, 0);
    // The same block goes through once the failure is gone.
    assert.equal((await chain.acceptBlock(raw(next), 'peer')).outcome, 'connected');
  });

  test('a failed connection during a reorg falls back to the best valid chain', async () => {
    const chain = t.node.chain;
    const fork = chain.index.atHeight(chain.tip().height - 1)!;
    const oldTip = chain.tip();
    // A branch of 3 from the tip's parent whose second block overpays: the reorg must stop before it.
    const [b1] = chainOf({ hash: fork.hash, height: fork.height, time: fork.header.time }, 1, 3);
    const b1hash = blockHash(b1.header);
    const b2 = mine(buildBlock({ prevHash: b1hash, height: fork.height + 2, time: b1.header.time + 600, value: 60n * 100_000_000n }));
    const b3 = mine(buildBlock({ prevHash: blockHash(b2.header), height: fork.height + 3, time: b2.header.time + 600 }));
    await chain.acceptHeaders([b1.header, b2.header, b3.header]);
    assert.equal((await chain.acceptBlock(raw(b1), 'peer')).outcome, 'stored');
    assert.equal((await chain.acceptBlock(raw(b3), 'peer')).outcome, 'stored');
    const r = await chain.acceptBlock(raw(b2), 'peer');
    // b2 was tried when b3 made the branch heaviest; it failed, so the old tip stays.
    assert.equal(r.outcome, 'connect-failed');
    assert.equal(r.rejection?.reason, 'bad-cb-amount');
    assert.equal(chain.tip(), oldTip);
    assert.equal(chain.getEntry(blockHash(b3.header))!.failedParent, true);
    // b1 was connected and disconnected again in the same step: no net change was announced.
    assert.equal(changes.at(-1)!.tip.height, oldTip.height);
    const { rows } = await t.db.pool.query('SELECT height FROM main_chain ORDER BY height DESC LIMIT 1');
    assert.equal(rows[0].height, oldTip.height);
  });

  test('restart keeps invalid marks and side branches', async () => {
    const tipHash = hashToHex(t.node.chain.tip().hash);
    const tips = await t.rpc('getchaintips');
    await t.stop();
    await t.restart();
    t.node.chain.on('tip', (c) => changes.push(c));
    assert.equal(await t.rpc('getbestblockhash'), tipHash);
    assert.deepEqual(await t.rpc('getchaintips'), tips);
  });
});
