// Shared by this library's codec, pow and encoding tests: pinned vector files and
// fast-check arbitraries for the wire types.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BitcoinError, type BitcoinErrorCode, type Block, type BlockHeader, type Hash32, type OutPoint, type Transaction, type TxIn, type TxOut } from '../src/index.js';

/** The reference node's test vectors, beside the repository (../shared/vectors). */
const VECTORS = new URL('../../../../shared/vectors/', import.meta.url);

/** Read a vector file and check it against the sha256 pinned in ../shared/vectors/SOURCES.md. */
export function readVector(name: string, sha256: string): Buffer {
  const bytes = readFileSync(fileURLToPath(new URL(name, VECTORS)));
  const digest = createHash('sha256').update(bytes).digest('hex');
  assert.equal(digest, sha256, `${name} does not match its pinned sha256`);
  return bytes;
}

export function readVectorJson<T = unknown>(name: string, sha256: string): T {
  return JSON.parse(readVector(name, sha256).toString('utf8')) as T;
}

/** A fixture under libs/bitcoin/test/fixtures, checked against its sha256. */
export function readFixture(name: string, sha256: string): Uint8Array {
  const bytes = readFileSync(fileURLToPath(new URL(`fixtures/${name}`, import.meta.url)));
  const digest = createHash('sha256').update(bytes).digest('hex');
  assert.equal(digest, sha256, `fixture ${name} does not match its pinned sha256`);
  return new Uint8Array(bytes);
}

export const VECTOR_SHA256 = {
  base58_encode_decode: '2c56f0292ffe76083430557700a095e72e1e0483343667159700e6942795810f',
  base58_keys_valid: 'b0531bd28c931a105539d1cc26b9b8d0a866c91fe24bb46c96ac13149aa4ae78',
  base58_keys_invalid: '5e49887829b551d20190154695579c4c23e62fbd2c1de069a2299161daa8eeae',
  p2p_regtest_capture: 'cbe2bdfe5efbfd2d17d19863aae3923a8b557ecb5145d40e396661cd4cdeb74b',
} as const;

/** Asserts `fn` throws a BitcoinError with `code` (and, when given, exactly `field`). */
export function throwsCode(fn: () => unknown, code: BitcoinErrorCode, field?: string): BitcoinError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof BitcoinError, `expected a BitcoinError, got ${String(e)}`);
    assert.equal(e.code, code, `expected ${code}, got ${e.code}: ${e.message}`);
    if (field !== undefined) assert.equal(e.field, field, `expected field ${field}: ${e.message}`);
    return e;
  }
  assert.fail(`expected a BitcoinError ${code}, nothing was thrown`);
}

/** Prints a `name: N passed, N failed` summary line for a table of vectors. */
export function summary(name: string, passed: number, failed: number): void {
  console.log(`${name}: ${passed} passed, ${failed} failed`);
}

// ---------------------------------------------------------------- arbitraries

/** Records with Object.prototype, as decoders build them (deepStrictEqual compares prototypes). */
const PLAIN = { noNullPrototype: true } as const;

export const arbHash32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => b as Hash32);
export const arbU32 = fc.integer({ min: 0, max: 0xffffffff });
export const arbI32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
export const arbI64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });

/** Scripts mostly short, sometimes long enough for the 3-byte CompactSize form. */
export function arbScript(maxShort = 120): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.uint8Array({ maxLength: maxShort }) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 250, maxLength: 600 }) },
  );
}

export const arbOutPoint: fc.Arbitrary<OutPoint> = fc.record({ txid: arbHash32, vout: arbU32 }, PLAIN);

export function arbTxIn(script = arbScript()): fc.Arbitrary<TxIn> {
  return fc.record({ prevout: arbOutPoint, script, sequence: arbU32 }, PLAIN);
}

export function arbTxOut(script = arbScript()): fc.Arbitrary<TxOut> {
  return fc.record({ value: arbI64, script }, PLAIN);
}

export function arbTransaction(opts: { maxIo?: number; script?: fc.Arbitrary<Uint8Array> } = {}): fc.Arbitrary<Transaction> {
  const maxIo = opts.maxIo ?? 4;
  return fc.record({
    version: arbI32,
    inputs: fc.array(arbTxIn(opts.script), { maxLength: maxIo }),
    outputs: fc.array(arbTxOut(opts.script), { maxLength: maxIo }),
    lockTime: arbU32,
  }, PLAIN);
}

export const arbHeader: fc.Arbitrary<BlockHeader> = fc.record({
  version: arbI32,
  prevHash: arbHash32,
  merkleRoot: arbHash32,
  time: arbU32,
  bits: arbU32,
  nonce: arbU32,
}, PLAIN);

export function arbBlock(maxTxs = 3): fc.Arbitrary<Block> {
  return fc.record({ header: arbHeader, txs: fc.array(arbTransaction({ maxIo: 3, script: fc.uint8Array({ maxLength: 40 }) }), { maxLength: maxTxs }) }, PLAIN);
}

/** CompactSize values spread over the 1-, 3- and 5-byte forms. */
export const arbCompactSize = fc.oneof(
  fc.integer({ min: 0, max: 0xfc }),
  fc.integer({ min: 0xfd, max: 0xffff }),
  fc.integer({ min: 0x10000, max: 0xffffffff }),
);
