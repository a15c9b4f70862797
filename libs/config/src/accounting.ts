import { z } from 'zod';
import { envInt, envUrl } from './env.js';
import { sharedEnv } from './shared.js';
import { DEFAULT_STRATUM_NODE_RPC_URL } from './stratum.js';

/** Environment of the accounting worker (apps/stratum/src/workers-main.ts). */
export const accountingEnv = {
  ...sharedEnv,
  /** Most shares written per Postgres transaction. */
  ACCOUNTING_BATCH_SIZE: envInt(2000, 1, 50_000),
  /** How long a read of the share stream waits for new entries. */
  ACCOUNTING_BATCH_WAIT_MS: envInt(200, 1, 10_000),
  /** Entries another worker took but did not finish within this long (it died) are taken over. */
  ACCOUNTING_CLAIM_IDLE_MS: envInt(30_000, 100, 3_600_000),
  /** The node's JSON-RPC, to follow the fate of found blocks (credentials in the URL). */
  ACCOUNTING_NODE_RPC_URL: envUrl(['http:', 'https:'], DEFAULT_STRATUM_NODE_RPC_URL),
  /** Found blocks are checked against the node's chain this often (and at once on chain events). */
  ACCOUNTING_BLOCK_CHECK_SECONDS: envInt(30, 1, 3600),
};

export const accountingSchema = z.object(accountingEnv);

export type AccountingConfig = z.output<typeof accountingSchema>;
