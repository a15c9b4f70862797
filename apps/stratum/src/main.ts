// The Stratum server process: `node --import tsx apps/stratum/src/main.ts`. With STRATUM_PROCESSES > 1
// it is the primary of that many worker processes (this same file, started with STRATUM_WORKER_INDEX).
import { fileURLToPath } from 'node:url';
import { chainParams } from '@metamorph/bitcoin';
import { ConfigError, createLogger, exitOnStartupError, loadConfig, stratumSchema, type StratumConfig } from '@metamorph/config';
import { checkRedis } from '@metamorph/queue';
import { parseP2pkhAddress } from './address.js';
import { startStratum } from './app.js';
import { WORKER_INDEX_VARIABLE, runPrimary, runWorker } from './cluster.js';
import { StratumAppError } from './errors.js';

function loadStratumConfig(): StratumConfig {
  const config = loadConfig(stratumSchema);
  if (config.STRATUM_POOL_ADDRESS) {
    try {
      parseP2pkhAddress(config.STRATUM_POOL_ADDRESS, chainParams(config.NETWORK), 'STRATUM_POOL_ADDRESS');
    } catch (e) {
      throw new ConfigError([{ variable: 'STRATUM_POOL_ADDRESS', message: (e as Error).message.replace(/^STRATUM_POOL_ADDRESS: /, '') }]);
    }
  }
  return config;
}

async function main() {
  const workerIndex = process.env[WORKER_INDEX_VARIABLE];
  if (workerIndex !== undefined) {
    // A worker of a primary: the primary checked the configuration and reports start-up failures.
    const config = loadStratumConfig();
    await runWorker(config, Number(workerIndex), createLogger(`stratum#${workerIndex}`, config.LOG_LEVEL));
    return;
  }

  let close: (() => Promise<number>) | undefined;
  let stopping = false;
  // Installed first, so a signal during start-up is handled too.
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const logger = createLogger('stratum');
    logger.info('stopping', { signal });
    const timer = setTimeout(() => {
      logger.error('did not stop within 15 s; exiting');
      process.exit(1);
    }, 15_000);
    const lost = close ? await close() : 0;
    clearTimeout(timer);
    if (lost) logger.error('shares could not be stored before exit', { lost });
    else logger.info('stopped');
    process.exit(lost ? 1 : 0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  let config: StratumConfig;
  try {
    config = loadStratumConfig();
    await checkRedis(config.REDIS_URL);
  } catch (e) {
    exitOnStartupError('stratum', e);
  }
  const logger = createLogger('stratum', config.LOG_LEVEL);
  try {
    if (config.STRATUM_PROCESSES > 1) {
      const primary = await runPrimary(config, fileURLToPath(import.meta.url), logger);
      close = () => primary.close();
    } else {
      const app = await startStratum(config, { logger });
      close = () => app.close();
    }
  } catch (e) {
    exitOnStartupError('stratum', e instanceof StratumAppError ? new Error(e.message) : e);
  }
  // A signal that arrived while starting: close what was just started.
  if (stopping) process.exit((await close()) ? 1 : 0);
}

void main();
