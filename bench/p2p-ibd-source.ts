/**
 * The serving side of bench/p2p-ibd.ts: builds a regtest chain in memory (BLOCKS blocks of
 * TXS transactions each), listens on 127.0.0.1, prints `ready <port>` and serves peers
 * until stdin closes.
 */
import { regtest } from '@metamorph/bitcoin';
import { createLogger } from '@metamorph/config';
import { MemoryAddressStore } from '../apps/node/src/p2p/address-book.js';
import { MemoryBanStore } from '../apps/node/src/p2p/ban-list.js';
import { PeerManager, defaultPeerManagerOptions } from '../apps/node/src/p2p/peer-manager.js';
import { MemoryChain } from '../apps/node/test/p2p/memory-chain.js';

const blocks = Number(process.env.BLOCKS ?? 2000);
const txs = Number(process.env.TXS ?? 100);

// Block times a second apart ending now, so the chain is recent (the syncing node leaves IBD).
const start = Date.now() - blocks * 1000;
let clock = start;
const chain = new MemoryChain({ tag: 1, now: () => Math.max(Date.now(), clock) });
let seed = 0;
const t0 = Date.now();
for (let i = 0; i < blocks; i++) {
  clock = start + i * 1000;
  await chain.mine(1, () => Array.from({ length: txs }, () => MemoryChain.dummyTx(++seed, 2)));
}
process.stderr.write(`source: built ${blocks} blocks x ${txs} txs in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);

const manager = new PeerManager(
  { ...defaultPeerManagerOptions(regtest), bindHost: '127.0.0.1', port: 0, dnsSeed: false },
  chain,
  { bans: new MemoryBanStore(), addresses: new MemoryAddressStore() },
  createLogger('source', 'warn'),
);
await manager.start();
process.stdout.write(`ready ${manager.listenAddress!.port}\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  await manager.stop();
  process.exit(0);
});
