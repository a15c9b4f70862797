import type { ChainParams } from '@metamorph/bitcoin';
import type { Logger, NodeConfig } from '@metamorph/config';
import type { PgPool } from '@metamorph/db';
import type { ChainService } from '../chain/chain-service.js';
import type { Mempool } from '../mempool/mempool.js';
import type { MiningCandidates } from '../mining/candidates.js';
import type { FeeEstimator } from '../mining/fee-estimator.js';
import type { TemplateBuilder } from '../mining/template.js';
import type { PeerManager } from '../p2p/peer-manager.js';
import type { UtxoSet } from '../utxo/utxo-set.js';
import { RpcError, RpcErrorCode } from './protocol.js';
import { isObject } from './params.js';

export interface RpcContext {
  chain: ChainService;
  templates: TemplateBuilder;
  mempool: Mempool;
  utxos: UtxoSet;
  candidates: MiningCandidates;
  fees: FeeEstimator;
  /** Reads of the chain-state tables (transaction index, UTXO statistics). */
  db: PgPool;
  params: ChainParams;
  config: NodeConfig;
  /** When the node started, ms since the epoch. */
  startedAt: number;
  /** Aborts when the node shuts down (ends long polls). */
  shutdown: AbortSignal;
  /** Ask the process to stop (the `stop` method). */
  requestStop(): void;
  registry: RpcRegistry;
  /** The P2P layer (absent only in tests that start no network). */
  p2p?: PeerManager;
  log: Logger;
}

export type RpcCategory = 'blockchain' | 'control' | 'generating' | 'mining' | 'network' | 'rawtransactions' | 'util';

export interface RpcMethod {
  name: string;
  category: RpcCategory;
  /** Names for named parameters, in position order; `a|b` accepts either name. */
  argNames: string[];
  minParams: number;
  maxParams: number;
  /** First line: usage; then a description. Returned, as the reference node does, when parameters are wrong. */
  help: string;
  handler(params: unknown[], ctx: RpcContext): unknown;
}

/** The method table: lookup, named-to-positional parameters, parameter counts, help. */
export class RpcRegistry {
  private readonly methods = new Map<string, RpcMethod>();

  constructor(methods: readonly RpcMethod[]) {
    for (const m of methods) this.methods.set(m.name, m);
  }

  get(name: string): RpcMethod | undefined {
    return this.methods.get(name);
  }

  list(): RpcMethod[] {
    return [...this.methods.values()].sort((a, b) => (a.category + a.name).localeCompare(b.category + b.name));
  }

  async execute(name: string, rawParams: unknown, ctx: RpcContext): Promise<unknown> {
    const method = this.methods.get(name);
    if (!method) throw new RpcError(RpcErrorCode.MethodNotFound, 'Method not found');
    const params = isObject(rawParams) ? namedToPositional(rawParams, method.argNames) : (rawParams as unknown[]);
    if (params.length < method.minParams || params.length > method.maxParams) throw new RpcError(RpcErrorCode.MiscError, method.help);
    try {
      return await method.handler(params, ctx);
    } catch (e) {
      if (e instanceof RpcError) throw e;
      ctx.log.error('RPC method failed', { method: name, error: e as Error });
      throw new RpcError(RpcErrorCode.MiscError, (e as Error)?.message ?? String(e));
    }
  }

  /** `help` without a command: first lines grouped by category; with one: its full text. */
  help(command = ''): string {
    if (command) {
      const m = this.methods.get(command);
      return m ? m.help : `help: unknown command: ${command}`;
    }
    const out: string[] = [];
    let category = '';
    for (const m of this.list()) {
      if (m.category !== category) {
        if (category) out.push('');
        category = m.category;
        out.push(`== ${category[0].toUpperCase()}${category.slice(1)} ==`);
      }
      out.push(m.help.split('\n')[0]);
    }
    return out.join('\n');
  }
}

/**
 * Named parameters to positions (the reference node's transformNamedArguments): gaps between
 * given names become nulls, trailing ones are left out, an unknown name is an error.
 */
export function namedToPositional(named: Record<string, unknown>, argNames: readonly string[]): unknown[] {
  const left = new Map(Object.entries(named));
  const out: unknown[] = [];
  let hole = 0;
  for (const pattern of argNames) {
    const name = pattern.split('|').find((n) => left.has(n));
    if (name === undefined) {
      hole++;
      continue;
    }
    for (; hole > 0; hole--) out.push(null);
    out.push(left.get(name));
    left.delete(name);
  }
  if (left.size) throw new RpcError(RpcErrorCode.InvalidParameter, `Unknown named parameter ${left.keys().next().value}`);
  return out;
}
