import { createLogger, exitOnStartupError, loadApiConfig } from '@metamorph/config';
import { checkPostgres } from '@metamorph/db';
import { checkRedis } from '@metamorph/queue';
import { startApiServer, type RunningApi } from './server.js';

const APP = 'api';

async function main(): Promise<void> {
  let api: RunningApi;
  try {
    const config = loadApiConfig();
    await checkPostgres(config.DATABASE_URL);
    await checkRedis(config.REDIS_URL);
    api = await startApiServer(config, createLogger(APP, config.LOG_LEVEL));
  } catch (e) {
    exitOnStartupError(APP, e);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    api.services.logger.info('stopping', { signal });
    // A stuck connection must not keep the process alive past a few seconds.
    setTimeout(() => process.exit(1), 8_000).unref();
    api.stop().then(
      () => process.exit(0),
      (e) => {
        process.stderr.write(`${APP}: error while stopping: ${(e as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

void main();
