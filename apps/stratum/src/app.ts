import type { AddressInfo } from 'node:net';
import { chainParams } from '@metamorph/bitcoin';
import { createLogger, type Logger, type StratumConfig } from '@metamorph/config';
import { QueueName, createStreamQueue, type JobQueue, type SharesQueueJob } from '@metamorph/queue';
import { parseP2pkhAddress } from './address.js';
import { BlockSubmitter } from './block-submitter.js';
import { ConnectionGate } from './connection-gate.js';
import { normalizeDifficulty } from './difficulty.js';
import { JobManager } from './job-manager.js';
import { createNodeRpc, type NodeRpc } from './node-rpc.js';
import { REGTEST_POOL_ADDRESS } from './regtest-pool-key.js';
import { StratumServer } from './server.js';
import { DurableShareSink } from './share-sink.js';
import { TemplateSource } from './template-source.js';

export interface StratumApp {
  /** The plain TCP listener (absent when a primary process hands sockets over). */
  address: AddressInfo;
  tlsAddress?: AddressInfo;
  jobs: JobManager;
  server: StratumServer;
  sink: DurableShareSink;
  blocks: BlockSubmitter;
  templates: TemplateSource;
  /** Stop accepting, finish what is under way, store accepted shares; returns shares that could not be stored. */
  close(): Promise<number>;
}

export interface StratumAppOverrides {
  logger?: Logger;
  rpc?: NodeRpc;
  queue?: JobQueue<SharesQueueJob>;
  /**
   * Run as worker `processIndex` of a primary that listens and admits connections: no listener
   * here; the primary hands sockets to `server.adopt` and hears of closes and bans.
   */
  worker?: { processIndex: number; onRelease: (ip: string) => void; onBan: (ip: string, seconds: number, reason: string) => void };
  /** First job counter (tests fix it to get known job ids). */
  firstJobCounter?: number;
}

/** Starts the whole Stratum side: node templates → jobs → sessions → share stream / submitblock. */
export async function startStratum(config: StratumConfig, overrides: StratumAppOverrides = {}): Promise<StratumApp> {
  const logger = overrides.logger ?? createLogger('stratum', config.LOG_LEVEL);
  const network = chainParams(config.NETWORK);
  const poolAddress = config.STRATUM_POOL_ADDRESS ?? REGTEST_POOL_ADDRESS;
  const outputScript = parseP2pkhAddress(poolAddress, network, 'STRATUM_POOL_ADDRESS').script;
  const processIndex = overrides.worker?.processIndex ?? 0;

  const rpc = overrides.rpc ?? createNodeRpc(config.STRATUM_NODE_RPC_URL);
  const queue = overrides.queue ?? createStreamQueue(QueueName.Shares, { redisUrl: config.REDIS_URL, prefix: config.REDIS_PREFIX });
  const sink = new DurableShareSink(queue, { logger: logger.child('shares') });
  const jobs = new JobManager({
    tag: config.STRATUM_POOL_TAG,
    outputScript,
    instanceId: config.STRATUM_INSTANCE_ID,
    processIndex,
    refreshMs: config.STRATUM_JOB_REFRESH_SECONDS * 1000,
    firstCounter: overrides.firstJobCounter,
  });
  const templates = new TemplateSource({
    rpc,
    jobs,
    pollIntervalMs: config.STRATUM_POLL_INTERVAL_MS,
    logger: logger.child('templates'),
    events: { redisUrl: config.REDIS_URL, prefix: config.REDIS_PREFIX },
  });
  const blocks = new BlockSubmitter({ rpc, sink, logger: logger.child('blocks'), onSubmitted: () => void templates.refresh() });

  const cleanup = async () => {
    await templates.close();
    await queue.close();
    rpc.close();
  };
  try {
    await templates.start();
  } catch (e) {
    await cleanup();
    throw e;
  }

  const min = config.STRATUM_MIN_DIFFICULTY;
  const max = config.STRATUM_MAX_DIFFICULTY;
  const difficulty = normalizeDifficulty(config.STRATUM_DIFFICULTY, min, max);
  const serverLogger = logger.child('server');
  const server = new StratumServer({
    host: config.STRATUM_HOST,
    port: overrides.worker ? undefined : config.STRATUM_PORT,
    tls: config.tls ? { port: overrides.worker ? undefined : config.STRATUM_TLS_PORT, cert: config.tls.cert, key: config.tls.key } : undefined,
    maxLineBytes: config.STRATUM_MAX_LINE_BYTES,
    maxConnections: config.STRATUM_MAX_CONNECTIONS,
    idleTimeoutSeconds: config.STRATUM_IDLE_TIMEOUT_SECONDS,
    authTimeoutSeconds: config.STRATUM_AUTH_TIMEOUT_SECONDS,
    resumeSeconds: config.STRATUM_RESUME_SECONDS,
    banSeconds: config.STRATUM_BAN_SECONDS,
    instanceId: config.STRATUM_INSTANCE_ID,
    processIndex,
    jobs,
    gate: overrides.worker ? undefined : new ConnectionGate({ maxPerIp: config.STRATUM_MAX_CONNECTIONS_PER_IP, logger: serverLogger }),
    onRelease: overrides.worker?.onRelease,
    onBan: overrides.worker?.onBan,
    reconnectTo: config.reconnectTo,
    logger: serverLogger,
    session: {
      network,
      difficulty,
      minDifficulty: min,
      maxDifficulty: max,
      vardiff: config.STRATUM_VARDIFF
        ? {
            targetSeconds: config.STRATUM_VARDIFF_TARGET_SECONDS,
            retargetSeconds: config.STRATUM_VARDIFF_RETARGET_SECONDS,
            retargetShares: config.STRATUM_VARDIFF_RETARGET_SHARES,
            maxStep: config.STRATUM_VARDIFF_MAX_STEP,
            min,
            max,
          }
        : undefined,
      versionMask: config.STRATUM_VERSION_MASK,
      sink,
      submitBlock: (c) => void blocks.submit(c),
      banInvalidShares: config.STRATUM_BAN_INVALID_SHARES,
      logger: logger.child('session'),
    },
  });
  try {
    await server.listen();
  } catch (e) {
    await server.close();
    await cleanup();
    throw e;
  }
  const address = server.addresses.tcp ?? { address: config.STRATUM_HOST, family: 'IPv4', port: config.STRATUM_PORT };
  if (!overrides.worker) {
    logger.info('listening', {
      host: address.address,
      port: address.port,
      tlsPort: server.addresses.tls?.port,
      network: network.name,
      poolAddress,
      difficulty,
    });
  }

  let closing: Promise<number> | undefined;
  return {
    address,
    tlsAddress: server.addresses.tls,
    jobs,
    server,
    sink,
    blocks,
    templates,
    close() {
      closing ??= (async () => {
        await server.close();
        await templates.close();
        await blocks.drain();
        const lost = await sink.close();
        await queue.close();
        rpc.close();
        return lost;
      })();
      return closing;
    },
  };
}
