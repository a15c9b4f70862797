import { decodeBlockWithRaw, difficultyFromBits, encodeBlockHeader, hashFromHex, hashToHex, protocolEra, sha256d, toHex } from '@metamorph/bitcoin';
import { txToJson } from '../tx-json.js';
import type { IndexEntry } from '../../chain/index-entry.js';
import { hasData, isInvalid, workToHex } from '../../chain/index-entry.js';
import type { RpcContext, RpcMethod } from '../registry.js';
import { RpcError, RpcErrorCode } from '../protocol.js';
import { getInt, getStr, hashHexOrUndefined, parseVerbosity } from '../params.js';
import { blockHeaderJson } from '../format.js';
import { univalueDouble } from '../json-number.js';

/** The block a hash parameter names; like the reference node, anything unknown is "Block not found". */
function blockParam(v: unknown, ctx: RpcContext): IndexEntry {
  const hex = hashHexOrUndefined(getStr(v));
  const entry = hex ? ctx.chain.getEntry(hashFromHex(hex)) : undefined;
  if (!entry) throw new RpcError(RpcErrorCode.InvalidAddressOrKey, 'Block not found');
  return entry;
}

/**
 * The reference node's progress estimate needs per-network transaction statistics we do not
 * carry; a regtest chain is always fully verified, elsewhere the tip's age stands in.
 */
function verificationProgress(ctx: RpcContext): number {
  if (ctx.params.name === 'regtest') return 1;
  const start = ctx.params.genesis.header.time;
  const span = ctx.chain.now() - start;
  return span <= 0 ? 1 : Math.min(1, (ctx.chain.tip().header.time - start) / span);
}

const GETBLOCK_VERBOSITY = ['RAW_BLOCK', 'DECODE_HEADER', 'DECODE_TRANSACTIONS', 'DECODE_HEADER_AND_COINBASE'];
const GETBLOCKHEADER_VERBOSITY = ['RAW_HEADER', 'DECODE_HEADER', 'DECODE_HEADER_EXTENDED'];

export const blockchainMethods: RpcMethod[] = [
  {
    name: 'getblockchaininfo',
    category: 'blockchain',
    argNames: [],
    minParams: 0,
    maxParams: 0,
    help:
      'getblockchaininfo\n\nReturns the state of the chain: network, block and header counts, tip, difficulty, median time, chainwork and soft-fork status.',
    handler: (_params, ctx) => {
      const tip = ctx.chain.tip();
      const p = ctx.params;
      const fork = (id: string, version: number, height: number) => ({ id, version, reject: { status: tip.height >= height } });
      return {
        chain: p.rpcName,
        blocks: tip.height,
        headers: ctx.chain.index.bestHeader().height,
        bestblockhash: hashToHex(tip.hash),
        difficulty: univalueDouble(difficultyFromBits(tip.header.bits)),
        mediantime: ctx.chain.index.medianTimePast(tip),
        verificationprogress: univalueDouble(verificationProgress(ctx)),
        chainwork: workToHex(tip.chainWork),
        pruned: false,
        softforks: [fork('bip34', 2, p.bip34Height), fork('bip66', 3, p.bip66Height), fork('bip65', 4, p.bip65Height), fork('csv', 5, p.csvHeight)],
      };
    },
  },
  {
    name: 'getbestblockhash',
    category: 'blockchain',
    argNames: [],
    minParams: 0,
    maxParams: 0,
    help: 'getbestblockhash\n\nReturns the hash of the tip of the active chain.\n\nResult:\n"hex"   (string) the block hash',
    handler: (_params, ctx) => hashToHex(ctx.chain.tip().hash),
  },
  {
    name: 'getblockcount',
    category: 'blockchain',
    argNames: [],
    minParams: 0,
    maxParams: 0,
    help: 'getblockcount\n\nReturns the height of the tip of the active chain.\n\nResult:\nn   (numeric) the block count',
    handler: (_params, ctx) => ctx.chain.tip().height,
  },
  {
    name: 'getblockhash',
    category: 'blockchain',
    argNames: ['height'],
    minParams: 1,
    maxParams: 1,
    help: 'getblockhash height\n\nReturns the hash of the active chain\'s block at a height.\n\nArguments:\n1. height   (numeric, required) the height\n\nResult:\n"hash"   (string) the block hash',
    handler: (params, ctx) => {
      const height = getInt(params[0]);
      const entry = ctx.chain.index.atHeight(height);
      if (!entry) throw new RpcError(RpcErrorCode.InvalidParameter, 'Block height out of range');
      return hashToHex(entry.hash);
    },
  },
  {
    name: 'getblockheader',
    category: 'blockchain',
    argNames: ['blockhash', 'verbosity|verbose'],
    minParams: 1,
    maxParams: 2,
    help:
      'getblockheader "hash" ( verbosity )\n\nReturns a block header: with verbosity 0 (false, RAW_HEADER) its 80 bytes in hex, with 1 (true, DECODE_HEADER, the default) an object.\n\nArguments:\n1. "hash"      (string, required) the block hash\n2. verbosity   (boolean, numeric or string, optional, default=1)',
    handler: (params, ctx) => {
      const entry = blockParam(params[0], ctx);
      const verbosity = params.length > 1 ? parseVerbosity(params[1], 2, GETBLOCKHEADER_VERBOSITY) : 1;
      if (verbosity === 0) return toHex(encodeBlockHeader(entry.header));
      if (verbosity === 2) throw new RpcError(RpcErrorCode.InvalidParameter, 'Verbosity 2 (DECODE_HEADER_EXTENDED) is not supported yet');
      return blockHeaderJson(ctx.chain.index, entry);
    },
  },
  {
    name: 'getblock',
    category: 'blockchain',
    argNames: ['blockhash', 'verbosity|verbose'],
    minParams: 1,
    maxParams: 2,
    help:
      'getblock "blockhash" ( verbosity )\n\nReturns a block: with verbosity 0 (RAW_BLOCK) its bytes in hex, with 1 (DECODE_HEADER, the default) an object with the header fields and the txids, with 2 (DECODE_TRANSACTIONS) every transaction decoded, with 3 (DECODE_HEADER_AND_COINBASE) only the coinbase decoded.\n\nArguments:\n1. "blockhash"   (string, required) the block hash\n2. verbosity     (numeric or string, optional, default=1)',
    handler: async (params, ctx) => {
      const entry = blockParam(params[0], ctx);
      const verbosity = params.length > 1 ? parseVerbosity(params[1], 3, GETBLOCK_VERBOSITY) : 1;
      const raw = hasData(entry) ? await ctx.chain.getBlock(entry.hash) : null;
      if (verbosity === 0) {
        if (!raw) throw new RpcError(RpcErrorCode.MiscError, `${hashToHex(entry.hash)} not found on disk`);
        return toHex(raw);
      }
      if (!raw) throw new RpcError(RpcErrorCode.MiscError, `Block file ${hashToHex(entry.hash)} not available.`);
      const { block, rawTxs } = decodeBlockWithRaw(raw);
      if (verbosity === 1) return { tx: rawTxs.map((t) => hashToHex(sha256d(t))), ...blockHeaderJson(ctx.chain.index, entry) };
      // 2: every transaction decoded; 3: the coinbase only.
      const era = protocolEra(ctx.params, entry.height);
      const shown = verbosity === 3 ? 1 : rawTxs.length;
      const tx = rawTxs.slice(0, shown).map((r, i) => txToJson(block.txs[i], r, sha256d(r), era, ctx.params));
      return { tx, ...blockHeaderJson(ctx.chain.index, entry) };
    },
  },
  {
    name: 'getdifficulty',
    category: 'blockchain',
    argNames: [],
    minParams: 0,
    maxParams: 0,
    help: 'getdifficulty\n\nReturns the tip\'s proof-of-work difficulty as a multiple of the minimum difficulty.\n\nResult:\nn.nnn   (numeric) the difficulty',
    handler: (_params, ctx) => univalueDouble(difficultyFromBits(ctx.chain.tip().header.bits)),
  },
  {
    name: 'getchaintips',
    category: 'blockchain',
    argNames: [],
    minParams: 0,
    maxParams: 0,
    help:
      'getchaintips\n\nReturns every tip of the block tree: the active tip and the ends of side branches, with their branch length and status (active, valid-fork, valid-headers, headers-only, invalid).',
    handler: (_params, ctx) => {
      const index = ctx.chain.index;
      const tips = index.tips().sort((a, b) => b.height - a.height || a.seq - b.seq);
      return tips.map((t) => ({
        height: t.height,
        hash: hashToHex(t.hash),
        branchlen: t.height - index.findFork(t).height,
        status: index.contains(t) ? 'active' : isInvalid(t) ? 'invalid' : !t.chainData ? 'headers-only' : t.status === 'VALID' ? 'valid-fork' : 'valid-headers',
      }));
    },
  },
];
