import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hashToHex, regtest, sha256d, targetForDifficulty, toHex } from '@metamorph/bitcoin';
import type { QueuedJob, ShareJobData, SharesQueueJob } from '@metamorph/queue';
import { parseP2pkhAddress } from '../src/address.js';
import { assembleBlock, type BlockCandidate } from '../src/block-submitter.js';
import { LineFramer } from '../src/framing.js';
import { JobManager } from '../src/job-manager.js';
import { REGTEST_POOL_ADDRESS } from '../src/regtest-pool-key.js';
import { StratumErrorCode } from '../src/protocol.js';
import { StratumSession, type SessionOptions } from '../src/session.js';
import { parseBlockTemplate } from '../src/template.js';
import { buildHeader, hashValue, parseNotify, sha256d as minerHash } from '../../miner/src/work.js';
import { FakeTransport } from './support/fake-transport.js';
import { NodeDouble, makeTx } from './support/node-double.js';
import { memoryLogger } from './support/silent-logger.js';

const MINER = 'mg8Jz5776UdyiYcBb9Z873NTozEiADRW5H';
const NOW_S = 1_700_000_000;
/** Network target of 0x1f00ffff (~2^240): one hash in 65,536 is a block, one share in 16 (share target ~2^244). */
const HARD_BITS = 0x1f00ffff;
const DIFFICULTY = 0.000001;

interface Harness {
  node: NodeDouble;
  jobs: JobManager;
  transport: FakeTransport;
  session: StratumSession;
  shares: QueuedJob<SharesQueueJob>[];
  blocks: BlockCandidate[];
  clock: { ms: number };
  send(msg: unknown): Promise<any[]>;
  raw(line: string): Promise<any[]>;
}

function harness(overrides: Partial<SessionOptions> = {}, bits = HARD_BITS): Harness {
  const clock = { ms: NOW_S * 1000 };
  const node = new NodeDouble({ bits, now: () => Math.floor(clock.ms / 1000) });
  node.mempool = [makeTx(1), makeTx(2), makeTx(3)];
  const jobs = new JobManager({
    tag: '/test/',
    outputScript: parseP2pkhAddress(REGTEST_POOL_ADDRESS, regtest).script,
    instanceId: 1,
    refreshMs: 30_000,
    now: () => clock.ms,
  });
  jobs.update(parseBlockTemplate(node.template()));
  const transport = new FakeTransport();
  const shares: QueuedJob<SharesQueueJob>[] = [];
  const blocks: BlockCandidate[] = [];
  const session = new StratumSession(transport, {
    extranonce1: new Uint8Array([0x01, 0xaa, 0xbb, 0xcc]),
    jobs,
    network: regtest,
    difficulty: DIFFICULTY,
    minDifficulty: 1e-8,
    maxDifficulty: 1e12,
    sink: { push: (id, data) => shares.push({ id, data }) },
    submitBlock: (c) => blocks.push(c),
    logger: memoryLogger(),
    now: () => clock.ms,
    ...overrides,
  });
  jobs.on('job', (job, notify) => session.onJob(job, notify));
  return {
    node,
    jobs,
    transport,
    session,
    shares,
    blocks,
    clock,
    async send(msg) {
      await session.receive(JSON.stringify(msg));
      return transport.take();
    },
    async raw(line) {
      await session.receive(line);
      return transport.take();
    },
  };
}

/** Subscribe and authorize as `MINER.rig1`; returns the notify the session sent. */
async function ready(h: Harness): Promise<{ notify: any[]; extranonce1: string }> {
  const [sub] = await h.send({ id: 1, method: 'mining.subscribe', params: ['test-miner/1.0'] });
  const out = await h.send({ id: 2, method: 'mining.authorize', params: [`${MINER}.rig1`, 'x'] });
  const notify = out.find((m) => m.method === 'mining.notify');
  return { notify: notify.params, extranonce1: sub.result[1] };
}

/** Brute-force nonces (as a miner would) until the hash satisfies `accept`. */
function findNonce(notify: any[], extranonce1: string, extranonce2: string, accept: (hash: bigint) => boolean, ntime?: number): { nonce: number; hash: bigint } {
  const job = parseNotify(notify);
  if (ntime !== undefined) job.ntime = ntime;
  const { header } = buildHeader(job, Buffer.from(extranonce1, 'hex'), Buffer.from(extranonce2, 'hex'));
  for (let nonce = 0; nonce < 50_000_000; nonce++) {
    header.writeUInt32LE(nonce, 76);
    const hash = hashValue(minerHash(header));
    if (accept(hash)) return { nonce, hash };
  }
  throw new Error('no nonce found');
}

const hex8 = (n: number) => n.toString(16).padStart(8, '0');
const shareTarget = targetForDifficulty(DIFFICULTY);
const networkTarget = 0xffffn << BigInt(8 * (0x1f - 3));

function submit(id: number, notify: any[], en2: string, nonce: number, ntime = notify[7] as string, user = `${MINER}.rig1`) {
  return { id, method: 'mining.submit', params: [user, notify[0], en2, ntime, hex8(nonce)] };
}

describe('subscribe and authorize', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness();
  });

  test('subscribe answers subscriptions, extranonce1 (4 bytes) and extranonce2 size 8', async () => {
    const [reply] = await h.send({ id: 1, method: 'mining.subscribe', params: ['cpuminer/2.5'] });
    assert.deepEqual(reply, {
      id: 1,
      result: [[['mining.set_difficulty', '01aabbcc'], ['mining.notify', '01aabbcc']], '01aabbcc', 8],
      error: null,
    });
  });

  test('authorize accepts address.worker and then sends difficulty and a clean job', async () => {
    await h.send({ id: 1, method: 'mining.subscribe', params: [] });
    const out = await h.send({ id: 'a', method: 'mining.authorize', params: [`${MINER}.rig1`, 'x'] });
    assert.equal(out.length, 3);
    assert.deepEqual(out[0], { id: 'a', result: true, error: null });
    assert.deepEqual(out[1], { id: null, method: 'mining.set_difficulty', params: [DIFFICULTY] });
    assert.equal(out[2].method, 'mining.notify');
    assert.equal(out[2].params.length, 9);
    assert.equal(out[2].params[8], true);
    assert.equal(out[2].params[0], h.jobs.current()!.id);
  });

  test('authorize before subscribe: work follows the subscribe reply', async () => {
    const a = await h.send({ id: 1, method: 'mining.authorize', params: [MINER, ''] });
    assert.deepEqual(a, [{ id: 1, result: true, error: null }]);
    const s = await h.send({ id: 2, method: 'mining.subscribe', params: [] });
    assert.deepEqual(s.map((m) => m.method ?? 'reply'), ['reply', 'mining.set_difficulty', 'mining.notify']);
  });

  test('bad usernames are refused with code 24 naming the problem', async () => {
    await h.send({ id: 1, method: 'mining.subscribe', params: [] });
    const cases: [string, RegExp][] = [
      ['1AGNa15ZQXAZUgFiqJ2i7Z2DPU2J6hW62i.rig', /not a regtest address: prefix 0x00 is a mainnet address/],
      ['2N2JD6wb56AfK4tfmM6PwdVmoYk2dCKf4Br', /P2SH/],
      ['mg8Jz5776UdyiYcBb9Z873NTozEiADRW5x', /checksum/],
      ['not-an-address', /not a base58 character/],
      [`${MINER}.bad name!`, /Invalid worker name/],
    ];
    for (const [username, re] of cases) {
      const [reply] = await h.send({ id: 9, method: 'mining.authorize', params: [username, 'x'] });
      assert.equal(reply.result, null);
      assert.equal(reply.error[0], StratumErrorCode.Unauthorized, username);
      assert.match(reply.error[1], re, username);
      assert.equal(reply.error[2], null);
    }
    const [missing] = await h.send({ id: 10, method: 'mining.authorize', params: [] });
    assert.equal(missing.error[0], StratumErrorCode.Other);
  });
});

describe('malformed input', () => {
  test('invalid JSON and non-objects get error 20 with id null; the session goes on', async () => {
    const h = harness();
    for (const line of ['{not json', '[1,2,3]', '"text"', '42', 'null']) {
      const [reply] = await h.raw(line);
      assert.equal(reply.id, null, line);
      assert.equal(reply.result, null);
      assert.equal(reply.error[0], 20);
    }
    assert.equal(h.transport.closed, false);
    const [ok] = await h.send({ id: 7, method: 'mining.subscribe', params: [] });
    assert.equal(ok.id, 7);
  });

  test('a readable id is echoed when the method or params are wrong', async () => {
    const h = harness();
    assert.deepEqual(await h.send({ id: 3, params: [] }), [{ id: 3, result: null, error: [20, 'Invalid request: method must be a non-empty string', null] }]);
    assert.deepEqual(await h.send({ id: 4, method: 'mining.subscribe', params: { a: 1 } }), [
      { id: 4, result: null, error: [20, 'Invalid params for mining.subscribe: expected an array', null] },
    ]);
    assert.deepEqual(await h.send({ id: 5, method: 'mining.frobnicate', params: [] }), [{ id: 5, result: null, error: [20, 'Unknown method mining.frobnicate', null] }]);
    const [badId] = await h.send({ id: { x: 1 }, method: 'mining.subscribe' });
    assert.equal(badId.id, null);
  });

  test('blank lines are ignored; a flood of malformed lines closes the connection', async () => {
    const h = harness();
    assert.deepEqual(await h.raw('   '), []);
    for (let i = 0; i < 51; i++) await h.raw('garbage');
    assert.equal(h.transport.closed, true);
  });

  test('an oversized line gets an error and the connection is closed', async () => {
    const h = harness();
    const framer = new LineFramer(1024);
    const feed = async (chunk: string) => {
      for (const ev of framer.push(Buffer.from(chunk))) {
        if (ev.kind === 'line') await h.session.receive(ev.line);
        else await h.session.lineTooLong(1024);
      }
    };
    await feed('{"id":1,"method":"mining.subscribe","params":[]}\n{"id":2,"method":"mining.authorize","params":["' + 'x'.repeat(600));
    await feed('y'.repeat(600));
    const out = h.transport.take();
    assert.equal(out[0].id, 1);
    assert.deepEqual(out[1], { id: null, result: null, error: [20, 'Line too long: more than 1024 bytes without a newline', null] });
    assert.equal(h.transport.closed, true);
    await feed('{"id":3,"method":"mining.subscribe","params":[]}\n');
    assert.deepEqual(h.transport.take(), []);
  });
});

describe('ordering', () => {
  test('lines are handled strictly in order even when one waits', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const h = harness({
      authorize: async (username) => {
        await gate;
        return { address: username.split('.')[0], worker: username.split('.')[1] ?? 'default' };
      },
    });
    await h.send({ id: 1, method: 'mining.subscribe', params: [] });
    // A miner that pipelines: authorize, then at once a share for the job it is about to get.
    const authorizing = h.session.receive(JSON.stringify({ id: 2, method: 'mining.authorize', params: [`${MINER}.rig1`, 'x'] }));
    const job = h.jobs.current()!;
    const notify = h.jobs.currentNotify()!;
    const found = findNonce([...notify.slice(0, 8), true], '01aabbcc', '0000000000000001', (x) => x <= shareTarget && x > networkTarget);
    const submitting = h.session.receive(JSON.stringify({ id: 3, method: 'mining.submit', params: [`${MINER}.rig1`, job.id, '0000000000000001', notify[7], hex8(found.nonce)] }));
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(h.transport.messages, [], 'nothing answered while the authorize waits');
    release();
    await Promise.all([authorizing, submitting]);
    const out = h.transport.take();
    assert.deepEqual(out.map((m) => m.id ?? m.method), [2, 'mining.set_difficulty', 'mining.notify', 3]);
    assert.equal(out[3].result, true, 'the share saw the finished authorize');
  });
});

describe('shares', () => {
  let h: Harness;
  let notify: any[];
  let en1: string;
  beforeEach(async () => {
    h = harness();
    ({ notify, extranonce1: en1 } = await ready(h));
  });

  test('a share found by brute force is accepted and queued with its key and weight', async () => {
    const { nonce, hash } = findNonce(notify, en1, '00000000000000a1', (x) => x <= shareTarget && x > networkTarget);
    const [reply] = await h.send(submit(10, notify, '00000000000000a1', nonce));
    assert.deepEqual(reply, { id: 10, result: true, error: null });
    assert.equal(h.shares.length, 1);
    const data = h.shares[0].data as ShareJobData;
    assert.equal(h.shares[0].id, data.shareKey);
    assert.equal(data.shareKey, hash.toString(16).padStart(64, '0'));
    assert.equal(data.kind, 'share');
    assert.equal(data.address, MINER);
    assert.equal(data.worker, 'rig1');
    assert.equal(data.jobId, notify[0]);
    assert.equal(data.difficulty, '0.000001');
    assert.ok(Number(data.actualDifficulty) >= DIFFICULTY);
    assert.equal(data.height, 1);
    assert.equal(data.isBlock, false);
    assert.equal(data.submittedAt, h.clock.ms);
    assert.equal(h.blocks.length, 0);
    assert.equal(h.session.stats.accepted, 1);
  });

  test('the same share twice is a duplicate (22)', async () => {
    const { nonce } = findNonce(notify, en1, '00000000000000a2', (x) => x <= shareTarget && x > networkTarget);
    await h.send(submit(11, notify, '00000000000000a2', nonce));
    const [dup] = await h.send(submit(12, notify, '00000000000000a2', nonce));
    assert.deepEqual(dup, { id: 12, result: null, error: [22, 'Duplicate share', null] });
    assert.equal(h.shares.length, 1);
  });

  test('a hash above the share target is low difficulty (23)', async () => {
    const { nonce } = findNonce(notify, en1, '00000000000000a3', (x) => x > shareTarget);
    const [reply] = await h.send(submit(13, notify, '00000000000000a3', nonce));
    assert.deepEqual(reply.error, [23, 'Low difficulty share', null]);
    assert.equal(h.shares.length, 0);
    assert.equal(h.session.stats.rejected, 1);
  });

  test('unknown and stale jobs are refused with 21', async () => {
    const [unknown] = await h.send({ id: 14, method: 'mining.submit', params: [`${MINER}.rig1`, 'ffffffff', '0000000000000000', notify[7], '00000000'] });
    assert.deepEqual(unknown.error, [21, 'Job not found', null]);
    // The chain moves on: the job's work can no longer make a block.
    h.node.tipHash = sha256d(new Uint8Array([9]));
    h.node.height = 1;
    h.jobs.update(parseBlockTemplate(h.node.template()));
    const pushed = h.transport.take();
    assert.equal(pushed.at(-1).method, 'mining.notify');
    assert.equal(pushed.at(-1).params[8], true, 'clean_jobs on a new tip');
    const { nonce } = findNonce(notify, en1, '00000000000000a4', (x) => x <= shareTarget && x > networkTarget);
    const [stale] = await h.send(submit(15, notify, '00000000000000a4', nonce));
    assert.deepEqual(stale.error, [21, 'Stale job', null]);
  });

  test('a wrong extranonce2 size is refused (20)', async () => {
    for (const en2 of ['00000000000001', '000000000000000001', '']) {
      const [reply] = await h.send(submit(16, notify, en2, 1));
      assert.equal(reply.error[0], 20, en2);
      assert.match(reply.error[1], /extranonce2/);
    }
  });

  test('ntime before the job or too far ahead is refused (20)', async () => {
    const jobTime = parseInt(notify[7], 16);
    const [early] = await h.send(submit(17, notify, '0000000000000001', 1, hex8(jobTime - 1)));
    assert.deepEqual(early.error, [20, `ntime out of range: before the job's ${jobTime}`, null]);
    const [late] = await h.send(submit(18, notify, '0000000000000001', 1, hex8(NOW_S + 7001)));
    assert.deepEqual(late.error, [20, 'ntime out of range: too far in the future', null]);
    const later = jobTime + 60;
    const { nonce } = findNonce(notify, en1, '0000000000000002', (x) => x <= shareTarget && x > networkTarget, later);
    const [rolled] = await h.send(submit(19, notify, '0000000000000002', nonce, hex8(later)));
    assert.equal(rolled.result, true, 'ntime rolled forward within bounds is fine');
  });

  test('malformed submit params are refused (20)', async () => {
    const bad = [
      [`${MINER}.rig1`, notify[0], '0000000000000001', notify[7]],
      [`${MINER}.rig1`, notify[0], 'zz00000000000001', notify[7], '00000000'],
      [`${MINER}.rig1`, notify[0], '0000000000000001', '123', '00000000'],
      [`${MINER}.rig1`, notify[0], '0000000000000001', notify[7], 12],
      [`${MINER}.rig1`, 5, '0000000000000001', notify[7], '00000000'],
    ];
    for (const params of bad) {
      const [reply] = await h.send({ id: 20, method: 'mining.submit', params });
      assert.equal(reply.error[0], 20, JSON.stringify(params));
    }
  });

  test('submit from a worker this connection did not authorize is 24; before subscribe is 25', async () => {
    const [reply] = await h.send(submit(21, notify, '0000000000000001', 1, notify[7], `${MINER}.other`));
    assert.deepEqual(reply.error, [24, 'Unauthorized worker', null]);
    const fresh = harness();
    const [early] = await fresh.send(submit(22, notify, '0000000000000001', 1));
    assert.deepEqual(early.error, [25, 'Not subscribed', null]);
  });

  test('a block candidate is accepted, queued as a block share and handed to the submitter', async () => {
    const { nonce } = findNonce(notify, en1, '00000000000000b1', (x) => x <= networkTarget);
    const [reply] = await h.send(submit(23, notify, '00000000000000b1', nonce));
    assert.equal(reply.result, true);
    assert.equal(h.blocks.length, 1);
    assert.equal((h.shares[0].data as ShareJobData).isBlock, true);
    const c = h.blocks[0];
    assert.equal(c.address, MINER);
    assert.equal(c.worker, 'rig1');
    assert.equal(c.hashHex, hashToHex(sha256d(c.header)));
    // The node double checks PoW, merkle root, coinbase height and value: the block connects.
    assert.equal(h.node.submit(toHex(assembleBlock(c))), null);
    assert.equal(h.node.accepted[0].txCount, 4);
  });
});

describe('version rolling and difficulty', () => {
  test('mining.configure negotiates a mask; rolled shares inside it are accepted, outside refused', async () => {
    const h = harness();
    const [conf] = await h.send({ id: 1, method: 'mining.configure', params: [['version-rolling', 'minimum-difficulty'], { 'version-rolling.mask': 'ffffffff' }] });
    assert.deepEqual(conf.result, { 'version-rolling': true, 'version-rolling.mask': '1fffe000', 'minimum-difficulty': false });
    const { notify, extranonce1 } = await ready(h);
    const job = parseNotify(notify);
    const bits = 0x00006000;
    job.version = (job.version & ~0x1fffe000) | bits;
    const { header } = buildHeader(job, Buffer.from(extranonce1, 'hex'), Buffer.from('0000000000000003', 'hex'));
    let nonce = 0;
    for (; ; nonce++) {
      header.writeUInt32LE(nonce, 76);
      const v = hashValue(minerHash(header));
      if (v <= shareTarget && v > networkTarget) break;
    }
    const params = [`${MINER}.rig1`, notify[0], '0000000000000003', notify[7], hex8(nonce)];
    const [ok] = await h.send({ id: 2, method: 'mining.submit', params: [...params, hex8(bits)] });
    assert.equal(ok.result, true);
    const [outside] = await h.send({ id: 3, method: 'mining.submit', params: [...params, '00000001'] });
    assert.deepEqual(outside.error, [20, 'Version bits outside the negotiated mask', null]);
    const plain = harness();
    const r = await ready(plain);
    const [notNegotiated] = await plain.send({ id: 4, method: 'mining.submit', params: [`${MINER}.rig1`, r.notify[0], '0000000000000003', r.notify[7], '00000000', '00002000'] });
    assert.match(notNegotiated.error[1], /not negotiated/);
  });

  test('suggest_difficulty before the first job sets the starting difficulty', async () => {
    const h = harness();
    await h.send({ id: 1, method: 'mining.subscribe', params: [] });
    assert.deepEqual(await h.send({ id: 2, method: 'mining.suggest_difficulty', params: [0.5] }), [{ id: 2, result: true, error: null }]);
    const out = await h.send({ id: 3, method: 'mining.authorize', params: [MINER, 'x'] });
    assert.deepEqual(out[1].params, [0.5]);
  });

  test('vardiff raises the difficulty for a fast miner; shares of older jobs keep the difficulty they were sent with', async () => {
    const h = harness({ vardiffTargetSeconds: 10 }, 0x1e00ffff);
    const { notify, extranonce1 } = await ready(h);
    const oldTarget = shareTarget;
    // Twelve shares within the first 40 s window: three times the aimed rate.
    for (let i = 0; i < 12; i++) {
      const en2 = (0x100 + i).toString(16).padStart(16, '0');
      const { nonce } = findNonce(notify, extranonce1, en2, (x) => x <= oldTarget);
      h.clock.ms += 3000;
      const [r] = await h.send(submit(100 + i, notify, en2, nonce));
      assert.equal(r.result, true);
    }
    h.clock.ms += 5000;
    h.node.mempool.push(makeTx(77));
    h.jobs.update(parseBlockTemplate(h.node.template()));
    const out = h.transport.take();
    assert.equal(out[0].method, 'mining.set_difficulty');
    assert.ok(out[0].params[0] > DIFFICULTY * 2, `difficulty went up to ${out[0].params[0]}`);
    assert.equal(out[1].method, 'mining.notify');
    // A late share for the first job is still judged at the old difficulty.
    const { nonce } = findNonce(notify, extranonce1, '00000000000000ff', (x) => x <= oldTarget && x > targetForDifficulty(out[0].params[0]));
    const [late] = await h.send(submit(200, notify, '00000000000000ff', nonce));
    assert.equal(late.result, true);
    assert.equal((h.shares.at(-1)!.data as ShareJobData).difficulty, '0.000001');
  });
});
