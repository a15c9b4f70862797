import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  BitcoinErrorCode as C,
  MAX_COMPACT_SIZE,
  Reader,
  Writer,
  compactSize,
  compactSizeLength,
  decode,
  decodePrefix,
  encode,
  encodedSize,
  fixedBytes,
  fromHex,
  i32le,
  list,
  struct,
  toHex,
  u32le,
  u64le,
  varBytes,
  varString,
} from '../src/index.js';
import { arbCompactSize, throwsCode } from './codec-support.js';

test('CompactSize known encodings at every boundary', () => {
  const cases: [number, string][] = [
    [0, '00'],
    [0xfc, 'fc'],
    [0xfd, 'fdfd00'],
    [0xffff, 'fdffff'],
    [0x10000, 'fe00000100'],
    [0xffffffff, 'feffffffff'],
  ];
  for (const [n, hex] of cases) {
    assert.equal(toHex(encode(compactSize, n)), hex, `encode ${n}`);
    assert.equal(decode(compactSize, fromHex(hex)), n, `decode ${hex}`);
    assert.equal(compactSizeLength(n), hex.length / 2);
    assert.equal(compactSizeLength(BigInt(n)), hex.length / 2);
  }
});

test('CompactSize round-trips and is minimal (property)', () => {
  fc.assert(
    fc.property(arbCompactSize, (n) => {
      const bytes = encode(compactSize, n);
      assert.equal(bytes.length, compactSizeLength(n));
      assert.equal(decode(compactSize, bytes), n);
      assert.deepEqual(encode(compactSize, decode(compactSize, bytes)), bytes);
    }),
  );
});

test('CompactSize: non-minimal encodings are refused as the reference node does', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xfc }), (n) => {
      throwsCode(() => decode(compactSize, new Writer().u8(0xfd).u16le(n).finish()), C.NonMinimalCompactSize);
    }),
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffff }), (n) => {
      throwsCode(() => decode(compactSize, new Writer().u8(0xfe).u32le(n).finish()), C.NonMinimalCompactSize);
    }),
  );
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 0xffffffffn }), (n) => {
      throwsCode(() => decode(compactSize, new Writer().u8(0xff).u64le(n).finish()), C.NonMinimalCompactSize);
    }),
  );
});

test('CompactSize above MAX_SIZE (2^32 - 1) is refused on read and on write', () => {
  assert.equal(MAX_COMPACT_SIZE, 0xffffffff);
  const big = new Writer().u8(0xff).u64le(0x100000000n).finish();
  throwsCode(() => decode(compactSize, big), C.Oversized);
  throwsCode(() => new Writer().compactSize(0x100000000), C.Oversized);
  throwsCode(() => new Writer().compactSize(-1), C.OutOfRange);
  throwsCode(() => new Writer().compactSize(1.5), C.OutOfRange);
  // The unrestricted 64-bit form still round-trips for callers that need it.
  const w = new Writer().compactSizeBig(0x123456789an).finish();
  assert.equal(toHex(w), 'ff9a78563412000000');
  assert.equal(new Reader(w).compactSizeBig(), 0x123456789an);
});

test('CompactSize: every truncation is refused as truncated', () => {
  fc.assert(
    fc.property(arbCompactSize, (n) => {
      const bytes = encode(compactSize, n);
      for (let len = 0; len < bytes.length; len++) throwsCode(() => decode(compactSize, bytes.subarray(0, len)), C.Truncated);
    }),
  );
});

test('varBytes round-trips, refuses truncation, trailing bytes and oversized lengths (property)', () => {
  const codec = varBytes();
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 700 }), (b) => {
      const bytes = encode(codec, b);
      assert.equal(bytes.length, encodedSize(codec, b));
      assert.deepEqual(decode(codec, bytes), b);
      assert.deepEqual(encode(codec, decode(codec, bytes)), bytes);
      throwsCode(() => decode(codec, bytes.subarray(0, bytes.length - 1)), C.Truncated);
      throwsCode(() => decode(codec, new Uint8Array([...bytes, 0])), C.TrailingBytes);
    }),
  );
  throwsCode(() => decode(varBytes(3), fromHex('0401020304')), C.Oversized);
  throwsCode(() => encode(varBytes(3), new Uint8Array(4)), C.Oversized);
});

test('a declared struct names the failing field, through lists', () => {
  const item = struct({ id: u32le, data: varBytes() });
  const codec = struct({ version: i32le, items: list(item) });
  const ok = encode(codec, { version: 1, items: [{ id: 1, data: new Uint8Array([1]) }, { id: 2, data: new Uint8Array([2, 3]) }] });
  const e = throwsCode(() => decode(codec, ok.subarray(0, ok.length - 1), 'msg'), C.Truncated, 'msg.items[1].data');
  assert.match(e.message, /^msg\.items\[1\]\.data: /);
  assert.match(e.detail, /needs 2 bytes/);
  throwsCode(() => decode(codec, new Uint8Array([...ok, 9]), 'msg'), C.TrailingBytes, 'msg');
  // A count larger than the bytes left is refused before anything is allocated.
  throwsCode(() => decode(codec, fromHex('01000000feffffffff'), 'msg'), C.Truncated, 'msg.items');
});

test('encoding refuses values that do not fit their field instead of truncating them', () => {
  const codec = struct({ a: u32le, b: u64le, c: fixedBytes(4) });
  throwsCode(() => encode(codec, { a: 2 ** 32, b: 0n, c: new Uint8Array(4) }), C.OutOfRange, 'a');
  throwsCode(() => encode(codec, { a: 1.5, b: 0n, c: new Uint8Array(4) }), C.OutOfRange, 'a');
  throwsCode(() => encode(codec, { a: 1, b: 1n << 64n, c: new Uint8Array(4) }), C.OutOfRange, 'b');
  throwsCode(() => encode(codec, { a: 1, b: 0n, c: new Uint8Array(3) }), C.InvalidLength, 'c');
  throwsCode(() => encode(codec, { a: 1, b: 0n } as never), C.InvalidArgument, 'c');
  throwsCode(() => encode(codec, null as never), C.InvalidArgument);
  throwsCode(() => encode(list(u32le), 'x' as never), C.InvalidArgument);
  // A 32-bit field takes both readings of a bit pattern (sighash types are written as -1 … 2^32-1).
  assert.equal(toHex(encode(u32le, -1)), 'ffffffff');
  assert.equal(toHex(encode(i32le, 0xffffffff)), 'ffffffff');
  assert.equal(decode(i32le, fromHex('ffffffff')), -1);
  assert.equal(decode(u32le, fromHex('ffffffff')), 0xffffffff);
});

test('Reader and Writer integer fields round-trip (property)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 0xffff }),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.integer({ min: -0x80000000, max: 0x7fffffff }),
      fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
      (a, b, c, d, e, f) => {
        const bytes = new Writer(1).u8(a).u16le(b).u16be(b).u32le(c).i32le(d).u64le(e).i64le(f).finish();
        assert.equal(bytes.length, 1 + 2 + 2 + 4 + 4 + 8 + 8);
        const r = new Reader(bytes);
        assert.deepEqual([r.u8(), r.u16le(), r.u16be(), r.u32le(), r.i32le(), r.u64le(), r.i64le()], [a, b, b, c, d, e, f]);
        r.end();
      },
    ),
  );
});

test('decodePrefix reads one value and reports its size', () => {
  const bytes = fromHex('03616263ff');
  const { value, size } = decodePrefix(varString(), bytes);
  assert.equal(value, 'abc');
  assert.equal(size, 4);
  throwsCode(() => decode(varString(2), fromHex('03616263')), C.Oversized);
  throwsCode(() => new Reader(new Uint8Array(4)).bytes_(-1), C.InvalidArgument);
});
