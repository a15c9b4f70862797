import { regtest } from '@metamorph/bitcoin';
import type { QueuedJob, SharesQueueJob } from '@metamorph/queue';
import { parseP2pkhAddress } from '../../src/address.js';
import type { BlockCandidate } from '../../src/block-submitter.js';
import { JobManager } from '../../src/job-manager.js';
import { REGTEST_POOL_ADDRESS } from '../../src/regtest-pool-key.js';
import { StratumSession, type SessionConfig } from '../../src/session.js';
import type { ShareSink } from '../../src/share-sink.js';
import { parseBlockTemplate } from '../../src/template.js';
import { buildHeader, hashValue, parseNotify, sha256d as minerHash } from '../../../miner/src/work.js';
import { FakeTransport } from './fake-transport.js';
import { NodeDouble, makeTx } from './node-double.js';
import { memoryLogger } from './silent-logger.js';

export const MINER = 'mg8Jz5776UdyiYcBb9Z873NTozEiADRW5H';
export const NOW_S = 1_700_000_000;
/** Network target of 0x1f00ffff (~2^240): one hash in 65,536 is a block. */
export const HARD_BITS = 0x1f00ffff;
export const EXTRANONCE1 = 0x01aabbcc;

/** A sink that records jobs and stores them when told to (or at once). */
export class RecordingSink implements ShareSink {
  readonly jobs: QueuedJob<SharesQueueJob>[] = [];
  /** While set, pushes wait for `release()`. */
  hold = false;
  /** While set, pushes are refused as a full sink refuses them. */
  full = false;
  private waiting: (() => void)[] = [];

  push(id: string, data: SharesQueueJob): Promise<void> {
    if (this.full) return Promise.reject(Object.assign(new Error('full'), { code: 'SINK_FULL' }));
    this.jobs.push({ id, data });
    if (!this.hold) return Promise.resolve();
    return new Promise((r) => this.waiting.push(r));
  }

  release(): void {
    for (const w of this.waiting.splice(0)) w();
  }
}

export interface Harness {
  node: NodeDouble;
  jobs: JobManager;
  transport: FakeTransport;
  session: StratumSession;
  sink: RecordingSink;
  blocks: BlockCandidate[];
  bans: string[];
  logs: string[];
  clock: { ms: number };
  cfg: SessionConfig;
  /** Send one message and wait until it (and anything before it) is handled; returns what came out. */
  send(msg: unknown): Promise<any[]>;
  raw(line: string): Promise<any[]>;
  /** A new template on the same tip, past the refresh interval: a new (not clean) job. */
  refresh(): void;
  /** The chain moves on: a clean job. */
  newTip(): void;
}

export function harness(overrides: Partial<SessionConfig> = {}, bits = HARD_BITS, difficulty = 0.000001): Harness {
  const clock = { ms: NOW_S * 1000 };
  const node = new NodeDouble({ bits, now: () => Math.floor(clock.ms / 1000) });
  node.mempool = [makeTx(1), makeTx(2), makeTx(3)];
  const jobs = new JobManager({
    tag: '/test/',
    outputScript: parseP2pkhAddress(REGTEST_POOL_ADDRESS, regtest).script,
    instanceId: 1,
    refreshMs: 30_000,
    now: () => clock.ms,
    firstCounter: 0x10,
  });
  jobs.update(parseBlockTemplate(node.template()));
  const transport = new FakeTransport();
  const sink = new RecordingSink();
  const blocks: BlockCandidate[] = [];
  const bans: string[] = [];
  const logs: string[] = [];
  const cfg: SessionConfig = {
    jobs,
    network: regtest,
    difficulty,
    minDifficulty: 1e-8,
    maxDifficulty: 1e12,
    versionMask: 0x1fffe000,
    sink,
    submitBlock: (c) => blocks.push(c),
    banInvalidShares: 0,
    hooks: { ban: (_s, reason) => bans.push(reason) },
    logger: memoryLogger(logs),
    now: () => clock.ms,
    ...overrides,
  };
  const session = new StratumSession(transport, cfg, EXTRANONCE1, '192.0.2.1');
  jobs.on('job', (job) => session.onJob(job));
  let tip = 0;
  return {
    node,
    jobs,
    transport,
    session,
    sink,
    blocks,
    bans,
    logs,
    clock,
    cfg,
    async send(msg) {
      session.receive(JSON.stringify(msg));
      await session.idle();
      return transport.take();
    },
    async raw(line) {
      session.receive(line);
      await session.idle();
      return transport.take();
    },
    refresh() {
      clock.ms += 30_000;
      node.mempool.push(makeTx(100 + node.mempool.length));
      jobs.update(parseBlockTemplate(node.template()));
    },
    newTip() {
      node.tipHash = minerHash(Buffer.from([++tip, 0xee])) as any;
      node.height++;
      jobs.update(parseBlockTemplate(node.template()));
    },
  };
}

/** Subscribe and authorize as `MINER.rig1`; returns the notify the session sent and extranonce1. */
export async function ready(h: Harness, worker = 'rig1'): Promise<{ notify: any[]; extranonce1: string }> {
  const [sub] = await h.send({ id: 1, method: 'mining.subscribe', params: ['test-miner/1.0'] });
  const out = await h.send({ id: 2, method: 'mining.authorize', params: [`${MINER}.${worker}`, 'x'] });
  const notify = out.find((m) => m.method === 'mining.notify');
  return { notify: notify.params, extranonce1: sub.result[1] };
}

/** Brute-force nonces (as a miner would) until the hash satisfies `accept`. */
export function findNonce(
  notify: any[],
  extranonce1: string,
  extranonce2: string,
  accept: (hash: bigint) => boolean,
  opts: { ntime?: number; version?: number } = {},
): { nonce: number; hash: bigint } {
  const job = parseNotify(notify);
  if (opts.ntime !== undefined) job.ntime = opts.ntime;
  if (opts.version !== undefined) job.version = opts.version;
  const { header } = buildHeader(job, Buffer.from(extranonce1, 'hex'), Buffer.from(extranonce2, 'hex'));
  for (let nonce = 0; nonce < 50_000_000; nonce++) {
    header.writeUInt32LE(nonce, 76);
    const hash = hashValue(minerHash(header));
    if (accept(hash)) return { nonce, hash };
  }
  throw new Error('no nonce found');
}

export const hex8 = (n: number) => (n >>> 0).toString(16).padStart(8, '0');

export function submit(id: number, notify: any[], en2: string, nonce: number, ntime = notify[7] as string, user = `${MINER}.rig1`) {
  return { id, method: 'mining.submit', params: [user, notify[0], en2, ntime, hex8(nonce)] };
}
