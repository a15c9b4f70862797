import { z } from 'zod';
import { chainParams, type NetworkName } from '@metamorph/bitcoin';
import { availableParallelism } from 'node:os';
import { envBool, envCoins, envInt, envList, envPort, envString, parseHostPort } from './env.js';
import { loadConfig } from './load.js';
import { ConfigError, type ConfigIssue } from './errors.js';
import { sharedEnv } from './shared.js';

/** RPC credentials used on regtest when none are given (the contract other apps rely on). */
export const REGTEST_RPC_USER = 'metamorph';
export const REGTEST_RPC_PASSWORD = 'metamorph';

/** Largest block the node accepts, in bytes (the generated-block size the reference node defaults to). */
export const DEFAULT_MAX_BLOCK_SIZE = 128_000_000;

/**
 * `-minminingtxfee` has no default in the reference node (it must be given): regtest takes the
 * value of our reference regtest configuration, 1 satoshi per kB; the other networks the
 * node's former built-in default, 500 satoshis per kB.
 */
export const DEFAULT_MIN_MINING_TX_FEE_REGTEST = 1n;
export const DEFAULT_MIN_MINING_TX_FEE = 500n;

/** `-maxstackmemoryusageconsensus` is required by the reference node; 100 MB is our reference regtest configuration's value. */
export const DEFAULT_MAX_STACK_MEMORY_USAGE_CONSENSUS = 100_000_000;

const HOST = { re: /^(\[[0-9a-fA-F:.]+\]|[0-9a-fA-F:.]+|[A-Za-z0-9.-]+)$/, expected: 'a host name or IP address' };

/**
 * A variable whose default depends on NETWORK: absent or empty stays undefined here and
 * is filled in by `loadNodeConfig`; present values are checked by `inner`.
 */
function networkDefault<T>(inner: z.ZodType<T, string | undefined>) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): T | undefined => {
      if (raw === undefined || raw.trim() === '') return undefined;
      const r = inner.safeParse(raw);
      if (r.success) return r.data;
      for (const issue of r.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
      return z.NEVER;
    });
}

/** host[:port] items; port 0 stands for "the network's P2P port", filled in by `loadNodeConfig`. */
const peerList = (what: string) =>
  envList(`host[:port] ${what}`, (s) => {
    const parsed = parseHostPort(s, 1);
    if (!parsed) return undefined;
    const hasPort = /^\[[^\]]*\]:\d+$|^[^:]*:\d+$/.test(s);
    return { host: parsed.host, port: hasPort ? parsed.port : 0 };
  });

/** Every variable apps/node reads, validated once at start. */
export const nodeEnvSchema = z.object({
  ...sharedEnv,
  NODE_RPC_BIND: envString('127.0.0.1', HOST),
  /** Default: the network's RPC port (18332 on regtest and testnet, 8332 on mainnet). */
  NODE_RPC_PORT: networkDefault(envPort()),
  /** Default on regtest: `metamorph`; required on mainnet and testnet. */
  NODE_RPC_USER: networkDefault(envString(undefined, { re: /^[^:\s]{1,128}$/, expected: 'a user name without ":" or spaces (1-128 characters)' })),
  NODE_RPC_PASSWORD: networkDefault(envString(undefined, { re: /^\S{1,256}$/, expected: 'a password without spaces (1-256 characters)' })),
  /** Largest accepted request body; default 32 MiB plus twice the largest block in hex. */
  NODE_RPC_MAX_BODY_BYTES: networkDefault(envInt(undefined, 1024, 2 ** 31 - 1)),
  /** Requests handled at once; more are answered HTTP 500 "Work queue depth exceeded". */
  NODE_RPC_WORK_QUEUE: envInt(64, 1, 10_000),
  NODE_P2P_BIND: envString('0.0.0.0', HOST),
  /** Default: the network's P2P port (18444 regtest, 18333 testnet, 8333 mainnet). */
  NODE_P2P_PORT: networkDefault(envPort()),
  /** Default: true, unless NODE_P2P_CONNECT is set (as the reference node's -connect implies -listen=0). */
  NODE_P2P_LISTEN: networkDefault(envBool()),
  /** Connect only to these peers (host[:port], comma-separated); disables other outbound connections. */
  NODE_P2P_CONNECT: peerList('peers to connect to exclusively'),
  /** Peers to connect to in addition to the ones discovered. */
  NODE_P2P_ADDNODE: peerList('peers to add'),
  NODE_P2P_MAX_PEERS: envInt(125, 0, 10_000),
  /** Subnets (`1.2.3.4`, `10.0.0.0/8`) whose peers are never banned for misbehaviour. */
  NODE_P2P_WHITELIST: envList('IP addresses or subnets', (s) => (/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(s) ? s : undefined)),
  /** Default: true except on regtest. */
  NODE_P2P_DNS_SEED: networkDefault(envBool()),
  NODE_MAX_BLOCK_SIZE: envInt(DEFAULT_MAX_BLOCK_SIZE, 1_000_000, 2 ** 31 - 1),
  /** Largest block the node's own templates build (`-blockmaxsize`); at most NODE_MAX_BLOCK_SIZE. */
  NODE_BLOCK_MAX_SIZE: envInt(DEFAULT_MAX_BLOCK_SIZE, 1_000, 2 ** 31 - 1),
  /** Worker threads verifying scripts; 0 verifies on the main thread. Default: the machine's cores. */
  NODE_SCRIPT_THREADS: envInt(availableParallelism(), 0, 64),
  /** Unspent outputs kept in memory in front of Postgres. */
  NODE_UTXO_CACHE_ENTRIES: envInt(500_000, 0, 100_000_000),
  /** Consensus stack memory limit after Genesis, bytes (`-maxstackmemoryusageconsensus`; 0 = unlimited). */
  NODE_MAX_STACK_MEMORY_USAGE_CONSENSUS: envInt(DEFAULT_MAX_STACK_MEMORY_USAGE_CONSENSUS, 0, Number.MAX_SAFE_INTEGER),
  /** Policy stack memory limit after Genesis, bytes (`-maxstackmemoryusagepolicy`; 0 = unlimited). */
  NODE_MAX_STACK_MEMORY_USAGE_POLICY: envInt(100_000_000, 0, Number.MAX_SAFE_INTEGER),
  /** Lowest fee rate, BSV per 1,000 bytes, of transactions the node's templates include (`-minminingtxfee`). */
  NODE_MIN_MINING_TX_FEE: networkDefault(envCoins(undefined)),
  /** Lowest fee rate, BSV per 1,000 bytes, for entering the mempool (0: fee-free transactions are accepted, as the reference node). */
  NODE_MEMPOOL_MIN_FEE: envCoins(0n),
  /** Mempool size limit in MB of transactions; above it the lowest-paying are evicted (`-maxmempool`). */
  NODE_MAX_MEMPOOL: envInt(1000, 1, 1_000_000),
  /** Hours a transaction may wait in the mempool (`-mempoolexpiry`). */
  NODE_MEMPOOL_EXPIRY: envInt(336, 1, 100_000),
  /** Longest chain of unconfirmed ancestors a mempool transaction may have (`-limitancestorcount`). */
  NODE_LIMIT_ANCESTOR_COUNT: envInt(10_000, 1, 1_000_000),
  /** Highest fee `sendrawtransaction` accepts without allowhighfees, BSV (`-maxtxfee`). */
  NODE_MAX_TX_FEE: envCoins(10_000_000n),
  /** Refuse non-standard transactions (`-acceptnonstdtxn=0`). Default: true except on regtest. */
  NODE_REQUIRE_STANDARD: networkDefault(envBool()),
  /** Seconds after which new mempool transactions trigger a TemplateChanged event. */
  NODE_TEMPLATE_REFRESH_SECONDS: envInt(5, 1, 3600),
});

export type NodeEnv = z.output<typeof nodeEnvSchema>;

export interface PeerAddress {
  host: string;
  /** The network's P2P port when the address gave none. */
  port: number;
}

export interface NodeConfig {
  network: NetworkName;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  logLevel: NodeEnv['LOG_LEVEL'];
  maxBlockSize: number;
  chainState: {
    scriptThreads: number;
    utxoCacheEntries: number;
    /** Bytes; 0 = unlimited. */
    maxStackMemoryUsageConsensus: number;
    /** Bytes; 0 = unlimited. */
    maxStackMemoryUsagePolicy: number;
  };
  mempool: {
    /** Bytes of transactions kept before the lowest-paying are evicted. */
    maxSizeBytes: number;
    expirySeconds: number;
    /** Satoshis per 1,000 bytes a transaction must pay to enter. */
    minFeePerKb: bigint;
    /** Longest unconfirmed ancestor chain. */
    ancestorLimit: number;
    /** Largest fee accepted from RPC without allowhighfees, satoshis (0: no limit). */
    maxTxFee: bigint;
    requireStandard: boolean;
  };
  mining: {
    /** Satoshis per 1,000 bytes. */
    minMiningTxFeePerKb: bigint;
    blockMaxSize: number;
    templateRefreshSeconds: number;
  };
  rpc: { bind: string; port: number; user: string; password: string; maxBodyBytes: number; workQueue: number };
  p2p: {
    bind: string;
    port: number;
    listen: boolean;
    connect: PeerAddress[];
    addNode: PeerAddress[];
    maxPeers: number;
    dnsSeed: boolean;
    whitelist: string[];
  };
}

/** 32 MiB plus twice the largest block (hex doubles it), as the reference node sizes its RPC bodies. */
export function defaultRpcMaxBodyBytes(maxBlockSize: number): number {
  return Math.min(2 ** 31 - 1, 0x02000000 + 2 * maxBlockSize);
}

/**
 * Validate the node's environment and fill in the network-dependent defaults.
 * Throws a ConfigError naming every bad variable.
 */
export function loadNodeConfig(env: Record<string, string | undefined> = process.env): NodeConfig {
  // Credentials have a default on regtest only; reported together with any other problem.
  const network = env.NETWORK?.trim() || 'regtest';
  const missing: ConfigIssue[] =
    network !== 'mainnet' && network !== 'testnet'
      ? []
      : (['NODE_RPC_USER', 'NODE_RPC_PASSWORD'] as const)
          .filter((key) => !env[key]?.trim())
          .map((variable) => ({ variable, message: `is required on ${network} (only regtest has a default)` }));
  let e: NodeEnv;
  try {
    e = loadConfig(nodeEnvSchema, env);
  } catch (err) {
    if (err instanceof ConfigError && missing.length) throw new ConfigError([...err.issues, ...missing]);
    throw err;
  }
  if (missing.length) throw new ConfigError(missing);
  const params = chainParams(e.NETWORK);
  const withPort = (p: { host: string; port: number }): PeerAddress => ({ host: p.host, port: p.port || params.defaultPort });
  return {
    network: e.NETWORK,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    logLevel: e.LOG_LEVEL,
    maxBlockSize: e.NODE_MAX_BLOCK_SIZE,
    chainState: {
      scriptThreads: e.NODE_SCRIPT_THREADS,
      utxoCacheEntries: e.NODE_UTXO_CACHE_ENTRIES,
      maxStackMemoryUsageConsensus: e.NODE_MAX_STACK_MEMORY_USAGE_CONSENSUS,
      maxStackMemoryUsagePolicy: e.NODE_MAX_STACK_MEMORY_USAGE_POLICY,
    },
    mempool: {
      maxSizeBytes: e.NODE_MAX_MEMPOOL * 1_000_000,
      expirySeconds: e.NODE_MEMPOOL_EXPIRY * 3600,
      minFeePerKb: e.NODE_MEMPOOL_MIN_FEE,
      ancestorLimit: e.NODE_LIMIT_ANCESTOR_COUNT,
      maxTxFee: e.NODE_MAX_TX_FEE,
      requireStandard: e.NODE_REQUIRE_STANDARD ?? e.NETWORK !== 'regtest',
    },
    mining: {
      minMiningTxFeePerKb: e.NODE_MIN_MINING_TX_FEE ?? (e.NETWORK === 'regtest' ? DEFAULT_MIN_MINING_TX_FEE_REGTEST : DEFAULT_MIN_MINING_TX_FEE),
      blockMaxSize: Math.min(e.NODE_BLOCK_MAX_SIZE, e.NODE_MAX_BLOCK_SIZE),
      templateRefreshSeconds: e.NODE_TEMPLATE_REFRESH_SECONDS,
    },
    rpc: {
      bind: e.NODE_RPC_BIND,
      port: e.NODE_RPC_PORT ?? params.rpcPort,
      user: e.NODE_RPC_USER ?? REGTEST_RPC_USER,
      password: e.NODE_RPC_PASSWORD ?? REGTEST_RPC_PASSWORD,
      maxBodyBytes: e.NODE_RPC_MAX_BODY_BYTES ?? defaultRpcMaxBodyBytes(e.NODE_MAX_BLOCK_SIZE),
      workQueue: e.NODE_RPC_WORK_QUEUE,
    },
    p2p: {
      bind: e.NODE_P2P_BIND,
      port: e.NODE_P2P_PORT ?? params.defaultPort,
      listen: e.NODE_P2P_LISTEN ?? e.NODE_P2P_CONNECT.length === 0,
      connect: e.NODE_P2P_CONNECT.map(withPort),
      addNode: e.NODE_P2P_ADDNODE.map(withPort),
      maxPeers: e.NODE_P2P_MAX_PEERS,
      dnsSeed: e.NODE_P2P_DNS_SEED ?? e.NETWORK !== 'regtest',
      whitelist: e.NODE_P2P_WHITELIST,
    },
  };
}
