import { z } from 'zod';
import { envBool, envInt, envNumber, envPort, envString, envUrl } from './env.js';
import { sharedEnv } from './shared.js';

export const DEFAULT_STRATUM_NODE_RPC_URL = 'http://metamorph:metamorph@127.0.0.1:18332';

/** Starting share difficulty when STRATUM_DIFFICULTY is not set: CPU miners on regtest, ASICs elsewhere. */
export const DEFAULT_STRATUM_DIFFICULTY = { regtest: 0.0001, testnet: 1, mainnet: 65536 } as const;

/** Share targets are exact to 1e-8 of difficulty (`targetForDifficulty`): pool difficulties are multiples of it. */
export const MIN_POOL_DIFFICULTY = 1e-8;
export const MAX_POOL_DIFFICULTY = 1e15;

const BASE58_ADDRESS = { re: /^[1-9A-HJ-NP-Za-km-z]{25,35}$/, expected: 'a base58 P2PKH address' };
const HOST = { re: /^[A-Za-z0-9.:-]{1,253}$/, expected: 'a host name or IP address' };
const TAG = { re: /^[\x20-\x7e]{0,64}$/, expected: 'printable ASCII, at most 64 characters' };
const UNSET = Number.NaN;

/** Environment of apps/stratum (the Stratum server), beside the shared variables. */
export const stratumEnv = {
  ...sharedEnv,
  STRATUM_HOST: envString('0.0.0.0', HOST),
  STRATUM_PORT: envPort(3333),
  /** The node's JSON-RPC, credentials in the URL. */
  STRATUM_NODE_RPC_URL: envUrl(['http:', 'https:'], DEFAULT_STRATUM_NODE_RPC_URL),
  /** Where block rewards go. Required on mainnet/testnet; on regtest the stratum's documented test address. */
  STRATUM_POOL_ADDRESS: envString('', BASE58_ADDRESS),
  /** Text written into every coinbase after the height. */
  STRATUM_POOL_TAG: envString('/metamorph/', TAG),
  STRATUM_DIFFICULTY: envNumber(UNSET, MIN_POOL_DIFFICULTY, MAX_POOL_DIFFICULTY),
  STRATUM_VARDIFF: envBool(true),
  STRATUM_VARDIFF_TARGET_SECONDS: envNumber(15, 1, 3600),
  STRATUM_MIN_DIFFICULTY: envNumber(MIN_POOL_DIFFICULTY, MIN_POOL_DIFFICULTY, MAX_POOL_DIFFICULTY),
  STRATUM_MAX_DIFFICULTY: envNumber(MAX_POOL_DIFFICULTY, MIN_POOL_DIFFICULTY, MAX_POOL_DIFFICULTY),
  /** Fallback polling of getblocktemplate; the node's template events trigger a refresh at once. */
  STRATUM_POLL_INTERVAL_MS: envInt(3000, 100, 600_000),
  /** A new job (fresh ntime) at least this often even when nothing changed. */
  STRATUM_JOB_REFRESH_SECONDS: envInt(30, 1, 3600),
  STRATUM_MAX_LINE_BYTES: envInt(16_384, 256, 1_048_576),
  STRATUM_MAX_CONNECTIONS: envInt(10_000, 1, 19_000),
  /** A connection that sends nothing for this long is closed. */
  STRATUM_IDLE_TIMEOUT_SECONDS: envInt(600, 5, 86_400),
  /** Distinct per stratum instance of one deployment: the first byte of every extranonce1 it hands out. */
  STRATUM_INSTANCE_ID: envInt(0, 0, 255),
};

export const stratumSchema = z.object(stratumEnv).transform((c, ctx) => {
  const difficulty = Number.isNaN(c.STRATUM_DIFFICULTY) ? DEFAULT_STRATUM_DIFFICULTY[c.NETWORK] : c.STRATUM_DIFFICULTY;
  if (c.STRATUM_MIN_DIFFICULTY > c.STRATUM_MAX_DIFFICULTY) {
    ctx.addIssue({ code: 'custom', path: ['STRATUM_MIN_DIFFICULTY'], message: `${c.STRATUM_MIN_DIFFICULTY} is above STRATUM_MAX_DIFFICULTY ${c.STRATUM_MAX_DIFFICULTY}` });
  } else if (difficulty < c.STRATUM_MIN_DIFFICULTY || difficulty > c.STRATUM_MAX_DIFFICULTY) {
    ctx.addIssue({ code: 'custom', path: ['STRATUM_DIFFICULTY'], message: `${difficulty} is outside STRATUM_MIN_DIFFICULTY..STRATUM_MAX_DIFFICULTY (${c.STRATUM_MIN_DIFFICULTY}..${c.STRATUM_MAX_DIFFICULTY})` });
  }
  if (c.STRATUM_POOL_ADDRESS === '' && c.NETWORK !== 'regtest') {
    ctx.addIssue({ code: 'custom', path: ['STRATUM_POOL_ADDRESS'], message: `is required on ${c.NETWORK} (the P2PKH address block rewards are paid to)` });
  }
  return {
    ...c,
    STRATUM_DIFFICULTY: difficulty,
    /** Undefined on regtest when not set: the stratum then uses its documented test address. */
    STRATUM_POOL_ADDRESS: c.STRATUM_POOL_ADDRESS === '' ? undefined : c.STRATUM_POOL_ADDRESS,
  };
});

export type StratumConfig = z.output<typeof stratumSchema>;
