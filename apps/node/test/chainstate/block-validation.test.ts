import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { blockSubsidy, regtest, type Hash32, type Transaction } from '@metamorph/bitcoin';
import { TestNode } from '../helpers/node-harness.js';
import { blockHashHex, blockHex, buildBlock, coinbaseTx, mine } from '../helpers/blocks.js';
import { TestWallet, coinbaseUtxo, type BuiltTx, type Utxo } from '../helpers/wallet.js';

/** Blocks carrying spends, each broken in one way, refused with the reference node's reason. */
describe('block validation against the UTXO set', () => {
  let t: TestNode;
  const alice = new TestWallet('alice');
  const mallory = new TestWallet('mallory');
  const mature: Utxo[] = [];
  let young: Utxo;

  before(async () => {
    t = await TestNode.start('node_cs_blocks');
    const hashes: string[] = await t.rpc('generatetoaddress', 110, alice.address);
    for (const h of hashes.slice(0, 8)) mature.push(coinbaseUtxo(await t.rpc('getblock', h, 2)));
    young = coinbaseUtxo(await t.rpc('getblock', hashes[100], 2));
  });
  after(async () => {
    await t.close();
  });

  /** A mined block on the tip with these transactions; the coinbase claims subsidy plus `fees` (plus `extra`). */
  async function block(txs: BuiltTx[] | Transaction[], fees = 0n, extra = 0n) {
    const tip = await t.tip();
    const height = tip.height + 1;
    const list = txs.map((x) => ('tx' in x ? x.tx : x));
    return mine(
      buildBlock({
        prevHash: tip.hash,
        height,
        time: tip.time + 1,
        coinbase: coinbaseTx({ height, value: blockSubsidy(height, regtest) + fees + extra }),
        txs: list,
      }),
    );
  }

  async function expectRejected(b: ReturnType<typeof mine>, reason: string) {
    const before = await t.rpc('gettxoutsetinfo');
    assert.equal(await t.rpc('submitblock', blockHex(b)), reason);
    const afterwards = await t.rpc('gettxoutsetinfo');
    assert.deepEqual({ ...afterwards, disk_size: 0 }, { ...before, disk_size: 0 }, 'the UTXO set must not change');
  }

  test('a valid block with spends connects; its coinbase may claim the fees', async () => {
    const spend = alice.spend([mature[0]], [{ value: mature[0].value - 700n }]);
    const b = await block([spend], 700n);
    assert.equal(await t.rpc('submitblock', blockHex(b)), null);
    assert.equal(await t.rpc('getbestblockhash'), blockHashHex(b));
    assert.equal((await t.rpc('gettxout', spend.txidHex, 0)).confirmations, 1);
  });

  test('an invalid signature: blk-bad-inputs', async () => {
    const forged = mallory.spend([mature[1]], [{ value: mature[1].value - 1000n }]);
    await expectRejected(await block([forged], 1000n), 'blk-bad-inputs');
  });

  test('outputs worth more than the inputs: bad-txns-in-belowout', async () => {
    const over = alice.spend([mature[1]], [{ value: mature[1].value + 1n }]);
    await expectRejected(await block([over]), 'bad-txns-in-belowout');
  });

  test('the same input twice in a transaction: bad-txns-inputs-duplicate', async () => {
    const dup = alice.spend([mature[1], mature[1]], [{ value: mature[1].value }]);
    await expectRejected(await block([dup]), 'bad-txns-inputs-duplicate');
  });

  test('two transactions spending one output: bad-txns-inputs-missingorspent', async () => {
    const a = alice.spend([mature[1]], [{ value: mature[1].value - 1000n }]);
    const b = alice.spend([mature[1]], [{ value: mature[1].value - 2000n }]);
    await expectRejected(await block([a, b], 3000n), 'bad-txns-inputs-missingorspent');
    // A child listed before its parent is the same: the parent's output does not exist yet.
    const child = alice.spend([a.outputs[0]], [{ value: a.outputs[0].value - 1000n }]);
    await expectRejected(await block([child, a], 2000n), 'bad-txns-inputs-missingorspent');
  });

  test('an output that was spent in an earlier block: bad-txns-inputs-missingorspent', async () => {
    const again = alice.spend([mature[0]], [{ value: mature[0].value - 5000n }]);
    await expectRejected(await block([again], 5000n), 'bad-txns-inputs-missingorspent');
  });

  test('a wrong merkle root: bad-txnmrklroot', async () => {
    const spend = alice.spend([mature[1]], [{ value: mature[1].value - 1000n }]);
    const b = await block([spend], 1000n);
    b.header.merkleRoot = new Uint8Array(32).fill(9) as Hash32;
    await expectRejected(mine(b), 'bad-txnmrklroot');
  });

  test('a coinbase claiming more than subsidy plus fees: bad-cb-amount', async () => {
    const spend = alice.spend([mature[1]], [{ value: mature[1].value - 1000n }]);
    await expectRejected(await block([spend], 1000n, 1n), 'bad-cb-amount');
  });

  test('a coinbase spent before maturity: bad-txns-premature-spend-of-coinbase', async () => {
    const early = alice.spend([young], [{ value: young.value - 1000n }]);
    await expectRejected(await block([early], 1000n), 'bad-txns-premature-spend-of-coinbase');
  });

  test('after all those, the honest spends still connect', async () => {
    const a = alice.spend([mature[1]], [{ value: mature[1].value - 1000n }]);
    const child = alice.spend([a.outputs[0]], [{ value: a.outputs[0].value - 1000n }]);
    const b = await block([a, child], 2000n);
    assert.equal(await t.rpc('submitblock', blockHex(b)), null);
    assert.equal(await t.rpc('gettxout', a.txidHex, 0), null, 'spent inside the block');
    assert.equal((await t.rpc('gettxout', child.txidHex, 0)).value, (Number(mature[1].value) - 2000) / 1e8);
  });
});

describe('block scripts verified in worker threads', () => {
  let t: TestNode;
  const alice = new TestWallet('alice');
  const mallory = new TestWallet('mallory');
  let coins: Utxo[] = [];

  before(async () => {
    t = await TestNode.start('node_cs_threads', {}, { chainState: { scriptThreads: 2, utxoCacheEntries: 1000, maxStackMemoryUsageConsensus: 100_000_000, maxStackMemoryUsagePolicy: 100_000_000 } });
    const hashes: string[] = await t.rpc('generatetoaddress', 101, alice.address);
    const cb = coinbaseUtxo(await t.rpc('getblock', hashes[0], 2));
    const split = alice.split(cb, 120);
    assert.equal(await t.rpc('sendrawtransaction', split.hex), split.txidHex);
    await t.rpc('generatetoaddress', 1, alice.address);
    coins = split.outputs;
  });
  after(async () => {
    await t.close();
  });

  test('a block of 120 spends with one forged signature is refused; without it, accepted', async () => {
    const spends = coins.map((c) => alice.spend([c], [{ value: c.value - 200n }]));
    const tip = await t.tip();
    const height = tip.height + 1;
    const forged = mallory.spend([coins[77]], [{ value: coins[77].value - 200n }]);
    const bad = mine(
      buildBlock({
        prevHash: tip.hash,
        height,
        time: tip.time + 1,
        coinbase: coinbaseTx({ height, value: blockSubsidy(height, regtest) + 120n * 200n }),
        txs: spends.map((s, i) => (i === 77 ? forged.tx : s.tx)),
      }),
    );
    assert.equal(await t.rpc('submitblock', blockHex(bad)), 'blk-bad-inputs');
    const good = mine(
      buildBlock({
        prevHash: tip.hash,
        height,
        time: tip.time + 2,
        coinbase: coinbaseTx({ height, value: blockSubsidy(height, regtest) + 120n * 200n }),
        txs: spends.map((s) => s.tx),
      }),
    );
    assert.equal(await t.rpc('submitblock', blockHex(good)), null);
    assert.equal((await t.rpc('getblock', blockHashHex(good))).num_tx, 121);
  });
});
