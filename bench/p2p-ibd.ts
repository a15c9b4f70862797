/**
 * IBD benchmark: a node syncs a 2,000-block regtest chain with ~100 transactions per block
 * from another local instance (a child process, bench/p2p-ibd-source.ts) over TCP, headers
 * first, through the P2P layer. Prints blocks/s, tx/s and this process's peak memory.
 *
 *   node --import tsx bench/p2p-ibd.ts            (BLOCKS=2000 TXS=100 by default)
 *
 * The syncing node's chain is the in-memory one the P2P tests use (it checks headers,
 * proof of work and merkle roots, not scripts), so the figures are the network layer's:
 * framing, decoding, the download window and relay bookkeeping.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { regtest } from '@metamorph/bitcoin';
import { createLogger } from '@metamorph/config';
import { MemoryAddressStore } from '../apps/node/src/p2p/address-book.js';
import { MemoryBanStore } from '../apps/node/src/p2p/ban-list.js';
import { PeerManager, defaultPeerManagerOptions } from '../apps/node/src/p2p/peer-manager.js';
import { MemoryChain } from '../apps/node/test/p2p/memory-chain.js';

const blocks = Number(process.env.BLOCKS ?? 2000);
const txs = Number(process.env.TXS ?? 100);

const source = spawn(process.execPath, ['--import', 'tsx', new URL('./p2p-ibd-source.ts', import.meta.url).pathname], {
  env: { ...process.env, BLOCKS: String(blocks), TXS: String(txs) },
  stdio: ['pipe', 'pipe', 'inherit'],
});
const port = await new Promise<number>((resolve, reject) => {
  const rl = createInterface({ input: source.stdout! });
  rl.on('line', (l) => {
    const m = /^ready (\d+)$/.exec(l);
    if (m) resolve(Number(m[1]));
  });
  source.once('exit', (code) => reject(new Error(`source exited with ${code}`)));
});

const chain = new MemoryChain({ tag: 2 });
const manager = new PeerManager(
  { ...defaultPeerManagerOptions(regtest), listen: false, bindHost: '127.0.0.1', port: 0, dnsSeed: false, connect: [{ host: '127.0.0.1', port }], sync: { progressIntervalMs: 5_000 } },
  chain,
  { bans: new MemoryBanStore(), addresses: new MemoryAddressStore() },
  createLogger('bench', (process.env.LOG_LEVEL as 'info') ?? 'info'),
);

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const t0 = process.hrtime.bigint();
await manager.start();
await new Promise<void>((resolve) => {
  const check = setInterval(() => {
    if (chain.height >= blocks) {
      clearInterval(check);
      resolve();
    }
  }, 20);
});
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
const maxRss = process.resourceUsage().maxRSS * 1024;
const totalTx = blocks * (txs + 1);
const info = manager.peerInfo()[0];

console.log(`p2p IBD: ${blocks} blocks, ${totalTx} transactions, ${(info.bytesRecv / 1e6).toFixed(1)} MB received in ${seconds.toFixed(2)} s`);
console.log(`  blocks/s  ${(blocks / seconds).toFixed(1)}`);
console.log(`  tx/s      ${(totalTx / seconds).toFixed(0)}`);
console.log(`  MB/s      ${(info.bytesRecv / 1e6 / seconds).toFixed(1)}`);
console.log(`  peak RSS  ${(Math.max(peakRss, maxRss) / 1048576).toFixed(0)} MiB (syncing process)`);

await manager.stop();
source.stdin!.end();
await new Promise((r) => source.once('exit', r));
