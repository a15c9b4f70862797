import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  BitcoinErrorCode as C,
  Writer,
  decode,
  decodeTransaction,
  decodeTransactionPrefix,
  encode,
  encodeTransaction,
  fromHex,
  hashFromHex,
  hashToHex,
  isCoinbase,
  isNullOutPoint,
  mainnet,
  outPointBytes,
  outPointCodec,
  outPointEquals,
  outPointFromBytes,
  outPointFromKey,
  outPointKey,
  toHex,
  totalOutputValue,
  txid,
  txidFromBytes,
  txSize,
  type Transaction,
} from '../src/index.js';
import { arbOutPoint, arbTransaction, readVectorJson, throwsCode, VECTOR_SHA256 } from './codec-support.js';

test('transactions: decode(encode(x)) == x and encode(decode(b)) == b (property)', () => {
  fc.assert(
    fc.property(arbTransaction(), (tx) => {
      const bytes = encodeTransaction(tx);
      assert.equal(bytes.length, txSize(tx));
      const back = decodeTransaction(bytes);
      assert.deepEqual(back, tx);
      assert.deepEqual(encodeTransaction(back), bytes);
      assert.deepEqual(txid(back), txidFromBytes(bytes));
    }),
    { numRuns: 200 },
  );
});

test('transactions: every truncation is refused as truncated, trailing bytes as trailing (property)', () => {
  fc.assert(
    fc.property(arbTransaction({ maxIo: 3, script: fc.uint8Array({ maxLength: 30 }) }), fc.uint8Array({ minLength: 1, maxLength: 4 }), (tx, extra) => {
      const bytes = encodeTransaction(tx);
      for (let len = 0; len < bytes.length; len++) throwsCode(() => decodeTransaction(bytes.subarray(0, len)), C.Truncated);
      throwsCode(() => decodeTransaction(new Uint8Array([...bytes, ...extra])), C.TrailingBytes, 'tx');
      // The prefix decoder stops at the end of the transaction instead.
      const { tx: again, size } = decodeTransactionPrefix(new Uint8Array([...bytes, ...extra]));
      assert.equal(size, bytes.length);
      assert.deepEqual(again, tx);
    }),
    { numRuns: 60 },
  );
});

test('transactions: a byte-flipped encoding either fails with a BitcoinError or re-encodes to itself (property)', () => {
  fc.assert(
    fc.property(arbTransaction({ maxIo: 3 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (tx, at, xor) => {
      const bytes = encodeTransaction(tx).slice();
      bytes[at % bytes.length] ^= xor;
      let back: Transaction;
      try {
        back = decodeTransaction(bytes);
      } catch (e) {
        assert.ok(e instanceof Error && e.name === 'BitcoinError', String(e));
        return;
      }
      assert.deepEqual(encodeTransaction(back), bytes);
    }),
    { numRuns: 300 },
  );
});

/** Re-encode `tx` writing the CompactSize of `which` in one more byte width than needed. */
function encodeWithNonMinimal(tx: Transaction, which: 'inputs' | 'outputs' | 'script'): Uint8Array {
  const w = new Writer();
  const cs = (n: number, loose: boolean) => (loose ? w.u8(0xfd).u16le(n) : w.compactSize(n));
  w.i32le(tx.version);
  cs(tx.inputs.length, which === 'inputs');
  tx.inputs.forEach((i, k) => {
    w.bytes(i.prevout.txid).u32le(i.prevout.vout);
    cs(i.script.length, which === 'script' && k === tx.inputs.length - 1);
    w.bytes(i.script).u32le(i.sequence);
  });
  cs(tx.outputs.length, which === 'outputs');
  for (const o of tx.outputs) w.i64le(o.value).varBytes(o.script);
  w.u32le(tx.lockTime);
  return w.finish();
}

test('transactions: non-minimal CompactSize counts and lengths are refused, naming the field (property)', () => {
  const small = arbTransaction({ maxIo: 3, script: fc.uint8Array({ maxLength: 100 }) });
  fc.assert(
    fc.property(small, (tx) => {
      throwsCode(() => decodeTransaction(encodeWithNonMinimal(tx, 'inputs')), C.NonMinimalCompactSize, 'tx.inputs');
      throwsCode(() => decodeTransaction(encodeWithNonMinimal(tx, 'outputs')), C.NonMinimalCompactSize, 'tx.outputs');
      if (tx.inputs.length > 0) {
        const last = tx.inputs.length - 1;
        throwsCode(() => decodeTransaction(encodeWithNonMinimal(tx, 'script')), C.NonMinimalCompactSize, `tx.inputs[${last}].script`);
      }
    }),
  );
});

test('transactions: errors name the exact field path', () => {
  const tx: Transaction = {
    version: 1,
    inputs: [0, 1, 2].map((i) => ({ prevout: { txid: new Uint8Array(32).fill(i) as never, vout: i }, script: new Uint8Array(10).fill(i), sequence: 0xffffffff })),
    outputs: [{ value: 1n, script: new Uint8Array([0x51]) }],
    lockTime: 0,
  };
  const bytes = encodeTransaction(tx);
  // Cut inside the third input's script (4 version + 1 count + 2×51 + 36 outpoint + 1 length + 5 bytes).
  throwsCode(() => decodeTransaction(bytes.subarray(0, 4 + 1 + 2 * 51 + 36 + 1 + 5)), C.Truncated, 'tx.inputs[2].script');
  throwsCode(() => decodeTransaction(bytes.subarray(0, 4 + 1 + 2 * 51 + 20)), C.Truncated, 'tx.inputs[2].prevout.txid');
  throwsCode(() => decodeTransaction(bytes.subarray(0, bytes.length - 2)), C.Truncated, 'tx.lockTime');
  throwsCode(() => encodeTransaction({ ...tx, outputs: [{ value: 1n, script: 'x' as never }] }), C.InvalidArgument, 'outputs[0].script');
  throwsCode(() => decodeTransaction(bytes, 100), C.Oversized, 'tx');
});

test('transactions: the mainnet genesis coinbase, byte for byte', () => {
  const cb = mainnet.genesis.txs[0];
  const hex =
    '01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a01000000434104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac00000000';
  assert.equal(toHex(encodeTransaction(cb)), hex);
  assert.deepEqual(decodeTransaction(fromHex(hex)), cb);
  assert.equal(hashToHex(txid(cb)), '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b');
  assert.equal(txSize(cb), 204);
  assert.ok(isCoinbase(cb));
  assert.equal(totalOutputValue(cb), 50n * 100_000_000n);
});

test('transactions: real regtest transactions from SV Node round-trip byte for byte', () => {
  const capture = readVectorJson<{ messages: { command: string; payload: string }[] }>('p2p_regtest_capture.json', VECTOR_SHA256.p2p_regtest_capture);
  const txs = capture.messages.filter((m) => m.command === 'tx');
  assert.ok(txs.length >= 3);
  const ids = [];
  for (const m of txs) {
    const raw = fromHex(m.payload);
    const tx = decodeTransaction(raw);
    assert.deepEqual(encodeTransaction(tx), raw);
    assert.equal(txSize(tx), raw.length);
    assert.ok(!isCoinbase(tx));
    ids.push(hashToHex(txid(tx)));
  }
  assert.equal(ids[0], '4c14514a8cca818145fbb877490caa9f51f0e262fdd9d8a0fed179a20e6a6bdb');
});

test('outpoints: codec, bytes and string keys round-trip (property)', () => {
  fc.assert(
    fc.property(arbOutPoint, (op) => {
      const bytes = outPointBytes(op);
      assert.equal(bytes.length, 36);
      assert.deepEqual(outPointFromBytes(bytes), op);
      assert.deepEqual(encode(outPointCodec, decode(outPointCodec, bytes)), bytes);
      const key = outPointKey(op);
      assert.match(key, /^[0-9a-f]{64}:\d+$/);
      const back = outPointFromKey(key);
      assert.ok(outPointEquals(back, op));
      for (let len = 0; len < 36; len++) throwsCode(() => outPointFromBytes(bytes.subarray(0, len)), C.Truncated);
    }),
  );
  const op = { txid: hashFromHex('4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b'), vout: 0 };
  assert.equal(outPointKey(op), '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b:0');
  assert.ok(isNullOutPoint({ txid: new Uint8Array(32) as never, vout: 0xffffffff }));
  assert.ok(!isNullOutPoint(op));
  throwsCode(() => outPointFromKey('abc:1'), C.InvalidArgument, 'outpoint');
  throwsCode(() => outPointFromKey(`${'0'.repeat(64)}:4294967296`), C.OutOfRange, 'outpoint.vout');
});
