import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'graphql';
import { buildSchema } from '../src/schema/index.js';
import { measureOperation } from '../src/limits.js';
import { DateTimeScalar, DecimalScalar, HashScalar, SatoshisScalar } from '../src/resolvers/scalars.js';
import { PushIterator } from '../src/events/push-iterator.js';
import { parseBlockConnected } from '../src/events/node-events.js';
import { Prisma } from '@metamorph/db';

const schema = buildSchema();

test('cost: one per field, list selections multiplied by their limit', () => {
  const m = (q: string, v?: Record<string, unknown>) => measureOperation(schema, parse(q), undefined, v, 100);
  assert.deepEqual(m('{ chainTip { height hash } }'), { depth: 2, complexity: 3 });
  assert.deepEqual(m('{ recentBlocks(limit: 5) { height hash } }'), { depth: 2, complexity: 1 + 5 * 2 });
  assert.deepEqual(m('{ recentBlocks { height } }'), { depth: 2, complexity: 1 + 10 * 1 }, 'the default limit');
  assert.deepEqual(m('query($n: Int) { recentBlocks(limit: $n) { height } }', { n: 7 }), { depth: 2, complexity: 8 });
  assert.deepEqual(m('{ recentBlocks(limit: 100000) { height } }'), { depth: 2, complexity: 101 }, 'capped at the page size');
  assert.deepEqual(m('{ __schema { types { name fields { name } } } chainTip { height } }'), { depth: 2, complexity: 2 }, 'introspection is free');
  assert.deepEqual(m('{ recentBlocks(limit: 2) { ... on Block { found { worker { name } } } } }'), { depth: 4, complexity: 1 + 2 * 3 });
});

test('scalars: display-order hashes, exact satoshis and decimals, ISO times', () => {
  const internal = new Uint8Array(32).map((_, i) => i);
  const display = Buffer.from(internal).reverse().toString('hex');
  assert.equal(HashScalar.serialize(internal), display);
  assert.deepEqual(HashScalar.parseValue(display), internal);
  assert.throws(() => HashScalar.parseValue('abc'), /Hash must be 64 hex digits/);
  assert.equal(SatoshisScalar.serialize(2_100_000_000_000_000n), '2100000000000000');
  assert.equal(SatoshisScalar.parseValue('9007199254740993'), 9007199254740993n);
  assert.throws(() => SatoshisScalar.parseValue('1.5'), /whole number/);
  assert.throws(() => SatoshisScalar.parseValue(5), /decimal string/);
  assert.equal(DecimalScalar.serialize(new Prisma.Decimal('123456789012345678901234.5')), '123456789012345678901234.5');
  assert.equal(DecimalScalar.serialize(new Prisma.Decimal('0.000244140625')), '0.000244140625');
  assert.equal(DateTimeScalar.serialize(new Date(0)), '1970-01-01T00:00:00.000Z');
  assert.throws(() => DateTimeScalar.parseValue('yesterday'), /ISO-8601/);
});

test('push iterator: return() ends a pending next() at once; slow consumers lose the oldest', async () => {
  let closed = 0;
  const it = new PushIterator<number>(() => closed++, 3);
  const pending = it.next();
  await it.return();
  assert.deepEqual(await pending, { value: undefined, done: true });
  assert.equal(closed, 1);
  const slow = new PushIterator<number>(undefined, 3);
  for (let i = 1; i <= 5; i++) slow.push(i);
  assert.deepEqual([(await slow.next()).value, (await slow.next()).value, (await slow.next()).value], [3, 4, 5]);
});

test('block-connected payloads are checked before use', () => {
  const good = { hash: 'ab'.repeat(32), height: 1, prevHash: '00'.repeat(32), time: 1 };
  assert.deepEqual(parseBlockConnected(JSON.stringify(good)), good);
  assert.equal(parseBlockConnected(JSON.stringify({ ...good, hash: 'AB'.repeat(32) })), null);
  assert.equal(parseBlockConnected(JSON.stringify({ ...good, height: 1.5 })), null);
  assert.equal(parseBlockConnected('['), null);
});
