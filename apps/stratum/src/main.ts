// The Stratum server process: `node --import tsx apps/stratum/src/main.ts`.
import { createLogger, exitOnStartupError, loadConfig, stratumSchema, ConfigError } from '@metamorph/config';
import { checkRedis } from '@metamorph/queue';
import { chainParams } from '@metamorph/bitcoin';
import { decodeP2pkhAddress } from './address.js';
import { startStratum } from './app.js';
import { StratumAppError } from './errors.js';

async function main() {
  let config;
  try {
    config = loadConfig(stratumSchema);
    if (config.STRATUM_POOL_ADDRESS) {
      try {
        decodeP2pkhAddress(config.STRATUM_POOL_ADDRESS, chainParams(config.NETWORK), 'STRATUM_POOL_ADDRESS');
      } catch (e) {
        throw new ConfigError([{ variable: 'STRATUM_POOL_ADDRESS', message: (e as Error).message.replace(/^STRATUM_POOL_ADDRESS: /, '') }]);
      }
    }
    await checkRedis(config.REDIS_URL);
  } catch (e) {
    exitOnStartupError('stratum', e);
  }
  const logger = createLogger('stratum', config.LOG_LEVEL);
  let app;
  try {
    app = await startStratum(config, { logger });
  } catch (e) {
    exitOnStartupError('stratum', e instanceof StratumAppError ? new Error(e.message) : e);
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    const timer = setTimeout(() => {
      logger.error('did not stop within 15 s; exiting');
      process.exit(1);
    }, 15_000);
    const lost = await app.close();
    clearTimeout(timer);
    if (lost) logger.error('shares could not be queued before exit', { lost });
    else logger.info('stopped');
    process.exit(lost ? 1 : 0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

void main();
