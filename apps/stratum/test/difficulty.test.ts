import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DIFF1_TARGET, bigIntToBytesLE, targetForDifficulty } from '@metamorph/bitcoin';
import { difficultyToDecimal, hashDifficultyDecimal, normalizeDifficulty, targetDifficultyDecimal } from '../src/difficulty.js';
import { VarDiff } from '../src/vardiff.js';

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

test('vardiff moves toward the aimed share rate, by at most 4x, and ignores small deviations', () => {
  const v = new VarDiff({ targetSeconds: 10, min: 1e-8, max: 1000 }, 1, 0);
  assert.equal(v.retarget(10_000), undefined, 'window not over');
  for (let i = 0; i < 40; i++) v.recordShare();
  assert.equal(v.retarget(40_000), 4, 'ten times too fast: capped at 4x');
  for (let i = 0; i < 4; i++) v.recordShare();
  assert.equal(v.retarget(80_000), undefined, 'on target');
  assert.equal(v.retarget(120_000), 2, 'no shares: halve');
  v.recordShare();
  assert.equal(v.retarget(160_000), 0.5, 'a quarter of the rate');
  const low = new VarDiff({ targetSeconds: 10, min: 0.4, max: 1000 }, 0.5, 0);
  assert.equal(low.retarget(40_000), 0.4, 'clamped at the minimum');
});
