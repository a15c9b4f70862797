import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  BitcoinErrorCode as C,
  DIFF1_TARGET,
  blockProof,
  chainWork,
  checkProofOfWork,
  decodeCompact,
  difficultyFromBits,
  difficultyOfHash,
  encodeCompact,
  hashFromHex,
  mainnet,
  regtest,
  targetForDifficulty,
  targetFromBits,
  targetToBits,
} from '../src/index.js';
import { throwsCode } from './codec-support.js';

test('SetCompact / GetCompact cases from the reference node (arith_uint256_tests)', () => {
  const zeroes = [0, 0x00123456, 0x01003456, 0x02000056, 0x03000000, 0x04000000, 0x00923456, 0x01803456, 0x02800056, 0x03800000, 0x04800000];
  for (const bits of zeroes) {
    assert.deepEqual(decodeCompact(bits), { target: 0n, negative: false, overflow: false }, bits.toString(16));
    assert.equal(encodeCompact(0n), 0);
  }
  const cases: [number, bigint, number, boolean][] = [
    [0x01123456, 0x12n, 0x01120000, false],
    [0x01fedcba, 0x7en, 0x01fe0000, true],
    [0x02123456, 0x1234n, 0x02123400, false],
    [0x03123456, 0x123456n, 0x03123456, false],
    [0x04123456, 0x12345600n, 0x04123456, false],
    [0x04923456, 0x12345600n, 0x04923456, true],
    [0x05009234, 0x92340000n, 0x05009234, false],
    [0x20123456, 0x123456n << 232n, 0x20123456, false],
  ];
  for (const [bits, target, compact, negative] of cases) {
    const d = decodeCompact(bits);
    assert.deepEqual(d, { target, negative, overflow: false }, bits.toString(16));
    assert.equal(encodeCompact(d.target, negative), compact);
  }
  assert.equal(encodeCompact(0x80n), 0x02008000); // never sets the sign bit
  assert.deepEqual(
    { negative: decodeCompact(0xff123456).negative, overflow: decodeCompact(0xff123456).overflow },
    { negative: false, overflow: true },
  );
  // Overflowing exponents are truncated to 256 bits as arith_uint256 shifts are.
  assert.ok(decodeCompact(0xff123456).target < 1n << 256n);
});

test('compact ⇄ target round trips (property)', () => {
  const arbTarget = fc.bigInt({ min: 0n, max: (1n << 256n) - 1n });
  fc.assert(
    fc.property(arbTarget, (t) => {
      const bits = encodeCompact(t);
      const d = decodeCompact(bits);
      assert.equal(d.negative, false);
      assert.equal(d.overflow, false);
      assert.ok(d.target <= t);
      // Rounded down to the mantissa's precision (two or three bytes).
      const exponent = bits >>> 24;
      if (exponent > 3) assert.ok(t - d.target < 1n << BigInt(8 * (exponent - 3)));
      else assert.equal(d.target, t);
      assert.equal(encodeCompact(d.target), bits);
      assert.equal(targetToBits(d.target), bits);
    }),
    { numRuns: 500 },
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffffffff }), (bits) => {
      const d = decodeCompact(bits);
      if (d.negative || d.overflow || d.target === 0n) return;
      // A valid nBits is canonical when re-encoding gives it back; either way the target survives.
      assert.equal(decodeCompact(encodeCompact(d.target)).target, d.target);
      assert.equal(targetFromBits(bits), d.target);
    }),
    { numRuns: 1000 },
  );
});

test('targets: invalid nBits and targets are refused', () => {
  throwsCode(() => targetFromBits(0), C.InvalidTarget, 'bits');
  throwsCode(() => targetFromBits(0x04923456), C.InvalidTarget, 'bits');
  throwsCode(() => targetFromBits(0xff123456), C.InvalidTarget, 'bits');
  throwsCode(() => decodeCompact(-1), C.OutOfRange, 'bits');
  throwsCode(() => decodeCompact(2 ** 32), C.OutOfRange, 'bits');
  throwsCode(() => encodeCompact(-1n), C.InvalidTarget, 'target');
  throwsCode(() => encodeCompact(1n << 256n), C.InvalidTarget, 'target');
  throwsCode(() => targetForDifficulty(0), C.OutOfRange, 'difficulty');
});

test('difficulty of known nBits, as getdifficulty reports it', () => {
  assert.equal(difficultyFromBits(0x1d00ffff), 1);
  assert.equal(difficultyFromBits(0x1b0404cb), 16307.420938523983);
  assert.equal(difficultyFromBits(0x207fffff), 4.6565423739069247e-10);
  assert.equal(targetForDifficulty(1), DIFF1_TARGET);
  assert.equal(targetForDifficulty(2), DIFF1_TARGET / 2n);
  assert.equal(difficultyOfHash(hashFromHex('00000000ffff0000000000000000000000000000000000000000000000000000')), 1);
});

test('block proof and chainwork of known chains', () => {
  assert.equal(blockProof(0x1d00ffff), 0x100010001n);
  assert.equal(blockProof(0x207fffff), 2n);
  assert.equal(blockProof(0), 0n);
  assert.equal(blockProof(0x04923456), 0n);
  // getblockheader reports chainwork 0x200020002 for mainnet block 1.
  assert.equal(chainWork([0x1d00ffff, 0x1d00ffff]), 0x200020002n);
  // Regtest: every block is worth 2, so a chain of genesis + 110 blocks has chainwork 0xde.
  assert.equal(chainWork(new Array(111).fill(0x207fffff)), 0xden);
  assert.equal(blockProof(mainnet.powLimitBits), 0x100010001n);
});

test('proof of work checks the hash against the target and the limit', () => {
  const g = mainnet.genesis.header;
  assert.ok(checkProofOfWork(mainnet.genesisHash, g.bits, mainnet.powLimit));
  assert.ok(checkProofOfWork(mainnet.genesisHash, 0x1c00ffff, mainnet.powLimit)); // its hash has 5 zero bytes
  assert.ok(!checkProofOfWork(mainnet.genesisHash, 0x1b00ffff, mainnet.powLimit));
  assert.ok(!checkProofOfWork(mainnet.genesisHash, regtest.powLimitBits, mainnet.powLimit)); // above the limit
  assert.ok(!checkProofOfWork(mainnet.genesisHash, 0x04923456, mainnet.powLimit));
  assert.ok(!checkProofOfWork(mainnet.genesisHash, -5, mainnet.powLimit));
});
