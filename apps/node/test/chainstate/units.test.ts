import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ProtocolEra, regtest, type Hash32, type Transaction } from '@metamorph/bitcoin';
import { createTestDatabase } from '@metamorph/testing';
import { CoinCache } from '../../src/utxo/coin-cache.js';
import { coinKey, decodeUndo, encodeUndo, type Coin } from '../../src/utxo/coin.js';
import { computeUtxoStats, varInt } from '../../src/utxo/utxo-stats.js';
import { amountFromValue, parseFixedPoint } from '../../src/rpc/params.js';
import { formatMoney, stringifyJson, valueFromAmount } from '../../src/rpc/json-number.js';
import { formatCoins, sequenceLocksSatisfied } from '../../src/chain/validation/inputs.js';
import { feeForSize, nonStandardReason } from '../../src/mempool/policy.js';
import { selectPackages } from '../../src/mining/selection.js';
import type { MempoolEntry } from '../../src/mempool/entry.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('UTXO-set hash as the reference node computes it', () => {
  test('VARINT bit patterns (serialize_tests.cpp varints_bitpatterns)', () => {
    const cases: [bigint, string][] = [
      [0n, '00'],
      [0x7fn, '7f'],
      [0x80n, '8000'],
      [0x1234n, 'a334'],
      [0xffffn, '82fe7f'],
      [0x123456n, 'c7e756'],
      [0x80123456n, '86ffc7e756'],
      [0xffffffffn, '8efefefe7f'],
      [0x7fffffffffffffffn, 'fefefefefefefefe7f'],
      [0xffffffffffffffffn, '80fefefefefefefefe7f'],
    ];
    for (const [n, want] of cases) assert.equal(hex(varInt(n)), want, `VARINT(${n})`);
  });

  test('hash_serialized: the best block, then per transaction its outputs, in database order', async () => {
    const db = await createTestDatabase('node_cs_utxo_hash');
    try {
      const best = Buffer.alloc(32, 0xab);
      await db.pool.query('INSERT INTO main_chain (height, hash) VALUES (0, $1), (7, $2)', [Buffer.alloc(32, 1), best]);
      const txA = Buffer.alloc(32, 0x02);
      const txB = Buffer.alloc(32, 0x01);
      const rows: [Buffer, number, bigint, Buffer, number, boolean][] = [
        [txA, 1, 5_000_000_000n, Buffer.from('76a914' + '11'.repeat(20) + '88ac', 'hex'), 3, true],
        [txA, 0, 1n, Buffer.from('51', 'hex'), 3, true],
        [txB, 300, 2_100_000_000_000_000n, Buffer.alloc(300, 0x6a), 7, false],
      ];
      for (const r of rows) await db.pool.query('INSERT INTO utxo VALUES ($1, $2, $3, $4, $5, $6)', r);
      const s = await computeUtxoStats(db.pool);

      // Written out by hand: txB sorts first (its bytes are smaller), outputs by index.
      const parts = [
        best,
        txB, Buffer.from([0x0e]), // height 7 * 2 + 0
        Buffer.from('812d', 'hex'), // VARINT(301)
        Buffer.from('fd2c01', 'hex'), Buffer.alloc(300, 0x6a),
        Buffer.from(varInt(2_100_000_000_000_000n)),
        Buffer.from([0x00]),
        txA, Buffer.from([0x07]), // height 3 * 2 + 1
        Buffer.from([0x01]), Buffer.from([0x01, 0x51]), Buffer.from([0x01]),
        Buffer.from([0x02]), Buffer.from('19', 'hex'), rows[0][3], Buffer.from(varInt(5_000_000_000n)),
        Buffer.from([0x00]),
      ];
      const once = createHash('sha256').update(Buffer.concat(parts)).digest();
      const expected = createHash('sha256').update(once).digest();
      assert.equal(hex(s.hashSerialized), hex(expected));
      assert.equal(hex(varInt(301n)), '812d');
      assert.deepEqual(
        { height: s.height, transactions: s.transactions, txouts: s.txouts, total: s.totalAmount, bogo: s.bogoSize },
        { height: 7, transactions: 2, txouts: 3, total: 2_100_005_000_000_001n, bogo: 3 * 50 + 25 + 1 + 300 },
      );
      assert.ok(s.diskSize > 0);
    } finally {
      await db.close();
    }
  });
});

describe('coins, undo data and the coin cache', () => {
  test('undo data round-trips every field', () => {
    const coins: Coin[] = [
      { value: 0n, script: new Uint8Array(0), height: 0, coinbase: false },
      { value: 2_100_000_000_000_000n, script: new Uint8Array(70_000).fill(7), height: 1_000_000, coinbase: true },
    ];
    assert.deepEqual(decodeUndo(encodeUndo(coins)), coins);
    assert.throws(() => decodeUndo(encodeUndo(coins).subarray(0, 20)));
  });

  test('the cache evicts the least recently used and refuses reads older than a commit', () => {
    const c = new CoinCache(2);
    const coin = (v: bigint): Coin => ({ value: v, script: new Uint8Array(0), height: 1, coinbase: false });
    const gen = c.generation;
    c.fill([['a', coin(1n)], ['b', coin(2n)]], gen);
    c.get('a');
    c.fill([['c', coin(3n)]], gen);
    assert.equal(c.get('b'), undefined, 'b was the least recently used');
    assert.equal(c.get('a')?.value, 1n);
    c.apply(new Map([['a', null]]));
    assert.equal(c.get('a'), undefined);
    c.fill([['a', coin(1n)]], gen);
    assert.equal(c.get('a'), undefined, 'a read started before the commit is not cached');
    assert.notEqual(coinKey(new Uint8Array(32), 1), coinKey(new Uint8Array(32), 11));
  });
});

describe('amounts and JSON', () => {
  test('AmountFromValue parses coins exactly', () => {
    assert.equal(amountFromValue(0.00000001), 1n);
    assert.equal(amountFromValue('21000000'), 2_100_000_000_000_000n);
    assert.equal(amountFromValue(49.9999), 4_999_990_000n);
    assert.equal(amountFromValue(1e-8), 1n);
    assert.equal(parseFixedPoint('2.5E3', 8), 250_000_000_000n);
    assert.throws(() => amountFromValue('0.000000001'), /Invalid amount/);
    assert.throws(() => amountFromValue(21_000_000.00000001), /Amount out of range/);
    assert.throws(() => amountFromValue(-1), /Amount out of range/);
    assert.throws(() => amountFromValue(true), /Amount is not a number or string/);
  });

  test('ValueFromAmount keeps 8 decimals, FormatMoney at least 2, both written verbatim', () => {
    assert.equal(stringifyJson({ v: valueFromAmount(5_000_000_000n), m: formatMoney(5_000_000_000n), s: formatMoney(1000n) }), '{"v":50.00000000,"m":50.00,"s":0.00001}');
    assert.equal(stringifyJson([valueFromAmount(-123n), 'text with "quotes"']), '[-0.00000123,"text with \\"quotes\\""]');
    assert.equal(formatCoins(150_000_000n), '1.50');
  });
});

describe('policy and consensus helpers', () => {
  const tx = (version: number, sequences: number[]): Transaction => ({
    version,
    inputs: sequences.map((sequence) => ({ prevout: { txid: new Uint8Array(32) as Hash32, vout: 0 }, script: new Uint8Array(0), sequence })),
    outputs: [{ value: 1n, script: Uint8Array.of(0x51) }],
    lockTime: 0,
  });

  test('BIP68 relative lock times by height and by time', () => {
    const mtp = (h: number) => 1_000_000 + h * 600;
    // Version 1 and disabled sequences never lock.
    assert.equal(sequenceLocksSatisfied(tx(1, [10]), [100], 101, mtp(100), mtp), true);
    assert.equal(sequenceLocksSatisfied(tx(2, [0x80000000 | 10]), [100], 101, mtp(100), mtp), true);
    // 10 blocks after a coin at height 100: the earliest block is 110.
    assert.equal(sequenceLocksSatisfied(tx(2, [10]), [100], 109, mtp(108), mtp), false);
    assert.equal(sequenceLocksSatisfied(tx(2, [10]), [100], 110, mtp(109), mtp), true);
    // 1,024 seconds (2 units of 512) after the median time past of the coin's parent.
    const byTime = tx(2, [0x00400000 | 2]);
    assert.equal(sequenceLocksSatisfied(byTime, [100], 102, mtp(99) + 1023, mtp), false);
    assert.equal(sequenceLocksSatisfied(byTime, [100], 102, mtp(99) + 1024, mtp), true);
  });

  test('standardness reasons', () => {
    const p2pkh = Uint8Array.from([0x76, 0xa9, 0x14, ...new Uint8Array(20), 0x88, 0xac]);
    const ok: Transaction = { ...tx(1, [0xffffffff]), outputs: [{ value: 1n, script: p2pkh }] };
    assert.equal(nonStandardReason(ok, 100, regtest, 200), null);
    assert.equal(nonStandardReason({ ...ok, version: 3 }, 100, regtest, 200), 'version');
    assert.equal(nonStandardReason(ok, 100_000, regtest, 200), 'tx-size');
    assert.equal(nonStandardReason(ok, 100_000, regtest, regtest.genesisHeight), null, 'the size limit is 10 MB after Genesis');
    assert.equal(nonStandardReason({ ...ok, outputs: [{ value: 0n, script: p2pkh }] }, 100, regtest, 200), 'dust');
    assert.equal(nonStandardReason({ ...ok, outputs: [{ value: 0n, script: Uint8Array.of(0x00, 0x6a) }] }, 100, regtest, 200), null);
    assert.equal(nonStandardReason({ ...ok, outputs: [{ value: 1n, script: Uint8Array.of(0x51) }] }, 100, regtest, 200), 'scriptpubkey');
    assert.equal(feeForSize(1n, 191), 1n, 'a non-zero rate charges at least a satoshi');
    assert.equal(feeForSize(0n, 191), 0n);
  });
});

describe('package selection', () => {
  let seq = 0;
  function entry(fee: bigint, size: number, parents: MempoolEntry[] = [], sigOps = 0): MempoolEntry {
    const e = {
      txid: new Uint8Array(32).fill(++seq) as Hash32,
      key: String(seq),
      tx: {} as Transaction,
      raw: new Uint8Array(size),
      size,
      fee,
      time: 0,
      height: 0,
      sigOps,
      spendsCoinbase: false,
      seq,
      era: ProtocolEra.PreGenesis,
      parents: new Set(parents),
      children: new Set<MempoolEntry>(),
      depth: parents.length ? Math.max(...parents.map((p) => p.depth)) + 1 : 0,
    } as MempoolEntry;
    for (const p of parents) p.children.add(e);
    return e;
  }
  const limits = { maxTxBytes: 1_000_000, minOverheadBytes: 141, limitSigOps: true, reservedSigOps: 100, minFeePerKb: 1n };

  test('best package first, parents before children, nothing below the minimum fee', () => {
    const a = entry(100n, 200);
    const parent = entry(0n, 200);
    const child = entry(10_000n, 200, [parent]);
    const free = entry(0n, 200);
    const s = selectPackages([a, parent, child, free], limits);
    assert.deepEqual(s.entries, [parent, child, a]);
    assert.equal(s.fees, 10_100n);
    assert.equal(s.bytes, 600);
  });

  test('the size limit and the block sigop limit hold', () => {
    const big = Array.from({ length: 10 }, (_, i) => entry(BigInt(1000 + i), 300));
    assert.equal(selectPackages(big, { ...limits, maxTxBytes: 1000 }).entries.length, 3);
    const heavy = Array.from({ length: 6 }, () => entry(10_000n, 10_000, [], 3_900));
    const s = selectPackages(heavy, limits);
    assert.equal(s.entries.length, 5);
    assert.ok(s.sigOps + 100 <= 20_000);
    assert.equal(selectPackages(heavy, { ...limits, limitSigOps: false }).entries.length, 6);
  });

  test('a diamond is counted once', () => {
    const root = entry(1000n, 100);
    const left = entry(1000n, 100, [root]);
    const right = entry(1000n, 100, [root]);
    const join = entry(1000n, 100, [left, right]);
    const s = selectPackages([root, left, right, join], limits);
    assert.equal(s.entries.length, 4);
    assert.equal(s.fees, 4000n);
    assert.ok(s.entries.indexOf(join) > s.entries.indexOf(left) && s.entries.indexOf(join) > s.entries.indexOf(right));
  });
});
