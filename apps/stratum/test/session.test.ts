import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hashToHex, sha256d, targetForDifficulty, toHex } from '@metamorph/bitcoin';
import type { ShareJobData } from '@metamorph/queue';
import { assembleBlock } from '../src/block-submitter.js';
import { StratumAppError, StratumAppErrorCode } from '../src/errors.js';
import { StratumErrorCode } from '../src/protocol.js';
import { MAX_PROTOCOL_ERRORS, MAX_QUEUED_LINES } from '../src/session.js';
import { MINER, NOW_S, findNonce, harness, hex8, ready, submit, type Harness } from './support/session-harness.js';

const DIFFICULTY = 0.000001;
const shareTarget = targetForDifficulty(DIFFICULTY);
const networkTarget = 0xffffn << BigInt(8 * (0x1f - 3));
/** A share that is not a block. */
const plainShare = (target = shareTarget) => (x: bigint) => x <= target && x > networkTarget;

describe('mining.subscribe', () => {
  test('answers both subscriptions with the extranonce1 as session id, extranonce1 (4 bytes) and extranonce2 size 8', async () => {
    const h = harness();
    const [reply] = await h.send({ id: 1, method: 'mining.subscribe', params: ['cpuminer/2.5.1'] });
    assert.deepEqual(reply, { id: 1, result: [[['mining.set_difficulty', '01aabbcc'], ['mining.notify', '01aabbcc']], '01aabbcc', 8], error: null });
    // Byte for byte, as cpuminer and ASIC firmware parse it.
    h.session.receive('{"id": 5, "method": "mining.subscribe", "params": []}');
    assert.deepEqual(h.transport.takeLines(), ['{"id":5,"result":[[["mining.set_difficulty","01aabbcc"],["mining.notify","01aabbcc"]],"01aabbcc",8],"error":null}']);
  });

  test('asks the server to resume a session named by its id; a refused resume keeps the fresh extranonce1', async () => {
    const asked: number[] = [];
    const h = harness({ hooks: { resume: (_s, en1) => (asked.push(en1), false) } });
    const [reply] = await h.send({ id: 1, method: 'mining.subscribe', params: ['cpuminer/2.5.1', '01020304'] });
    assert.deepEqual(asked, [0x01020304]);
    assert.equal(reply.result[1], '01aabbcc');
    // A session id that is not an extranonce1, or a host in its place, is ignored.
    const other = harness({ hooks: { resume: (_s, en1) => (asked.push(en1), false) } });
    await other.send({ id: 1, method: 'mining.subscribe', params: ['x', 'pool.example.com'] });
    await other.send({ id: 2, method: 'mining.subscribe', params: ['x', null, 3333] });
    assert.deepEqual(asked, [0x01020304]);
  });

  test('a bad user agent is refused (20); JSON-RPC 2.0 members are tolerated', async () => {
    const h = harness();
    const [bad] = await h.send({ id: 1, method: 'mining.subscribe', params: [42] });
    assert.deepEqual(bad.error, [20, 'user agent must be a string', null]);
    const [ok] = await h.send({ jsonrpc: '2.0', id: 2, method: 'mining.subscribe', params: ['bitaxe/BM1366/v2.4.0'] });
    assert.equal(ok.result[1], '01aabbcc');
  });
});

describe('mining.authorize', () => {
  test('address.worker: true, then the difficulty, then a clean job (set_difficulty before the first notify)', async () => {
    const h = harness();
    await h.send({ id: 1, method: 'mining.subscribe', params: [] });
    const out = await h.send({ id: 'a', method: 'mining.authorize', params: [`${MINER}.rig1`, 'x'] });
    assert.equal(out.length, 3);
    assert.deepEqual(out[0], { id: 'a', result: true, error: null });
    assert.deepEqual(out[1], { id: null, method: 'mining.set_difficulty', params: [DIFFICULTY] });
    assert.equal(out[2].method, 'mining.notify');
    assert.equal(out[2].params.length, 9);
    assert.equal(out[2].params[8], true);
    assert.equal(out[2].params[0], h.jobs.current()!.id + '0000', 'job id + this connection\'s epoch');
  });

  test('authorize before subscribe: work follows the subscribe reply; a second authorize of the same name is just true', async () => {
    const h = harness();
    assert.deepEqual(await h.send({ id: 1, method: 'mining.authorize', params: [MINER, ''] }), [{ id: 1, result: true, error: null }]);
    const s = await h.send({ id: 2, method: 'mining.subscribe', params: [] });
    assert.deepEqual(s.map((m) => m.method ?? 'reply'), ['reply', 'mining.set_difficulty', 'mining.notify']);
    assert.deepEqual(await h.send({ id: 3, method: 'mining.authorize', params: [MINER, ''] }), [{ id: 3, result: true, error: null }]);
  });

  test('several workers on one connection each submit under their own name', async () => {
    const h = harness();
    const { notify, extranonce1 } = await ready(h, 'a');
    await h.send({ id: 3, method: 'mining.authorize', params: [`${MINER}.b`, 'x'] });
    const one = findNonce(notify, extranonce1, '0000000000000001', plainShare());
    const two = findNonce(notify, extranonce1, '0000000000000002', plainShare());
    assert.equal((await h.send(submit(4, notify, '0000000000000001', one.nonce, undefined, `${MINER}.a`)))[0].result, true);
    assert.equal((await h.send(submit(5, notify, '0000000000000002', two.nonce, undefined, `${MINER}.b`)))[0].result, true);
    assert.deepEqual(h.sink.jobs.map((j) => (j.data as ShareJobData).worker), ['a', 'b']);
    assert.deepEqual([...h.session.authorizedWorkers.keys()].sort(), [`${MINER}.a`, `${MINER}.b`]);
  });

  test('bad usernames are refused with code 24 naming the problem; missing params with 20', async () => {
    const h = harness();
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
    assert.deepEqual(missing.error, [20, 'username must be a string', null]);
    assert.equal(h.session.isAuthorized, false);
  });
});

describe('mining.configure (BIP310)', () => {
  test('version-rolling grants pool mask ∧ miner mask; minimum-difficulty, subscribe-extranonce and info are accepted; unknown extensions are false', async () => {
    const h = harness();
    const [conf] = await h.send({
      id: 1,
      method: 'mining.configure',
      params: [
        ['version-rolling', 'minimum-difficulty', 'subscribe-extranonce', 'info', 'no-such-thing'],
        { 'version-rolling.mask': '1fff0000', 'version-rolling.min-bit-count': 16, 'minimum-difficulty.value': 0.00002, 'info.hw-version': 'S19' },
      ],
    });
    assert.deepEqual(conf, {
      id: 1,
      result: {
        'version-rolling': true,
        'version-rolling.mask': '1fff0000',
        'minimum-difficulty': true,
        'subscribe-extranonce': true,
        info: true,
        'no-such-thing': false,
      },
      error: null,
    });
    assert.equal(h.session.versionMask, 0x1fff0000);
    assert.ok(h.logs.some((l) => l.includes('miner wants more version bits than granted')), 'min-bit-count 16 > 13 granted bits is logged, not fatal');
    assert.equal(h.session.difficulty, 0.00002, 'the minimum difficulty raised the starting difficulty');
  });

  test('without a mask the miner asks for all bits (ffffffff) and gets the pool mask; a bad mask is refused (20)', async () => {
    const h = harness();
    const [conf] = await h.send({ id: 1, method: 'mining.configure', params: [['version-rolling'], {}] });
    assert.equal(conf.result['version-rolling.mask'], '1fffe000');
    const [bad] = await h.send({ id: 2, method: 'mining.configure', params: [['version-rolling'], { 'version-rolling.mask': 'xyz' }] });
    assert.equal(bad.error[0], 20);
    const [notList] = await h.send({ id: 3, method: 'mining.configure', params: ['version-rolling'] });
    assert.deepEqual(notList.error, [20, 'mining.configure needs a list of extension names', null]);
  });

  test('minimum-difficulty above the pool maximum is declined; 0 turns the floor off', async () => {
    const h = harness({ maxDifficulty: 1 });
    const [high] = await h.send({ id: 1, method: 'mining.configure', params: [['minimum-difficulty'], { 'minimum-difficulty.value': 5 }] });
    assert.equal(high.result['minimum-difficulty'], false);
    const [zero] = await h.send({ id: 2, method: 'mining.configure', params: [['minimum-difficulty'], { 'minimum-difficulty.value': 0 }] });
    assert.equal(zero.result['minimum-difficulty'], true);
    const [neg] = await h.send({ id: 3, method: 'mining.configure', params: [['minimum-difficulty'], { 'minimum-difficulty.value': -1 }] });
    assert.equal(neg.error[0], 20);
  });
});

describe('mining.suggest_difficulty, mining.extranonce.subscribe, mining.ping, unknown methods', () => {
  test('a suggestion before the first job sets the starting difficulty; numeric strings are accepted', async () => {
    const h = harness();
    await h.send({ id: 1, method: 'mining.subscribe', params: [] });
    assert.deepEqual(await h.send({ id: 2, method: 'mining.suggest_difficulty', params: ['0.5'] }), [{ id: 2, result: true, error: null }]);
    const out = await h.send({ id: 3, method: 'mining.authorize', params: [MINER, 'x'] });
    assert.deepEqual(out[1], { id: null, method: 'mining.set_difficulty', params: [0.5] });
    const [bad] = await h.send({ id: 4, method: 'mining.suggest_difficulty', params: [0] });
    assert.deepEqual(bad.error, [20, 'mining.suggest_difficulty difficulty must be a positive number', null]);
  });

  test('a suggestion after work: set_difficulty, then the current job again under a new id, not clean', async () => {
    const h = harness();
    const { notify } = await ready(h);
    const out = await h.send({ id: 3, method: 'mining.suggest_difficulty', params: [0.25] });
    assert.deepEqual(out.map((m) => m.method ?? m.id), [3, 'mining.set_difficulty', 'mining.notify']);
    assert.deepEqual(out[1].params, [0.25]);
    assert.equal(out[2].params[0], notify[0].slice(0, 8) + '0001');
    assert.equal(out[2].params[8], false);
    assert.deepEqual(out[2].params.slice(1, 8), notify.slice(1, 8));
  });

  test('extranonce.subscribe is true; ping is answered pong; an unknown method is 20', async () => {
    const h = harness();
    assert.deepEqual(await h.send({ id: 1, method: 'mining.extranonce.subscribe', params: [] }), [{ id: 1, result: true, error: null }]);
    assert.equal(h.session.acceptsExtranonceChanges, true);
    assert.deepEqual(await h.send({ id: 2, method: 'mining.ping', params: [] }), [{ id: 2, result: 'pong', error: null }]);
    assert.deepEqual(await h.send({ id: 3, method: 'mining.frobnicate', params: [] }), [{ id: 3, result: null, error: [20, 'Unknown method mining.frobnicate', null] }]);
  });
});

describe('messages the pool sends on its own', () => {
  test('client.reconnect (to a place, or where the miner is), client.show_message, mining.ping and its answer', async () => {
    const h = harness();
    h.session.reconnect({ host: 'pool2.example', port: 3334 }, 5);
    h.session.reconnect();
    h.session.showMessage('maintenance at noon');
    h.session.ping();
    assert.deepEqual(h.transport.takeLines(), [
      '{"id":null,"method":"client.reconnect","params":["pool2.example",3334,5]}',
      '{"id":null,"method":"client.reconnect","params":[]}',
      '{"id":null,"method":"client.show_message","params":["maintenance at noon"]}',
      '{"id":"ping-1","method":"mining.ping","params":[]}',
    ]);
    // The miner's answer is a response, not a request: nothing is sent back.
    assert.deepEqual(await h.send({ id: 'ping-1', result: 'pong', error: null }), []);
  });

  test('mining.set_extranonce: a new extranonce1 and a clean job; old jobs stay valid with the old one, new jobs need the new one', async () => {
    const h = harness();
    await h.send({ id: 1, method: 'mining.extranonce.subscribe', params: [] });
    const { notify, extranonce1 } = await ready(h);
    const before = findNonce(notify, extranonce1, '0000000000000011', plainShare());
    assert.equal(h.session.changeExtranonce(0x01abcdef), true);
    const out = h.transport.take();
    assert.deepEqual(out[0], { id: null, method: 'mining.set_extranonce', params: ['01abcdef', 8] });
    assert.equal(out[1].method, 'mining.notify');
    assert.equal(out[1].params[8], true);
    assert.equal(out[1].params[0], notify[0].slice(0, 8) + '0001');
    // A share of the earlier job id, mined with the old extranonce1.
    assert.equal((await h.send(submit(3, notify, '0000000000000011', before.nonce)))[0].result, true);
    // cgminer-style: the earlier job id, but already the new extranonce1.
    const mixed = findNonce(notify, '01abcdef', '0000000000000012', plainShare());
    assert.equal((await h.send(submit(4, notify, '0000000000000012', mixed.nonce)))[0].result, true);
    // The new job id with the new extranonce1.
    const fresh = findNonce(out[1].params, '01abcdef', '0000000000000013', plainShare());
    assert.equal((await h.send(submit(5, out[1].params, '0000000000000013', fresh.nonce)))[0].result, true);
    // Without extranonce.subscribe the change is refused.
    const plain = harness();
    await ready(plain);
    assert.equal(plain.session.changeExtranonce(0x01abcdef), false);
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
    const [badId] = await h.send({ id: { x: 1 }, method: 'mining.subscribe' });
    assert.equal(badId.id, null);
  });

  test('blank lines are ignored; a flood of malformed lines closes the connection and bans the address', async () => {
    const h = harness();
    assert.deepEqual(await h.raw('   '), []);
    for (let i = 0; i <= MAX_PROTOCOL_ERRORS; i++) await h.raw('garbage');
    assert.equal(h.transport.closed, true);
    assert.deepEqual(h.bans, [`${MAX_PROTOCOL_ERRORS + 1} malformed messages`]);
  });

  test('an oversized line gets an error and the connection is closed', async () => {
    const h = harness();
    h.session.lineTooLong(1024);
    assert.deepEqual(h.transport.take(), [{ id: null, result: null, error: [20, 'Line too long: more than 1024 bytes without a newline', null] }]);
    assert.equal(h.transport.closed, true);
    assert.deepEqual(await h.send({ id: 3, method: 'mining.subscribe', params: [] }), []);
  });
});

describe('ordering and durability', () => {
  test('a share is answered only once it is stored, and the next line waits for that', async () => {
    const h = harness();
    const { notify, extranonce1 } = await ready(h);
    const a = findNonce(notify, extranonce1, '0000000000000001', plainShare());
    h.sink.hold = true;
    h.session.receive(JSON.stringify(submit(3, notify, '0000000000000001', a.nonce)));
    h.session.receive(JSON.stringify({ id: 4, method: 'mining.ping', params: [] }));
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(h.transport.messages, [], 'nothing answered while the share is being stored');
    assert.equal(h.sink.jobs.length, 1);
    h.sink.release();
    await h.session.idle();
    assert.deepEqual(h.transport.take().map((m) => [m.id, m.result]), [
      [3, true],
      [4, 'pong'],
    ]);
  });

  test('lines are handled strictly in order even when an authorize waits', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const h = harness({
      authorize: async (username) => {
        await gate;
        return { address: username.split('.')[0], worker: username.split('.')[1] ?? 'default' };
      },
    });
    await h.send({ id: 1, method: 'mining.subscribe', params: [] });
    h.session.receive(JSON.stringify({ id: 2, method: 'mining.authorize', params: [`${MINER}.rig1`, 'x'] }));
    h.session.receive(JSON.stringify({ id: 3, method: 'mining.ping', params: [] }));
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(h.transport.messages, []);
    release();
    await h.session.idle();
    assert.deepEqual(h.transport.take().map((m) => m.id ?? m.method), [2, 'mining.set_difficulty', 'mining.notify', 3]);
  });

  test('a share the pool cannot store right now is refused (20), not counted, and may be sent again', async () => {
    const h = harness();
    const { notify, extranonce1 } = await ready(h);
    const a = findNonce(notify, extranonce1, '0000000000000001', plainShare());
    h.sink.full = true;
    h.cfg.sink = {
      push: () => Promise.reject(new StratumAppError(StratumAppErrorCode.SinkFull, 'full')),
    };
    const [refused] = await h.send(submit(3, notify, '0000000000000001', a.nonce));
    assert.deepEqual(refused.error, [20, 'The pool cannot record shares right now; try again', null]);
    assert.equal(h.session.accepted, 0);
    h.cfg.sink = h.sink;
    h.sink.full = false;
    assert.equal((await h.send(submit(4, notify, '0000000000000001', a.nonce)))[0].result, true);
  });

  test('a connection that piles up more lines than allowed while one waits is closed', async () => {
    const h = harness();
    const { notify, extranonce1 } = await ready(h);
    const a = findNonce(notify, extranonce1, '0000000000000001', plainShare());
    h.sink.hold = true;
    h.session.receive(JSON.stringify(submit(3, notify, '0000000000000001', a.nonce)));
    for (let i = 0; i <= MAX_QUEUED_LINES; i++) h.session.receive('{"id":1,"method":"mining.ping","params":[]}');
    assert.equal(h.transport.closed, true);
    h.sink.release();
  });
});

describe('mining.submit', () => {
  let h: Harness;
  let notify: any[];
  let en1: string;
  beforeEach(async () => {
    h = harness();
    ({ notify, extranonce1: en1 } = await ready(h));
  });

  test('a share found by brute force is accepted and stored with its key and weight', async () => {
    const { nonce, hash } = findNonce(notify, en1, '00000000000000a1', plainShare());
    const [reply] = await h.send(submit(10, notify, '00000000000000a1', nonce));
    assert.deepEqual(reply, { id: 10, result: true, error: null });
    assert.equal(h.sink.jobs.length, 1);
    const data = h.sink.jobs[0].data as ShareJobData;
    assert.equal(h.sink.jobs[0].id, data.shareKey);
    assert.deepEqual(data, {
      kind: 'share',
      shareKey: hash.toString(16).padStart(64, '0'),
      address: MINER,
      worker: 'rig1',
      jobId: notify[0],
      difficulty: '0.000001',
      height: 1,
      isBlock: false,
      submittedAt: h.clock.ms,
    });
    assert.equal(h.blocks.length, 0);
    assert.equal(h.session.accepted, 1);
  });

  test('the same share twice is a duplicate (22), on this job id or the same job under another id', async () => {
    const { nonce } = findNonce(notify, en1, '00000000000000a2', plainShare());
    await h.send(submit(11, notify, '00000000000000a2', nonce));
    const [dup] = await h.send(submit(12, notify, '00000000000000a2', nonce));
    assert.deepEqual(dup, { id: 12, result: null, error: [22, 'Duplicate share', null] });
    // The job re-sent under a new id after a difficulty change: the same work is still a duplicate.
    const again = await h.send({ id: 13, method: 'mining.suggest_difficulty', params: [DIFFICULTY] });
    assert.equal(again.length, 1, 'same difficulty: nothing re-sent');
    await h.send({ id: 14, method: 'mining.suggest_difficulty', params: [DIFFICULTY / 2] });
    const [dup2] = await h.send({ ...submit(15, notify, '00000000000000a2', nonce), params: [`${MINER}.rig1`, notify[0].slice(0, 8) + '0001', '00000000000000a2', notify[7], hex8(nonce)] });
    assert.deepEqual(dup2.error, [22, 'Duplicate share', null]);
    assert.equal(h.sink.jobs.length, 1);
  });

  test('a hash above the share target is low difficulty (23)', async () => {
    const { nonce } = findNonce(notify, en1, '00000000000000a3', (x) => x > shareTarget);
    const [reply] = await h.send(submit(13, notify, '00000000000000a3', nonce));
    assert.deepEqual(reply.error, [23, 'Low difficulty share', null]);
    assert.equal(h.sink.jobs.length, 0);
    assert.equal(h.session.rejected, 1);
  });

  test('unknown job ids, unknown epochs and stale jobs are refused with 21', async () => {
    const unknown = [['ffffffff0000', 'Job not found'], [notify[0].slice(0, 8), 'Job not found'], [notify[0].slice(0, 8) + '0007', 'Job not found'], [notify[0] + '00', 'Job not found']];
    for (const [id, message] of unknown) {
      const [r] = await h.send({ id: 14, method: 'mining.submit', params: [`${MINER}.rig1`, id, '0000000000000000', notify[7], '00000000'] });
      assert.deepEqual(r.error, [21, message, null], id);
    }
    // The chain moves on: the job's work can no longer make a block.
    h.newTip();
    const pushed = h.transport.take();
    assert.equal(pushed.at(-1).method, 'mining.notify');
    assert.equal(pushed.at(-1).params[8], true, 'clean_jobs on a new tip');
    const { nonce } = findNonce(notify, en1, '00000000000000a4', plainShare());
    const [stale] = await h.send(submit(15, notify, '00000000000000a4', nonce));
    assert.deepEqual(stale.error, [21, 'Stale job', null]);
  });

  test('a job sent under one epoch is not found under a later epoch it was never sent in', async () => {
    await h.send({ id: 3, method: 'mining.suggest_difficulty', params: [0.5] });
    h.refresh();
    const [fresh] = h.transport.take();
    assert.equal(fresh.params[0].slice(8), '0001');
    // The newer job under the older epoch number: never sent that way.
    const [r] = await h.send({ id: 4, method: 'mining.submit', params: [`${MINER}.rig1`, fresh.params[0].slice(0, 8) + '0000', '0000000000000000', fresh.params[7], '00000000'] });
    assert.deepEqual(r.error, [21, 'Job not found', null]);
  });

  test('a wrong extranonce2 size is refused (20)', async () => {
    for (const en2 of ['00000000000001', '000000000000000001', '']) {
      const [reply] = await h.send(submit(16, notify, en2, 1));
      assert.equal(reply.error[0], 20, en2);
      assert.match(reply.error[1], /Incorrect size of extranonce2: expected 8 bytes/);
    }
  });

  test('ntime before the job or more than 2 hours ahead is refused (20); rolled forward within bounds it is fine', async () => {
    const jobTime = parseInt(notify[7], 16);
    const [early] = await h.send(submit(17, notify, '0000000000000001', 1, hex8(jobTime - 1)));
    assert.deepEqual(early.error, [20, `ntime out of range: before the job's ${jobTime}`, null]);
    const [late] = await h.send(submit(18, notify, '0000000000000001', 1, hex8(NOW_S + 7201)));
    assert.deepEqual(late.error, [20, 'ntime out of range: more than 2 hours ahead', null]);
    const edge = NOW_S + 7200;
    const { nonce } = findNonce(notify, en1, '0000000000000002', plainShare(), { ntime: edge });
    const [rolled] = await h.send(submit(19, notify, '0000000000000002', nonce, hex8(edge)));
    assert.equal(rolled.result, true, 'exactly 2 hours ahead is allowed');
  });

  test('malformed submit params are refused (20) naming the field', async () => {
    const bad: [unknown[], RegExp][] = [
      [[`${MINER}.rig1`, notify[0], '0000000000000001', notify[7]], /needs \[username, job id, extranonce2, ntime, nonce\]/],
      [[`${MINER}.rig1`, notify[0], 'zz00000000000001', notify[7], '00000000'], /extranonce2 must be hex/],
      [[`${MINER}.rig1`, notify[0], '0000000000000001', '123', '00000000'], /ntime must be 8 hex digits/],
      [[`${MINER}.rig1`, notify[0], '0000000000000001', notify[7], 12], /nonce must be a string/],
      [[`${MINER}.rig1`, 5, '0000000000000001', notify[7], '00000000'], /job id must be a string/],
      [[`${MINER}.rig1`, notify[0], '0000000000000001', notify[7], '00000000', 'xyz'], /version bits must be 8 hex digits/],
    ];
    for (const [params, re] of bad) {
      const [reply] = await h.send({ id: 20, method: 'mining.submit', params });
      assert.equal(reply.error[0], 20, JSON.stringify(params));
      assert.match(reply.error[1], re);
    }
  });

  test('submit from a worker this connection did not authorize is 24; before subscribe is 25', async () => {
    const [reply] = await h.send(submit(21, notify, '0000000000000001', 1, notify[7], `${MINER}.other`));
    assert.deepEqual(reply.error, [24, 'Unauthorized worker', null]);
    const fresh = harness();
    const [early] = await fresh.send(submit(22, notify, '0000000000000001', 1));
    assert.deepEqual(early.error, [25, 'Not subscribed', null]);
  });

  test('a block candidate is accepted, stored as a block share and handed to the submitter at once', async () => {
    const { nonce } = findNonce(notify, en1, '00000000000000b1', (x) => x <= networkTarget);
    h.sink.hold = true;
    h.session.receive(JSON.stringify(submit(23, notify, '00000000000000b1', nonce)));
    await new Promise((r) => setImmediate(r));
    assert.equal(h.blocks.length, 1, 'submitted before the share is even stored');
    h.sink.release();
    await h.session.idle();
    assert.equal(h.transport.take()[0].result, true);
    assert.equal((h.sink.jobs[0].data as ShareJobData).isBlock, true);
    const c = h.blocks[0];
    assert.equal(c.address, MINER);
    assert.equal(c.worker, 'rig1');
    assert.equal(c.hashHex, hashToHex(sha256d(c.header)));
    // The node double checks PoW, merkle root, coinbase height and value: the block connects.
    assert.equal(h.node.submit(toHex(assembleBlock(c))), null);
    assert.equal(h.node.accepted[0].txCount, 4);
  });
});

describe('version rolling', () => {
  test('bits inside the granted mask are applied as (version & ~mask) | (bits & mask); bits outside are refused (20)', async () => {
    const h = harness();
    await h.send({ id: 1, method: 'mining.configure', params: [['version-rolling'], { 'version-rolling.mask': 'ffffffff' }] });
    const { notify, extranonce1 } = await ready(h);
    const bits = 0x00006000;
    const version = ((parseInt(notify[5], 16) & ~0x1fffe000) | bits) >>> 0;
    const { nonce } = findNonce(notify, extranonce1, '0000000000000003', plainShare(), { version });
    const params = [`${MINER}.rig1`, notify[0], '0000000000000003', notify[7], hex8(nonce)];
    const [ok] = await h.send({ id: 2, method: 'mining.submit', params: [...params, hex8(bits)] });
    assert.equal(ok.result, true);
    const [outside] = await h.send({ id: 3, method: 'mining.submit', params: [...params, '00000001'] });
    assert.deepEqual(outside.error, [20, 'Version bits outside the negotiated mask', null]);
    // Without rolled bits the same nonce gives another header: not this share.
    const [plain] = await h.send({ id: 4, method: 'mining.submit', params });
    assert.notEqual(plain.result, true);
  });

  test('without negotiation only version bits 00000000 are accepted (some firmware always sends them)', async () => {
    const h = harness();
    const { notify, extranonce1 } = await ready(h);
    const { nonce } = findNonce(notify, extranonce1, '0000000000000004', plainShare());
    const params = [`${MINER}.rig1`, notify[0], '0000000000000004', notify[7], hex8(nonce)];
    assert.equal((await h.send({ id: 2, method: 'mining.submit', params: [...params, '00000000'] }))[0].result, true);
    const [rolled] = await h.send({ id: 3, method: 'mining.submit', params: [...params, '00002000'] });
    assert.deepEqual(rolled.error, [20, 'Version bits outside the negotiated mask', null]);
  });
});

describe('vardiff on a connection', () => {
  test('a fast miner gets set_difficulty and the current job again under a new id (not clean); shares of the earlier id count at the lower difficulty', async () => {
    const h = harness(
      { vardiff: { targetSeconds: 10, retargetSeconds: 60, retargetShares: 8, maxStep: 4, min: 1e-8, max: 1e12 } },
      0x1e00ffff,
    );
    const { notify, extranonce1 } = await ready(h);
    let out: any[] = [];
    for (let i = 0; i < 8; i++) {
      const en2 = (0x100 + i).toString(16).padStart(16, '0');
      const { nonce } = findNonce(notify, extranonce1, en2, (x) => x <= shareTarget);
      h.clock.ms += 1000;
      out = await h.send(submit(100 + i, notify, en2, nonce));
      assert.equal(out[0].result, true);
    }
    // The 8th share decided: reply first, then the new difficulty, then the job under a new id.
    assert.deepEqual(out.map((m) => m.method ?? m.id), [107, 'mining.set_difficulty', 'mining.notify']);
    const raised = out[1].params[0];
    assert.ok(raised > DIFFICULTY * 2, `difficulty went up to ${raised}`);
    assert.equal(out[2].params[0], notify[0].slice(0, 8) + '0001');
    assert.equal(out[2].params[8], false);
    // A late share of the earlier id at the old difficulty: accepted, weighted at the old difficulty.
    const { nonce } = findNonce(notify, extranonce1, '00000000000000ff', (x) => x <= shareTarget && x > targetForDifficulty(raised));
    assert.equal((await h.send(submit(200, notify, '00000000000000ff', nonce)))[0].result, true);
    assert.equal((h.sink.jobs.at(-1)!.data as ShareJobData).difficulty, '0.000001');
    // On the new id the new difficulty holds.
    const renotified = out[2].params;
    const low = findNonce(renotified, extranonce1, '00000000000000fe', (x) => x <= shareTarget && x > targetForDifficulty(raised));
    assert.deepEqual((await h.send(submit(201, renotified, '00000000000000fe', low.nonce)))[0].error, [23, 'Low difficulty share', null]);
    const good = findNonce(renotified, extranonce1, '00000000000000fd', (x) => x <= targetForDifficulty(raised));
    assert.equal((await h.send(submit(202, renotified, '00000000000000fd', good.nonce)))[0].result, true);
    assert.equal((h.sink.jobs.at(-1)!.data as ShareJobData).jobId, renotified[0]);
  });

  test('after a lower difficulty, shares of the earlier id mined at the new one (cgminer applies it at once) are not rejected', async () => {
    const h = harness({}, 0x1e00ffff, 0.001);
    const { notify, extranonce1 } = await ready(h);
    await h.send({ id: 3, method: 'mining.suggest_difficulty', params: [0.00025] });
    const t = targetForDifficulty(0.00025);
    const { nonce } = findNonce(notify, extranonce1, '0000000000000101', (x) => x <= t && x > targetForDifficulty(0.001));
    assert.equal((await h.send(submit(4, notify, '0000000000000101', nonce)))[0].result, true);
    assert.equal((h.sink.jobs.at(-1)!.data as ShareJobData).difficulty, '0.00025');
  });

  test('a quiet miner steps down on the server tick', async () => {
    const h = harness({ vardiff: { targetSeconds: 10, retargetSeconds: 60, retargetShares: 30, maxStep: 4, min: 1e-8, max: 1e12 } }, 0x1e00ffff, 1);
    await ready(h);
    h.clock.ms += 60_000;
    h.session.tick();
    assert.deepEqual(h.transport.take(), []);
    h.clock.ms += 60_000;
    h.session.tick();
    const out = h.transport.take();
    assert.deepEqual(out[0], { id: null, method: 'mining.set_difficulty', params: [0.25] });
    assert.equal(out[1].method, 'mining.notify');
  });
});

describe('bans for invalid-share streaks', () => {
  test('a streak of invalid shares shows a message, closes and bans; stale jobs do not count; an accepted share resets it', async () => {
    const h = harness({ banInvalidShares: 5 });
    const { notify, extranonce1 } = await ready(h);
    const bad = () => h.send(submit(30, notify, '0000000000000001', 1, hex8(0)));
    for (let i = 0; i < 4; i++) await bad();
    for (let i = 0; i < 10; i++) await h.send({ id: 31, method: 'mining.submit', params: [`${MINER}.rig1`, 'ffffffff0000', '0000000000000000', notify[7], '00000000'] });
    const { nonce } = findNonce(notify, extranonce1, '0000000000000002', plainShare());
    assert.equal((await h.send(submit(32, notify, '0000000000000002', nonce)))[0].result, true);
    for (let i = 0; i < 4; i++) await bad();
    assert.equal(h.transport.closed, false);
    const out = await bad();
    assert.equal(out[0].error[0], 20);
    assert.deepEqual(out[1], { id: null, method: 'client.show_message', params: ['Disconnected: 5 invalid shares in a row'] });
    assert.equal(h.transport.closed, true);
    assert.deepEqual(h.bans, ['5 invalid shares in a row']);
  });
});
