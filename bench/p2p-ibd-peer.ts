/**
 * Initial block download between apps/node and another node over P2P — any Bitcoin SV peer
 * on regtest, e.g. SV Node 1.2.2 — in either direction. Prints blocks/s, MB/s and peak RSS.
 *
 * From the peer (a fresh apps/node with only `connect` set downloads the peer's chain):
 *   PEER=127.0.0.1:18444 PEER_RPC=http://user:pass@127.0.0.1:18332 node --import tsx bench/p2p-ibd-peer.ts from
 *
 * To the peer (apps/node builds BLOCKS coinbase-only blocks, then waits for the peer to
 * download them; start the peer with -connect=<the printed address> when asked):
 *   BLOCKS=5000 PORT=18555 PEER_RPC=http://user:pass@127.0.0.1:18332 node --import tsx bench/p2p-ibd-peer.ts to
 *
 * Each run uses a fresh Postgres database. The clock starts when the first peer connects.
 */
import { blockSubsidy, encodeBlock, regtest } from '@metamorph/bitcoin';
import { createLogger, loadNodeConfig, type NodeConfig } from '@metamorph/config';
import { createTestDatabase, TEST_REDIS_URL } from '@metamorph/testing';
import { startNode, type RunningNode } from '../apps/node/src/node.js';
import { buildBlock, mine } from '../apps/node/test/helpers/blocks.js';

const mode = process.argv[2];
if (mode !== 'from' && mode !== 'to') {
  process.stderr.write('usage: bench/p2p-ibd-peer.ts from|to (see the comment at the top)\n');
  process.exit(2);
}
const peerRpc = process.env.PEER_RPC ? new URL(process.env.PEER_RPC) : undefined;

async function rpc(method: string, params: unknown[] = []): Promise<any> {
  if (!peerRpc) throw new Error('PEER_RPC is not set');
  const auth = Buffer.from(`${decodeURIComponent(peerRpc.username)}:${decodeURIComponent(peerRpc.password)}`).toString('base64');
  const res = await fetch(`${peerRpc.protocol}//${peerRpc.host}/`, { method: 'POST', headers: { authorization: `Basic ${auth}` }, body: JSON.stringify({ jsonrpc: '1.0', method, params, id: 1 }) });
  const j = (await res.json()) as { result: unknown; error: { message: string } | null };
  if (j.error) throw new Error(`${method}: ${j.error.message}`);
  return j.result;
}

async function config(suite: string, p2p: Partial<NodeConfig['p2p']>): Promise<NodeConfig> {
  const db = await createTestDatabase(suite);
  await db.close();
  const base = loadNodeConfig({ DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: `bench:${suite}:` });
  return { ...base, rpc: { ...base.rpc, bind: '127.0.0.1', port: 0 }, p2p: { ...base.p2p, bind: '127.0.0.1', port: 0, ...p2p } };
}

let peakRss = 0;
const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);

async function until(done: () => boolean | Promise<boolean>, what: string, ms = 3_600_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function report(what: string, blocks: number, bytes: number, ms: number): void {
  const s = ms / 1000;
  process.stdout.write(
    `${what}: ${blocks} blocks in ${s.toFixed(2)} s = ${(blocks / s).toFixed(0)} blocks/s, ${(bytes / 1e6).toFixed(1)} MB at ${(bytes / 1e6 / s).toFixed(2)} MB/s; ` +
      `apps/node peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB\n`,
  );
}

let node: RunningNode | undefined;
try {
  if (mode === 'from') {
    const [host, port] = (process.env.PEER ?? '127.0.0.1:18444').split(':');
    const target = process.env.HEIGHT ? Number(process.env.HEIGHT) : Number(await rpc('getblockcount'));
    node = await startNode(await config('bench_p2p_peer_from', { listen: false, connect: [{ host, port: Number(port || regtest.defaultPort) }] }), { logger: createLogger('node', 'warn') });
    const n = node;
    await until(() => n.p2p.peerInfo().some((p) => p.state === 'ready'), 'the peer', 60_000);
    const t0 = Date.now();
    await until(() => n.chain.tip().height >= target, `height ${target}`);
    report(`apps/node from ${host}:${port}`, target, n.p2p.totalBytesRecv, Date.now() - t0);
  } else {
    const blocks = Number(process.env.BLOCKS ?? 5000);
    node = await startNode(await config('bench_p2p_peer_to', { listen: true, port: Number(process.env.PORT ?? 0) }), { logger: createLogger('node', 'warn') });
    const n = node;
    const start = Math.floor(Date.now() / 1000) - blocks;
    const b0 = Date.now();
    for (let h = 1; h <= blocks; h++) {
      const tip = n.chain.tip();
      const r = await n.chain.acceptBlock(encodeBlock(mine(buildBlock({ prevHash: tip.hash, height: h, time: start + h, value: blockSubsidy(h, regtest) }))), 'peer');
      if (r.outcome !== 'connected') throw new Error(`block ${h}: ${r.outcome} ${r.rejection?.reason ?? ''}`);
    }
    process.stderr.write(`${blocks} blocks built in ${((Date.now() - b0) / 1000).toFixed(1)} s; start the peer with -connect=127.0.0.1:${n.p2pAddress!.port}\n`);
    await until(() => n.p2p.peerInfo().some((p) => p.inbound && p.state === 'ready'), 'the peer to connect');
    const t0 = Date.now();
    await until(async () => Number(await rpc('getblockcount').catch(() => 0)) >= blocks, `the peer at height ${blocks}`);
    report(`peer from apps/node`, blocks, n.p2p.totalBytesSent, Date.now() - t0);
  }
} finally {
  clearInterval(rssTimer);
  await node?.stop();
}
