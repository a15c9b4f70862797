import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineFramer, type FrameEvent } from '../src/framing.js';

const lines = (evs: FrameEvent[]) => evs.map((e) => (e.kind === 'line' ? e.line : '<too-long>'));

test('lines split on \\n and \\r\\n, across chunks', () => {
  const f = new LineFramer(100);
  assert.deepEqual(lines(f.push(Buffer.from('{"a":1}\n{"b"'))), ['{"a":1}']);
  assert.deepEqual(lines(f.push(Buffer.from(':2}\r\n\n'))), ['{"b":2}', '']);
});

test('multi-byte characters split between chunks survive', () => {
  const f = new LineFramer(100);
  const bytes = Buffer.from('"é€"\n');
  assert.deepEqual(lines(f.push(bytes.subarray(0, 2))), []);
  assert.deepEqual(lines(f.push(bytes.subarray(2))), ['"é€"']);
});

test('a line over the limit is reported once, before or after its newline arrives, and nothing follows', () => {
  const a = new LineFramer(10);
  assert.deepEqual(lines(a.push(Buffer.from('ok\n' + 'x'.repeat(11)))), ['ok', '<too-long>']);
  assert.deepEqual(lines(a.push(Buffer.from('\nmore\n'))), []);
  const b = new LineFramer(10);
  assert.deepEqual(lines(b.push(Buffer.from('x'.repeat(6)))), []);
  assert.deepEqual(lines(b.push(Buffer.from('x'.repeat(6) + '\n'))), ['<too-long>']);
  const c = new LineFramer(10);
  assert.deepEqual(lines(c.push(Buffer.from('x'.repeat(10) + '\n'))), ['x'.repeat(10)]);
});
