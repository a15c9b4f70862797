// End to end share throughput: miners' `mining.submit` lines over TCP → the stratum (STRATUM_PROCESSES
// processes) → validated → stored in the Redis share stream → `true` back to the miner. Reports
// shares/s and the submit→reply latency (p50/p99/p999) seen by the miners, first with the load as
// fast as the stratum answers (each connection keeps a window of submits in flight), then at a fixed
// offered rate. The load processes precompute valid shares (difficulty 1e-8) so they spend no time
// hashing during the measurement. Everything runs on this machine: stratum, Redis and load share the cores.
// Run: node --import tsx bench/stratum-shares.ts [--processes 2] [--loaders 2] [--connections 400]
//        [--seconds 10] [--rate 50000] [--window 8]
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { QueueName, streamKey } from '@metamorph/queue';
import { TEST_REDIS_URL, clearRedisPrefix } from '@metamorph/testing';
import { buildHeader, hashValue, parseNotify, sha256d } from '../apps/miner/src/work.js';
import { NodeDouble, makeTx } from '../apps/stratum/test/support/node-double.js';
import { freePort, spawnApp, waitForPort, stratumEnv } from '../apps/stratum/test/support/spawn-app.js';

const MINER = 'mg8Jz5776UdyiYcBb9Z873NTozEiADRW5H';
const PREFIX = 'bench:shares:';
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

type LoadMsg =
  | { t: 'ready'; shares: number }
  | { t: 'done'; phase: string; sent: number; accepted: number; rejected: number; latenciesUs: number[]; ms: number; loopP99Ms: number };

if (process.argv.includes('--load')) await load();
else await main();

async function main() {
  const processes = arg('processes', 2);
  const loaders = arg('loaders', 2);
  const connections = arg('connections', 400);
  const seconds = arg('seconds', 10);
  const rate = arg('rate', 50_000);
  const window = arg('window', 8);
  await clearRedisPrefix(PREFIX);
  const node = await new NodeDouble({ bits: 0x1d00ffff }).listen();
  node.mempool = [makeTx(1), makeTx(2), makeTx(3)];
  const port = await freePort();
  const stratum = spawnApp('apps/stratum/src/main.ts', {
    ...stratumEnv(PREFIX, port, node.url),
    STRATUM_PROCESSES: String(processes),
    STRATUM_DIFFICULTY: '0.00000001',
    STRATUM_VARDIFF: 'false',
    STRATUM_MAX_CONNECTIONS_PER_IP: '0',
    STRATUM_BAN_INVALID_SHARES: '0',
    STRATUM_JOB_REFRESH_SECONDS: '3600',
    LOG_LEVEL: 'warn',
    ...(process.env.STRATUM_NODE_OPTIONS ? { NODE_OPTIONS: process.env.STRATUM_NODE_OPTIONS } : {}),
  });
  await waitForPort(stratum, port);
  // Enough shares for the fast phase at up to ~80k/s plus the fixed-rate phase.
  const perConnection = Math.ceil(((70_000 + rate) * seconds) / connections);
  console.log(`stratum: ${processes} process(es); load: ${loaders} process(es) × ${Math.ceil(connections / loaders)} connections; precomputing ${perConnection} shares per connection…`);
  const kids: ChildProcess[] = [];
  const messages: LoadMsg[] = [];
  for (let i = 0; i < loaders; i++) {
    const child = fork(fileURLToPath(import.meta.url), ['--load', String(port), String(Math.ceil(connections / loaders)), String(perConnection), String(i)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.on('message', (m: LoadMsg) => messages.push(m));
    kids.push(child);
  }
  const wait = async (pred: (m: LoadMsg[]) => boolean) => {
    while (!pred(messages)) await new Promise((r) => setTimeout(r, 50));
  };
  await wait((m) => m.filter((x) => x.t === 'ready').length === loaders);
  const report = (phase: string, cpu: number) => {
    const done = messages.filter((m): m is Extract<LoadMsg, { t: 'done' }> => m.t === 'done' && m.phase === phase);
    const lat = done.flatMap((d) => d.latenciesUs).sort((a, b) => a - b);
    const accepted = done.reduce((s, d) => s + d.accepted, 0);
    const rejected = done.reduce((s, d) => s + d.rejected, 0);
    const ms = Math.max(...done.map((d) => d.ms));
    const q = (p: number) => (lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] / 1000).toFixed(2);
    console.log(
      `${phase}: ${Math.round((accepted * 1000) / ms).toLocaleString('en')} shares/s accepted (${accepted.toLocaleString('en')} in ${(ms / 1000).toFixed(1)} s, ${rejected} rejected); ` +
        `submit→reply p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, p99.9 ${q(0.999)} ms; stratum CPU ${cpu.toFixed(0)}% of one core; ` +
        `load event-loop delay p99 ${Math.max(...done.map((d) => d.loopP99Ms)).toFixed(1)} ms`,
    );
  };
  for (const [phase, msg] of [
    ['as fast as answered', { t: 'run', phase: 'as fast as answered', seconds, window, rate: 0 }],
    [`offered ${rate.toLocaleString('en')}/s`, { t: 'run', phase: `offered ${rate.toLocaleString('en')}/s`, seconds, window: 1_000_000, rate: rate / loaders }],
  ] as const) {
    const cpu0 = stratumCpu(stratum.child.pid!);
    const t0 = Date.now();
    for (const k of kids) k.send(msg);
    await wait((m) => m.filter((x) => x.t === 'done' && x.phase === phase).length === loaders);
    report(phase, ((stratumCpu(stratum.child.pid!) - cpu0) * 100_000) / (Date.now() - t0));
  }
  const redis = new Redis(TEST_REDIS_URL);
  const entries = await redis.xlen(streamKey(PREFIX, QueueName.Shares));
  console.log(`share stream: ${entries.toLocaleString('en')} entries (one per write; a write carries every share answered in that turn)`);
  redis.disconnect();
  for (const k of kids) k.kill();
  stratum.child.kill('SIGTERM');
  await stratum.exited;
  await node.close();
  await clearRedisPrefix(PREFIX);
}

/** CPU seconds used so far by a process and its children (the stratum workers). */
function stratumCpu(pid: number): number {
  const tick = 100;
  const read = (p: number) => {
    try {
      const f = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(f[11]) + Number(f[12])) / tick;
    } catch {
      return 0;
    }
  };
  let total = read(pid);
  for (const child of childPids(pid)) total += read(child);
  return total;
}

function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}


// ───── A load process: connections, precomputed shares, submits and their latencies ─────

interface Conn {
  socket: net.Socket;
  buf: string;
  shares: string[];
  next: number;
  inFlight: Map<number, bigint>;
  jobId: string;
}

async function load() {
  const [port, count, perConnection, index] = process.argv.slice(process.argv.indexOf('--load') + 1).map(Number);
  const conns: Conn[] = [];
  let phase: { name: string; sent: number; accepted: number; rejected: number; lat: number[]; end: number; window: number; rate: number } | undefined;
  let nextId = 1;
  // Replies are `{"id":N,"result":…}`: read the id without a full JSON parse (the load must stay light).
  const onLine = (c: Conn, line: string) => {
    if (!line.startsWith('{"id":') || line.startsWith('{"id":null')) return;
    const id = parseInt(line.slice(6), 10);
    const sentAt = c.inFlight.get(id);
    if (sentAt === undefined) return;
    c.inFlight.delete(id);
    if (!phase) return;
    phase.lat.push(Number((process.hrtime.bigint() - sentAt) / 1000n));
    if (line.includes('"result":true')) phase.accepted++;
    else phase.rejected++;
    if (phase.rate === 0) pump(c);
  };
  const send = (c: Conn) => {
    if (c.next >= c.shares.length || !phase) return false;
    const id = nextId++;
    c.inFlight.set(id, process.hrtime.bigint());
    c.socket.write(`{"id":${id},"method":"mining.submit","params":${c.shares[c.next++]}}\n`);
    phase.sent++;
    return true;
  };
  const pump = (c: Conn) => {
    while (phase && Date.now() < phase.end && c.inFlight.size < phase.window && send(c));
  };
  for (let i = 0; i < count; i++) {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: `127.0.${10 + index}.${2 + (i % 200)}`, noDelay: true });
    const c: Conn = { socket, buf: '', shares: [], next: 0, inFlight: new Map(), jobId: '' };
    conns.push(c);
    socket.setEncoding('utf8');
    let en1 = '';
    const notified = new Promise<any[]>((resolve) => {
      socket.on('data', (d: string) => {
        c.buf += d;
        let nl;
        while ((nl = c.buf.indexOf('\n')) >= 0) {
          const line = c.buf.slice(0, nl);
          c.buf = c.buf.slice(nl + 1);
          if (c.jobId) onLine(c, line);
          else {
            const m = JSON.parse(line);
            if (m.id === 1) en1 = m.result[1];
            else if (m.method === 'mining.notify') resolve(m.params);
          }
        }
      });
    });
    socket.write(`{"id":1,"method":"mining.subscribe","params":["bench"]}\n{"id":2,"method":"mining.authorize","params":["${MINER}.b${index}_${i}","x"]}\n`);
    const notify = await notified;
    c.jobId = notify[0];
    const job = parseNotify(notify);
    const target = (0xffffn << 208n) * 100_000_000n;
    for (let e = 0; c.shares.length < perConnection; e++) {
      const en2 = Buffer.alloc(8);
      en2.writeUInt32BE(e, 4);
      const { header } = buildHeader(job, Buffer.from(en1, 'hex'), en2);
      for (let n = 0; n < 100_000 && c.shares.length < perConnection; n++) {
        header.writeUInt32LE(n, 76);
        if (hashValue(sha256d(header)) <= target) {
          c.shares.push(`["${MINER}.b${index}_${i}","${job.jobId}","${en2.toString('hex')}","${notify[7]}","${n.toString(16).padStart(8, '0')}"]`);
        }
      }
    }
  }
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  process.send!({ t: 'ready', shares: conns.length * perConnection });
  process.on('message', (m: { t: 'run'; phase: string; seconds: number; window: number; rate: number }) => {
    const start = Date.now();
    phase = { name: m.phase, sent: 0, accepted: 0, rejected: 0, lat: [], end: start + m.seconds * 1000, window: m.window, rate: m.rate };
    const finish = () => {
      const wait = () => {
        if (conns.some((c) => c.inFlight.size) && Date.now() < phase!.end + 5000) return void setTimeout(wait, 20);
        const p = phase!;
        phase = undefined;
        process.send!({ t: 'done', phase: p.name, sent: p.sent, accepted: p.accepted, rejected: p.rejected, latenciesUs: p.lat, ms: Date.now() - start, loopP99Ms: delay.percentile(99) / 1e6 });
        delay.reset();
      };
      wait();
    };
    if (m.rate === 0) {
      for (const c of conns) pump(c);
      setTimeout(finish, m.seconds * 1000);
    } else {
      // Open loop: m.rate submits per second spread over the connections, in 1 ms slices.
      let due = 0;
      let cursor = 0;
      const t0 = performance.now();
      const tick = () => {
        if (Date.now() >= phase!.end) return finish();
        const target = Math.floor(((performance.now() - t0) / 1000) * m.rate);
        for (; due < target; due++) {
          send(conns[cursor]);
          cursor = (cursor + 1) % conns.length;
        }
        setTimeout(tick, 1);
      };
      tick();
    }
  });
}
