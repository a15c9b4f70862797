// The TCP side: admission per address, bans, timeouts, resumption of lost sessions, TLS, and
// the shared broadcast of jobs, over real sockets.
import { after, afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { regtest } from '@metamorph/bitcoin';
import { parseP2pkhAddress } from '../src/address.js';
import { ConnectionGate, normalizeIp } from '../src/connection-gate.js';
import { JobManager } from '../src/job-manager.js';
import { REGTEST_POOL_ADDRESS } from '../src/regtest-pool-key.js';
import { StratumServer, type StratumServerOptions } from '../src/server.js';
import { parseBlockTemplate } from '../src/template.js';
import { NodeDouble, makeTx } from './support/node-double.js';
import { MINER, RecordingSink, findNonce, hex8 } from './support/session-harness.js';
import { memoryLogger } from './support/silent-logger.js';
import { LineClient } from './support/stratum-fixture.js';

const CERT = readFileSync(new URL('./fixtures/tls-test-cert.pem', import.meta.url), 'utf8');
const KEY = readFileSync(new URL('./fixtures/tls-test-key.pem', import.meta.url), 'utf8');

interface Running {
  server: StratumServer;
  jobs: JobManager;
  node: NodeDouble;
  sink: RecordingSink;
  logs: string[];
  port: number;
  tlsPort?: number;
  gate: ConnectionGate;
}

const running: Running[] = [];

async function start(overrides: Partial<StratumServerOptions> = {}, gateLimit = 0, banInvalidShares = 0): Promise<Running> {
  const logs: string[] = [];
  const logger = memoryLogger(logs);
  const node = new NodeDouble({ bits: 0x1f00ffff });
  node.mempool = [makeTx(1)];
  const jobs = new JobManager({ tag: '/t/', outputScript: parseP2pkhAddress(REGTEST_POOL_ADDRESS, regtest).script, instanceId: 9, processIndex: 3, refreshMs: 30_000 });
  jobs.update(parseBlockTemplate(node.template()));
  const sink = new RecordingSink();
  const gate = new ConnectionGate({ maxPerIp: gateLimit, logger });
  const server = new StratumServer({
    host: '127.0.0.1',
    port: 0,
    maxLineBytes: 4096,
    maxConnections: 100,
    idleTimeoutSeconds: 600,
    authTimeoutSeconds: 600,
    resumeSeconds: 300,
    banSeconds: 60,
    instanceId: 9,
    processIndex: 3,
    jobs,
    gate,
    logger,
    session: {
      network: regtest,
      difficulty: 0.000001,
      minDifficulty: 1e-8,
      maxDifficulty: 1e12,
      versionMask: 0x1fffe000,
      sink,
      submitBlock: () => {},
      banInvalidShares,
      logger,
    },
    ...overrides,
  });
  await server.listen();
  const r = { server, jobs, node, sink, logs, gate, port: server.addresses.tcp!.port, tlsPort: server.addresses.tls?.port };
  running.push(r);
  return r;
}

afterEach(async () => {
  for (const r of running.splice(0)) await r.server.close();
});

async function login(port: number, opts: { localAddress?: string; tlsCa?: string; resume?: string } = {}) {
  const c = await LineClient.connect(port, opts);
  c.send({ id: 1, method: 'mining.subscribe', params: opts.resume ? ['test/1', opts.resume] : ['test/1'] });
  const sub = await c.next((m) => m.id === 1);
  c.send({ id: 2, method: 'mining.authorize', params: [`${MINER}.s`, 'x'] });
  await c.next((m) => m.id === 2);
  const notify = await c.next((m) => m.method === 'mining.notify');
  return { c, extranonce1: sub.result[1] as string, notify: notify.params as any[] };
}

async function closedSoon(c: LineClient, ms = 3000): Promise<boolean> {
  try {
    await c.waitClosed(ms);
    return true;
  } catch {
    return false;
  }
}

describe('admission', () => {
  test('extranonce1 carries the instance id and process index; IPv4-mapped addresses count as IPv4', async () => {
    const r = await start();
    const { c, extranonce1 } = await login(r.port);
    assert.match(extranonce1, /^093[0-9a-f]{5}$/);
    assert.equal(normalizeIp('::ffff:10.1.2.3'), '10.1.2.3');
    assert.equal(normalizeIp('2001:db8::1'), '2001:db8::1');
    c.close();
  });

  test('at most STRATUM_MAX_CONNECTIONS_PER_IP per address; other addresses are not affected; a closed one frees its place', async () => {
    const r = await start({}, 2);
    const a = await LineClient.connect(r.port);
    const b = await LineClient.connect(r.port);
    await new Promise((res) => setTimeout(res, 50));
    const third = await LineClient.connect(r.port);
    assert.equal(await closedSoon(third), true, 'the third from 127.0.0.1 is refused');
    const other = await LineClient.connect(r.port, { localAddress: '127.0.0.2' });
    assert.equal(await closedSoon(other, 300), false, '127.0.0.2 has its own allowance');
    a.close();
    await new Promise((res) => setTimeout(res, 100));
    const again = await LineClient.connect(r.port);
    assert.equal(await closedSoon(again, 300), false);
    assert.ok(r.logs.some((l) => l.includes('refused a connection: too many from this address') && l.includes('"limit":2')));
    for (const c of [b, other, again]) c.close();
  });

  test('a process full of connections refuses more', async () => {
    const r = await start({ maxConnections: 1 });
    const a = await LineClient.connect(r.port);
    await new Promise((res) => setTimeout(res, 50));
    const b = await LineClient.connect(r.port);
    assert.equal(await closedSoon(b), true);
    assert.ok(r.logs.some((l) => l.includes('this process is full')));
    a.close();
  });

  test('an address banned for an invalid-share streak is refused until the ban ends', async () => {
    const banned = await start({ banSeconds: 1 }, 0, 3);
    const { c, notify } = await login(banned.port);
    for (let i = 0; i < 3; i++) c.send({ id: 10 + i, method: 'mining.submit', params: [`${MINER}.s`, notify[0], '00', notify[7], '00000000'] });
    const msg = await c.next((m) => m.method === 'client.show_message');
    assert.deepEqual(msg.params, ['Disconnected: 3 invalid shares in a row']);
    await c.waitClosed();
    assert.equal(banned.gate.isBanned('127.0.0.1'), true);
    const refused = await LineClient.connect(banned.port);
    assert.equal(await closedSoon(refused), true);
    assert.ok(banned.logs.some((l) => l.includes('address banned')));
    assert.ok(banned.logs.some((l) => l.includes('refused a connection from a banned address')));
    await new Promise((res) => setTimeout(res, 1100));
    const later = await LineClient.connect(banned.port);
    assert.equal(await closedSoon(later, 300), false, 'the ban expired');
    later.close();
  });
});

describe('timeouts', () => {
  test('a connection that never authorizes is closed after the authorization timeout; a silent one after the idle timeout', async () => {
    const r = await start({ authTimeoutSeconds: 1, idleTimeoutSeconds: 2 });
    const lurker = await LineClient.connect(r.port);
    lurker.send({ id: 1, method: 'mining.subscribe', params: [] });
    const { c: quiet } = await login(r.port);
    assert.equal(await closedSoon(lurker, 3000), true, 'not authorized within 1 s');
    assert.equal(quiet.closed, false);
    assert.equal(await closedSoon(quiet, 4000), true, 'silent for 2 s');
  });
});

describe('resumption', () => {
  test('a miner that reconnects with its session id gets its extranonce1, difficulty and jobs back; duplicates are still known', async () => {
    const r = await start();
    const first = await login(r.port);
    const { nonce } = findNonce(first.notify, first.extranonce1, '0000000000000001', (x) => x <= (0xffffn << 208n) * 1_000_000n && x > 0xffffn << 224n);
    const params = [`${MINER}.s`, first.notify[0], '0000000000000001', first.notify[7], hex8(nonce)];
    first.c.send({ id: 3, method: 'mining.submit', params });
    assert.equal((await first.c.next((m) => m.id === 3)).result, true);
    first.c.close();
    await new Promise((res) => setTimeout(res, 100));
    assert.equal(r.server.describeExtranonce(parseInt(first.extranonce1, 16)), 'parked');
    assert.equal(r.server.parkedCount, 1);

    const second = await login(r.port, { resume: first.extranonce1 });
    assert.equal(second.extranonce1, first.extranonce1, 'same extranonce1');
    assert.equal(r.server.describeExtranonce(parseInt(first.extranonce1, 16)), 'live');
    assert.equal(second.notify[0].slice(8), '0001', 'work continues in a new epoch');
    // The share sent before the disconnect is still a duplicate; a new share of the old job id is fine.
    second.c.send({ id: 4, method: 'mining.submit', params });
    assert.deepEqual((await second.c.next((m) => m.id === 4)).error, [22, 'Duplicate share', null]);
    const again = findNonce(first.notify, first.extranonce1, '0000000000000002', (x) => x <= (0xffffn << 208n) * 1_000_000n && x > 0xffffn << 224n);
    second.c.send({ id: 5, method: 'mining.submit', params: [`${MINER}.s`, first.notify[0], '0000000000000002', first.notify[7], hex8(again.nonce)] });
    assert.equal((await second.c.next((m) => m.id === 5)).result, true);

    // An unknown or live session id gets a fresh extranonce1.
    const third = await login(r.port, { resume: first.extranonce1 });
    assert.notEqual(third.extranonce1, first.extranonce1);
    second.c.close();
    third.c.close();
  });

  test('parked sessions expire and their extranonce1 is free again', async () => {
    const r = await start({ resumeSeconds: 1 });
    const first = await login(r.port);
    first.c.close();
    await new Promise((res) => setTimeout(res, 2500));
    assert.equal(r.server.describeExtranonce(parseInt(first.extranonce1, 16)), 'free');
    const late = await login(r.port, { resume: first.extranonce1 });
    assert.notEqual(late.extranonce1, first.extranonce1);
    late.c.close();
  });
});

describe('jobs and extranonce changes', () => {
  test('a new tip reaches every miner as the same clean notify (each with its own epoch suffix)', async () => {
    const r = await start();
    const clients = await Promise.all([login(r.port), login(r.port), login(r.port)]);
    r.node.height = 1;
    r.node.tipHash = r.node.mempool[0].txid;
    r.jobs.update(parseBlockTemplate(r.node.template()));
    const got = await Promise.all(clients.map(({ c }) => c.next((m) => m.method === 'mining.notify' && m.params[8] === true)));
    assert.equal(new Set(got.map((g) => JSON.stringify(g))).size, 1);
    assert.equal(got[0].params[0], r.jobs.current()!.id + '0000');
    for (const { c } of clients) c.close();
  });

  test('the server can move a subscribed miner to a new extranonce1 (mining.set_extranonce)', async () => {
    const r = await start();
    const c = await LineClient.connect(r.port);
    c.send({ id: 0, method: 'mining.extranonce.subscribe', params: [] });
    await c.next((m) => m.id === 0);
    c.send({ id: 1, method: 'mining.subscribe', params: [] });
    const en1 = (await c.next((m) => m.id === 1)).result[1];
    c.send({ id: 2, method: 'mining.authorize', params: [`${MINER}.s`, 'x'] });
    await c.next((m) => m.method === 'mining.notify');
    const [session] = r.server.sessions();
    assert.equal(r.server.changeExtranonce(session), true);
    const set = await c.next((m) => m.method === 'mining.set_extranonce');
    assert.notEqual(set.params[0], en1);
    assert.equal(set.params[1], 8);
    assert.equal((await c.next((m) => m.method === 'mining.notify')).params[8], true);
    assert.equal(r.server.describeExtranonce(parseInt(set.params[0], 16)), 'live');
    c.close();
  });
});

describe('TLS', () => {
  test('Stratum over TLS on its own port', async () => {
    const r = await start({ tls: { port: 0, cert: CERT, key: KEY } });
    assert.ok(r.tlsPort);
    const { c, extranonce1, notify } = await login(r.tlsPort!, { tlsCa: CERT });
    assert.match(extranonce1, /^093/);
    assert.equal(notify.length, 9);
    c.close();
  });
});

after(async () => {
  for (const r of running.splice(0)) await r.server.close();
});
