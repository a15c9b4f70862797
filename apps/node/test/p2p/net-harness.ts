import { regtest } from '@metamorph/bitcoin';
import { MemoryAddressStore, type AddressStore } from '../../src/p2p/address-book.js';
import { MemoryBanStore, type BanStore } from '../../src/p2p/ban-list.js';
import { PeerManager, defaultPeerManagerOptions, type HostPort, type PeerManagerOptions } from '../../src/p2p/peer-manager.js';
import type { P2PChain } from '../../src/p2p/chain.js';
import { MemoryChain } from './memory-chain.js';
import { memoryLogger, type LogLine } from './helpers.js';

export interface TestNode {
  chain: MemoryChain;
  manager: PeerManager;
  lines: LogLine[];
  addr: HostPort;
  stop(): Promise<void>;
}

/** A P2P node on 127.0.0.1 (random port) over the given chain, for node-to-node tests. */
export async function startNode(
  opts: { chain?: MemoryChain; p2pChain?: P2PChain; connect?: HostPort[]; addNodes?: HostPort[]; bans?: BanStore; addresses?: AddressStore; tag?: number } & Partial<PeerManagerOptions> = {},
): Promise<TestNode> {
  const chain = opts.chain ?? new MemoryChain({ tag: opts.tag });
  const lines: LogLine[] = [];
  const log = memoryLogger(lines);
  const manager = new PeerManager(
    {
      ...defaultPeerManagerOptions(regtest),
      bindHost: '127.0.0.1',
      port: 0,
      dnsSeed: false,
      connectTimeoutMs: 2_000,
      retryMaxMs: 2_000,
      tickMs: 100,
      ...opts,
      connect: opts.connect ?? [],
      addNodes: opts.addNodes ?? [],
    },
    opts.p2pChain ?? chain,
    { bans: opts.bans ?? new MemoryBanStore(), addresses: opts.addresses ?? new MemoryAddressStore() },
    log,
  );
  await manager.start();
  const a = manager.listenAddress!;
  return { chain, manager, lines, addr: { host: a.host, port: a.port }, stop: () => manager.stop() };
}
