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
import { handleStopSignals } from './stop-signals.js';

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

  const signals = handleStopSignals('stratum');

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
      signals.close = () => primary.close();
    } else {
      const app = await startStratum(config, { logger });
      signals.close = () => app.close();
    }
  } catch (e) {
    exitOnStartupError('stratum', e instanceof StratumAppError ? new Error(e.message) : e);
  }
  // A signal that arrived while starting: close what was just started.
  if (signals.stopping) process.exit((await signals.close!()) ? 1 : 0);
}

void main();
