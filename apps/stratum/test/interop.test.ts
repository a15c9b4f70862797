// What real miners send and expect, byte for byte.
//
// - fixtures/cpuminer-2.5.1-session.txt is a session recorded with pooler's cpuminer 2.5.1
//   (`minerd -a sha256d -o stratum+tcp://… -u <address>.cpuminer -p x -t 1`) against a session set
//   up exactly as test/support/session-harness.ts sets it up (regtest template with three
//   transactions, difficulty 0.001, extranonce1 01aabbcc): `C>` lines are the miner's, `S>` ours.
//   Replayed here, the server must answer the same bytes and accept every share the miner found
//   with its own hashing (prevhash word swap undone, merkle root from the branch, header built
//   from big-endian version/nbits/ntime, nonce as it submits it).
// - The BIP310 session follows ASIC firmware (ESP-Miner/AxeOS, Braiins, bmminer): mining.configure
//   first, JSON-RPC 2.0 members in every request, suggest_difficulty as an integer, and a sixth
//   submit parameter with the rolled version bits.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ShareJobData } from '@metamorph/queue';
import { MINER, findNonce, harness, hex8 } from './support/session-harness.js';

const FIXTURE = new URL('./fixtures/cpuminer-2.5.1-session.txt', import.meta.url);
const FIXTURE_SHA256 = 'af6c26b9df823ba25edecfb08f0df45a68647ec8f242935177e2e18c0ad50226';

describe('pooler cpuminer 2.5.1', () => {
  test('the recorded session replays byte for byte, every share accepted', async () => {
    const text = readFileSync(FIXTURE);
    assert.equal(createHash('sha256').update(text).digest('hex'), FIXTURE_SHA256, 'the recorded transcript is unchanged');
    const lines = text.toString('utf8').trimEnd().split('\n');
    const h = harness({}, 0x1f00ffff, 0.001);
    const expected: string[] = [];
    const got: string[] = [];
    for (const line of lines) {
      const body = line.slice(3);
      if (line.startsWith('C> ')) {
        h.session.receive(body);
        await h.session.idle();
        got.push(...h.transport.takeLines());
      } else expected.push(body);
    }
    assert.deepEqual(got, expected);
    const submits = lines.filter((l) => l.includes('"mining.submit"')).length;
    assert.ok(submits >= 5);
    assert.equal(h.sink.jobs.length, submits, 'every share stored');
    assert.deepEqual(new Set(h.sink.jobs.map((j) => (j.data as ShareJobData).worker)), new Set(['cpuminer']));
  });

  test('what cpuminer relies on: the notify subscription id it sends back to resume, difficulty before the first notify, 8 hex digit fields', () => {
    const lines = readFileSync(FIXTURE, 'utf8').split('\n');
    const reply = JSON.parse(lines[1].slice(3));
    // cpuminer takes its session id from the ["mining.notify", id] pair and extranonce2 size 1–100.
    assert.deepEqual(reply.result[0][1], ['mining.notify', '01aabbcc']);
    assert.equal(reply.result[2], 8);
    const order = lines.filter((l) => l.startsWith('S> {"id":null')).map((l) => JSON.parse(l.slice(3)).method);
    assert.deepEqual(order.slice(0, 2), ['mining.set_difficulty', 'mining.notify']);
    const notify = JSON.parse(lines.find((l) => l.includes('"method":"mining.notify"'))!.slice(3)).params;
    assert.equal(notify[1].length, 64);
    for (const i of [5, 6, 7]) assert.match(notify[i], /^[0-9a-f]{8}$/);
    for (const b of notify[4]) assert.match(b, /^[0-9a-f]{64}$/);
  });
});

describe('ASIC firmware with BIP310 version rolling', () => {
  test('configure, subscribe, suggest_difficulty, authorize, then rolled shares', async () => {
    const h = harness({}, 0x1f00ffff, 0.000001);
    const io = async (line: string) => {
      h.session.receive(line);
      await h.session.idle();
      return h.transport.takeLines();
    };
    assert.deepEqual(await io('{"jsonrpc": "2.0", "id": 1, "method": "mining.configure", "params": [["version-rolling"], {"version-rolling.mask": "ffffffff"}]}'), [
      '{"id":1,"result":{"version-rolling":true,"version-rolling.mask":"1fffe000"},"error":null}',
    ]);
    assert.deepEqual(await io('{"jsonrpc": "2.0", "id": 2, "method": "mining.subscribe", "params": ["bitaxe/BM1366/v2.4.0"]}'), [
      '{"id":2,"result":[[["mining.set_difficulty","01aabbcc"],["mining.notify","01aabbcc"]],"01aabbcc",8],"error":null}',
    ]);
    assert.deepEqual(await io('{"jsonrpc": "2.0", "id": 3, "method": "mining.suggest_difficulty", "params": [1]}'), ['{"id":3,"result":true,"error":null}']);
    const auth = await io(`{"jsonrpc": "2.0", "id": 4, "method": "mining.authorize", "params": ["${MINER}.bitaxe", "x"]}`);
    assert.equal(auth[0], '{"id":4,"result":true,"error":null}');
    // Firmware that reads the difficulty as an integer (ESP-Miner's valueint) sees 1.
    assert.equal(auth[1], '{"id":null,"method":"mining.set_difficulty","params":[1]}');
    const notify = JSON.parse(auth[2]).params;
    assert.equal(notify[8], true);

    // Back to an easy difficulty so the test finds shares quickly; then roll version bits.
    await io('{"id": 5, "method": "mining.suggest_difficulty", "params": [0.000001]}');
    const [renotify] = h.transport.take();
    const work = renotify?.params ?? notify;
    const jobVersion = parseInt(work[5], 16);
    for (const [i, bits] of [0x00002000, 0x1fffe000, 0x0abc0000].entries()) {
      const version = ((jobVersion & ~0x1fffe000) | bits) >>> 0;
      const en2 = hex8(i) + '00000000';
      const { nonce } = findNonce(work, '01aabbcc', en2, (x) => x <= (0xffffn << 208n) * 1_000_000n && x > 0xffffn << 224n, { version });
      const line = `{"jsonrpc": "2.0", "id": ${10 + i}, "method": "mining.submit", "params": ["${MINER}.bitaxe", "${work[0]}", "${en2}", "${work[7]}", "${hex8(nonce)}", "${hex8(bits)}"]}`;
      assert.deepEqual(await io(line), [`{"id":${10 + i},"result":true,"error":null}`], `version bits ${hex8(bits)}`);
    }
    assert.deepEqual(
      await io(`{"jsonrpc": "2.0", "id": 20, "method": "mining.submit", "params": ["${MINER}.bitaxe", "${work[0]}", "0000000100000000", "${work[7]}", "00000000", "e0000000"]}`),
      ['{"id":20,"result":null,"error":[20,"Version bits outside the negotiated mask",null]}'],
    );
  });
});
