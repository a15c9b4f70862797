import { z } from 'zod';
import { envInt } from './env.js';
import { sharedEnv } from './shared.js';

/** Environment of the accounting worker (apps/stratum/src/workers-main.ts). */
export const accountingEnv = {
  ...sharedEnv,
  /** Most shares written per Postgres transaction. */
  ACCOUNTING_BATCH_SIZE: envInt(500, 1, 10_000),
  /** How long a partly filled batch waits for more shares. */
  ACCOUNTING_BATCH_WAIT_MS: envInt(50, 1, 10_000),
};

export const accountingSchema = z.object(accountingEnv);

export type AccountingConfig = z.output<typeof accountingSchema>;
