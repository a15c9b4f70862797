import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitLines } from '../src/framing.js';

/** Feeds chunks through one connection's framing; '<too-long>' marks the end of the stream. */
function feeder(max: number) {
  let partial: Buffer | undefined;
  let broken = false;
  return (chunk: Buffer | string): string[] => {
    const out: string[] = [];
    if (broken) return out;
    const r = splitLines(partial, Buffer.from(chunk), max, (line) => (out.push(line), true));
    partial = r.partial;
    if (r.tooLong) {
      broken = true;
      out.push('<too-long>');
    }
    return out;
  };
}

test('lines split on \\n and \\r\\n, across chunks', () => {
  const f = feeder(100);
  assert.deepEqual(f('{"a":1}\n{"b"'), ['{"a":1}']);
  assert.deepEqual(f(':2}\r\n\n'), ['{"b":2}', '']);
});

test('multi-byte characters split between chunks survive', () => {
  const f = feeder(100);
  const bytes = Buffer.from('"é€"\n');
  assert.deepEqual(f(bytes.subarray(0, 2)), []);
  assert.deepEqual(f(bytes.subarray(2)), ['"é€"']);
});

test('a line over the limit is reported once, before or after its newline arrives, and nothing follows', () => {
  const a = feeder(10);
  assert.deepEqual(a('ok\n' + 'x'.repeat(11)), ['ok', '<too-long>']);
  assert.deepEqual(a('\nmore\n'), []);
  const b = feeder(10);
  assert.deepEqual(b('x'.repeat(6)), []);
  assert.deepEqual(b('x'.repeat(6) + '\n'), ['<too-long>']);
  const c = feeder(10);
  assert.deepEqual(c('x'.repeat(10) + '\n'), ['x'.repeat(10)]);
});

test('the caller can stop at a line (the connection closed): nothing more is handed out', () => {
  const seen: string[] = [];
  const r = splitLines(undefined, Buffer.from('a\nb\nc\n'), 100, (line) => (seen.push(line), line !== 'b'));
  assert.deepEqual(seen, ['a', 'b']);
  assert.deepEqual(r, { partial: undefined, tooLong: false });
});
