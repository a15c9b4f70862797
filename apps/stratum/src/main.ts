// The Stratum server process: `node --import tsx apps/stratum/src/main.ts`.
import { chainParams } from '@metamorph/bitcoin';
import { ConfigError, createLogger, exitOnStartupError, loadConfig, stratumSchema } from '@metamorph/config';
import { checkRedis } from '@metamorph/queue';
import { parseP2pkhAddress } from './address.js';
import { startStratum, type StratumApp } from './app.js';
import { StratumAppError } from './errors.js';

async function main() {
  let app: StratumApp | undefined;
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
    const lost = app ? await app.close() : 0;
    clearTimeout(timer);
    if (lost) logger.error('shares could not be queued before exit', { lost });
    else logger.info('stopped');
    process.exit(lost ? 1 : 0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  let config;
  try {
    config = loadConfig(stratumSchema);
    if (config.STRATUM_POOL_ADDRESS) {
      try {
        parseP2pkhAddress(config.STRATUM_POOL_ADDRESS, chainParams(config.NETWORK), 'STRATUM_POOL_ADDRESS');
      } catch (e) {
        throw new ConfigError([{ variable: 'STRATUM_POOL_ADDRESS', message: (e as Error).message.replace(/^STRATUM_POOL_ADDRESS: /, '') }]);
      }
    }
    await checkRedis(config.REDIS_URL);
  } catch (e) {
    exitOnStartupError('stratum', e);
  }
  try {
    app = await startStratum(config, { logger: createLogger('stratum', config.LOG_LEVEL) });
  } catch (e) {
    exitOnStartupError('stratum', e instanceof StratumAppError ? new Error(e.message) : e);
  }
  // A signal that arrived while starting: close what was just started.
  if (stopping) process.exit((await app.close()) ? 1 : 0);
}

void main();
