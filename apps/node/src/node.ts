import type { AddressInfo } from 'node:net';
import { chainParams, DEFAULT_SCRIPT_CONFIG, type ScriptConfig } from '@metamorph/bitcoin';
import { createLogger, type Logger, type NodeConfig } from '@metamorph/config';
import { createPgPool } from '@metamorph/db';
import { ChainService } from './chain/chain-service.js';
import { ChainStore } from './chain/store.js';
import type { BlockConnector } from './chain/connector.js';
import { systemClock, type Clock } from './clock.js';
import { EventPublisher } from './events/publisher.js';
import { Mempool } from './mempool/mempool.js';
import { MempoolStore } from './mempool/mempool-store.js';
import { mempoolForP2P } from './mempool/p2p-port.js';
import { MiningCandidates } from './mining/candidates.js';
import { FeeEstimator } from './mining/fee-estimator.js';
import { TemplateBuilder } from './mining/template.js';
import { RpcRegistry } from './rpc/registry.js';
import { RpcServer } from './rpc/server.js';
import { blockchainMethods } from './rpc/methods/blockchain.js';
import { chainStateMethods } from './rpc/methods/chainstate.js';
import { controlMethods } from './rpc/methods/control.js';
import { networkMethods } from './rpc/methods/network.js';
import { ChainServiceP2P } from './p2p/chain-service-adapter.js';
import { DEFAULT_PAYLOAD_LIMITS } from './p2p/framing.js';
import { PeerManager, defaultPeerManagerOptions } from './p2p/peer-manager.js';
import { PgAddressStore, PgBanStore } from './p2p/pg-stores.js';
import { candidateMethods, feeMethods, generatingMethods, miningMethods } from './rpc/methods/mining.js';
import { rawTransactionMethods } from './rpc/methods/rawtransaction.js';
import { SerialLock } from './sync/serial-lock.js';
import { ScriptVerifier } from './utxo/script-verifier.js';
import { UtxoConnector } from './utxo/utxo-connector.js';
import { UtxoSet } from './utxo/utxo-set.js';

export interface NodeOptions {
  logger?: Logger;
  clock?: Clock;
  /** Replace the UTXO connector (tests of the chain seam). */
  connector?: BlockConnector;
  /** Called when a client asks the node to stop (the `stop` RPC); default: stop the node. */
  onStopRequested?: () => void;
}

export interface RunningNode {
  chain: ChainService;
  mempool: Mempool;
  utxos: UtxoSet;
  templates: TemplateBuilder;
  /** Where the RPC server listens (its port is the real one when the config asked for 0). */
  rpcAddress: AddressInfo;
  p2p: PeerManager;
  /** Where the P2P listener accepts peers (undefined when not listening). */
  p2pAddress: { host: string; port: number } | undefined;
  /** Close the RPC server, the event publisher, the mempool, the chain, the script workers and the database pool. Idempotent. */
  stop(): Promise<void>;
}

/** The script limits the node verifies with: library defaults, stack memory from the configuration (0 = unlimited). */
export function scriptConfigOf(config: NodeConfig): ScriptConfig {
  const limit = (n: number) => (n === 0 ? Number.POSITIVE_INFINITY : n);
  return {
    ...DEFAULT_SCRIPT_CONFIG,
    maxStackMemoryUsageConsensus: limit(config.chainState.maxStackMemoryUsageConsensus),
    maxStackMemoryUsagePolicy: limit(config.chainState.maxStackMemoryUsagePolicy),
  };
}

/** Start the node's parts in order; whatever started is closed again if a later part fails. */
export async function startNode(config: NodeConfig, opts: NodeOptions = {}): Promise<RunningNode> {
  const log = opts.logger ?? createLogger('node', config.logLevel);
  const params = chainParams(config.network);
  const clock = opts.clock ?? systemClock;
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

    const verifier = await ScriptVerifier.create({ threads: config.chainState.scriptThreads, params, config: scriptConfigOf(config) });
    cleanup.push(() => verifier.close());
    const utxos = new UtxoSet(pool, config.chainState.utxoCacheEntries);
    const utxoConnector = new UtxoConnector({ params, utxos, verifier, log: log.child('utxo') });
    const lock = new SerialLock();
    const chain = new ChainService({
      params,
      store,
      connector: opts.connector ?? utxoConnector,
      clock,
      maxBlockSize: config.maxBlockSize,
      logger: log.child('chain'),
      lock,
    });
    await chain.open();
    cleanup.push(() => chain.close());
    if (!opts.connector) {
      const from = await UtxoConnector.firstUnconnectedHeight(pool);
      if (from !== null) {
        log.warn('building the chain state for blocks accepted before it existed', { from, to: chain.tip().height });
        const n = await chain.reconnectFrom(from);
        log.info('chain state built', { blocks: n });
      }
    }

    const mempool = new Mempool({
      chain,
      utxos,
      verifier,
      store: new MempoolStore(pool, log.child('mempool')),
      lock,
      params,
      policy: config.mempool,
      clock,
      log: log.child('mempool'),
    });
    utxoConnector.setListener(mempool);
    const reloaded = await mempool.load();
    if (reloaded.loaded || reloaded.dropped) log.info('mempool reloaded', reloaded);
    mempool.start();
    cleanup.push(() => lock.run(() => mempool.close()));

    const templates = new TemplateBuilder(chain, mempool, { sizeLimit: config.mining.blockMaxSize, minFeePerKb: config.mining.minMiningTxFeePerKb });
    const candidates = new MiningCandidates(templates);
    const fees = new FeeEstimator(chain, mempool, pool, config.mining.blockMaxSize, config.mining.minMiningTxFeePerKb);
    const publisher = new EventPublisher({
      redisUrl: config.redisUrl,
      prefix: config.redisPrefix,
      chain,
      mempool,
      templateRefreshSeconds: config.mining.templateRefreshSeconds,
      log: log.child('events'),
    });
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
        relayTxs: true,
        limits: { ...DEFAULT_PAYLOAD_LIMITS, maxBlockSize: config.maxBlockSize },
        now: opts.clock ? () => opts.clock!() * 1000 : undefined,
      },
      new ChainServiceP2P(chain, mempoolForP2P(mempool)),
      { bans: new PgBanStore(pool), addresses: new PgAddressStore(pool) },
      log.child('p2p'),
    );
    await p2p.start();
    cleanup.push(() => p2p.stop());

    let stopping: Promise<void> | null = null;
    const stop = () => (stopping ??= runCleanup().then(() => log.info('node stopped')));
    const registry = new RpcRegistry([
      ...blockchainMethods,
      ...chainStateMethods,
      ...rawTransactionMethods,
      ...miningMethods,
      ...candidateMethods,
      ...generatingMethods,
      ...feeMethods,
      ...controlMethods,
      ...networkMethods,
    ]);
    const rpc = new RpcServer(
      { ...config.rpc, log: log.child('rpc') },
      registry,
      {
        chain,
        templates,
        mempool,
        utxos,
        candidates,
        fees,
        db: pool,
        params,
        config,
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
    return { chain, mempool, utxos, templates, rpcAddress, p2p, p2pAddress: p2p.listenAddress, stop };
  } catch (e) {
    await runCleanup();
    throw e;
  }
}
