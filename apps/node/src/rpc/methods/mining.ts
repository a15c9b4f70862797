import { BitcoinError, difficultyAdjustmentInterval, difficultyFromBits, equalBytes, fromHex, hashToHex, isCoinbase, isP2SH, toHex } from '@metamorph/bitcoin';
import type { AcceptBlockResult } from '../../chain/chain-service.js';
import { isInvalid } from '../../chain/index-entry.js';
import { parseBlock, type ParsedBlock } from '../../chain/parsed-block.js';
import { hex32 } from '../../chain/validation/header.js';
import { NodeError, NodeErrorCode } from '../../errors.js';
import type { RpcContext, RpcMethod } from '../registry.js';
import { RpcError, RpcErrorCode } from '../protocol.js';
import { getInt, getObj, getStr } from '../params.js';
import { univalueDouble } from '../json-number.js';

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
        transactions: t.transactions.map((tx) => ({
          data: toHex(tx.data),
          txid: hashToHex(tx.txid),
          hash: hashToHex(tx.hash),
          depends: tx.depends,
          fee: Number(tx.fee),
        })),
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
        pooledtx: 0,
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
