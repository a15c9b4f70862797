import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { envBool, envInt, envNumber, envPort, envString, envUrl, parseHostPort } from './env.js';
import { sharedEnv } from './shared.js';

export const DEFAULT_STRATUM_NODE_RPC_URL = 'http://metamorph:metamorph@127.0.0.1:18332';

/** Starting share difficulty when STRATUM_DIFFICULTY is not set: CPU miners on regtest, ASICs elsewhere. */
export const DEFAULT_STRATUM_DIFFICULTY = { regtest: 0.0001, testnet: 1, mainnet: 65536 } as const;

/** Share targets are exact to 1e-8 of difficulty (`targetForDifficulty`): pool difficulties are multiples of it. */
export const MIN_POOL_DIFFICULTY = 1e-8;
export const MAX_POOL_DIFFICULTY = 1e15;

/** One process holds fewer sockets than the machine's 20,000 open files (a few are Redis, RPC, logs). */
export const MAX_CONNECTIONS_PER_PROCESS = 19_500;
/** Four bits of extranonce1 name the process. */
export const MAX_STRATUM_PROCESSES = 16;

const BASE58_ADDRESS = { re: /^[1-9A-HJ-NP-Za-km-z]{25,35}$/, expected: 'a base58 P2PKH address' };
const HOST = { re: /^[A-Za-z0-9.:-]{1,253}$/, expected: 'a host name or IP address' };
const TAG = { re: /^[\x20-\x7e]{0,64}$/, expected: 'printable ASCII, at most 64 characters' };
const MASK = { re: /^[0-9a-fA-F]{8}$/, expected: '8 hex digits, e.g. 1fffe000' };
const HOST_PORT = { re: /^$|^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, expected: 'host:port' };
const UNSET = Number.NaN;

/** Environment of apps/stratum (the Stratum server), beside the shared variables. */
export const stratumEnv = {
  ...sharedEnv,
  STRATUM_HOST: envString('0.0.0.0', HOST),
  STRATUM_PORT: envPort(3333),
  /** Stratum over TLS on this port as well (0 = off); needs STRATUM_TLS_CERT_FILE and STRATUM_TLS_KEY_FILE. */
  STRATUM_TLS_PORT: envInt(0, 0, 65535),
  STRATUM_TLS_CERT_FILE: envString(''),
  STRATUM_TLS_KEY_FILE: envString(''),
  /** Worker processes sharing the port(s); each holds at most STRATUM_MAX_CONNECTIONS sockets. */
  STRATUM_PROCESSES: envInt(1, 1, MAX_STRATUM_PROCESSES),
  /** The node's JSON-RPC, credentials in the URL. */
  STRATUM_NODE_RPC_URL: envUrl(['http:', 'https:'], DEFAULT_STRATUM_NODE_RPC_URL),
  /** Where block rewards go. Required on mainnet/testnet; on regtest the stratum's documented test address. */
  STRATUM_POOL_ADDRESS: envString('', BASE58_ADDRESS),
  /** Text written into every coinbase after the height. */
  STRATUM_POOL_TAG: envString('/metamorph/', TAG),
  STRATUM_DIFFICULTY: envNumber(UNSET, MIN_POOL_DIFFICULTY, MAX_POOL_DIFFICULTY),
  STRATUM_MIN_DIFFICULTY: envNumber(MIN_POOL_DIFFICULTY, MIN_POOL_DIFFICULTY, MAX_POOL_DIFFICULTY),
  STRATUM_MAX_DIFFICULTY: envNumber(MAX_POOL_DIFFICULTY, MIN_POOL_DIFFICULTY, MAX_POOL_DIFFICULTY),
  STRATUM_VARDIFF: envBool(true),
  /** Seconds between shares vardiff aims for, per connection. */
  STRATUM_VARDIFF_TARGET_SECONDS: envNumber(10, 0.1, 3600),
  /** Vardiff looks again after this long without enough shares to decide sooner. */
  STRATUM_VARDIFF_RETARGET_SECONDS: envNumber(60, 1, 86_400),
  /** ... or as soon as this many shares came in since the last change. */
  STRATUM_VARDIFF_RETARGET_SHARES: envInt(30, 4, 10_000),
  /** Largest factor one change may move the difficulty by, up or down. */
  STRATUM_VARDIFF_MAX_STEP: envNumber(4, 1.1, 1024),
  /** BIP310 version bits miners may roll (granted mask = this ∧ the miner's). */
  STRATUM_VERSION_MASK: envString('1fffe000', MASK),
  /** Fallback polling of the node's tip (getbestblockhash); the node's events bring a new tip at once. */
  STRATUM_POLL_INTERVAL_MS: envInt(3000, 100, 600_000),
  /** A new job (new transactions, fresh ntime) this often; a new tip always gets a clean job at once. */
  STRATUM_JOB_REFRESH_SECONDS: envInt(30, 1, 3600),
  STRATUM_MAX_LINE_BYTES: envInt(16_384, 256, 1_048_576),
  /** Per process. */
  STRATUM_MAX_CONNECTIONS: envInt(10_000, 1, MAX_CONNECTIONS_PER_PROCESS),
  /** Connections one IP address may hold at once, over all processes (0 = no limit). */
  STRATUM_MAX_CONNECTIONS_PER_IP: envInt(1000, 0, 1_000_000),
  /** A connection that sends nothing for this long is closed. */
  STRATUM_IDLE_TIMEOUT_SECONDS: envInt(600, 5, 86_400),
  /** A connection that has not authorized a worker this long after connecting is closed. */
  STRATUM_AUTH_TIMEOUT_SECONDS: envInt(60, 1, 86_400),
  /** This many invalid shares in a row get the IP banned (0 = never). */
  STRATUM_BAN_INVALID_SHARES: envInt(100, 0, 1_000_000),
  STRATUM_BAN_SECONDS: envInt(600, 1, 30 * 86_400),
  /** A lost connection's extranonce1, difficulty and jobs wait this long for the miner to resume them (0 = off). */
  STRATUM_RESUME_SECONDS: envInt(300, 0, 86_400),
  /** Sent in client.reconnect when the stratum shuts down (empty: "reconnect to where you are"). */
  STRATUM_RECONNECT_TO: envString('', HOST_PORT),
  /** Distinct per stratum instance of one deployment: the first byte of every extranonce1 it hands out. */
  STRATUM_INSTANCE_ID: envInt(0, 0, 255),
};

export interface TlsFiles {
  cert: string;
  key: string;
}

function readPem(path: string, what: string): string | Error {
  try {
    const text = readFileSync(path, 'utf8');
    if (!text.includes('-----BEGIN')) return new Error(`"${path}" is not a PEM file (${what})`);
    return text;
  } catch (e) {
    return new Error(`"${path}" cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

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
  let tls: TlsFiles | undefined;
  if (c.STRATUM_TLS_PORT !== 0) {
    if (c.STRATUM_TLS_PORT === c.STRATUM_PORT) ctx.addIssue({ code: 'custom', path: ['STRATUM_TLS_PORT'], message: `${c.STRATUM_TLS_PORT} is also STRATUM_PORT` });
    const files: Partial<Record<'cert' | 'key', string>> = {};
    for (const [field, variable] of [['cert', 'STRATUM_TLS_CERT_FILE'], ['key', 'STRATUM_TLS_KEY_FILE']] as const) {
      const path = c[variable];
      if (path === '') {
        ctx.addIssue({ code: 'custom', path: [variable], message: 'is required when STRATUM_TLS_PORT is set (a PEM file)' });
        continue;
      }
      const pem = readPem(path, field === 'cert' ? 'certificate' : 'private key');
      if (pem instanceof Error) ctx.addIssue({ code: 'custom', path: [variable], message: pem.message });
      else files[field] = pem;
    }
    if (files.cert && files.key) tls = { cert: files.cert, key: files.key };
  }
  const reconnect = c.STRATUM_RECONNECT_TO === '' ? undefined : parseHostPort(c.STRATUM_RECONNECT_TO, 3333);
  if (c.STRATUM_RECONNECT_TO !== '' && !reconnect) {
    ctx.addIssue({ code: 'custom', path: ['STRATUM_RECONNECT_TO'], message: `"${c.STRATUM_RECONNECT_TO}" is not host:port` });
  }
  return {
    ...c,
    STRATUM_DIFFICULTY: difficulty,
    /** Undefined on regtest when not set: the stratum then uses its documented test address. */
    STRATUM_POOL_ADDRESS: c.STRATUM_POOL_ADDRESS === '' ? undefined : c.STRATUM_POOL_ADDRESS,
    STRATUM_VERSION_MASK: parseInt(c.STRATUM_VERSION_MASK, 16) >>> 0,
    /** The certificate and key (PEM text) when STRATUM_TLS_PORT is set. */
    tls,
    reconnectTo: reconnect,
  };
});

export type StratumConfig = z.output<typeof stratumSchema>;
