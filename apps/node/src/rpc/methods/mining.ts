import { addressToScript, BitcoinError, decodeTransaction, difficultyAdjustmentInterval, difficultyFromBits, encodeBlock, equalBytes, fromHex, hashToHex, hex32, isCoinbase, isP2SH, parseAddress, toHex } from '@metamorph/bitcoin';
import { generateBlocks, generateScript } from '../../mining/generate.js';
import type { TemplateTransaction } from '../../mining/template.js';
import type { AcceptBlockResult } from '../../chain/chain-service.js';
import { isInvalid } from '../../chain/index-entry.js';
import { parseBlock, type ParsedBlock } from '../../chain/parsed-block.js';
import { NodeError, NodeErrorCode } from '../../errors.js';
import type { RpcContext, RpcMethod } from '../registry.js';
import { RpcError, RpcErrorCode } from '../protocol.js';
import { getBool, getInt, getInt64, getObj, getStr } from '../params.js';
import { univalueDouble, valueFromAmount } from '../json-number.js';

/** Hex to a block, with the reference node's -22 "Block decode failed" for anything that does not decode. */
function decodeBlockParam(v: unknown, ctx: RpcContext): ParsedBlock {
  const hex = getStr(v);
  try {
    if (hex.length === 0) throw new Error('empty string');
    return parseBlock(fromHex(hex, 'hexdata'));
  } catch (e) {
    ctx.log.info('block decode failed', { detail: e instanceof BitcoinError || e instanceof Error ? e.message : String(e) });
    throw new RpcError(RpcErrorCode.DeserializationError, 'Block decode failed');
  }
}

/** A failure of the node itself while handling a block (not the block's fault): RPC_VERIFY_ERROR. */
function asVerifyError(e: unknown): never {
  if (e instanceof NodeError) throw new RpcError(RpcErrorCode.VerifyError, e.message);
  throw e;
}

/**
 * The BIP22 answer of submitblock for what the chain made of a block, as the reference node's
 * processBlock: null once connected, "inconclusive" when it was stored but not connected (or
 * its parent is unknown), "duplicate…" for known blocks, otherwise the reject reason.
 */
export function submitBlockResult(r: AcceptBlockResult): string | null {
  switch (r.outcome) {
    case 'known-invalid':
      return 'duplicate-invalid';
    case 'already-have':
      return r.entry?.status === 'VALID' ? 'duplicate' : 'duplicate-inconclusive';
    default:
      break;
  }
  if (r.headerWasKnown) return r.outcome === 'stored' ? 'duplicate-inconclusive' : 'duplicate';
  switch (r.outcome) {
    case 'connected':
      return null;
    case 'stored':
    case 'orphan':
      return 'inconclusive';
    default:
      return r.rejection?.reason || 'rejected';
  }
}

/** Average hashes per second over the last `lookup` blocks up to `height` (GetNetworkHashPS). */
function networkHashPs(ctx: RpcContext, lookup: number, height: number): number {
  const index = ctx.chain.index;
  let pb = index.tip();
  if (height >= 0 && height < pb.height) pb = index.atHeight(height)!;
  if (pb.height === 0) return 0;
  const interval = difficultyAdjustmentInterval(ctx.params);
  let n = lookup <= 0 ? (pb.height % interval) + 1 : lookup;
  if (n > pb.height) n = pb.height;
  let pb0 = pb;
  let minTime = pb.header.time;
  let maxTime = minTime;
  for (let i = 0; i < n; i++) {
    pb0 = pb0.prev!;
    minTime = Math.min(minTime, pb0.header.time);
    maxTime = Math.max(maxTime, pb0.header.time);
  }
  if (minTime === maxTime) return 0;
  return Number(pb.chainWork - pb0.chainWork) / (maxTime - minTime);
}

async function proposal(request: Record<string, unknown>, ctx: RpcContext): Promise<string | null> {
  if (typeof request.data !== 'string') throw new RpcError(RpcErrorCode.TypeError, 'Missing data String key for proposal');
  const p = decodeBlockParam(request.data, ctx);
  const known = ctx.chain.getEntry(p.hash);
  if (known) return known.status === 'VALID' ? 'duplicate' : isInvalid(known) ? 'duplicate-invalid' : 'duplicate-inconclusive';
  if (!equalBytes(p.block.header.prevHash, ctx.chain.tip().hash)) return 'inconclusive-not-best-prevblk';
  const rejection = await ctx.chain.testBlockValidity(p).catch(asVerifyError);
  return rejection ? rejection.reason || 'rejected' : null;
}

/** The JSON of a template's transactions, kept while the selection is unchanged (it is large with a full mempool). */
const transactionsJson = new WeakMap<readonly TemplateTransaction[], unknown[]>();

function templateTransactionsJson(list: readonly TemplateTransaction[]): unknown[] {
  let json = transactionsJson.get(list);
  if (!json) {
    json = list.map((tx) => {
      const id = hashToHex(tx.txid);
      return { data: toHex(tx.data), txid: id, hash: id, depends: tx.depends, fee: Number(tx.fee) };
    });
    transactionsJson.set(list, json);
  }
  return json;
}

export const miningMethods: RpcMethod[] = [
  {
    name: 'getblocktemplate',
    category: 'mining',
    argNames: ['template_request'],
    minParams: 0,
    maxParams: 1,
    help:
      'getblocktemplate ( TemplateRequest )\n\nReturns what a miner needs to build the next block (BIP22/23): version, previous block, transactions, coinbase value, target, time bounds, bits and height.\n\nArguments:\n1. template_request   (json object, optional) {"mode": "template" (default) or "proposal", "data": block hex for proposals, "longpollid": answer only once the template changes}',
    handler: async (params, ctx) => {
      let mode = 'template';
      let longPollId: unknown;
      if (params.length > 0) {
        const request = getObj(params[0]);
        if (typeof request.mode === 'string') mode = request.mode;
        else if (request.mode !== undefined && request.mode !== null) throw new RpcError(RpcErrorCode.InvalidParameter, 'Invalid mode');
        longPollId = request.longpollid;
        if (mode === 'proposal') return proposal(request, ctx);
      }
      if (mode !== 'template') throw new RpcError(RpcErrorCode.InvalidParameter, 'Invalid mode');
      if (longPollId !== undefined && longPollId !== null) {
        const watched = typeof longPollId === 'string' ? longPollId : ctx.templates.longPollId();
        await ctx.templates.waitForChange(watched, ctx.shutdown).catch((e) => {
          if (e instanceof NodeError && e.code === NodeErrorCode.ShuttingDown) throw new RpcError(RpcErrorCode.ClientNotConnected, 'Shutting down');
          throw e;
        });
      }
      const t = ctx.templates.build();
      return {
        capabilities: ['proposal'],
        version: t.version,
        previousblockhash: hashToHex(t.prevHash),
        transactions: templateTransactionsJson(t.transactions),
        coinbaseaux: { flags: '' },
        coinbasevalue: Number(t.coinbaseValue),
        longpollid: t.longPollId,
        target: t.target.toString(16).padStart(64, '0'),
        mintime: t.minTime,
        mutable: ['time', 'transactions', 'prevblock'],
        noncerange: '00000000ffffffff',
        sizelimit: t.sizeLimit,
        curtime: t.curTime,
        bits: hex32(t.bits),
        height: t.height,
      };
    },
  },
  {
    name: 'submitblock',
    category: 'mining',
    argNames: ['hexdata', 'parameters'],
    minParams: 1,
    maxParams: 2,
    help:
      'submitblock "hexdata" ( "parameters" )\n\nValidates a block and adds it to the chain. Returns null when it became part of the active chain, otherwise why not (BIP22): "duplicate", "inconclusive", or the reject reason.\n\nArguments:\n1. "hexdata"      (string, required) the block in hex\n2. "parameters"   (object, optional) ignored',
    handler: async (params, ctx) => {
      const p = decodeBlockParam(params[0], ctx);
      if (p.block.txs.length === 0 || !isCoinbase(p.block.txs[0])) {
        throw new RpcError(RpcErrorCode.DeserializationError, 'Block does not start with a coinbase');
      }
      if (p.block.txs[0].outputs.some((o) => isP2SH(o.script))) throw new RpcError(RpcErrorCode.VerifyRejected, 'bad-txns-vout-p2sh');
      const result = await ctx.chain.acceptBlock(p, 'rpc').catch(asVerifyError);
      return submitBlockResult(result);
    },
  },
  {
    name: 'getmininginfo',
    category: 'mining',
    argNames: [],
    minParams: 0,
    maxParams: 0,
    help: 'getmininginfo\n\nReturns mining-related information: height, last template size and transactions, difficulty, network hash rate, mempool size, chain.',
    handler: (_params, ctx) => {
      const tip = ctx.chain.tip();
      const stats = ctx.templates.lastBlockStats();
      return {
        blocks: tip.height,
        currentblocksize: stats.size,
        currentblocktx: stats.txCount,
        difficulty: univalueDouble(difficultyFromBits(tip.header.bits)),
        errors: '',
        networkhashps: univalueDouble(networkHashPs(ctx, 120, -1)),
        pooledtx: ctx.mempool.size,
        chain: ctx.params.rpcName,
      };
    },
  },
  {
    name: 'getnetworkhashps',
    category: 'mining',
    argNames: ['nblocks', 'height'],
    minParams: 0,
    maxParams: 2,
    help:
      'getnetworkhashps ( nblocks height )\n\nEstimates the network\'s hashes per second from the work and time of the last blocks.\n\nArguments:\n1. nblocks   (numeric, optional, default=120) blocks to look back, or -1 for since the last difficulty change\n2. height    (numeric, optional, default=-1) estimate as of this height',
    handler: (params, ctx) =>
      univalueDouble(networkHashPs(ctx, params.length > 0 ? getInt(params[0]) : 120, params.length > 1 ? getInt(params[1]) : -1)),
  },
];

/** generatetoaddress / generate: regtest only, since the nonce search runs on the node's own thread. */
async function generate(ctx: RpcContext, count: number, script: Uint8Array, maxTries: number): Promise<string[]> {
  if (ctx.params.name !== 'regtest') throw new RpcError(RpcErrorCode.MiscError, 'block generation is only available on regtest');
  const r = await generateBlocks(ctx.chain, ctx.templates, count, script, maxTries).catch(asVerifyError);
  if ('failed' in r) throw new RpcError(RpcErrorCode.InternalError, `ProcessNewBlock, block not accepted: ${r.failed}`);
  return r.hashes.map(hashToHex);
}

export const generatingMethods: RpcMethod[] = [
  {
    name: 'generatetoaddress',
    category: 'generating',
    argNames: ['nblocks', 'address', 'maxtries'],
    minParams: 2,
    maxParams: 3,
    help:
      'generatetoaddress nblocks "address" ( maxtries )\n\nMines blocks at once on the node\'s own templates (regtest), paying the coinbase to an address. Returns their hashes.\n\nArguments:\n1. nblocks    (numeric, required) how many blocks\n2. "address"  (string, required) where the coinbases pay\n3. maxtries   (numeric, optional, default=1000000) nonces to try in total',
    handler: async (params, ctx) => {
      const count = getInt(params[0]);
      const maxTries = params.length > 2 && params[2] !== null ? getInt(params[2]) : 1_000_000;
      let script: Uint8Array;
      try {
        script = addressToScript(parseAddress(getStr(params[1]), ctx.params));
      } catch {
        throw new RpcError(RpcErrorCode.InvalidAddressOrKey, 'Error: Invalid address');
      }
      return generate(ctx, count, script, maxTries);
    },
  },
  {
    name: 'generate',
    category: 'generating',
    argNames: ['nblocks', 'maxtries'],
    minParams: 1,
    maxParams: 2,
    help:
      'generate nblocks ( maxtries )\n\nMines blocks at once (regtest). There is no wallet: the coinbases pay the documented regtest key of apps/node/README.md. Returns their hashes.\n\nArguments:\n1. nblocks    (numeric, required) how many blocks\n2. maxtries   (numeric, optional, default=1000000) nonces to try in total',
    handler: async (params, ctx) => {
      const count = getInt(params[0]);
      const maxTries = params.length > 1 && params[1] !== null ? getInt(params[1]) : 1_000_000;
      return generate(ctx, count, generateScript(ctx.params.name), maxTries);
    },
  },
];

export const feeMethods: RpcMethod[] = [
  {
    name: 'estimatefee',
    category: 'util',
    argNames: ['nblocks'],
    minParams: 1,
    maxParams: 1,
    help:
      'estimatefee nblocks\n\nEstimates the fee rate (BSV per 1,000 bytes) for a transaction to be mined within nblocks blocks, from recent blocks and the mempool backlog; never below the node\'s minimum mining fee.\n\nArguments:\n1. nblocks   (numeric, required)',
    handler: async (params, ctx) => {
      const n = getInt(params[0]);
      return valueFromAmount(await ctx.fees.estimate(n < 1 ? 1 : n));
    },
  },
];

export const candidateMethods: RpcMethod[] = [
  {
    name: 'getminingcandidate',
    category: 'mining',
    argNames: ['coinbase'],
    minParams: 0,
    maxParams: 1,
    help:
      'getminingcandidate ( coinbase )\n\nReturns a mining candidate: id, prevhash, coinbase (when asked), coinbaseValue (satoshis), version, nBits, time, height, num_tx (coinbase included), sizeWithoutCoinbase, merkleProof (the coinbase\'s branch).\n\nArguments:\n1. coinbase   (boolean, optional, default=false) include the node\'s coinbase (paying OP_TRUE: there is no wallet)',
    handler: (params, ctx) => {
      const withCoinbase = params.length > 0 && params[0] !== null ? getBool(params[0]) : false;
      const c = ctx.candidates.create(ctx.chain.now());
      const out: Record<string, unknown> = { id: String(c.id), prevhash: hashToHex(c.template.prevHash) };
      if (withCoinbase) out.coinbase = toHex(ctx.candidates.coinbaseBytes(c));
      out.coinbaseValue = Number(c.template.coinbaseValue);
      out.version = c.template.version;
      out.nBits = hex32(c.template.bits);
      out.time = c.time;
      out.height = c.template.height;
      out.num_tx = c.txs.length + 1;
      out.sizeWithoutCoinbase = ctx.candidates.sizeWithoutCoinbase(c);
      out.merkleProof = ctx.candidates.merkleProof(c).map(hashToHex);
      return out;
    },
  },
  {
    name: 'submitminingsolution',
    category: 'mining',
    argNames: ['solution'],
    minParams: 1,
    maxParams: 1,
    help:
      'submitminingsolution {"id": "n", "nonce": n, "coinbase": "hex", "time": n, "version": n}\n\nSubmits a solved mining candidate. Returns true when the block was accepted, otherwise the reason as submitblock does ("unknown-id" for an unknown candidate).',
    handler: async (params, ctx) => {
      const o = getObj(params[0]);
      const id = Number(getStr(o.id));
      const c = Number.isSafeInteger(id) ? ctx.candidates.get(id) : undefined;
      if (!c) return 'unknown-id';
      if (o.nonce === undefined || o.nonce === null) throw new RpcError(RpcErrorCode.DeserializationError, 'nonce not found');
      const nonce = getInt64(o.nonce);
      const time = o.time === undefined || o.time === null ? undefined : getInt64(o.time) >>> 0;
      const version = o.version === undefined || o.version === null ? undefined : getInt(o.version);
      let coinbase;
      if (o.coinbase !== undefined && o.coinbase !== null) {
        try {
          coinbase = decodeTransaction(fromHex(getStr(o.coinbase), 'coinbase'));
        } catch (e) {
          if (e instanceof RpcError) throw e;
          throw new RpcError(RpcErrorCode.DeserializationError, 'coinbase decode failed');
        }
      }
      const block = ctx.candidates.solve(c, { nonce, time, version, coinbase });
      const p = parseBlock(encodeBlock(block).slice());
      if (!isCoinbase(p.block.txs[0])) throw new RpcError(RpcErrorCode.DeserializationError, 'Block does not start with a coinbase');
      const result = await ctx.chain.acceptBlock(p, 'rpc').catch(asVerifyError);
      const answer = submitBlockResult(result);
      return answer === null ? true : answer;
    },
  },
];
