import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  BASE58_ALPHABET,
  BitcoinErrorCode as C,
  base58CheckDecode,
  base58CheckEncode,
  base58Decode,
  base58Encode,
  fromHex,
  toHex,
} from '../src/index.js';
import { readVectorJson, summary, throwsCode, VECTOR_SHA256 } from './codec-support.js';

test('base58_encode_decode.json: every vector encodes and decodes', () => {
  const vectors = readVectorJson<[string, string][]>('base58_encode_decode.json', VECTOR_SHA256.base58_encode_decode);
  let passed = 0;
  const failures: string[] = [];
  for (const [hex, text] of vectors) {
    const ok = base58Encode(fromHex(hex)) === text && toHex(base58Decode(text)) === hex;
    if (ok) passed++;
    else failures.push(`${hex} / ${text}`);
  }
  summary('base58_encode_decode', passed, failures.length);
  assert.deepEqual(failures, []);
  assert.equal(passed, 12);
});

test('base58 round-trips any bytes, leading zeros included (property)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 80 }), fc.nat({ max: 5 }), (body, zeros) => {
      const bytes = new Uint8Array([...new Uint8Array(zeros), ...body]);
      const text = base58Encode(bytes);
      assert.match(text, /^[1-9A-HJ-NP-Za-km-z]*$/);
      assert.deepEqual(base58Decode(text), bytes);
      assert.equal(base58Encode(base58Decode(text)), text);
    }),
  );
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom(...BASE58_ALPHABET), maxLength: 60 }), (text) => {
      assert.equal(base58Encode(base58Decode(text)), text);
    }),
  );
});

test('base58 refuses characters outside the alphabet, naming the position', () => {
  const e = throwsCode(() => base58Decode('3SEo3LW0LoPntC', 'address'), C.InvalidCharacter, 'address');
  assert.match(e.message, /"0" at position 7/);
  for (const bad of ['invalid', 'O', 'I', 'l', '+', 'é', '1 1']) throwsCode(() => base58Decode(bad), C.InvalidCharacter);
  // The reference node skips surrounding whitespace; here it is refused: callers trim at their edge.
  throwsCode(() => base58Decode(' \t\n\v\f\r skip \r\f\v\n\t '), C.InvalidCharacter);
  assert.equal(toHex(base58Decode('skip')), '971a55');
  throwsCode(() => base58Decode('1'.repeat(1025)), C.Oversized);
  assert.deepEqual(base58Decode(''), new Uint8Array(0));
});

test('base58check round-trips and refuses bad checksums and short input (property)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (payload, at, xor) => {
      const text = base58CheckEncode(payload);
      assert.deepEqual(base58CheckDecode(text), payload);
      const raw = base58Decode(text);
      raw[at % raw.length] ^= xor;
      throwsCode(() => base58CheckDecode(base58Encode(raw)), C.InvalidChecksum);
    }),
  );
  throwsCode(() => base58CheckDecode('3EFU7m'.slice(0, 3)), C.InvalidLength);
  assert.equal(base58CheckEncode(fromHex('0065a16059864a2fdbc7c99a4723a8395bc6f188eb')), '1AGNa15ZQXAZUgFiqJ2i7Z2DPU2J6hW62i');
  // The last vector of base58_encode_decode.json looks like an address but its checksum is not one.
  throwsCode(() => base58CheckDecode('1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L'), C.InvalidChecksum);
});
