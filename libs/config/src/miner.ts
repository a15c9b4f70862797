import { isIP } from 'node:net';
import { z } from 'zod';
import { NETWORK_NAMES, type NetworkName } from '@metamorph/bitcoin';
import { envBool, envEnum, envInt, envList, envNumber, envString, envUrl } from './env.js';
import { LOG_LEVELS } from './logger.js';

const BASE58_ADDRESS = /^[1-9A-HJ-NP-Za-km-z]{25,35}$/;

/** Environment of apps/miner (the built-in CPU miner fleet). It needs no database or queue. */
export const minerEnv = {
  NETWORK: envEnum<NetworkName>(NETWORK_NAMES, 'regtest'),
  LOG_LEVEL: envEnum(LOG_LEVELS, 'info'),
  MINER_STRATUM_URL: envUrl(['stratum+tcp:'], 'stratum+tcp://127.0.0.1:3333'),
  /** Simulated workers, each its own Stratum connection (one process holds fewer than 20,000 sockets). */
  MINER_WORKERS: envInt(4, 1, 19_000),
  /** Share of one CPU core the whole fleet may use for hashing. */
  MINER_CPU_PERCENT: envInt(25, 1, 100),
  /** Payout addresses the workers mine to, in turn; on regtest the miner's documented test addresses. */
  MINER_ADDRESSES: envList('base58 P2PKH addresses', (s) => (BASE58_ADDRESS.test(s) ? s : undefined)),
  MINER_WORKER_PREFIX: envString('cpu', { re: /^[A-Za-z0-9_-]{1,32}$/, expected: 'letters, digits, _ or - (1-32 characters)' }),
  MINER_PASSWORD: envString('x'),
  /** Negotiate BIP310 version rolling and roll the granted bits. */
  MINER_VERSION_ROLLING: envBool(true),
  /** Sent with mining.suggest_difficulty before authorizing (0 = do not suggest). */
  MINER_SUGGEST_DIFFICULTY: envNumber(0, 0, 1e15),
  /** Local source addresses to spread the connections over (many connections to one pool need several). */
  MINER_LOCAL_ADDRESSES: envList('IP addresses', (s) => (isIP(s) ? s : undefined)),
};

export const minerSchema = z.object(minerEnv).superRefine((c, ctx) => {
  if (c.MINER_ADDRESSES.length === 0 && c.NETWORK !== 'regtest') {
    ctx.addIssue({ code: 'custom', path: ['MINER_ADDRESSES'], message: `is required on ${c.NETWORK} (comma-separated payout addresses)` });
  }
  const port = new URL(c.MINER_STRATUM_URL).port;
  if (!port) ctx.addIssue({ code: 'custom', path: ['MINER_STRATUM_URL'], message: `"${c.MINER_STRATUM_URL}" needs a port, e.g. stratum+tcp://127.0.0.1:3333` });
});

export type MinerConfig = z.output<typeof minerSchema>;
