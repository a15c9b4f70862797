import type { AddressInfo } from 'node:net';
import { chainParams } from '@metamorph/bitcoin';
import { createLogger, type Logger, type NodeConfig } from '@metamorph/config';
import { createPgPool } from '@metamorph/db';
import { ChainService } from './chain/chain-service.js';
import { ChainStore } from './chain/store.js';
import { CoinbaseOnlyConnector, type BlockConnector } from './chain/connector.js';
import { systemClock, type Clock } from './clock.js';
import { EventPublisher } from './events/publisher.js';
import { TemplateBuilder } from './mining/template.js';
import { RpcRegistry } from './rpc/registry.js';
import { RpcServer } from './rpc/server.js';
import { blockchainMethods } from './rpc/methods/blockchain.js';
import { miningMethods } from './rpc/methods/mining.js';
import { controlMethods } from './rpc/methods/control.js';
import { networkMethods } from './rpc/methods/network.js';
import { ChainServiceP2P } from './p2p/chain-service-adapter.js';
import { DEFAULT_PAYLOAD_LIMITS } from './p2p/framing.js';
import { PeerManager, defaultPeerManagerOptions } from './p2p/peer-manager.js';
import { PgAddressStore, PgBanStore } from './p2p/pg-stores.js';

export interface NodeOptions {
  logger?: Logger;
  clock?: Clock;
  connector?: BlockConnector;
  /** Called when a client asks the node to stop (the `stop` RPC); default: stop the node. */
  onStopRequested?: () => void;
}

export interface RunningNode {
  chain: ChainService;
  templates: TemplateBuilder;
  /** Where the RPC server listens (its port is the real one when the config asked for 0). */
  rpcAddress: AddressInfo;
  p2p: PeerManager;
  /** Where the P2P listener accepts peers (undefined when not listening). */
  p2pAddress: { host: string; port: number } | undefined;
  /** Close the RPC server, the event publisher, the chain and the database pool. Idempotent. */
  stop(): Promise<void>;
}

/** Start the node's parts in order; whatever started is closed again if a later part fails. */
export async function startNode(config: NodeConfig, opts: NodeOptions = {}): Promise<RunningNode> {
  const log = opts.logger ?? createLogger('node', config.logLevel);
  const params = chainParams(config.network);
  const cleanup: (() => Promise<void>)[] = [];
  const shutdown = new AbortController();
  const runCleanup = async () => {
    shutdown.abort();
    for (const step of cleanup.reverse()) await step().catch((e) => log.error('shutdown step failed', { error: e as Error }));
    cleanup.length = 0;
  };

  try {
    const pool = createPgPool(config.databaseUrl);
    cleanup.push(() => pool.end());
    const store = new ChainStore(pool, config.databaseUrl);
    await store.acquireWriterLock();
    cleanup.push(() => store.releaseWriterLock());

    const chain = new ChainService({
      params,
      store,
      connector: opts.connector ?? new CoinbaseOnlyConnector(),
      clock: opts.clock ?? systemClock,
      maxBlockSize: config.maxBlockSize,
      logger: log.child('chain'),
    });
    await chain.open();
    cleanup.push(() => chain.close());

    const templates = new TemplateBuilder(chain);
    const publisher = new EventPublisher(config.redisUrl, config.redisPrefix, chain, log.child('events'));
    await publisher.start();
    cleanup.push(() => publisher.stop());

    const p2p = new PeerManager(
      {
        ...defaultPeerManagerOptions(params),
        listen: config.p2p.listen,
        bindHost: config.p2p.bind,
        port: config.p2p.port,
        connect: config.p2p.connect,
        addNodes: config.p2p.addNode,
        dnsSeed: config.p2p.dnsSeed,
        maxConnections: config.p2p.maxPeers,
        whitelist: config.p2p.whitelist,
        // No mempool yet: blocks only, so peers send us no transactions. Once there is one, pass it to
        // ChainServiceP2P (its P2PMempool port) and turn relaying on.
        relayTxs: false,
        limits: { ...DEFAULT_PAYLOAD_LIMITS, maxBlockSize: config.maxBlockSize },
      },
      new ChainServiceP2P(chain),
      { bans: new PgBanStore(pool), addresses: new PgAddressStore(pool) },
      log.child('p2p'),
    );
    await p2p.start();
    cleanup.push(() => p2p.stop());

    let stopping: Promise<void> | null = null;
    const stop = () => (stopping ??= runCleanup().then(() => log.info('node stopped')));
    const registry = new RpcRegistry([...blockchainMethods, ...miningMethods, ...controlMethods, ...networkMethods]);
    const rpc = new RpcServer(
      { ...config.rpc, log: log.child('rpc') },
      registry,
      {
        chain,
        templates,
        params,
        startedAt: Date.now(),
        shutdown: shutdown.signal,
        requestStop: opts.onStopRequested ?? (() => void stop()),
        registry,
        p2p,
        log: log.child('rpc'),
      },
    );
    const rpcAddress = await rpc.listen();
    cleanup.push(() => rpc.close());
    log.info('RPC server listening', { address: rpcAddress.address, port: rpcAddress.port, network: params.name });
    return { chain, templates, rpcAddress, p2p, p2pAddress: p2p.listenAddress, stop };
  } catch (e) {
    await runCleanup();
    throw e;
  }
}
