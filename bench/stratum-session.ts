// Share validation on one core, without sockets: the share rebuild and hash alone, and whole
// `mining.submit` lines through a session (JSON parsing, checks, SHA-256d, duplicate memory, the
// hand-off to the store), with a template of 0 and of 1000 transactions.
// Run: node --import tsx bench/stratum-session.ts [count]
import { regtest } from '@metamorph/bitcoin';
import type { Logger } from '@metamorph/config';
import { parseP2pkhAddress } from '../apps/stratum/src/address.js';
import { JobManager } from '../apps/stratum/src/job-manager.js';
import { REGTEST_POOL_ADDRESS } from '../apps/stratum/src/regtest-pool-key.js';
import { StratumSession } from '../apps/stratum/src/session.js';
import { hashShare } from '../apps/stratum/src/share-validator.js';
import { parseBlockTemplate } from '../apps/stratum/src/template.js';
import { NodeDouble, makeTx } from '../apps/stratum/test/support/node-double.js';

const count = Number(process.argv[2] ?? 200_000);
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
const MINER = 'mg8Jz5776UdyiYcBb9Z873NTozEiADRW5H';

for (const txs of [0, 1000]) {
  // A hard network target: no share is a block.
  const node = new NodeDouble({ bits: 0x1d00ffff });
  node.mempool = Array.from({ length: txs }, (_, i) => makeTx(i));
  const jobs = new JobManager({ tag: '/bench/', outputScript: parseP2pkhAddress(REGTEST_POOL_ADDRESS, regtest).script, instanceId: 0, refreshMs: 3_600_000 });
  const job = jobs.update(parseBlockTemplate(node.template()))!;

  const en2 = new Uint8Array(8);
  let t = performance.now();
  for (let i = 0; i < count; i++) hashShare(job, 1, en2, job.ntime, i, job.template.version);
  let s = (performance.now() - t) / 1000;
  console.log(`share rebuild + SHA-256d, ${txs} template txs (branch ${job.merkleBranch.length}): ${Math.round(count / s).toLocaleString('en')} shares/s`);

  let stored = 0;
  let replies = 0;
  const session = new StratumSession(
    { write: () => void replies++, close() {} },
    {
      jobs,
      network: regtest,
      difficulty: 1e-8,
      minDifficulty: 1e-8,
      maxDifficulty: 1e12,
      versionMask: 0x1fffe000,
      sink: { push: () => (stored++, Promise.resolve()) },
      submitBlock: () => {},
      banInvalidShares: 0,
      logger: quiet,
    },
    1,
  );
  session.receive(JSON.stringify({ id: 1, method: 'mining.subscribe', params: [] }));
  session.receive(JSON.stringify({ id: 2, method: 'mining.authorize', params: [MINER, 'x'] }));
  await session.idle();
  const ntime = job.ntime.toString(16).padStart(8, '0');
  const id = job.id + '0000';
  const lines = Array.from({ length: count }, (_, i) =>
    JSON.stringify({ id: i, method: 'mining.submit', params: [MINER, id, '0000000000000001', ntime, i.toString(16).padStart(8, '0')] }),
  );
  replies = 0;
  t = performance.now();
  // A miner may have at most MAX_QUEUED_LINES waiting: feed them in slices.
  for (let i = 0; i < lines.length; i += 500) {
    for (let j = i; j < Math.min(lines.length, i + 500); j++) session.receive(lines[j]);
    await session.idle();
  }
  s = (performance.now() - t) / 1000;
  console.log(`session submit lines, ${txs} template txs: ${Math.round(count / s).toLocaleString('en')} lines/s (${stored} met difficulty 1e-8, ${replies} replies)`);
}
