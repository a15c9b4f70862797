import { ConfigError } from '@metamorph/config';

/**
 * Command-line settings in the reference node's style (`--connect=host:port`, also
 * `-connect=…`), turned into the NODE_* variables they stand for. Repeated list flags add
 * up; a flag wins over the same variable in the environment.
 */
const FLAGS: Record<string, { variable: string; list?: boolean }> = {
  connect: { variable: 'NODE_P2P_CONNECT', list: true },
  addnode: { variable: 'NODE_P2P_ADDNODE', list: true },
  whitelist: { variable: 'NODE_P2P_WHITELIST', list: true },
  port: { variable: 'NODE_P2P_PORT' },
  bind: { variable: 'NODE_P2P_BIND' },
  listen: { variable: 'NODE_P2P_LISTEN' },
  dnsseed: { variable: 'NODE_P2P_DNS_SEED' },
  maxconnections: { variable: 'NODE_P2P_MAX_PEERS' },
  rpcport: { variable: 'NODE_RPC_PORT' },
  rpcbind: { variable: 'NODE_RPC_BIND' },
  excessiveblocksize: { variable: 'NODE_MAX_BLOCK_SIZE' },
  blockmaxsize: { variable: 'NODE_BLOCK_MAX_SIZE' },
  minminingtxfee: { variable: 'NODE_MIN_MINING_TX_FEE' },
  maxstackmemoryusageconsensus: { variable: 'NODE_MAX_STACK_MEMORY_USAGE_CONSENSUS' },
  maxstackmemoryusagepolicy: { variable: 'NODE_MAX_STACK_MEMORY_USAGE_POLICY' },
  maxmempool: { variable: 'NODE_MAX_MEMPOOL' },
  mempoolexpiry: { variable: 'NODE_MEMPOOL_EXPIRY' },
  limitancestorcount: { variable: 'NODE_LIMIT_ANCESTOR_COUNT' },
  maxtxfee: { variable: 'NODE_MAX_TX_FEE' },
};

export function envFromArgs(argv: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const issues: { variable: string; message: string }[] = [];
  for (const arg of argv) {
    const m = /^--?([a-z]+)(?:=(.*))?$/.exec(arg);
    const flag = m ? FLAGS[m[1]] : undefined;
    if (!m || !flag) {
      issues.push({ variable: arg, message: `is not a known argument (known: ${Object.keys(FLAGS).map((f) => `--${f}=…`).join(', ')})` });
      continue;
    }
    const value = m[2] ?? 'true';
    out[flag.variable] = flag.list && out[flag.variable] ? `${out[flag.variable]},${value}` : value;
  }
  if (issues.length) throw new ConfigError(issues);
  return out;
}
