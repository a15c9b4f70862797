import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Channel, channelKey } from '@metamorph/queue';
import { COIN, hashFromHex, txid, type Block, type Hash32, type Transaction } from '@metamorph/bitcoin';
import { EventListener, TestNode } from './helpers/node-harness.js';
import { blockHashHex, blockHex, buildBlock, coinbaseTx, mine, mineFailing } from './helpers/blocks.js';

describe('submitblock', () => {
  let t: TestNode;
  let events: EventListener;

  before(async () => {
    t = await TestNode.start('node_submitblock');
    events = await EventListener.start([
      channelKey(t.prefix, Channel.BlockConnected),
      channelKey(t.prefix, Channel.BlockDisconnected),
      channelKey(t.prefix, Channel.TemplateChanged),
    ]);
  });
  after(async () => {
    await events.close();
    await t.close();
  });

  /** A block on the current tip, mined, with options applied. */
  async function next(opts: Parameters<typeof buildBlock>[0] extends infer O ? Partial<O> : never = {}, mined = true): Promise<Block> {
    const tip = await t.tip();
    const block = buildBlock({ prevHash: tip.hash, height: tip.height + 1, time: tip.time + 600, ...opts });
    return mined ? mine(block) : block;
  }

  /** Submit and check the chain did not move. */
  async function expectRejected(block: Block, expected: string | null): Promise<void> {
    const before = await t.rpc('getbestblockhash');
    assert.equal(await t.rpc('submitblock', blockHex(block)), expected);
    assert.equal(await t.rpc('getbestblockhash'), before, 'the tip must not move');
  }

  test('an accepted block becomes the tip and is announced on Redis', async () => {
    const start = events.messages.length;
    const block = await next();
    assert.equal(await t.rpc('submitblock', blockHex(block)), null);
    assert.equal(await t.rpc('getbestblockhash'), blockHashHex(block));
    assert.equal(await t.rpc('getblockcount'), 1);
    await events.waitFor(start + 2);
    const [connected, template] = events.messages.slice(start);
    assert.deepEqual(connected, {
      channel: channelKey(t.prefix, Channel.BlockConnected),
      payload: { hash: blockHashHex(block), height: 1, prevHash: Buffer.from(block.header.prevHash).reverse().toString('hex'), time: block.header.time },
    });
    assert.deepEqual(template, {
      channel: channelKey(t.prefix, Channel.TemplateChanged),
      payload: { prevHash: blockHashHex(block), height: 2, reason: 'new-tip' },
    });
    const header = await t.rpc('getblockheader', blockHashHex(block));
    assert.equal(header.status.validity, 'scripts');
    assert.equal(header.confirmations, 1);
  });

  test('the same block again is a duplicate', async () => {
    const tip = await t.rpc('getbestblockhash');
    const raw = await t.rpc('getblock', tip, 0);
    await expectRejected({ header: { ...(await blockOf(raw)).header }, txs: (await blockOf(raw)).txs }, 'duplicate');
  });

  test('bad proof of work: high-hash', async () => {
    await expectRejected(mineFailing(await next({}, false)), 'high-hash');
  });

  test('wrong merkle root: bad-txnmrklroot', async () => {
    const block = await next({}, false);
    block.header.merkleRoot = new Uint8Array(32).fill(7) as Hash32;
    await expectRejected(mine(block), 'bad-txnmrklroot');
  });

  test('a mutated merkle tree (duplicated transactions): bad-txns-duplicate', async () => {
    const tip = await t.tip();
    const cb = coinbaseTx({ height: tip.height + 1 });
    const spend: Transaction = {
      version: 1,
      inputs: [{ prevout: { txid: txid(cb), vout: 0 }, script: new Uint8Array([0x51]), sequence: 0xffffffff }],
      outputs: [{ value: 1n, script: new Uint8Array([0x51]) }],
      lockTime: 0,
    };
    // [cb, a, b, b]: the duplicated last pair gives the same root as [cb, a, b].
    const other = { ...spend, lockTime: 1 };
    const block = buildBlock({ prevHash: tip.hash, height: tip.height + 1, time: tip.time + 600, coinbase: cb, txs: [spend, other] });
    const mutated = mine({ header: block.header, txs: [...block.txs, other] });
    await expectRejected(mutated, 'bad-txns-duplicate');
  });

  test('coinbase paying more than the subsidy: bad-cb-amount, and the block is remembered as invalid', async () => {
    const block = await next({ value: 50n * COIN + 1n });
    await expectRejected(block, 'bad-cb-amount');
    const header = await t.rpc('getblockheader', blockHashHex(block));
    assert.equal(header.status.failed, true);
    assert.equal(header.confirmations, -1);
    assert.equal(await t.rpc('submitblock', blockHex(block)), 'duplicate-invalid');
    // A child of it is not connectable either.
    const child = mine(buildBlock({ prevHash: hashFromHex(blockHashHex(block)), height: header.height + 1, time: block.header.time + 600 }));
    await expectRejected(child, 'inconclusive');
  });

  test('coinbase claiming less than the subsidy is fine', async () => {
    assert.equal((await t.mineBlock({ value: 49n * COIN })).result, null);
  });

  test('unknown parent: inconclusive, as the reference node answers, and nothing is stored', async () => {
    const tip = await t.tip();
    const orphan = mine(buildBlock({ prevHash: new Uint8Array(32).fill(9) as Hash32, height: tip.height + 1, time: tip.time + 600 }));
    await expectRejected(orphan, 'inconclusive');
    assert.equal((await t.call('getblockheader', [blockHashHex(orphan)])).error.code, -5);
  });

  test('timestamp not after the median time past: time-too-old', async () => {
    const tip = await t.tip();
    const mtp = (await t.rpc('getblockheader', await t.rpc('getbestblockhash'))).mediantime;
    await expectRejected(await next({ time: mtp }), 'time-too-old');
    assert.ok(tip.time > mtp);
  });

  test('timestamp more than two hours ahead: time-too-new', async () => {
    await expectRejected(await next({ time: Math.floor(Date.now() / 1000) + 2 * 3600 + 120 }), 'time-too-new');
  });

  test('nBits other than the chain requires: bad-diffbits', async () => {
    await expectRejected(await next({ bits: 0x207ffffe }), 'bad-diffbits');
  });

  test('a coinbase pushing another height: bad-cb-height (our policy on regtest)', async () => {
    const tip = await t.tip();
    await expectRejected(await next({ coinbase: coinbaseTx({ height: tip.height + 5 }) }), 'bad-cb-height');
  });

  test('a coinbase without a height push is accepted (BIP34 is not active on regtest)', async () => {
    const tip = await t.tip();
    const block = await next({ coinbase: coinbaseTx({ height: tip.height + 1, scriptSig: new Uint8Array([0x4c, 0x02, 0xab, 0xcd]) }) });
    assert.equal(await t.rpc('submitblock', blockHex(block)), null);
  });

  test('coinbase scriptSig outside 2-100 bytes: bad-cb-length', async () => {
    const tip = await t.tip();
    await expectRejected(await next({ coinbase: coinbaseTx({ height: tip.height + 1, scriptSig: new Uint8Array([0x51]) }) }), 'bad-cb-length');
  });

  test('a transaction spending an output that does not exist: bad-txns-inputs-missingorspent', async () => {
    const tip = await t.tip();
    const cb = coinbaseTx({ height: tip.height + 1 });
    const spend: Transaction = {
      version: 1,
      inputs: [{ prevout: { txid: new Uint8Array(32).fill(1) as Hash32, vout: 0 }, script: new Uint8Array([0x51]), sequence: 0xffffffff }],
      outputs: [{ value: 1n, script: new Uint8Array([0x51]) }],
      lockTime: 0,
    };
    await expectRejected(await next({ coinbase: cb, txs: [spend] }), 'bad-txns-inputs-missingorspent');
  });

  test('undecodable data and blocks without a coinbase are RPC errors', async () => {
    for (const hex of ['', 'zz', '00', (blockHex(await next())).slice(0, -2), blockHex(await next()) + '00']) {
      const r = await t.call('submitblock', [hex]);
      assert.deepEqual(r.error, { code: -22, message: 'Block decode failed' }, `hex ${hex.slice(0, 20)}…`);
      assert.equal(r.status, 500);
    }
    const block = await next();
    const noCoinbase = { header: block.header, txs: [{ ...block.txs[0], inputs: [{ ...block.txs[0].inputs[0], prevout: { txid: new Uint8Array(32).fill(1) as Hash32, vout: 0 } }] }] };
    assert.deepEqual((await t.call('submitblock', [blockHex(noCoinbase)])).error, { code: -22, message: 'Block does not start with a coinbase' });
    assert.deepEqual((await t.call('submitblock', [42])).error, { code: -1, message: 'JSON value is not a string as expected' });
  });

  test('a coinbase paying to P2SH is refused (-26 bad-txns-vout-p2sh)', async () => {
    const p2sh = new Uint8Array([0xa9, 0x14, ...new Uint8Array(20), 0x87]);
    const r = await t.call('submitblock', [blockHex(await next({ outputScript: p2sh }))]);
    assert.deepEqual(r.error, { code: -26, message: 'bad-txns-vout-p2sh' });
  });

  test('a longer competing branch takes over (reorg), with disconnect events', async () => {
    const forkPoint = await t.tip();
    const mainBlock = (await t.mineBlock()).block;
    const mainHash = blockHashHex(mainBlock);
    // Branch from forkPoint: first block ties (less or equal work: stored, inconclusive), the second overtakes.
    const b1 = mine(buildBlock({ prevHash: forkPoint.hash, height: forkPoint.height + 1, time: forkPoint.time + 601, extra: new Uint8Array([1, 2, 3]) }));
    assert.equal(await t.rpc('submitblock', blockHex(b1)), 'inconclusive');
    assert.equal(await t.rpc('getbestblockhash'), mainHash);
    const tipsBefore = await t.rpc('getchaintips');
    // Two invalid tips from earlier cases: the block whose context was wrong, and the one whose input was missing.
    assert.deepEqual(
      tipsBefore.map((x: any) => x.status).sort(),
      ['active', 'invalid', 'invalid', 'valid-headers'],
      JSON.stringify(tipsBefore),
    );

    const start = await events.settled(mainHash);
    const b2 = mine(buildBlock({ prevHash: hashFromHex(blockHashHex(b1)), height: forkPoint.height + 2, time: forkPoint.time + 1201 }));
    assert.equal(await t.rpc('submitblock', blockHex(b2)), null);
    assert.equal(await t.rpc('getbestblockhash'), blockHashHex(b2));
    assert.equal(await t.rpc('getblockhash', forkPoint.height + 1), blockHashHex(b1));
    assert.equal((await t.rpc('getblockheader', mainHash)).confirmations, -1);

    await events.waitFor(start + 4);
    assert.deepEqual(
      events.messages.slice(start).map((m) => [m.channel.slice(t.prefix.length), m.payload.hash ?? m.payload.prevHash, m.payload.height]),
      [
        [Channel.BlockDisconnected, mainHash, forkPoint.height + 1],
        [Channel.BlockConnected, blockHashHex(b1), forkPoint.height + 1],
        [Channel.BlockConnected, blockHashHex(b2), forkPoint.height + 2],
        [Channel.TemplateChanged, blockHashHex(b2), forkPoint.height + 3],
      ],
    );
    const tips = await t.rpc('getchaintips');
    assert.deepEqual(tips.find((x: any) => x.hash === mainHash), { height: forkPoint.height + 1, hash: mainHash, branchlen: 1, status: 'valid-fork' });

    // main_chain in Postgres follows.
    const { rows } = await t.db.pool.query('SELECT height, encode(hash, $1) AS hash FROM main_chain WHERE height > $2 ORDER BY height', ['hex', forkPoint.height]);
    assert.deepEqual(
      rows.map((r: any) => Buffer.from(r.hash, 'hex').reverse().toString('hex')),
      [blockHashHex(b1), blockHashHex(b2)],
    );

    // The old branch block again: known and valid once, so "duplicate".
    assert.equal(await t.rpc('submitblock', blockHex(mainBlock)), 'duplicate');
  });

  test('a stored side-branch block submitted again is duplicate-inconclusive', async () => {
    const tip = await t.tip();
    const parent = await t.rpc('getblockheader', await t.rpc('getblockhash', tip.height - 1));
    const side = mine(buildBlock({ prevHash: hashFromHex(parent.hash), height: tip.height, time: tip.time + 7, extra: new Uint8Array([9, 9]) }));
    assert.equal(await t.rpc('submitblock', blockHex(side)), 'inconclusive');
    assert.equal(await t.rpc('submitblock', blockHex(side)), 'duplicate-inconclusive');
  });
});

async function blockOf(hex: string): Promise<Block> {
  const { decodeBlock } = await import('@metamorph/bitcoin');
  return decodeBlock(new Uint8Array(Buffer.from(hex, 'hex')));
}
