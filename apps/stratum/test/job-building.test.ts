import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeTransaction,
  hashFromHex,
  merkleRoot,
  regtest,
  sha256d,
  toHex,
  txid,
  type Hash32,
} from '@metamorph/bitcoin';
import { parseP2pkhAddress } from '../src/address.js';
import { assembleBlock } from '../src/block-submitter.js';
import { assembleCoinbase, buildCoinbaseParts } from '../src/coinbase.js';
import { StratumAppError } from '../src/errors.js';
import { buildJob, notifyLine, notifyParams, stratumPrevHash } from '../src/job.js';
import { JobManager } from '../src/job-manager.js';
import { REGTEST_POOL_ADDRESS } from '../src/regtest-pool-key.js';
import { buildShare, hashShare } from '../src/share-validator.js';
import { parseBlockTemplate } from '../src/template.js';
import { buildHeader, parseNotify } from '../../miner/src/work.js';
import { NodeDouble, makeTx } from './support/node-double.js';

const poolScript = parseP2pkhAddress(REGTEST_POOL_ADDRESS, regtest).script;

describe('coinbase', () => {
  test('the scriptSig starts with the height as the reference node pushes it (CScript() << height)', () => {
    const cases: [number, string][] = [
      [1, '51'],
      [16, '60'],
      [17, '0111'],
      [128, '028000'],
      [32768, '03008000'],
      [227931, '035b7a03'],
    ];
    for (const [h, hex] of cases) {
      const tx = decodeTransaction(assembleCoinbase(buildCoinbaseParts({ height: h, tag: '', value: 1n, outputScript: poolScript }), new Uint8Array(4), new Uint8Array(8)));
      assert.equal(toHex(tx.inputs[0].script), hex + '0c' + '00'.repeat(12), `height ${h}`);
    }
  });

  test('coinbase bytes: version 1, null prevout, height ‖ tag ‖ extranonce push, one P2PKH output', () => {
    const parts = buildCoinbaseParts({ height: 300, tag: '/metamorph/', value: 5_000_001_234n, outputScript: poolScript });
    const en1 = new Uint8Array([0xde, 0xad, 0xbe, 0xef]);
    const en2 = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const raw = assembleCoinbase(parts, en1, en2);
    const tx = decodeTransaction(raw);
    assert.equal(tx.version, 1);
    assert.equal(tx.inputs.length, 1);
    assert.equal(toHex(tx.inputs[0].prevout.txid), '00'.repeat(32));
    assert.equal(tx.inputs[0].prevout.vout, 0xffffffff);
    assert.equal(tx.inputs[0].sequence, 0xffffffff);
    const tagHex = toHex(new TextEncoder().encode('/metamorph/'));
    assert.equal(toHex(tx.inputs[0].script), `022c01` + `0b${tagHex}` + `0c` + 'deadbeef' + '0102030405060708');
    assert.equal(tx.outputs.length, 1);
    assert.equal(tx.outputs[0].value, 5_000_001_234n);
    assert.equal(toHex(tx.outputs[0].script), `76a914${toHex(parseP2pkhAddress(REGTEST_POOL_ADDRESS, regtest).hash160)}88ac`);
    assert.equal(tx.lockTime, 0);
    // coinb1 ends where the extranonce starts; coinb2 starts right after it.
    assert.equal(toHex(raw.subarray(0, parts.coinb1.length)), toHex(parts.coinb1));
    assert.equal(toHex(raw.subarray(parts.coinb1.length, parts.coinb1.length + 12)), 'deadbeef0102030405060708');
    assert.equal(toHex(raw.subarray(parts.coinb1.length + 12)), toHex(parts.coinb2));
  });

  test('an empty tag is left out; a tag too long for one push is refused', () => {
    const parts = buildCoinbaseParts({ height: 5, tag: '', value: 1n, outputScript: poolScript });
    const tx = decodeTransaction(assembleCoinbase(parts, new Uint8Array(4), new Uint8Array(8)));
    assert.equal(toHex(tx.inputs[0].script), '55' + '0c' + '00'.repeat(12));
    const longest = decodeTransaction(assembleCoinbase(buildCoinbaseParts({ height: 2 ** 31 - 1, tag: 'x'.repeat(75), value: 1n, outputScript: poolScript }), new Uint8Array(4), new Uint8Array(8)));
    assert.ok(longest.inputs[0].script.length <= 100);
    assert.throws(() => buildCoinbaseParts({ height: 5, tag: 'x'.repeat(76), value: 1n, outputScript: poolScript }), /at most 75 bytes/);
  });
});

describe('template parsing', () => {
  test('a node template becomes typed values; txids are checked against the data', () => {
    const node = new NodeDouble();
    node.mempool = [makeTx(1), makeTx(2, 2500n)];
    const raw = node.template();
    const t = parseBlockTemplate(raw);
    assert.equal(t.height, 1);
    assert.equal(t.bits, 0x207fffff);
    assert.equal(t.coinbaseValue, 50n * 100_000_000n + 3500n);
    assert.equal(t.transactions.length, 2);
    assert.equal(toHex(t.transactions[1].txid), toHex(node.mempool[1].txid));
    assert.equal(toHex(t.prevHash), toHex(regtest.genesisHash));
  });

  test('bad templates are refused naming the field', () => {
    const node = new NodeDouble();
    node.mempool = [makeTx(1)];
    const good = node.template();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...good, previousblockhash: 'zz' }, /template\.previousblockhash/],
      [{ ...good, bits: '00000000' }, /template\.bits/],
      [{ ...good, bits: '1d00ffff' }, /template\.target: does not match/],
      [{ ...good, height: -1 }, /template\.height/],
      [{ ...good, coinbasevalue: 1.5 }, /template\.coinbasevalue/],
      [{ ...good, transactions: [{ data: (good.transactions as any)[0].data, txid: '00'.repeat(32) }] }, /template\.transactions\[0\]\.txid/],
      [{ ...good, transactions: [{ data: 'abc' }] }, /template\.transactions\[0\]\.data/],
      [{ ...good, transactions: 'x' }, /template\.transactions/],
    ];
    for (const [t, re] of cases) assert.throws(() => parseBlockTemplate(t), (e: unknown) => e instanceof StratumAppError && re.test(e.message));
    assert.throws(() => parseBlockTemplate(null), /template/);
  });
});

describe('jobs and what a miner computes from them', () => {
  test('prevhash is sent word-swapped, and a miner undoes it', () => {
    const display = '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f';
    const internal = hashFromHex(display);
    // Stratum V1: the display hex with its 8-digit words in reverse order.
    const words = display.match(/.{8}/g)!.reverse().join('');
    assert.equal(stratumPrevHash(internal), words);
  });

  for (const n of [0, 1, 2, 3, 4, 7, 12]) {
    test(`merkle branch with ${n} template transactions gives the block's merkle root`, () => {
      const node = new NodeDouble({ now: () => 1_700_000_000 });
      node.mempool = Array.from({ length: n }, (_, i) => makeTx(i + 10));
      const template = parseBlockTemplate(node.template());
      const job = buildJob({ id: '0000abcd', seq: 1, template, tag: '/t/', outputScript: poolScript, cleanJobs: true, now: 0 });
      const en1 = Buffer.from('01020304', 'hex');
      const en2 = Buffer.from('0000000000000009', 'hex');
      const miner = parseNotify(notifyParams(job));
      const { header, coinbase } = buildHeader(miner, en1, en2);
      const all = [sha256d(coinbase), ...template.transactions.map((t) => t.txid)] as Hash32[];
      assert.equal(toHex(header.subarray(36, 68)), toHex(merkleRoot(all)));
      assert.equal(toHex(header.subarray(4, 36)), toHex(template.prevHash));
      // The pool's own reconstruction of the same share is byte for byte the miner's header.
      const share = buildShare({ job, extranonce1: 0x01020304, extranonce2: en2, ntime: job.ntime, nonce: 0, version: job.template.version, now: 1_700_000_000_000 });
      assert.equal(toHex(share.header), header.toString('hex'));
      assert.equal(toHex(share.coinbase), coinbase.toString('hex'));
    });
  }

  test('notify fields: version, nbits and ntime as 8 hex digits, clean_jobs as sent', () => {
    const node = new NodeDouble({ now: () => 0x65432100 });
    const template = parseBlockTemplate(node.template());
    const job = buildJob({ id: '01000001', seq: 1, template, tag: '', outputScript: poolScript, cleanJobs: true, now: 0 });
    const p = notifyParams(job);
    assert.equal(p[0], '01000001');
    assert.equal(p[5], '20000000');
    assert.equal(p[6], '207fffff');
    assert.equal(p[7], '65432100');
    assert.equal(p[8], true);
    assert.deepEqual(p[4], []);
    // The line a connection gets is the same JSON, under the id it knows the job by.
    assert.deepEqual(JSON.parse(notifyLine(job, '010000010003', false)), { id: null, method: 'mining.notify', params: ['010000010003', ...p.slice(1, 8), false] });
    assert.ok(notifyLine(job, 'x', true).endsWith('}\n'));
  });

  test('an assembled block decodes with the coinbase first and the template transactions after it', () => {
    const node = new NodeDouble({ now: () => 1_700_000_000 });
    node.mempool = [makeTx(1), makeTx(2)];
    const template = parseBlockTemplate(node.template());
    const job = buildJob({ id: '0000000a', seq: 1, template, tag: '/t/', outputScript: poolScript, cleanJobs: true, now: 0 });
    const share = hashShare(job, 0, new Uint8Array(8), job.ntime, 7, 0x20000000);
    const block = assembleBlock({ job, header: share.header, coinbase: share.coinbase });
    // Regtest target: about half of all hashes qualify, so try nonces until one does.
    let nonce = 0;
    let answer: string | null = 'high-hash';
    while (answer === 'high-hash') {
      const s = hashShare(job, 0, new Uint8Array(8), job.ntime, nonce++, 0x20000000);
      answer = node.submit(toHex(assembleBlock({ job, header: s.header, coinbase: s.coinbase })));
    }
    assert.equal(answer, null);
    assert.equal(node.accepted[0].txCount, 3);
    assert.equal(toHex(txid(node.accepted[0].coinbase)), toHex(sha256d(share.coinbase)));
    assert.ok(block.length > 80);
  });
});

describe('job manager', () => {
  function manager(now: { t: number }, processIndex = 0) {
    return new JobManager({ tag: '/t/', outputScript: poolScript, instanceId: 7, processIndex, refreshMs: 30_000, now: () => now.t, firstCounter: 0xffffe });
  }

  test('new tip → clean job at once; on the same tip a new job (new transactions, fresh ntime) once the refresh interval passed', () => {
    const clock = { t: 1000 };
    const jobs = manager(clock, 5);
    const node = new NodeDouble({ now: () => 1_700_000_000 });
    const emitted: boolean[] = [];
    jobs.on('job', (j) => emitted.push(j.cleanJobs));
    const first = jobs.update(parseBlockTemplate(node.template()))!;
    assert.ok(first.cleanJobs);
    assert.equal(first.id, '075fffff', 'instance id, process index, 20-bit counter');
    assert.equal(first.seq, 1);
    assert.equal(jobs.nextRefreshAt(), 31_000);
    assert.equal(jobs.update(parseBlockTemplate(node.template())), undefined);
    node.mempool = [makeTx(3)];
    clock.t += 10_000;
    assert.equal(jobs.update(parseBlockTemplate(node.template())), undefined, 'new transactions wait for the refresh');
    clock.t += 20_000;
    const second = jobs.update(parseBlockTemplate(node.template()))!;
    assert.equal(second.cleanJobs, false);
    assert.equal(second.template.transactions.length, 1);
    assert.equal(second.id, '07500000', 'the counter wraps within its 20 bits');
    assert.equal(second.seq, 2);
    assert.equal(jobs.isStale(first), false);
    clock.t += 30_000;
    assert.ok(jobs.update(parseBlockTemplate(node.template())), 'nothing changed, but a fresh ntime is due');
    assert.deepEqual(emitted, [true, false, false]);
    assert.equal(jobs.oldestSeq(), 1);
  });

  test('only the last jobs are remembered', () => {
    const clock = { t: 0 };
    const jobs = new JobManager({ tag: '', outputScript: poolScript, instanceId: 1, refreshMs: 1000, maxJobs: 3, now: () => clock.t });
    const node = new NodeDouble({ now: () => 1_700_000_000 });
    const made = [];
    for (let i = 0; i < 5; i++) {
      made.push(jobs.update(parseBlockTemplate(node.template()))!);
      clock.t += 1000;
    }
    assert.deepEqual(made.map((j) => !!jobs.get(j.id)), [false, false, true, true, true]);
    assert.equal(jobs.oldestSeq(), 3);
  });

  test('after a new tip older jobs are stale, and the one before that forgotten', () => {
    const clock = { t: 0 };
    const jobs = manager(clock);
    const node = new NodeDouble({ now: () => 1_700_000_000 });
    const a = jobs.update(parseBlockTemplate(node.template()))!;
    node.mempool = [makeTx(4)];
    clock.t += 30_000;
    const b = jobs.update(parseBlockTemplate(node.template()))!;
    node.tipHash = sha256d(new Uint8Array([1]));
    node.height = 1;
    const c = jobs.update(parseBlockTemplate(node.template()))!;
    assert.ok(c.cleanJobs);
    assert.equal(jobs.get(a.id), undefined);
    assert.equal(jobs.get(b.id), b);
    assert.ok(jobs.isStale(b));
    assert.equal(jobs.isStale(c), false);
  });
});
