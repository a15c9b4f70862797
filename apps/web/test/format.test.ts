import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBsv, formatDifficulty, formatHashrate, shortHash, timeAgo } from '../lib/format.js';

test('hashrate in SI units with three significant digits', () => {
  assert.equal(formatHashrate(0), '0 H/s');
  assert.equal(formatHashrate(999), '999 H/s');
  assert.equal(formatHashrate(250_539_758.93), '251 MH/s');
  assert.equal(formatHashrate(35_791_394.1), '35.8 MH/s');
  assert.equal(formatHashrate(1.5e18), '1.50 EH/s');
});

test('BSV amounts from satoshi strings, exactly', () => {
  assert.equal(formatBsv('5000000000'), '50');
  assert.equal(formatBsv('1'), '0.00000001');
  assert.equal(formatBsv('2100000000000000'), '21,000,000');
  assert.equal(formatBsv('9007199254740993'), '90,071,992.54740993');
});

test('difficulties, hashes, times', () => {
  assert.equal(formatDifficulty('0.000244140625'), '0.000244140625');
  assert.equal(formatDifficulty('123456789012345678901234.5'), '123,456,789,012,345,678,901,234.5');
  assert.equal(shortHash('00'.repeat(32)), '00000000…00000000');
  const now = Date.parse('2026-11-24T12:00:00Z');
  assert.equal(timeAgo('2026-11-24T11:59:50Z', now), '10 s ago');
  assert.equal(timeAgo('2026-11-24T09:00:00Z', now), '3 h ago');
  assert.equal(timeAgo(null, now), 'never');
});
