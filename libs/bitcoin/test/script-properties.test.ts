import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  Op,
  SECP256K1_ORDER,
  ScriptError,
  ScriptException,
  castToBool,
  decodeDerSignature,
  decodeScript,
  decodeScriptNum,
  decodeScriptNumUnchecked,
  encodeDerSignature,
  encodeScriptNum,
  fromHex,
  isMinimalPush,
  isMinimallyEncoded,
  isStrictDerSignature,
  minimallyEncode,
  parseDerLax,
  pushDataScript,
  scriptNumSize,
  toHex,
} from '@metamorph/bitcoin';

const RUNS = { numRuns: 500 };

/** Integers of up to `bytes` bytes of magnitude, either sign, biased to byte boundaries. */
const scriptInt = (bytes: number) =>
  fc.oneof(
    fc.bigInt({ min: -(1n << BigInt(8 * bytes)) + 1n, max: (1n << BigInt(8 * bytes)) - 1n }),
    fc.integer({ min: 0, max: 8 * bytes - 1 }).chain((bit) =>
      fc.constantFrom(1n << BigInt(bit), (1n << BigInt(bit)) - 1n, -(1n << BigInt(bit)), -((1n << BigInt(bit)) - 1n)),
    ),
  );

test('script numbers: decode(encode(n)) = n, minimal, and sized as predicted', () => {
  fc.assert(
    fc.property(scriptInt(40), (n) => {
      const enc = encodeScriptNum(n);
      assert.equal(decodeScriptNumUnchecked(enc), n);
      assert.ok(isMinimallyEncoded(enc, 100));
      assert.equal(scriptNumSize(n), enc.length);
      assert.equal(castToBool(enc), n !== 0n);
    }),
    RUNS,
  );
});

test('script numbers: 4-byte operands cover exactly [-2^31+1, 2^31-1]', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: -(1n << 40n), max: 1n << 40n }), (n) => {
      const fits = n >= -(2n ** 31n) + 1n && n <= 2n ** 31n - 1n;
      assert.equal(encodeScriptNum(n).length <= 4, fits);
    }),
    RUNS,
  );
});

test('script numbers: minimallyEncode keeps the value, is minimal, and is the identity on minimal input', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 12 }), (bytes) => {
      const min = minimallyEncode(bytes);
      assert.equal(decodeScriptNumUnchecked(min), decodeScriptNumUnchecked(bytes));
      assert.ok(isMinimallyEncoded(min, 12));
      assert.equal(isMinimallyEncoded(bytes, 12), toHex(min) === toHex(bytes));
      assert.equal(castToBool(bytes), decodeScriptNumUnchecked(bytes) !== 0n);
    }),
    RUNS,
  );
});

test('script numbers: MINIMALDATA decoding refuses exactly the non-minimal encodings, and overlong ones overflow', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 7 }), fc.integer({ min: 1, max: 6 }), (bytes, max) => {
      let error: ScriptError | undefined;
      try {
        decodeScriptNum(bytes, true, max);
      } catch (e) {
        assert.ok(e instanceof ScriptException);
        error = e.code;
      }
      if (bytes.length > max) assert.equal(error, ScriptError.SCRIPTNUM_OVERFLOW);
      else if (!isMinimallyEncoded(bytes, max)) assert.equal(error, ScriptError.SCRIPTNUM_MINENCODE);
      else assert.equal(error, undefined);
    }),
    RUNS,
  );
});

/** The push opcode MINIMALDATA requires for `data`; -1 when any push is accepted (over 65535 bytes). */
function minimalPushOpcode(data: Uint8Array): number {
  if (data.length === 0) return Op.OP_0;
  if (data.length === 1 && data[0] >= 1 && data[0] <= 16) return Op.OP_1 + data[0] - 1;
  if (data.length === 1 && data[0] === 0x81) return Op.OP_1NEGATE;
  if (data.length <= 75) return data.length;
  if (data.length <= 255) return Op.OP_PUSHDATA1;
  if (data.length <= 65535) return Op.OP_PUSHDATA2;
  return -1;
}

test('push data: pushDataScript reads back as one push of the same bytes, minimal unless an OP_N applies', () => {
  // Long inputs are described by their length so a counterexample stays readable.
  const data = fc.oneof(
    fc.uint8Array({ maxLength: 80 }),
    fc.integer({ min: 250, max: 260 }),
    fc.integer({ min: 65530, max: 65540 }),
  );
  fc.assert(
    fc.property(data, (spec) => {
      const bytes = typeof spec === 'number' ? new Uint8Array(spec).fill(9) : spec;
      const script = pushDataScript(bytes);
      const { chunks, truncated } = decodeScript(script);
      assert.equal(truncated, false);
      assert.equal(chunks.length, 1);
      assert.equal(toHex(chunks[0].data!), toHex(bytes));
      const required = minimalPushOpcode(bytes);
      const pushOps = [Op.OP_0, ...Array.from({ length: 75 }, (_, i) => i + 1), Op.OP_PUSHDATA1, Op.OP_PUSHDATA2, Op.OP_PUSHDATA4, Op.OP_1NEGATE];
      for (let i = 1; i <= 16; i++) pushOps.push(Op.OP_1 + i - 1);
      for (const op of pushOps) {
        const expected = required === -1 || op === required;
        assert.equal(isMinimalPush(bytes, op), expected, `op ${op} for ${bytes.length} bytes`);
      }
      assert.equal(isMinimalPush(bytes, chunks[0].opcode), required === -1 || chunks[0].opcode === required);
    }),
    { numRuns: 200 },
  );
});

const scalar = fc.bigInt({ min: 1n, max: SECP256K1_ORDER - 1n }).map((n) => fromHex(n.toString(16).padStart(64, '0')));

test('DER: strict encoding of any r, s in [1, n-1] parses back, strictly and laxly', () => {
  fc.assert(
    fc.property(scalar, scalar, fc.integer({ min: 0, max: 255 }), (r, s, type) => {
      const compact = new Uint8Array(64);
      compact.set(r);
      compact.set(s, 32);
      const der = encodeDerSignature(compact);
      assert.ok(der.length >= 8 && der.length <= 72);
      assert.ok(isStrictDerSignature(Uint8Array.from([...der, type])));
      assert.equal(toHex(parseDerLax(der)!), toHex(compact));
      assert.equal(toHex(decodeDerSignature(der)), toHex(compact));
    }),
    RUNS,
  );
});

test('DER: any byte string either fails lax parsing or yields 64 bytes; strict implies lax', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
      const lax = parseDerLax(bytes);
      if (lax !== undefined) assert.equal(lax.length, 64);
      if (bytes.length > 0 && isStrictDerSignature(bytes)) assert.ok(parseDerLax(bytes.subarray(0, bytes.length - 1)) !== undefined);
    }),
    { numRuns: 2000 },
  );
});
