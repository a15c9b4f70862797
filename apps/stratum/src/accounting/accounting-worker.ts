import type { AccountingConfig, Logger } from '@metamorph/config';
import type { PgPool } from '@metamorph/db';
import { QueueName, startBullBatchConsumer, type BatchConsumer } from '@metamorph/queue';
import { writeShareBatch } from './share-writer.js';

export interface AccountingTotals {
  batches: number;
  shares: number;
  duplicates: number;
  blocks: number;
}

export interface AccountingWorker {
  totals: AccountingTotals;
  close(): Promise<void>;
}

/** Consumes QueueName.Shares in batches and writes each batch to Postgres in one transaction. */
export function startAccountingWorker(
  config: Pick<AccountingConfig, 'REDIS_URL' | 'REDIS_PREFIX' | 'ACCOUNTING_BATCH_SIZE' | 'ACCOUNTING_BATCH_WAIT_MS'>,
  pool: PgPool,
  logger: Logger,
): AccountingWorker {
  const totals: AccountingTotals = { batches: 0, shares: 0, duplicates: 0, blocks: 0 };
  const consumer: BatchConsumer = startBullBatchConsumer(
    QueueName.Shares,
    async (jobs) => {
      try {
        const r = await writeShareBatch(pool, jobs.map((j) => j.data));
        totals.batches++;
        totals.shares += r.inserted;
        totals.duplicates += r.duplicates;
        totals.blocks += r.blocks;
        logger.debug('batch written', { jobs: jobs.length, shares: r.inserted, duplicates: r.duplicates, blocks: r.blocks });
      } catch (e) {
        logger.error('batch failed; its jobs will be retried', { jobs: jobs.length, error: (e as Error).message });
        throw e;
      }
    },
    {
      redisUrl: config.REDIS_URL,
      prefix: config.REDIS_PREFIX,
      batchSize: config.ACCOUNTING_BATCH_SIZE,
      maxWaitMs: config.ACCOUNTING_BATCH_WAIT_MS,
      onError: (e) => logger.warn('queue connection error', { error: e.message }),
    },
  );
  return { totals, close: () => consumer.close() };
}
