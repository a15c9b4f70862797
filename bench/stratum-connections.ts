// Connections held: N miners (the built-in fleet simulator, in several load processes, each on its
// own loopback source addresses) connect, configure version rolling, subscribe and authorize
// against the stratum running as STRATUM_PROCESSES worker processes; then the memory the stratum
// processes gained per connection (RSS of the primary and all workers, after minus before), and
// how long a new tip takes to reach every miner as a clean job (node event → last notify received).
// Run: node --import tsx bench/stratum-connections.ts [--connections 100000] [--processes 6] [--loaders 6]
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@metamorph/config';
import { TEST_REDIS_URL, clearRedisPrefix } from '@metamorph/testing';
import { MinerFleet } from '../apps/miner/src/fleet.js';
import { REGTEST_MINER_ADDRESSES } from '../apps/miner/src/test-keys.js';
import { NodeDouble, makeTx } from '../apps/stratum/test/support/node-double.js';
import { freePort, spawnApp, waitForPort, stratumEnv } from '../apps/stratum/test/support/spawn-app.js';

const PREFIX = 'bench:connections:';
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

type LoadMsg =
  | { t: 'connected'; count: number; ms: number; rssMb: number }
  | { t: 'notified'; count: number; lastAt: number; at: number[] };

if (process.argv.includes('--load')) await load();
else await main();

async function main() {
  const total = arg('connections', 100_000);
  const processes = arg('processes', 6);
  const loaders = arg('loaders', 6);
  const perProcess = Math.ceil(total / processes) + 500;
  await clearRedisPrefix(PREFIX);
  const node = await new NodeDouble({ bits: 0x1d00ffff, events: { redisUrl: TEST_REDIS_URL, prefix: PREFIX } }).listen();
  node.mempool = Array.from({ length: 50 }, (_, i) => makeTx(i));
  const port = await freePort();
  const stratum = spawnApp('apps/stratum/src/main.ts', {
    ...stratumEnv(PREFIX, port, node.url),
    STRATUM_PROCESSES: String(processes),
    STRATUM_MAX_CONNECTIONS: String(Math.min(19_500, perProcess)),
    STRATUM_MAX_CONNECTIONS_PER_IP: '0',
    // Miners that never find a share at this difficulty: the benchmark measures held connections.
    STRATUM_DIFFICULTY: '1000000',
    STRATUM_AUTH_TIMEOUT_SECONDS: '3600',
    STRATUM_JOB_REFRESH_SECONDS: '3600',
    STRATUM_POLL_INTERVAL_MS: '600000',
    // Info: each process logs its clean jobs with the time from the node's event to the last write.
    LOG_LEVEL: 'info',
  });
  await waitForPort(stratum, port);
  await new Promise((r) => setTimeout(r, 3000));
  const before = stratumRss(stratum.child.pid!);
  console.log(`stratum: ${processes} processes, RSS at rest ${(before / 1e6).toFixed(0)} MB in all; connecting ${total.toLocaleString('en')} miners from ${loaders} load processes…`);

  const kids: ChildProcess[] = [];
  const messages: LoadMsg[] = [];
  const started = Date.now();
  for (let i = 0; i < loaders; i++) {
    const count = Math.floor(total / loaders) + (i < total % loaders ? 1 : 0);
    const child = fork(fileURLToPath(import.meta.url), ['--load', String(port), String(count), String(i)], {
      execArgv: ['--import', 'tsx', '--max-old-space-size=4096'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.on('message', (m: LoadMsg) => messages.push(m));
    kids.push(child);
  }
  const wait = async (pred: () => boolean, what: string, ms = 600_000) => {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  await wait(() => messages.filter((m) => m.t === 'connected').length === loaders, 'every miner to connect');
  const connected = messages.filter((m): m is Extract<LoadMsg, { t: 'connected' }> => m.t === 'connected');
  const count = connected.reduce((s, m) => s + m.count, 0);
  const connectMs = Date.now() - started;
  await new Promise((r) => setTimeout(r, 5000));
  const after = stratumRss(stratum.child.pid!);
  const perConnection = (after - before) / count;
  console.log(`connected: ${count.toLocaleString('en')} miners subscribed and authorized in ${(connectMs / 1000).toFixed(1)} s`);
  console.log(`stratum RSS: ${(before / 1e6).toFixed(0)} MB → ${(after / 1e6).toFixed(0)} MB: ${(perConnection / 1024).toFixed(2)} KB per connection (all processes)`);
  console.log(`load side: ${connected.map((m) => `${m.rssMb.toFixed(0)} MB`).join(', ')} RSS per load process`);

  // A new tip: the node publishes TemplateChanged; every worker process fetches the template and broadcasts a clean job.
  for (const k of kids) k.send({ t: 'watch' });
  await new Promise((r) => setTimeout(r, 500));
  const tipAt = Date.now();
  node.extend(1);
  await wait(() => messages.filter((m) => m.t === 'notified').length === loaders, 'the clean job to reach every miner', 120_000);
  const notified = messages.filter((m): m is Extract<LoadMsg, { t: 'notified' }> => m.t === 'notified');
  const sent = stratum.stdout.filter((l) => /new job .*clean=true/.test(l) && Date.parse(l.slice(0, 24)) >= tipAt).map((l) => Number(/sentMs=(\d+)/.exec(l)?.[1]));
  console.log(`new tip → clean job written to every connection, per process (event → template → job → last socket write): ${sent.map((ms) => `${ms} ms`).join(', ')}`);
  const delays = notified.flatMap((m) => m.at.map((t) => t - tipAt)).sort((a, b) => a - b);
  const q = (p: number) => delays[Math.min(delays.length - 1, Math.floor(p * delays.length))];
  console.log(
    `new tip → clean notify: ${notified.reduce((s, m) => s + m.count, 0).toLocaleString('en')} miners; p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, last ${delays[delays.length - 1]} ms ` +
      '(receipt as timed by the load processes, which parse every notify themselves)',
  );
  for (const k of kids) k.kill('SIGKILL');
  stratum.child.kill('SIGTERM');
  await stratum.exited;
  await node.close();
  await clearRedisPrefix(PREFIX);
}

/** Resident memory of the stratum primary and its worker processes, bytes. */
function stratumRss(pid: number): number {
  const rss = (p: number) => {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  };
  let total = rss(pid);
  const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  for (const k of kids) total += rss(k);
  return total;
}

async function load() {
  const [port, count, index] = process.argv.slice(process.argv.indexOf('--load') + 1).map(Number);
  const quiet: Logger = { debug() {}, info() {}, warn() {}, error: (m, f) => console.error(m, f), child: () => quiet };
  // Each load process has its own 127.0.x.y source addresses: ~28,000 ephemeral ports each.
  const localAddresses = Array.from({ length: 8 }, (_, j) => `127.0.${20 + index}.${2 + j}`);
  const fleet = new MinerFleet({
    host: '127.0.0.1',
    port,
    workers: count,
    addresses: REGTEST_MINER_ADDRESSES,
    workerPrefix: `l${index}w`,
    password: 'x',
    cpuPercent: 1,
    logger: quiet,
    versionRolling: true,
    localAddresses,
    connectConcurrency: 200,
  });
  const t0 = Date.now();
  await fleet.start();
  process.send!({ t: 'connected', count, ms: Date.now() - t0, rssMb: process.memoryUsage().rss / 1e6 });
  process.on('message', () => {
    const since = Date.now();
    const check = () => {
      const at = fleet.workers.map((w) => w.stats.lastCleanJobAt);
      if (at.every((t) => t >= since)) {
        process.send!({ t: 'notified', count, lastAt: Math.max(...at), at });
        return;
      }
      setTimeout(check, 20);
    };
    check();
  });
}
