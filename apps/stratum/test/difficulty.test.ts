import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DIFF1_TARGET, bigIntToBytesLE, targetForDifficulty } from '@metamorph/bitcoin';
import { difficultyDecimal, difficultyToDecimal, hashDifficultyDecimal, normalizeDifficulty, shareTarget, targetDifficultyDecimal, valueDifficultyDecimal } from '../src/difficulty.js';

test('pool difficulties are multiples of 1e-8 with at most 3 significant digits, within bounds', () => {
  assert.equal(normalizeDifficulty(0.000123456, 1e-8, 1e6), 0.000123);
  assert.equal(normalizeDifficulty(1.23456e-8, 1e-8, 1e6), 1e-8);
  assert.equal(normalizeDifficulty(4.9e-9, 1e-8, 1e6), 1e-8);
  assert.equal(normalizeDifficulty(123456, 1e-8, 1e6), 123000);
  assert.equal(normalizeDifficulty(5e6, 1e-8, 1e6), 1e6);
  assert.equal(normalizeDifficulty(0.5, 1, 10), 1);
});

test('difficulties become exact decimal strings without exponents', () => {
  assert.equal(difficultyToDecimal(0.0001), '0.0001');
  assert.equal(difficultyToDecimal(1e-8), '0.00000001');
  assert.equal(difficultyToDecimal(65536), '65536');
  assert.equal(difficultyToDecimal(1.5e14), '150000000000000');
});

test('a hash exactly at a difficulty target reaches that difficulty', () => {
  assert.equal(hashDifficultyDecimal(bigIntToBytesLE(DIFF1_TARGET, 32)), '1');
  assert.equal(hashDifficultyDecimal(bigIntToBytesLE(targetForDifficulty(0.001), 32)), '0.001');
  assert.equal(hashDifficultyDecimal(bigIntToBytesLE(DIFF1_TARGET / 1000n, 32)), '1000');
  assert.equal(hashDifficultyDecimal(new Uint8Array(32)), '9'.repeat(48) + '.' + '9'.repeat(12));
  assert.equal(targetDifficultyDecimal(0x7fffffn << 232n), '0.000000000465');
});

test('targets and decimal strings are cached per difficulty', () => {
  assert.equal(shareTarget(0.001), targetForDifficulty(0.001));
  assert.equal(shareTarget(0.001), shareTarget(0.001));
  assert.equal(difficultyDecimal(65536), '65536');
  assert.equal(valueDifficultyDecimal(DIFF1_TARGET), '1');
});
