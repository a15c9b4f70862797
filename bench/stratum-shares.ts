// Share validation throughput of one stratum process (one core): the validator alone, and whole
// `mining.submit` lines through a session (JSON parsing, checks, SHA-256d, queue hand-off).
// Run: node --import tsx bench/stratum-shares.ts [count]
import { regtest } from '@metamorph/bitcoin';
import type { Logger } from '@metamorph/config';
import { parseP2pkhAddress } from '../apps/stratum/src/address.js';
import { JobManager } from '../apps/stratum/src/job-manager.js';
import { REGTEST_POOL_ADDRESS } from '../apps/stratum/src/regtest-pool-key.js';
import { StratumSession } from '../apps/stratum/src/session.js';
import { validateShare } from '../apps/stratum/src/share-validator.js';
import { parseBlockTemplate } from '../apps/stratum/src/template.js';
import { NodeDouble, makeTx } from '../apps/stratum/test/support/node-double.js';

const count = Number(process.argv[2] ?? 100_000);
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
const MINER = 'mg8Jz5776UdyiYcBb9Z873NTozEiADRW5H';

for (const txs of [0, 1000]) {
  const node = new NodeDouble();
  node.mempool = Array.from({ length: txs }, (_, i) => makeTx(i));
  const jobs = new JobManager({ tag: '/bench/', outputScript: parseP2pkhAddress(REGTEST_POOL_ADDRESS, regtest).script, instanceId: 0, refreshMs: 3_600_000 });
  const job = jobs.update(parseBlockTemplate(node.template()))!;
  const now = Date.now();

  const en1 = new Uint8Array([0, 0, 0, 1]);
  const en2 = new Uint8Array(8);
  let t = performance.now();
  for (let i = 0; i < count; i++) {
    validateShare({ job, extranonce1: en1, extranonce2: en2, ntime: job.ntime, nonce: i, version: job.template.version, shareTarget: 1n << 256n, now });
  }
  let s = (performance.now() - t) / 1000;
  console.log(`validator, ${txs} template txs (branch ${job.merkleBranch.length}): ${Math.round(count / s).toLocaleString('en')} shares/s`);

  let queued = 0;
  const session = new StratumSession(
    { send() {}, close() {} },
    {
      extranonce1: en1,
      jobs,
      network: regtest,
      difficulty: 1e-8,
      minDifficulty: 1e-8,
      maxDifficulty: 1e12,
      sink: { push: () => void queued++ },
      submitBlock: () => {},
      logger: quiet,
    },
  );
  await session.receive(JSON.stringify({ id: 1, method: 'mining.subscribe', params: [] }));
  await session.receive(JSON.stringify({ id: 2, method: 'mining.authorize', params: [MINER, 'x'] }));
  const ntime = job.ntime.toString(16).padStart(8, '0');
  const lines = Array.from({ length: count }, (_, i) =>
    JSON.stringify({ id: i, method: 'mining.submit', params: [MINER, job.id, '0000000000000001', ntime, i.toString(16).padStart(8, '0')] }),
  );
  t = performance.now();
  for (const line of lines) void session.receive(line);
  await session.idle();
  s = (performance.now() - t) / 1000;
  console.log(`session submit lines, ${txs} template txs: ${Math.round(count / s).toLocaleString('en')} lines/s (${queued} met difficulty 1e-8 and were queued)`);
}
