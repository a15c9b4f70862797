import { hashFromHex, hashToHex, protocolEra, type Hash32 } from '@metamorph/bitcoin';
import { NodeError } from '../../errors.js';
import type { MempoolEntry } from '../../mempool/entry.js';
import { computeUtxoStats } from '../../utxo/utxo-stats.js';
import type { RpcContext, RpcMethod } from '../registry.js';
import { RpcError, RpcErrorCode } from '../protocol.js';
import { getBool, getInt, getStr, hashHexOrUndefined, parseHashV } from '../params.js';
import { valueFromAmount } from '../json-number.js';
import { scriptPubKeyJson } from '../tx-json.js';

/** One mempool entry as getrawmempool (verbose) and getmempoolentry show it. */
function entryJson(e: MempoolEntry, ctx: RpcContext): Record<string, unknown> {
  const deps = new Set<string>();
  for (const input of e.tx.inputs) if (ctx.mempool.has(input.prevout.txid)) deps.add(hashToHex(input.prevout.txid));
  return {
    size: e.size,
    fee: valueFromAmount(e.fee),
    modifiedfee: valueFromAmount(e.fee),
    time: e.time,
    height: e.height,
    depends: [...deps].sort(),
  };
}

function blockHashParam(v: unknown, ctx: RpcContext): Hash32 {
  const hex = hashHexOrUndefined(getStr(v));
  const entry = hex ? ctx.chain.getEntry(hashFromHex(hex)) : undefined;
  if (!entry) throw new RpcError(RpcErrorCode.InvalidAddressOrKey, 'Block not found');
  return entry.hash;
}

function chainFailure(e: unknown): never {
  if (e instanceof NodeError) throw new RpcError(RpcErrorCode.DatabaseError, e.message);
  throw e;
}

export const chainStateMethods: RpcMethod[] = [
  {
    name: 'getrawmempool',
    category: 'blockchain',
    argNames: ['verbose'],
    minParams: 0,
    maxParams: 1,
    help:
      'getrawmempool ( verbose )\n\nReturns the mempool\'s transaction ids, or with verbose=true an object of entries (size, fee, modifiedfee, time, height, depends).\n\nArguments:\n1. verbose   (boolean, optional, default=false)',
    handler: (params, ctx) => {
      const verbose = params.length > 0 && params[0] !== null ? getBool(params[0]) : false;
      if (!verbose) return ctx.mempool.txids().map(hashToHex);
      const out: Record<string, unknown> = {};
      for (const e of ctx.mempool.all()) out[hashToHex(e.txid)] = entryJson(e, ctx);
      return out;
    },
  },
  {
    name: 'getmempoolentry',
    category: 'blockchain',
    argNames: ['txid'],
    minParams: 1,
    maxParams: 1,
    help: 'getmempoolentry "txid"\n\nReturns a mempool entry (size, fee, modifiedfee, time, height, depends).\n\nArguments:\n1. "txid"   (string, required) the transaction id',
    handler: (params, ctx) => {
      const e = ctx.mempool.get(hashFromHex(parseHashV(params[0], 'parameter 1')));
      if (!e) throw new RpcError(RpcErrorCode.InvalidAddressOrKey, 'Transaction not in mempool');
      return entryJson(e, ctx);
    },
  },
  {
    name: 'getmempoolinfo',
    category: 'blockchain',
    argNames: [],
    minParams: 0,
    maxParams: 0,
    help: 'getmempoolinfo\n\nReturns the mempool\'s state: size, bytes, usage, limits and the minimum fee to enter (BSV/kB).',
    handler: (_params, ctx) => {
      const i = ctx.mempool.info();
      return {
        size: i.size,
        journalsize: i.size,
        nonfinalsize: 0,
        bytes: i.bytes,
        usage: i.bytes,
        usagedisk: 0,
        usagecpfp: 0,
        nonfinalusage: 0,
        maxmempool: i.maxBytes,
        maxmempoolsizedisk: 0,
        maxmempoolsizecpfp: Math.floor(i.maxBytes / 10),
        mempoolminfee: valueFromAmount(i.minFeePerKb),
      };
    },
  },
  {
    name: 'gettxout',
    category: 'blockchain',
    argNames: ['txid', 'n', 'include_mempool'],
    minParams: 2,
    maxParams: 3,
    help:
      'gettxout "txid" n ( include_mempool )\n\nReturns an unspent output: bestblock, confirmations (0 in the mempool), value, scriptPubKey, coinbase, confiscation; null when it is spent or unknown.\n\nArguments:\n1. "txid"             (string, required) the transaction id\n2. n                  (numeric, required) the output index\n3. include_mempool    (boolean, optional, default=true) see outputs of mempool transactions and hide those they spend',
    handler: async (params, ctx) => {
      const hex = getStr(params[0]);
      const txid = hashHexOrUndefined(hex) ? hashFromHex(hex) : (new Uint8Array(32) as Hash32);
      const n = getInt(params[1]);
      const includeMempool = params.length > 2 && params[2] !== null ? getBool(params[2]) : true;
      if (n < 0) return null;
      const tip = ctx.chain.tip();
      let coin = undefined;
      let confirmations = 0;
      if (includeMempool) {
        if (ctx.mempool.spenderOf(txid, n)) return null;
        coin = ctx.mempool.outputCoin(txid, n);
      }
      let height = tip.height + 1;
      if (!coin) {
        coin = await ctx.utxos.getCoin({ txid, vout: n });
        if (!coin) return null;
        confirmations = tip.height - coin.height + 1;
        height = coin.height;
      }
      return {
        bestblock: hashToHex(tip.hash),
        confirmations,
        value: valueFromAmount(coin.value),
        scriptPubKey: scriptPubKeyJson(coin.script, protocolEra(ctx.params, height), ctx.params),
        coinbase: coin.coinbase,
        confiscation: false,
      };
    },
  },
  {
    name: 'gettxoutsetinfo',
    category: 'blockchain',
    argNames: [],
    minParams: 0,
    maxParams: 0,
    help:
      'gettxoutsetinfo\n\nReturns statistics about the unspent output set: height, bestblock, transactions, txouts, bogosize, hash_serialized, disk_size, total_amount. Reads the whole set.',
    handler: async (_params, ctx) => {
      const s = await computeUtxoStats(ctx.db);
      return {
        height: s.height,
        bestblock: hashToHex(s.bestBlock),
        transactions: s.transactions,
        txouts: s.txouts,
        bogosize: s.bogoSize,
        hash_serialized: hashToHex(s.hashSerialized),
        disk_size: s.diskSize,
        total_amount: valueFromAmount(s.totalAmount),
      };
    },
  },
  {
    name: 'invalidateblock',
    category: 'blockchain',
    argNames: ['blockhash'],
    minParams: 1,
    maxParams: 1,
    help:
      'invalidateblock "blockhash"\n\nMarks a block as invalid: the active chain leaves it (its transactions return to the mempool) for the best chain without it.\n\nArguments:\n1. "blockhash"   (string, required) the block to invalidate',
    handler: async (params, ctx) => {
      const hash = blockHashParam(params[0], ctx);
      await ctx.chain.invalidateBlock(hash).catch(chainFailure);
      return null;
    },
  },
  {
    name: 'reconsiderblock',
    category: 'blockchain',
    argNames: ['blockhash'],
    minParams: 1,
    maxParams: 1,
    help:
      'reconsiderblock "blockhash"\n\nRemoves invalidity status of a block and its descendants (and ancestors), then moves to the best chain again.\n\nArguments:\n1. "blockhash"   (string, required) the block to reconsider',
    handler: async (params, ctx) => {
      const hash = blockHashParam(params[0], ctx);
      await ctx.chain.reconsiderBlock(hash).catch(chainFailure);
      return null;
    },
  },
];

