// The accounting worker process: `node --import tsx apps/stratum/src/workers-main.ts`.
import { accountingSchema, createLogger, exitOnStartupError, loadConfig } from '@metamorph/config';
import { checkPostgres, createPgPool } from '@metamorph/db';
import { checkRedis } from '@metamorph/queue';
import { startAccountingWorker } from './accounting/accounting-worker.js';

async function main() {
  let config;
  try {
    config = loadConfig(accountingSchema);
    await checkPostgres(config.DATABASE_URL);
    await checkRedis(config.REDIS_URL);
  } catch (e) {
    exitOnStartupError('accounting', e);
  }
  const logger = createLogger('accounting', config.LOG_LEVEL);
  const pool = createPgPool(config.DATABASE_URL, { max: 4 });
  const worker = startAccountingWorker(config, pool, logger);
  logger.info('consuming accepted shares', { batchSize: config.ACCOUNTING_BATCH_SIZE });

  const report = setInterval(() => {
    const t = worker.totals;
    if (t.batches) logger.info('written so far', { shares: t.shares, duplicates: t.duplicates, blocks: t.blocks, batches: t.batches });
  }, 60_000);
  report.unref();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    const timer = setTimeout(() => {
      logger.error('did not stop within 15 s; exiting');
      process.exit(1);
    }, 15_000);
    await worker.close();
    await pool.end();
    clearTimeout(timer);
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

void main();
