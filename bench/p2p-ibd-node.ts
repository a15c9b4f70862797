/**
 * IBD between two apps/node instances: a source node (child process) holding a regtest
 * chain of BLOCKS blocks with TXS transactions each, and a fresh node that syncs it over
 * P2P with only `connect` set, both on their own Postgres databases. Prints blocks/s,
 * tx/s and the syncing process's peak memory.
 *
 *   node --import tsx bench/p2p-ibd-node.ts          (BLOCKS=2000 TXS=100 by default)
 *
 * Both nodes use a connector that accepts any transaction (the node has no UTXO set yet),
 * so the figures cover P2P, header and block checks, and chain storage in Postgres.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { encodeBlock } from '@metamorph/bitcoin';
import { createLogger, loadNodeConfig, type NodeConfig } from '@metamorph/config';
import { createTestDatabase, TEST_REDIS_URL } from '@metamorph/testing';
import type { BlockConnector } from '../apps/node/src/chain/connector.js';
import { startNode } from '../apps/node/src/node.js';
import { buildBlock, mine } from '../apps/node/test/helpers/blocks.js';
import { MemoryChain } from '../apps/node/test/p2p/memory-chain.js';

const blocks = Number(process.env.BLOCKS ?? 2000);
const txs = Number(process.env.TXS ?? 100);
const anyTransaction: BlockConnector = { screen: () => null, connect: async () => null, disconnect: async () => {} };

async function config(suite: string, p2p: Partial<NodeConfig['p2p']>): Promise<NodeConfig> {
  const db = await createTestDatabase(suite);
  await db.close();
  const base = loadNodeConfig({ DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: `bench:${suite}:` });
  return { ...base, rpc: { ...base.rpc, bind: '127.0.0.1', port: 0 }, p2p: { ...base.p2p, bind: '127.0.0.1', port: 0, ...p2p } };
}

if (process.argv[2] === 'source') {
  const node = await startNode(await config('bench_p2p_source', {}), { connector: anyTransaction, logger: createLogger('source', 'warn') });
  const t0 = Date.now();
  let seed = 0;
  const start = Math.floor(Date.now() / 1000) - blocks;
  for (let h = 1; h <= blocks; h++) {
    const tip = node.chain.tip();
    const block = mine(buildBlock({ prevHash: tip.hash, height: h, time: start + h, txs: Array.from({ length: txs }, () => MemoryChain.dummyTx(++seed, 2)) }));
    const r = await node.chain.acceptBlock(encodeBlock(block), 'peer');
    if (r.outcome !== 'connected') throw new Error(`source block ${h}: ${r.outcome} ${r.rejection?.reason ?? ''}`);
  }
  process.stderr.write(`source: ${blocks} blocks x ${txs} txs stored in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  process.stdout.write(`ready ${node.p2pAddress!.port}\n`);
  process.stdin.resume();
  process.stdin.on('end', async () => {
    await node.stop();
    process.exit(0);
  });
} else {
  const source = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, 'source'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: source.stdout! }).on('line', (l) => {
      const m = /^ready (\d+)$/.exec(l);
      if (m) resolve(Number(m[1]));
    });
    source.once('exit', (code) => reject(new Error(`source exited with ${code}`)));
  });
  const cfg = await config('bench_p2p_sync', { listen: false, connect: [{ host: '127.0.0.1', port }] });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const t0 = process.hrtime.bigint();
  const node = await startNode(cfg, { connector: anyTransaction, logger: createLogger('sync', 'warn') });
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (node.chain.tip().height >= blocks) {
        clearInterval(check);
        resolve();
      }
    }, 20);
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  clearInterval(sampler);
  const bytes = node.p2p.peerInfo()[0]?.bytesRecv ?? 0;
  const totalTx = blocks * (txs + 1);
  console.log(`apps/node IBD: ${blocks} blocks, ${totalTx} transactions, ${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s`);
  console.log(`  blocks/s  ${(blocks / seconds).toFixed(1)}`);
  console.log(`  tx/s      ${(totalTx / seconds).toFixed(0)}`);
  console.log(`  peak RSS  ${(Math.max(peakRss, process.resourceUsage().maxRSS * 1024) / 1048576).toFixed(0)} MiB (syncing process)`);
  await node.stop();
  source.stdin!.end();
  await new Promise((r) => source.once('exit', r));
}
