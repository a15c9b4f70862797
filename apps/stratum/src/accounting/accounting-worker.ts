import type { AccountingConfig, Logger } from '@metamorph/config';
import type { PgPool } from '@metamorph/db';
import { QueueName, startStreamBatchConsumer, type StreamConsumer } from '@metamorph/queue';
import { writeShareBatch } from './share-writer.js';

export interface AccountingTotals {
  batches: number;
  shares: number;
  duplicates: number;
  blocks: number;
}

export interface AccountingWorker {
  totals: AccountingTotals;
  consumerName: string;
  close(): Promise<void>;
}

export type AccountingWorkerConfig = Pick<AccountingConfig, 'REDIS_URL' | 'REDIS_PREFIX' | 'ACCOUNTING_BATCH_SIZE' | 'ACCOUNTING_BATCH_WAIT_MS'> &
  Partial<Pick<AccountingConfig, 'ACCOUNTING_CLAIM_IDLE_MS'>>;

/**
 * Consumes the shares stream (consumer group `accounting`) and writes each batch to Postgres in
 * one transaction. The transaction is the commit point: entries are acknowledged only after it,
 * and a re-delivered entry changes nothing (`share.share_key` is unique), so a worker killed at any
 * moment neither loses nor double counts a share.
 */
export function startAccountingWorker(config: AccountingWorkerConfig, pool: PgPool, logger: Logger): AccountingWorker {
  const totals: AccountingTotals = { batches: 0, shares: 0, duplicates: 0, blocks: 0 };
  const consumer: StreamConsumer = startStreamBatchConsumer(
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
        logger.error('batch failed; its entries stay pending and will be retried', { jobs: jobs.length, error: (e as Error).message });
        throw e;
      }
    },
    {
      redisUrl: config.REDIS_URL,
      prefix: config.REDIS_PREFIX,
      group: 'accounting',
      batchSize: config.ACCOUNTING_BATCH_SIZE,
      blockMs: config.ACCOUNTING_BATCH_WAIT_MS,
      claimIdleMs: config.ACCOUNTING_CLAIM_IDLE_MS ?? 30_000,
      onError: (e, context) => logger.warn('share stream', { context, error: e.message }),
    },
  );
  return { totals, consumerName: consumer.consumerName, close: () => consumer.close() };
}
