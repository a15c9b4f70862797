import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Channel, channelKey } from '@metamorph/queue';
import { hash160, toHex } from '@metamorph/bitcoin';
import { loadNodeConfig } from '@metamorph/config';
import { EventListener, TestNode } from '../helpers/node-harness.js';
import { TestWallet, coinbaseUtxo, type Utxo } from '../helpers/wallet.js';

/** Wait until the mempool's rows and double-spend records are written. */
async function flushMempool(t: TestNode): Promise<void> {
  await t.node.mempool.flush();
}

/**
 * Spending on regtest with real keys and signatures: coinbase maturity, chains of unconfirmed
 * transactions, the first-seen rule, mining, the reference node's RPC answers and shapes.
 */
describe('spending coinbases and chains of transactions', () => {
  let t: TestNode;
  let events: EventListener;
  const alice = new TestWallet('alice');
  const bob = new TestWallet('bob');
  const coins: Utxo[] = [];

  before(async () => {
    const base = loadNodeConfig({});
    t = await TestNode.start('node_cs_spend', {}, { mining: { ...base.mining, templateRefreshSeconds: 1 } });
    events = await EventListener.start([channelKey(t.prefix, Channel.DoubleSpend), channelKey(t.prefix, Channel.TemplateChanged)]);
    const hashes: string[] = await t.rpc('generatetoaddress', 103, alice.address);
    assert.equal(hashes.length, 103);
    for (const h of hashes.slice(0, 5)) coins.push(coinbaseUtxo(await t.rpc('getblock', h, 2)));
  });
  after(async () => {
    await events.close();
    await t.close();
  });

  test('a coinbase spent before 100 confirmations is refused; after, it is accepted', async () => {
    // Tip 103: the next block is 104, so coinbases up to height 4 are mature; height 5 is not.
    const immature = alice.spend([coins[4]], [{ value: coins[4].value - 1000n }]);
    const r = await t.call('sendrawtransaction', [immature.hex]);
    assert.deepEqual(r.error, { code: -26, message: '16: bad-txns-premature-spend-of-coinbase' });
    assert.deepEqual(await t.rpc('getrawmempool'), []);

    const ok = alice.spend([coins[0]], [{ script: bob.script, value: 10n * 100_000_000n }, { value: coins[0].value - 10n * 100_000_000n - 1000n }]);
    assert.equal(await t.rpc('sendrawtransaction', ok.hex), ok.txidHex);
    assert.deepEqual(await t.rpc('getrawmempool'), [ok.txidHex]);
    assert.deepEqual((await t.call('sendrawtransaction', [ok.hex])).error, { code: -27, message: 'Transaction already in the mempool' });

    // gettxout: the mempool output shows with 0 confirmations; the coinbase it spends is hidden unless the mempool is left out.
    const out = await t.rpc('gettxout', ok.txidHex, 0, true);
    assert.deepEqual(Object.keys(out), ['bestblock', 'confirmations', 'value', 'scriptPubKey', 'coinbase', 'confiscation']);
    assert.equal(out.confirmations, 0);
    assert.equal(out.value, 10);
    assert.equal(out.coinbase, false);
    assert.equal(out.confiscation, false);
    assert.deepEqual(out.scriptPubKey, {
      asm: `OP_DUP OP_HASH160 ${toHex(hash160(bob.pubKey))} OP_EQUALVERIFY OP_CHECKSIG`,
      hex: toHex(bob.script),
      reqSigs: 1,
      type: 'pubkeyhash',
      addresses: [bob.address],
    });
    const cbHex = Buffer.from(coins[0].txid).reverse().toString('hex');
    assert.equal(await t.rpc('gettxout', cbHex, 0, true), null);
    const confirmed = await t.rpc('gettxout', cbHex, 0, false);
    assert.equal(confirmed.confirmations, 103);
    assert.equal(confirmed.coinbase, true);
  });

  test('a chain of unconfirmed transactions enters as a batch, parents first, and is mined together', async () => {
    let prev = alice.spend([coins[1]], [{ value: coins[1].value - 500n }]);
    const chain = [prev];
    for (let i = 0; i < 24; i++) {
      prev = alice.spend([prev.outputs[0]], [{ value: prev.outputs[0].value - 500n }]);
      chain.push(prev);
    }
    assert.deepEqual(await t.rpc('sendrawtransactions', chain.map((c) => ({ hex: c.hex }))), {});
    const entry = await t.rpc('getmempoolentry', chain[24].txidHex);
    assert.deepEqual(Object.keys(entry), ['size', 'fee', 'modifiedfee', 'time', 'height', 'depends']);
    assert.deepEqual(entry.depends, [chain[23].txidHex]);
    assert.equal(entry.fee, 0.000005);
    assert.equal(entry.height, 103);
    const verbose = await t.rpc('getrawmempool', true);
    assert.equal(Object.keys(verbose).length, 26);

    const tpl = await t.rpc('getblocktemplate');
    assert.equal(tpl.transactions.length, 26);
    const pos = new Map<string, number>(tpl.transactions.map((x: any, i: number) => [x.txid, i + 1]));
    for (let i = 1; i < chain.length; i++) {
      const x = tpl.transactions[pos.get(chain[i].txidHex)! - 1];
      assert.deepEqual(x.depends, [pos.get(chain[i - 1].txidHex)], 'depends are 1-based positions of parents');
      assert.equal(x.fee, 500);
      assert.ok(pos.get(chain[i].txidHex)! > pos.get(chain[i - 1].txidHex)!);
    }
    assert.equal(tpl.coinbasevalue, 5_000_000_000 / 1 + 1000 + 25 * 500);

    const info = await t.rpc('getmempoolinfo');
    assert.equal(info.size, 26);
    assert.deepEqual(Object.keys(info), [
      'size',
      'journalsize',
      'nonfinalsize',
      'bytes',
      'usage',
      'usagedisk',
      'usagecpfp',
      'nonfinalusage',
      'maxmempool',
      'maxmempoolsizedisk',
      'maxmempoolsizecpfp',
      'mempoolminfee',
    ]);

    const [hash] = await t.rpc('generatetoaddress', 1, alice.address);
    const block = await t.rpc('getblock', hash, 1);
    assert.equal(block.tx.length, 27);
    assert.deepEqual(await t.rpc('getrawmempool'), []);
    const cb = (await t.rpc('getblock', hash, 2)).tx[0];
    assert.equal(cb.vout[0].value, 50 + (1000 + 25 * 500) / 1e8);
    const raw = await t.rpc('getrawtransaction', chain[24].txidHex, true);
    assert.equal(raw.blockhash, hash);
    assert.equal(raw.confirmations, 1);
    assert.equal(raw.blockheight, 104);
    assert.deepEqual(Object.keys(raw), ['txid', 'hash', 'version', 'size', 'locktime', 'vin', 'vout', 'blockhash', 'confirmations', 'time', 'blocktime', 'blockheight', 'hex']);
    assert.match(raw.vin[0].scriptSig.asm, /^[0-9a-f]+\[ALL\|FORKID\] [0-9a-f]{66}$/);
    assert.equal(await t.rpc('getrawtransaction', chain[24].txidHex), chain[24].hex, 'without verbose: hex');
    assert.equal(await t.rpc('getrawtransaction', chain[0].txidHex, 0), chain[0].hex);
  });

  test('a double spend of a mempool transaction is refused (first seen wins) and recorded', async () => {
    const first = alice.spend([coins[2]], [{ value: coins[2].value - 1000n }]);
    const second = alice.spend([coins[2]], [{ script: bob.script, value: coins[2].value - 5000n }]);
    assert.equal(await t.rpc('sendrawtransaction', first.hex), first.txidHex);
    const before = events.messages.length;
    const r = await t.call('sendrawtransaction', [second.hex]);
    assert.deepEqual(r.error, { code: -26, message: '258: txn-mempool-conflict' });
    assert.deepEqual(await t.rpc('getrawmempool'), [first.txidHex], 'the rejected transaction never enters the mempool');

    await events.waitUntil(() => events.messages.slice(before).some((m) => m.channel.endsWith('double-spend')), 5000, 'the double-spend event');
    const ev = events.messages.slice(before).find((m) => m.channel.endsWith('double-spend'))!;
    assert.deepEqual(ev.payload, {
      kind: 'MEMPOOL',
      txid: second.txidHex,
      conflictTxid: first.txidHex,
      prevTxid: Buffer.from(coins[2].txid).reverse().toString('hex'),
      prevVout: 0,
    });
    await flushMempool(t);
    const { rows } = await t.db.pool.query('SELECT kind, txid, conflict_txid, source FROM double_spend');
    assert.equal(rows.length, 1);
    assert.deepEqual([rows[0].kind, Buffer.from(rows[0].txid).equals(Buffer.from(second.txid)), rows[0].source], ['MEMPOOL', true, 'rpc']);

    // As a batch: the conflict is reported with the transaction it collided with.
    const batch = await t.rpc('sendrawtransactions', [{ hex: second.hex }]);
    assert.deepEqual(batch.invalid[0].txid, second.txidHex);
    assert.equal(batch.invalid[0].reject_code, 258);
    assert.equal(batch.invalid[0].reject_reason, 'txn-mempool-conflict');
    assert.deepEqual(batch.invalid[0].collidedWith, [{ txid: first.txidHex, size: first.raw.length, hex: first.hex }]);
    assert.deepEqual(await t.rpc('sendrawtransactions', [{ hex: first.hex }]), { known: [first.txidHex] });
  });

  test('spending an output already spent on chain: -25 Missing inputs; a confirmed transaction again: 257 txn-already-known', async () => {
    await t.rpc('generatetoaddress', 1, alice.address);
    const spentAgain = alice.spend([coins[0]], [{ value: coins[0].value - 2000n }]);
    assert.deepEqual((await t.call('sendrawtransaction', [spentAgain.hex])).error, { code: -25, message: 'Missing inputs' });
    const block = await t.rpc('getblock', await t.rpc('getbestblockhash'), 2);
    const confirmed = block.tx[1].hex;
    assert.deepEqual((await t.call('sendrawtransaction', [confirmed])).error, { code: -26, message: '257: txn-already-known' });
    const batch = await t.rpc('sendrawtransactions', [{ hex: spentAgain.hex }]);
    assert.deepEqual(batch, { invalid: [{ txid: spentAgain.txidHex, reject_code: 16, reject_reason: 'missing-inputs' }] });
  });

  test('a fee-free transaction waits in the mempool; one satoshi per 191 bytes is mined', async () => {
    const free = alice.spend([coins[3]], [{ value: coins[3].value }]);
    const tip = await t.tip();
    const next = coinbaseUtxo(await t.rpc('getblock', await t.rpc('getblockhash', tip.height - 99), 2));
    const cheap = alice.spend([next], [{ value: next.value - 1n }]);
    // A P2PKH spend with one output: 191 bytes, give or take a byte of DER signature length.
    assert.ok(cheap.raw.length >= 190 && cheap.raw.length <= 192, `size ${cheap.raw.length}`);
    assert.deepEqual(await t.rpc('sendrawtransactions', [{ hex: free.hex }, { hex: cheap.hex }]), {});
    const [hash] = await t.rpc('generatetoaddress', 1, alice.address);
    const mined = (await t.rpc('getblock', hash)).tx;
    assert.ok(mined.includes(cheap.txidHex));
    assert.ok(!mined.includes(free.txidHex));
    assert.deepEqual(await t.rpc('getrawmempool'), [free.txidHex]);
  });

  test('a 5,000-output P2PKH fan-out has too many sigops for pre-Genesis policy (64: bad-txns-too-many-sigops)', async () => {
    const tip = await t.tip();
    const coin = coinbaseUtxo(await t.rpc('getblock', await t.rpc('getblockhash', tip.height - 99), 2));
    const fanOut = alice.spend([coin], Array.from({ length: 5000 }, () => ({ value: 100_000n })));
    assert.deepEqual((await t.call('sendrawtransaction', [fanOut.hex])).error, { code: -26, message: '64: bad-txns-too-many-sigops' });
    const fits = alice.spend([coin], Array.from({ length: 3990 }, () => ({ value: 100_000n })));
    assert.equal(await t.rpc('sendrawtransaction', fits.hex, true), fits.txidHex, '3,990 outputs (and no input sigops) are within the limit');
  });

  test('new transactions announce a new template within the refresh interval; a new tip at once', async () => {
    const tipHex = await t.rpc('getbestblockhash');
    const tip = await t.tip();
    const before = events.messages.length;
    const coin = coins[4];
    const tx = alice.spend([coin], [{ value: coin.value - 1000n }]);
    await t.rpc('sendrawtransaction', tx.hex);
    await events.waitUntil(
      () => events.messages.slice(before).some((m) => m.channel.endsWith('template-changed') && m.payload.reason === 'new-transactions'),
      5000,
      'a new-transactions template event',
    );
    const ev = events.messages.slice(before).find((m) => m.payload.reason === 'new-transactions')!;
    assert.deepEqual(ev.payload, { prevHash: tipHex, height: tip.height + 1, reason: 'new-transactions' });
    const [hash] = await t.rpc('generatetoaddress', 1, alice.address);
    await events.settled(hash);
    const last = events.messages.filter((m) => m.channel.endsWith('template-changed')).at(-1)!;
    assert.deepEqual(last.payload, { prevHash: hash, height: tip.height + 2, reason: 'new-tip' });
  });

  test('P2PKH balances and history follow the chain', async () => {
    const { rows } = await t.db.pool.query<{ balance: string; received: string; entries: number }>(
      'SELECT balance::text, received::text, entries FROM address_balance WHERE hash160 = $1',
      [Buffer.from(hash160(bob.pubKey))],
    );
    assert.deepEqual(rows, [{ balance: '1000000000', received: '1000000000', entries: 1 }]);
  });

  test('decoderawtransaction, createrawtransaction and signrawtransaction without a wallet', async () => {
    const coin = (await t.rpc('gettxout', Buffer.from(coins[3].txid).reverse().toString('hex'), 0, false)) as any;
    assert.ok(coin, 'coin 3 is unspent on chain');
    const created: string = await t.rpc(
      'createrawtransaction',
      [{ txid: Buffer.from(coins[3].txid).reverse().toString('hex'), vout: 0 }],
      { [bob.address]: 49.9999, data: 'cafe' },
    );
    const decoded = await t.rpc('decoderawtransaction', created);
    assert.deepEqual(Object.keys(decoded), ['txid', 'hash', 'version', 'size', 'locktime', 'vin', 'vout', 'hex']);
    assert.equal(decoded.vout[0].value, 49.9999);
    assert.deepEqual(decoded.vout[1].scriptPubKey, { asm: '0 OP_RETURN -32458', hex: '006a02cafe', type: 'nulldata' });
    assert.equal(decoded.vin[0].scriptSig.hex, '');

    const prevtx = [{ txid: decoded.vin[0].txid, vout: 0, scriptPubKey: toHex(alice.script), amount: 50 }];
    const signed = await t.rpc('signrawtransaction', created, prevtx, [alice.wif], 'ALL|FORKID');
    assert.deepEqual(Object.keys(signed), ['hex', 'complete']);
    assert.equal(signed.complete, true);
    const unsigned = await t.rpc('signrawtransaction', created, prevtx, [bob.wif]);
    assert.equal(unsigned.complete, false);
    assert.deepEqual(Object.keys(unsigned.errors[0]), ['txid', 'vout', 'scriptSig', 'sequence', 'error']);
    assert.deepEqual((await t.call('signrawtransaction', [created, prevtx, [alice.wif], 'ALL'])).error, {
      code: -8,
      message: 'Signature must use SIGHASH_FORKID',
    });
    assert.deepEqual((await t.call('signrawtransaction', [created, [{ ...prevtx[0], amount: undefined }], [alice.wif]])).error, {
      code: -8,
      message: 'Missing amount',
    });
    // The free transaction of the previous case spends this coin: first seen wins.
    assert.deepEqual((await t.call('sendrawtransaction', [signed.hex])).error, { code: -26, message: '258: txn-mempool-conflict' });
    assert.deepEqual((await t.call('createrawtransaction', [[], { nonsense: 1 }])).error, { code: -5, message: 'Invalid Bitcoin address: nonsense' });
    assert.deepEqual((await t.call('decoderawtransaction', ['00'])).error, { code: -22, message: 'TX decode failed' });
    assert.deepEqual((await t.call('getrawtransaction', ['00'.repeat(32)])).error.code, -5);
  });

  test('generate pays the documented regtest key; both generators are regtest tools with the reference errors', async () => {
    const [hash] = await t.rpc('generate', 1);
    const cb = (await t.rpc('getblock', hash, 2)).tx[0];
    assert.deepEqual(cb.vout[0].scriptPubKey.addresses, ['mtapW9yMSYnCiRWReQcphqpPRAJao1GVyW']);
    assert.deepEqual((await t.call('generatetoaddress', [1, 'not-an-address'])).error, { code: -5, message: 'Error: Invalid address' });
    assert.deepEqual(await t.rpc('generatetoaddress', 0, alice.address), []);
  });

  test('mining candidates: getminingcandidate and submitminingsolution', async () => {
    const c = await t.rpc('getminingcandidate');
    assert.deepEqual(Object.keys(c), ['id', 'prevhash', 'coinbaseValue', 'version', 'nBits', 'time', 'height', 'num_tx', 'sizeWithoutCoinbase', 'merkleProof']);
    assert.equal(c.prevhash, await t.rpc('getbestblockhash'));
    const tpl = await t.rpc('getblocktemplate');
    assert.equal(c.num_tx, tpl.transactions.length + 1, 'coinbase included');
    assert.equal(c.sizeWithoutCoinbase, 80 + tpl.transactions.reduce((n: number, x: any) => n + x.data.length / 2, 0));
    assert.equal(c.coinbaseValue, tpl.coinbasevalue);
    assert.equal(c.merkleProof.length, Math.ceil(Math.log2(c.num_tx)));
    assert.equal(c.nBits, tpl.bits);
    assert.equal(c.height, tpl.height);
    assert.equal(typeof c.id, 'string');
    const withCoinbase = await t.rpc('getminingcandidate', true);
    assert.equal(typeof withCoinbase.coinbase, 'string');
    assert.equal(await t.rpc('submitminingsolution', { id: '999999', nonce: 0 }), 'unknown-id');
    assert.deepEqual((await t.call('submitminingsolution', [{ id: c.id }])).error, { code: -22, message: 'nonce not found' });
    let answer: unknown = 'high-hash';
    for (let nonce = 0; answer === 'high-hash' && nonce < 100; nonce++) answer = await t.rpc('submitminingsolution', { id: c.id, nonce });
    assert.equal(answer, true);
    assert.equal((await t.rpc('getblock', await t.rpc('getbestblockhash'))).height, c.height);
  });
});
