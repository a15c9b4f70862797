import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ProtocolEra,
  ScriptError,
  ScriptFlag,
  SigHash,
  TxRejectReason,
  VerifyPool,
  VerifyPoolErrorCode,
  blockScriptFlags,
  checkTransaction,
  concatBytes,
  inputScriptFlags,
  mainnet,
  regtest,
  verifyTransactionScripts,
  type Hash32,
  type Transaction,
  type TxScriptsResult,
} from '@metamorph/bitcoin';
import { p2pkhScript, p2pkhSpend } from './helpers/p2pkh.js';

describe('script flags by height', () => {
  test('mainnet soft and hard forks switch on at the reference node\'s heights', () => {
    const f = (h: number) => blockScriptFlags(mainnet, h);
    assert.equal(f(173_805) & ScriptFlag.P2SH, 0);
    assert.ok(f(173_806) & ScriptFlag.P2SH);
    assert.equal(f(363_724) & ScriptFlag.DERSIG, 0);
    assert.ok(f(363_725) & ScriptFlag.DERSIG);
    assert.equal(f(478_558) & ScriptFlag.SIGHASH_FORKID, 0);
    assert.ok(f(478_559) & ScriptFlag.SIGHASH_FORKID && f(478_559) & ScriptFlag.STRICTENC);
    assert.equal(f(504_031) & ScriptFlag.NULLFAIL, 0);
    assert.ok(f(504_032) & ScriptFlag.LOW_S && f(504_032) & ScriptFlag.NULLFAIL);
    assert.equal(f(620_537) & ScriptFlag.GENESIS, 0);
    assert.equal(f(620_538) & (ScriptFlag.GENESIS | ScriptFlag.SIGPUSHONLY), ScriptFlag.GENESIS | ScriptFlag.SIGPUSHONLY);
    assert.equal(f(943_815) & ScriptFlag.CHRONICLE, 0);
    assert.ok(f(943_816) & ScriptFlag.CHRONICLE);
  });

  test('per-input flags follow the spent output\'s era', () => {
    assert.equal(inputScriptFlags(regtest, 9_999, 5), 0);
    assert.equal(inputScriptFlags(regtest, 10_000, 5), ScriptFlag.SIGPUSHONLY);
    assert.equal(inputScriptFlags(regtest, 10_000, 10_000), ScriptFlag.SIGPUSHONLY | ScriptFlag.UTXO_AFTER_GENESIS);
    assert.equal(
      inputScriptFlags(regtest, 15_000, 15_000),
      ScriptFlag.SIGPUSHONLY | ScriptFlag.UTXO_AFTER_GENESIS | ScriptFlag.UTXO_AFTER_CHRONICLE,
    );
  });
});

describe('verifyTransactionScripts', () => {
  test('a FORKID P2PKH spend verifies in every era, for blocks and the mempool', () => {
    for (const [height, coinHeight] of [
      [200, 150],
      [10_500, 9_000],
      [10_500, 10_200],
      [15_100, 15_050],
    ]) {
      const { tx, spent } = p2pkhSpend(height, { coinHeight });
      assert.deepEqual(verifyTransactionScripts(tx, spent, { params: regtest, height }), { valid: true });
      assert.deepEqual(verifyTransactionScripts(tx, spent, { params: regtest, height, mode: 'mempool' }), { valid: true });
    }
  });

  test('a changed amount or a tampered signature fails', () => {
    const { tx, spent } = p2pkhSpend(1);
    const r1 = verifyTransactionScripts(tx, [{ ...spent[0], value: spent[0].value + 1n }], { params: regtest, height: 500 });
    assert.deepEqual(r1, { valid: false, inputIndex: 0, error: ScriptError.SIG_NULLFAIL, nonMandatory: false });
    const script = Uint8Array.from(tx.inputs[0].script);
    script[10] ^= 1;
    const tampered: Transaction = { ...tx, inputs: [{ ...tx.inputs[0], script }] };
    const r2 = verifyTransactionScripts(tampered, spent, { params: regtest, height: 500 });
    assert.equal(r2.valid, false);
  });

  test('signatures without FORKID: valid before the UAHF, refused after', () => {
    const { tx, spent } = p2pkhSpend(2, { type: SigHash.ALL, coinHeight: 400_000 });
    assert.deepEqual(verifyTransactionScripts(tx, spent, { params: mainnet, height: 478_558 }), { valid: true });
    const after = verifyTransactionScripts(tx, spent, { params: mainnet, height: 478_559 });
    assert.deepEqual(after, { valid: false, inputIndex: 0, error: ScriptError.MUST_USE_FORKID, nonMandatory: false });
  });

  test('mempool: a policy-only failure is reported as non-mandatory', () => {
    const { tx, spent } = p2pkhSpend(3);
    // A non-minimal push of the public key (OP_PUSHDATA1 for 33 bytes) breaks MINIMALDATA only.
    const sigLen = tx.inputs[0].script[0];
    const sigPush = tx.inputs[0].script.subarray(0, 1 + sigLen);
    const pub = tx.inputs[0].script.subarray(2 + sigLen);
    const script = concatBytes(sigPush, Uint8Array.of(0x4c, pub.length), pub);
    const nonStandard: Transaction = { ...tx, inputs: [{ ...tx.inputs[0], script }] };
    assert.deepEqual(verifyTransactionScripts(nonStandard, spent, { params: regtest, height: 500 }), { valid: true });
    assert.deepEqual(verifyTransactionScripts(nonStandard, spent, { params: regtest, height: 500, mode: 'mempool' }), {
      valid: false,
      inputIndex: 0,
      error: ScriptError.MINIMALDATA,
      nonMandatory: true,
    });
  });

  test('a spent-output list of the wrong length is refused', () => {
    const { tx } = p2pkhSpend(4);
    assert.throws(() => verifyTransactionScripts(tx, [], { params: regtest, height: 500 }), /0 spent outputs for 1 inputs/);
  });
});

describe('checkTransaction', () => {
  const { tx } = p2pkhSpend(9);
  const era = ProtocolEra.PreGenesis;
  const reason = (t: Transaction, e = era) => {
    const r = checkTransaction(t, { era: e });
    return r.valid ? 'valid' : r.reason;
  };

  test('each context-free rule', () => {
    assert.equal(reason(tx), 'valid');
    assert.equal(reason({ ...tx, inputs: [] }), TxRejectReason.VinEmpty);
    assert.equal(reason({ ...tx, outputs: [] }), TxRejectReason.VoutEmpty);
    assert.equal(reason({ ...tx, outputs: [{ value: -1n, script: new Uint8Array(0) }] }), TxRejectReason.VoutNegative);
    assert.equal(reason({ ...tx, outputs: [{ value: 21_000_000n * 100_000_000n + 1n, script: new Uint8Array(0) }] }), TxRejectReason.VoutTooLarge);
    const half = { value: 11_000_000n * 100_000_000n, script: new Uint8Array(0) };
    assert.equal(reason({ ...tx, outputs: [half, half] }), TxRejectReason.TxoutTotalTooLarge);
    assert.equal(reason({ ...tx, inputs: [tx.inputs[0], tx.inputs[0]] }), TxRejectReason.InputsDuplicate);
    const nullInput = { ...tx.inputs[0], prevout: { txid: new Uint8Array(32) as Hash32, vout: 0xffffffff } };
    assert.equal(reason({ ...tx, inputs: [tx.inputs[0], nullInput] }), TxRejectReason.PrevoutNull);
    assert.equal(reason({ ...tx, outputs: [{ value: 1n, script: new Uint8Array(1_000_001) }] }), TxRejectReason.Oversize);
    assert.equal(reason({ ...tx, outputs: [{ value: 1n, script: new Uint8Array(1_000_001) }] }, ProtocolEra.PostGenesis), 'valid');
    const sigops = new Uint8Array(20_001).fill(0xac);
    assert.equal(reason({ ...tx, outputs: [{ value: 1n, script: sigops }] }), TxRejectReason.SigOps);
    assert.equal(reason({ ...tx, outputs: [{ value: 1n, script: sigops }] }, ProtocolEra.PostGenesis), 'valid');
    const p2sh = Uint8Array.from([0xa9, 0x14, ...new Uint8Array(20), 0x87]);
    assert.equal(reason({ ...tx, outputs: [{ value: 1n, script: p2sh }] }, ProtocolEra.PostGenesis), TxRejectReason.VoutP2SH);
  });

  test('coinbase script length 2..100', () => {
    const cb = (len: number): Transaction => ({
      version: 1,
      inputs: [{ prevout: { txid: new Uint8Array(32) as Hash32, vout: 0xffffffff }, script: new Uint8Array(len), sequence: 0xffffffff }],
      outputs: [{ value: 1n, script: p2pkhScript(new Uint8Array(20)) }],
      lockTime: 0,
    });
    assert.equal(reason(cb(1)), TxRejectReason.CoinbaseLength);
    assert.equal(reason(cb(2)), 'valid');
    assert.equal(reason(cb(100)), 'valid');
    assert.equal(reason(cb(101)), TxRejectReason.CoinbaseLength);
  });
});

describe('VerifyPool', () => {
  let pool: VerifyPool;
  const items = Array.from({ length: 300 }, (_, i) => p2pkhSpend(1000 + i, { coinHeight: 100 }));
  const ctx = { height: 500 };

  before(async () => {
    pool = await VerifyPool.create({ threads: 2, params: regtest, chunkInputs: 40 });
  });
  after(async () => {
    await pool.close();
  });

  test('workers start under tsx and load the native secp256k1', async () => {
    assert.deepEqual(await pool.workerBackends(), ['native', 'native']);
  });

  test('results match in-thread verification, in order, with failures where they are', async () => {
    const bad = items.map((it, i) => (i === 7 || i === 211 ? { ...it, spent: [{ ...it.spent[0], value: 1n }] } : it));
    const results = await pool.verify(bad, ctx);
    assert.equal(results.length, bad.length);
    const inline = bad.map((it) => verifyTransactionScripts(it.tx, it.spent, { params: regtest, ...ctx }));
    assert.deepEqual(results, inline);
    const failed = results.flatMap((r: TxScriptsResult, i) => (r.valid ? [] : [i]));
    assert.deepEqual(failed, [7, 211]);
  });

  test('concurrent batches share the workers', async () => {
    const [a, b] = await Promise.all([pool.verify(items.slice(0, 150), ctx), pool.verify(items.slice(150), ctx)]);
    assert.ok([...a, ...b].every((r) => r.valid));
  });

  test('a closed pool refuses work', async () => {
    const p = await VerifyPool.create({ threads: 1, params: regtest });
    await p.close();
    await assert.rejects(p.verify(items.slice(0, 1), ctx), (e: { code?: string }) => e.code === VerifyPoolErrorCode.Closed);
  });

  test('zero threads verifies on the calling thread', async () => {
    const p = await VerifyPool.create({ threads: 0, params: regtest });
    assert.ok((await p.verify(items.slice(0, 5), ctx)).every((r) => r.valid));
    await p.close();
  });
});
