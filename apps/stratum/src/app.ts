import type { AddressInfo } from 'node:net';
import { chainParams } from '@metamorph/bitcoin';
import { createLogger, type Logger, type StratumConfig } from '@metamorph/config';
import { QueueName, createBullQueue, type JobQueue, type SharesQueueJob } from '@metamorph/queue';
import { parseP2pkhAddress } from './address.js';
import { BlockSubmitter } from './block-submitter.js';
import { normalizeDifficulty } from './difficulty.js';
import { JobManager } from './job-manager.js';
import { createNodeRpc, type NodeRpc } from './node-rpc.js';
import { REGTEST_POOL_ADDRESS } from './regtest-pool-key.js';
import { StratumServer } from './server.js';
import { QueueShareSink } from './share-sink.js';
import { TemplateSource } from './template-source.js';

export interface StratumApp {
  address: AddressInfo;
  jobs: JobManager;
  server: StratumServer;
  sink: QueueShareSink;
  blocks: BlockSubmitter;
  templates: TemplateSource;
  /** Stop accepting, finish what is under way, flush accepted shares; returns shares that could not be queued. */
  close(): Promise<number>;
}

export interface StratumAppOverrides {
  logger?: Logger;
  rpc?: NodeRpc;
  queue?: JobQueue<SharesQueueJob>;
}

/** Starts the whole Stratum side: node templates → jobs → TCP sessions → shares queue / submitblock. */
export async function startStratum(config: StratumConfig, overrides: StratumAppOverrides = {}): Promise<StratumApp> {
  const logger = overrides.logger ?? createLogger('stratum', config.LOG_LEVEL);
  const network = chainParams(config.NETWORK);
  const poolAddress = config.STRATUM_POOL_ADDRESS ?? REGTEST_POOL_ADDRESS;
  const outputScript = parseP2pkhAddress(poolAddress, network, 'STRATUM_POOL_ADDRESS').script;

  const rpc = overrides.rpc ?? createNodeRpc(config.STRATUM_NODE_RPC_URL);
  const queue = overrides.queue ?? createBullQueue(QueueName.Shares, { redisUrl: config.REDIS_URL, prefix: config.REDIS_PREFIX });
  const sink = new QueueShareSink(queue, { logger: logger.child('shares') });
  const jobs = new JobManager({
    tag: config.STRATUM_POOL_TAG,
    outputScript,
    instanceId: config.STRATUM_INSTANCE_ID,
    refreshMs: config.STRATUM_JOB_REFRESH_SECONDS * 1000,
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
  const server = new StratumServer({
    host: config.STRATUM_HOST,
    port: config.STRATUM_PORT,
    maxLineBytes: config.STRATUM_MAX_LINE_BYTES,
    maxConnections: config.STRATUM_MAX_CONNECTIONS,
    idleTimeoutSeconds: config.STRATUM_IDLE_TIMEOUT_SECONDS,
    instanceId: config.STRATUM_INSTANCE_ID,
    jobs,
    logger: logger.child('server'),
    session: {
      network,
      difficulty: normalizeDifficulty(config.STRATUM_DIFFICULTY, min, max),
      minDifficulty: min,
      maxDifficulty: max,
      vardiffTargetSeconds: config.STRATUM_VARDIFF ? config.STRATUM_VARDIFF_TARGET_SECONDS : undefined,
      sink,
      submitBlock: (c) => void blocks.submit(c),
      logger: logger.child('session'),
    },
  });
  let address: AddressInfo;
  try {
    address = await server.listen();
  } catch (e) {
    await cleanup();
    throw e;
  }
  logger.info('listening', { host: address.address, port: address.port, network: network.name, poolAddress, difficulty: normalizeDifficulty(config.STRATUM_DIFFICULTY, min, max) });

  let closing: Promise<number> | undefined;
  return {
    address,
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
