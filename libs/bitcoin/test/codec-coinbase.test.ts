import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  BitcoinErrorCode as C,
  checkCoinbaseScriptSigSize,
  coinbaseCommitsToHeight,
  coinbaseScriptSig,
  decodeCoinbaseHeight,
  encodeCoinbaseHeight,
  fromHex,
  toHex,
} from '../src/index.js';
import { throwsCode } from './codec-support.js';

test('BIP34 height pushes match the reference node (CScript() << height)', () => {
  const cases: [number, string][] = [
    [0, '00'],
    [1, '51'],
    [16, '60'],
    [17, '0111'],
    [127, '017f'],
    [128, '028000'],
    [255, '02ff00'],
    [256, '020001'],
    [32767, '02ff7f'],
    [32768, '03008000'],
    [227931, '035b7a03'], // mainnet BIP34 activation height
    [620538, '03fa7709'],
    [8388607, '03ffff7f'],
    [8388608, '0400008000'],
    [0x7fffffff, '04ffffff7f'],
  ];
  for (const [h, hex] of cases) {
    assert.equal(toHex(encodeCoinbaseHeight(h)), hex, `height ${h}`);
    assert.deepEqual(decodeCoinbaseHeight(fromHex(hex + 'abcd')), { height: h, size: hex.length / 2, minimal: true });
    assert.ok(coinbaseCommitsToHeight(fromHex(hex + '00'), h));
  }
});

test('coinbase heights round-trip for every height (property)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0x7fffffff }), fc.uint8Array({ maxLength: 20 }), (h, extra) => {
      const push = encodeCoinbaseHeight(h);
      const script = new Uint8Array([...push, ...extra]);
      const got = decodeCoinbaseHeight(script);
      assert.equal(got.height, h);
      assert.equal(got.size, push.length);
      assert.ok(got.minimal);
      assert.ok(coinbaseCommitsToHeight(script, h));
      if (h < 0x7fffffff && extra.length === 0) assert.ok(!coinbaseCommitsToHeight(script, h + 1));
    }),
  );
});

test('non-minimal height pushes are read but flagged, and fail the BIP34 check', () => {
  // 5 written as a one-byte push instead of OP_5; 17 padded with a zero byte.
  assert.deepEqual(decodeCoinbaseHeight(fromHex('0105')), { height: 5, size: 2, minimal: false });
  assert.deepEqual(decodeCoinbaseHeight(fromHex('021100')), { height: 17, size: 3, minimal: false });
  assert.ok(!coinbaseCommitsToHeight(fromHex('0105'), 5));
});

test('malformed height pushes are refused with specific errors', () => {
  throwsCode(() => decodeCoinbaseHeight(new Uint8Array(0)), C.Truncated, 'coinbase.scriptSig');
  throwsCode(() => decodeCoinbaseHeight(fromHex('035b7a')), C.Truncated);
  throwsCode(() => decodeCoinbaseHeight(fromHex('4f')), C.InvalidEncoding); // OP_1NEGATE
  throwsCode(() => decodeCoinbaseHeight(fromHex('4c0100')), C.InvalidEncoding); // OP_PUSHDATA1
  throwsCode(() => decodeCoinbaseHeight(fromHex('0181')), C.OutOfRange); // -1
  throwsCode(() => decodeCoinbaseHeight(fromHex('06010203040506')), C.OutOfRange);
  throwsCode(() => decodeCoinbaseHeight(fromHex('050000000001')), C.OutOfRange); // 2^32
  throwsCode(() => encodeCoinbaseHeight(-1), C.OutOfRange, 'height');
  throwsCode(() => encodeCoinbaseHeight(1.5), C.OutOfRange, 'height');
  throwsCode(() => encodeCoinbaseHeight(2 ** 31), C.OutOfRange, 'height');
});

test('coinbase scriptSigs keep to the consensus size bounds [2, 100]', () => {
  assert.equal(toHex(coinbaseScriptSig(1, fromHex('00'))), '5100');
  throwsCode(() => coinbaseScriptSig(1), C.InvalidLength, 'coinbase.scriptSig');
  throwsCode(() => coinbaseScriptSig(700000, new Uint8Array(97)), C.InvalidLength);
  assert.equal(coinbaseScriptSig(700000, new Uint8Array(96)).length, 100);
  checkCoinbaseScriptSigSize(new Uint8Array(2));
});
