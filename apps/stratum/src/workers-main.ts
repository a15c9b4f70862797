// The accounting worker process: `node --import tsx apps/stratum/src/workers-main.ts`.
import { accountingSchema, createLogger, exitOnStartupError, loadConfig } from '@metamorph/config';
import { checkPostgres, createPgPool } from '@metamorph/db';
import { checkRedis } from '@metamorph/queue';
import { startAccountingWorker } from './accounting/accounting-worker.js';
import { BlockTracker } from './accounting/block-tracker.js';
import { createNodeRpc } from './node-rpc.js';
import { handleStopSignals } from './stop-signals.js';

async function main() {
  const signals = handleStopSignals('accounting');

  let config;
  try {
    config = loadConfig(accountingSchema);
    await checkPostgres(config.DATABASE_URL);
    await checkRedis(config.REDIS_URL);
  } catch (e) {
    exitOnStartupError('accounting', e);
  }
  if (signals.stopping) return;
  const logger = createLogger('accounting', config.LOG_LEVEL);
  const pool = createPgPool(config.DATABASE_URL, { max: 4 });
  const worker = startAccountingWorker(config, pool, logger);
  const rpc = createNodeRpc(config.ACCOUNTING_NODE_RPC_URL);
  const tracker = new BlockTracker({
    pool,
    rpc,
    logger: logger.child('blocks'),
    intervalMs: config.ACCOUNTING_BLOCK_CHECK_SECONDS * 1000,
    events: { redisUrl: config.REDIS_URL, prefix: config.REDIS_PREFIX },
  });
  await tracker.start();
  const report = setInterval(() => {
    const t = worker.totals;
    if (t.batches) logger.info('written so far', { shares: t.shares, duplicates: t.duplicates, blocks: t.blocks, batches: t.batches });
  }, 60_000);
  signals.close = async () => {
    clearInterval(report);
    await tracker.close();
    await worker.close();
    rpc.close();
    await pool.end();
  };
  logger.info('consuming accepted shares', { batchSize: config.ACCOUNTING_BATCH_SIZE, consumer: worker.consumerName });
}

void main();
