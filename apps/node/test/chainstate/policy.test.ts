import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Op, concatBytes, pushDataScript } from '@metamorph/bitcoin';
import { loadNodeConfig } from '@metamorph/config';
import { TestNode } from '../helpers/node-harness.js';
import { TestWallet, coinbaseUtxo, type Utxo } from '../helpers/wallet.js';

const COIN = 100_000_000n;

/** Mempool policy as the reference node applies it, with standardness required. */
describe('mempool policy', () => {
  let t: TestNode;
  const alice = new TestWallet('alice');
  const coins: Utxo[] = [];
  const base = loadNodeConfig({});

  before(async () => {
    t = await TestNode.start('node_cs_policy', {}, {
      mempool: { ...base.mempool, requireStandard: true, ancestorLimit: 3, minFeePerKb: 100n },
    });
    const hashes: string[] = await t.rpc('generatetoaddress', 112, alice.address);
    for (const h of hashes.slice(0, 12)) coins.push(coinbaseUtxo(await t.rpc('getblock', h, 2)));
  });
  after(async () => {
    await t.close();
  });

  async function refused(hex: string, message: string) {
    assert.deepEqual((await t.call('sendrawtransaction', [hex])).error, { code: -26, message });
  }

  test('non-standard transactions are refused with their reason', async () => {
    await refused(alice.spend([coins[0]], [{ value: 0n }, { value: coins[0].value - 1000n }]).hex, '64: dust');
    await refused(alice.spend([coins[0]], [{ script: Uint8Array.of(Op.OP_1), value: coins[0].value - 1000n }]).hex, '64: scriptpubkey');
    await refused(alice.spend([coins[0]], [{ value: coins[0].value - 1000n }], { version: 3 }).hex, '64: version');
    const notPushOnly = alice.spend([coins[0]], [{ value: coins[0].value - 1000n }]);
    notPushOnly.tx.inputs[0].script = concatBytes(notPushOnly.tx.inputs[0].script, Uint8Array.of(Op.OP_NOP));
    const { built } = await import('../helpers/wallet.js');
    await refused(built(notPushOnly.tx).hex, '64: scriptsig-not-pushonly');
    // Data outputs are standard (and may carry zero).
    const data = alice.spend([coins[0]], [{ script: concatBytes(Uint8Array.of(Op.OP_0, Op.OP_RETURN), pushDataScript(new Uint8Array(80))), value: 0n }, { value: coins[0].value - 1000n }]);
    assert.equal(await t.rpc('sendrawtransaction', data.hex), data.txidHex);
  });

  test('fees: below the mempool minimum (66), absurdly high (256) unless allowed', async () => {
    await refused(alice.spend([coins[1]], [{ value: coins[1].value - 10n }]).hex, '66: mempool min fee not met');
    const rich = alice.spend([coins[1]], [{ value: coins[1].value - COIN }]);
    await refused(rich.hex, '256: absurdly-high-fee');
    assert.equal(await t.rpc('sendrawtransaction', rich.hex, true), rich.txidHex);
  });

  test('chains longer than -limitancestorcount are refused (64: too-long-mempool-chain)', async () => {
    let prev = alice.spend([coins[2]], [{ value: coins[2].value - 1000n }]);
    const chain = [prev];
    for (let i = 0; i < 3; i++) {
      prev = alice.spend([prev.outputs[0]], [{ value: prev.outputs[0].value - 1000n }]);
      chain.push(prev);
    }
    const r = await t.rpc('sendrawtransactions', chain.map((c) => ({ hex: c.hex })));
    assert.deepEqual(r, { invalid: [{ txid: chain[3].txidHex, reject_code: 64, reject_reason: 'too-long-mempool-chain' }] });
  });

  test('a lock time in the future: 64: bad-txns-nonfinal', async () => {
    const tip = await t.tip();
    await refused(alice.spend([coins[3]], [{ value: coins[3].value - 1000n }], { lockTime: tip.height + 5, sequence: 0 }).hex, '64: bad-txns-nonfinal');
    const ready = alice.spend([coins[3]], [{ value: coins[3].value - 1000n }], { lockTime: tip.height, sequence: 0 });
    assert.equal(await t.rpc('sendrawtransaction', ready.hex), ready.txidHex);
  });

  test('before Genesis a transaction may have at most 4,000 sigops (64: bad-txns-too-many-sigops)', async () => {
    // 5,000 P2PKH outputs: 5,000 legacy sigops.
    const fanOut = alice.spend([coins[4]], Array.from({ length: 5000 }, () => ({ value: 100_000n })));
    assert.ok(fanOut.raw.length < 200_000);
    const r = await t.call('sendrawtransaction', [fanOut.hex]);
    // Standardness runs first: a 170 kB transaction is also too large for pre-Genesis policy.
    assert.deepEqual(r.error, { code: -26, message: '64: tx-size' });
  });

  test('templates respect the block sigop limit (20,000 per MB before Genesis): what does not fit waits', async () => {
    // Bare 1-of-1 multisig outputs count 20 legacy sigops each: 195 of them make 3,900 per transaction.
    const multisig = concatBytes(Uint8Array.of(Op.OP_1), pushDataScript(alice.pubKey), Uint8Array.of(Op.OP_1, Op.OP_CHECKMULTISIG));
    const heavy = [5, 6, 7, 8, 9, 10].map((i) =>
      alice.spend([coins[i]], [...Array.from({ length: 195 }, () => ({ script: multisig, value: 1_000_000n })), { value: coins[i].value - 195n * 1_000_000n - 50_000n }]),
    );
    assert.deepEqual(await t.rpc('sendrawtransactions', heavy.map((h) => ({ hex: h.hex }))), {});
    const tpl = await t.rpc('getblocktemplate');
    const inTemplate = heavy.filter((h) => tpl.transactions.some((x: any) => x.txid === h.txidHex));
    assert.equal(inTemplate.length, 5, 'six would make 23,400 sigops in a block under 1 MB');
    const [first] = await t.rpc('generatetoaddress', 1, alice.address);
    assert.equal((await t.rpc('getblock', first)).tx.filter((id: string) => heavy.some((h) => h.txidHex === id)).length, 5);
    const [second] = await t.rpc('generatetoaddress', 1, alice.address);
    assert.equal((await t.rpc('getblock', second)).tx.filter((id: string) => heavy.some((h) => h.txidHex === id)).length, 1);
  });
});

/** Package selection with a small block, and eviction from a small mempool. */
describe('templates and eviction under pressure', () => {
  let t: TestNode;
  const alice = new TestWallet('alice');
  const coins: Utxo[] = [];
  const base = loadNodeConfig({});

  before(async () => {
    t = await TestNode.start('node_cs_pressure', {}, {
      mempool: { ...base.mempool, maxSizeBytes: 1200 },
      mining: { ...base.mining, blockMaxSize: 1000 + 400 },
    });
    const hashes: string[] = await t.rpc('generatetoaddress', 110, alice.address);
    for (const h of hashes.slice(0, 10)) coins.push(coinbaseUtxo(await t.rpc('getblock', h, 2)));
  });
  after(async () => {
    await t.close();
  });

  test('a child paying for its parent beats a better-paying single transaction', async () => {
    const parent = alice.spend([coins[0]], [{ value: coins[0].value - 10n }]);
    const child = alice.spend([parent.outputs[0]], [{ value: parent.outputs[0].value - 5000n }]);
    const single = alice.spend([coins[1]], [{ value: coins[1].value - 2000n }]);
    assert.deepEqual(await t.rpc('sendrawtransactions', [{ hex: single.hex }, { hex: parent.hex }, { hex: child.hex }]), {});
    // Room for two transactions: the parent-child package pays 5,010 for ~382 bytes, the single 2,000 for ~191.
    const tpl = await t.rpc('getblocktemplate');
    assert.deepEqual(tpl.transactions.map((x: any) => x.txid), [parent.txidHex, child.txidHex]);
    assert.deepEqual(tpl.transactions[1].depends, [1]);
    assert.equal(tpl.coinbasevalue, 5_000_000_000 + 5010);
    const [hash] = await t.rpc('generatetoaddress', 1, alice.address);
    assert.equal((await t.rpc('getblock', hash)).tx.length, 3);
    assert.deepEqual(await t.rpc('getrawmempool'), [single.txidHex]);
    await t.rpc('generatetoaddress', 1, alice.address);
  });

  test('over the size limit the lowest-paying are evicted and the entry fee rises', async () => {
    assert.equal((await t.rpc('getmempoolinfo')).mempoolminfee, 0);
    const txs = [2, 3, 4, 5, 6, 7, 8].map((i, n) => alice.spend([coins[i]], [{ value: coins[i].value - BigInt(1000 * (n + 1)) }]));
    const r = await t.rpc('sendrawtransactions', txs.map((x) => ({ hex: x.hex })));
    // 1,200 bytes hold six 191-byte transactions at most: the cheapest goes.
    const pool: string[] = await t.rpc('getrawmempool');
    assert.ok(pool.length <= 6 && pool.length >= 5, `mempool has ${pool.length}`);
    assert.ok(!pool.includes(txs[0].txidHex), 'the lowest fee was evicted');
    assert.deepEqual(r.evicted, [txs[0].txidHex]);
    const info = await t.rpc('getmempoolinfo');
    assert.ok(info.mempoolminfee > 0, `the minimum fee rose: ${info.mempoolminfee}`);
    assert.ok(info.bytes <= 1200);
    // Below the new minimum a transaction is refused at the door.
    const cheap = alice.spend([coins[9]], [{ value: coins[9].value - 1n }]);
    assert.deepEqual((await t.call('sendrawtransaction', [cheap.hex])).error, { code: -26, message: '66: mempool min fee not met' });
  });

  test('estimatefee answers in BSV per kB, never below the minimum mining fee', async () => {
    const fee = await t.rpc('estimatefee', 1);
    assert.equal(typeof fee, 'number');
    assert.ok(fee >= 0.00000001);
    assert.deepEqual((await t.call('estimatefee', [])).error?.code, -1);
  });
});
