import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hashFromHex, hashToHex, sha256d } from '@metamorph/bitcoin';
import type { FoundBlockJobData } from '@metamorph/queue';
import { TEST_REDIS_URL, clearRedisPrefix, createTestDatabase, testRedisPrefix, type TestDatabase } from '@metamorph/testing';
import { BlockTracker, COINBASE_MATURITY, nextStatus } from '../src/accounting/block-tracker.js';
import { writeShareBatch } from '../src/accounting/share-writer.js';
import { createNodeRpc, type NodeRpc } from '../src/node-rpc.js';
import { NodeDouble } from './support/node-double.js';
import { memoryLogger } from './support/silent-logger.js';

test('the status a found block should have, from what the node says', () => {
  const cases: [Parameters<typeof nextStatus>, string][] = [
    [['SUBMITTED', 1, 10, 10, false], 'ACCEPTED'],
    [['SUBMITTED', COINBASE_MATURITY, 110, 10, false], 'CONFIRMED'],
    [['ACCEPTED', 99, 108, 10, false], 'ACCEPTED'],
    [['ACCEPTED', 100, 109, 10, false], 'CONFIRMED'],
    [['ACCEPTED', -1, 12, 10, false], 'ORPHANED'],
    [['ORPHANED', 3, 12, 10, false], 'ACCEPTED'],
    [['ORPHANED', -1, 12, 10, false], 'ORPHANED'],
    [['SUBMITTED', -1, 9, 10, false], 'SUBMITTED'],
    [['SUBMITTED', -1, 10, 10, false], 'ORPHANED'],
    [['SUBMITTED', 'unknown', 10, 10, false], 'SUBMITTED'],
    [['SUBMITTED', 'unknown', 10, 10, true], 'REJECTED'],
    [['ACCEPTED', 'unknown', 10, 10, true], 'ORPHANED'],
  ];
  for (const [args, expected] of cases) assert.equal(nextStatus(...args), expected, JSON.stringify(args));
});

describe('block tracker against a node double and Postgres', () => {
  const SUITE = 'stratum_block_tracker';
  const prefix = testRedisPrefix(SUITE);
  let db: TestDatabase;
  let node: NodeDouble;
  let rpc: NodeRpc;
  const logs: string[] = [];

  before(async () => {
    await clearRedisPrefix(prefix);
    db = await createTestDatabase(SUITE);
    node = await new NodeDouble({ events: { redisUrl: TEST_REDIS_URL, prefix } }).listen();
    rpc = createNodeRpc(node.url);
  });
  after(async () => {
    rpc?.close();
    await node?.close();
    await db?.close();
    await clearRedisPrefix(prefix);
  });

  let confirmedHash = '';
  const found = (hash: string, height: number, status: FoundBlockJobData['status'] = 'SUBMITTED', foundAt = Date.now(), submitResult: string | null = null): FoundBlockJobData => ({
    kind: 'block',
    hash,
    height,
    address: 'mg8Jz5776UdyiYcBb9Z873NTozEiADRW5H',
    worker: 'rig',
    reward: '5000000000',
    status,
    submitResult,
    foundAt,
  });
  const statusOf = async (hash: string) => {
    const r = await db.pool.query<{ status: string; confirmations: number; submit_result: string | null; checked_at: Date | null }>(
      'SELECT status, confirmations, submit_result, checked_at FROM found_block WHERE hash = $1',
      [Buffer.from(hashFromHex(hash))],
    );
    return r.rows[0];
  };

  test('accepted, then confirmed after 100 confirmations; a lost race is orphaned; a block the node never had is rejected', async () => {
    node.extend(3);
    const ours = node.accepted[2];
    const lost = hashToHex(sha256d(new TextEncoder().encode('lost race')));
    node.sideBlocks.set(lost, 3);
    const never = hashToHex(sha256d(new TextEncoder().encode('never stored')));
    await writeShareBatch(db.pool, [found(ours.hash, 3), found(lost, 3, 'SUBMITTED', Date.now(), 'inconclusive'), found(never, 4, 'SUBMITTED', Date.now() - 600_000)]);
    const tracker = new BlockTracker({ pool: db.pool, rpc, logger: memoryLogger(logs), intervalMs: 60_000 });
    const first = await tracker.check();
    assert.deepEqual(first.map((t) => [t.hash, t.from, t.to, t.confirmations]).sort(), [
      [lost, 'SUBMITTED', 'ORPHANED', -1],
      [never, 'SUBMITTED', 'REJECTED', -1],
      [ours.hash, 'SUBMITTED', 'ACCEPTED', 1],
    ].sort());
    assert.equal((await statusOf(never)).submit_result, 'not known to the node');
    assert.ok((await statusOf(ours.hash)).checked_at);
    node.extend(98);
    assert.deepEqual(await tracker.check(), []);
    assert.deepEqual(await statusOf(ours.hash).then((r) => [r.status, r.confirmations]), ['ACCEPTED', 99]);
    node.extend(1);
    const matured = await tracker.check();
    assert.deepEqual(matured.map((t) => [t.hash, t.to, t.confirmations]), [[ours.hash, 'CONFIRMED', 100]]);
    assert.ok(logs.some((l) => l.includes('found block confirmed')));
    confirmedHash = ours.hash;
    await tracker.close();
  });

  test('a reorg that drops an accepted block orphans it, at once on the node\'s BlockDisconnected event', async () => {
    node.extend(2);
    const ours = node.accepted[node.accepted.length - 1];
    await writeShareBatch(db.pool, [found(ours.hash, ours.height, 'ACCEPTED')]);
    const tracker = new BlockTracker({ pool: db.pool, rpc, logger: memoryLogger(), intervalMs: 3_600_000, events: { redisUrl: TEST_REDIS_URL, prefix } });
    await tracker.start();
    const deadline = Date.now() + 5000;
    while ((await statusOf(ours.hash)).confirmations !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    node.reorg(1, 2);
    while ((await statusOf(ours.hash)).status !== 'ORPHANED' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(await statusOf(ours.hash).then((r) => [r.status, r.confirmations]), ['ORPHANED', -1]);
    await tracker.close();
  });

  test('a late "found" or verdict job from the stratum never undoes what the chain decided', async () => {
    assert.equal((await statusOf(confirmedHash)).status, 'CONFIRMED');
    await writeShareBatch(db.pool, [found(confirmedHash, 3, 'SUBMITTED')]);
    await writeShareBatch(db.pool, [found(confirmedHash, 3, 'ACCEPTED')]);
    assert.equal((await statusOf(confirmedHash)).status, 'CONFIRMED');
  });
});
