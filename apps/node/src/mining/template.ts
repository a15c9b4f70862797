import {
  blockSubsidy,
  coinbaseMerkleBranch,
  coinbaseScriptSig,
  decodeCompact,
  hashToHex,
  isGenesisActive,
  protocolEra,
  type Hash32,
  type Transaction,
} from '@metamorph/bitcoin';
import type { ChainService } from '../chain/chain-service.js';
import type { IndexEntry } from '../chain/index-entry.js';
import { NodeError, NodeErrorCode } from '../errors.js';
import type { MempoolEntry } from '../mempool/entry.js';
import type { Mempool } from '../mempool/mempool.js';
import { selectPackages } from './selection.js';

/** The block version templates ask for: BIP9 top bits, no deployments signalled. */
export const TEMPLATE_VERSION = 0x20000000;

/** The reference node's default largest generated block (sizelimit), 128 MB. */
export const DEFAULT_GENERATED_BLOCK_SIZE = 128_000_000;

/** Bytes kept free for the header, the transaction count and the coinbase (the reference node reserves 1,000). */
export const COINBASE_RESERVED_BYTES = 1000;
/** Sigops kept free for the coinbase before Genesis. */
export const COINBASE_RESERVED_SIGOPS = 100;
/** Smallest header, count and coinbase a block of ours can have (sigop limits are judged at this size). */
const MIN_BLOCK_OVERHEAD = 80 + 1 + 60;

export interface TemplateTransaction {
  data: Uint8Array;
  txid: Hash32;
  hash: Hash32;
  /** 1-based positions of earlier template transactions this one spends. */
  depends: number[];
  fee: bigint;
}

/** What a miner needs to build the next block (the data behind getblocktemplate). */
export interface BlockTemplate {
  tip: IndexEntry;
  version: number;
  prevHash: Hash32;
  height: number;
  bits: number;
  target: bigint;
  /** Earliest acceptable header time: the tip's median time past + 1. */
  minTime: number;
  /** Header time to use: now, or minTime if the chain is ahead of the clock. */
  curTime: number;
  /** Subsidy plus fees, satoshis. */
  coinbaseValue: bigint;
  transactions: TemplateTransaction[];
  /** The chosen mempool entries, in block order. */
  entries: MempoolEntry[];
  /** Bytes of the transactions besides the coinbase. */
  txBytes: number;
  sizeLimit: number;
  /** Changes whenever the template would: the tip hash plus the transaction-update counter. */
  longPollId: string;
  /** The coinbase's merkle branch (computed once per transaction selection). */
  coinbaseBranch(): Hash32[];
}

export interface TemplateOptions {
  /** Largest block to build (`-blockmaxsize`). */
  sizeLimit?: number;
  /** Leave out packages paying less than this per 1,000 bytes (`-minminingtxfee`). */
  minFeePerKb?: bigint;
}

interface Built {
  tip: IndexEntry;
  updated: number;
  entries: MempoolEntry[];
  transactions: TemplateTransaction[];
  fees: bigint;
  txBytes: number;
  branch?: Hash32[];
}

/**
 * Builds block templates on the active tip from the mempool (ancestor-package fee rate,
 * every block limit respected). The transaction selection is cached until the tip or the
 * mempool changes; times and bits are refreshed on every call.
 */
export class TemplateBuilder {
  private cache: Built | null = null;
  private lastStats = { size: 0, txCount: 0 };
  private readonly sizeLimit: number;
  private readonly minFeePerKb: bigint;

  constructor(
    private readonly chain: ChainService,
    private readonly mempool: Mempool | null = null,
    opts: TemplateOptions = {},
  ) {
    this.sizeLimit = Math.min(opts.sizeLimit ?? DEFAULT_GENERATED_BLOCK_SIZE, chain.maxBlockSize);
    this.minFeePerKb = opts.minFeePerKb ?? 0n;
  }

  get transactionsUpdated(): number {
    return this.mempool?.transactionsUpdated ?? 0;
  }

  build(): BlockTemplate {
    const tip = this.chain.tip();
    const minTime = this.chain.index.medianTimePast(tip) + 1;
    const curTime = Math.max(minTime, this.chain.now());
    const bits = this.chain.nextBits(tip, curTime);
    const height = tip.height + 1;
    const built = this.select(tip);
    this.lastStats = { size: 80 + 1 + built.txBytes, txCount: built.entries.length };
    return {
      tip,
      version: TEMPLATE_VERSION,
      prevHash: tip.hash,
      height,
      bits,
      target: decodeCompact(bits).target,
      minTime,
      curTime,
      coinbaseValue: blockSubsidy(height, this.chain.params) + built.fees,
      transactions: built.transactions,
      entries: built.entries,
      txBytes: built.txBytes,
      sizeLimit: this.sizeLimit,
      longPollId: this.longPollId(tip),
      coinbaseBranch: () => (built.branch ??= coinbaseMerkleBranch(built.entries.map((e) => e.txid))),
    };
  }

  /** A coinbase for a template: height push and `extra` in the scriptSig, everything paid to `script`. */
  coinbase(t: BlockTemplate, script: Uint8Array, extra: Uint8Array = new Uint8Array(8)): Transaction {
    return {
      version: 1,
      inputs: [{ prevout: { txid: new Uint8Array(32) as Hash32, vout: 0xffffffff }, script: coinbaseScriptSig(t.height, extra), sequence: 0xffffffff }],
      outputs: [{ value: t.coinbaseValue, script }],
      lockTime: 0,
    };
  }

  /** Size and transaction count of the last template built (getmininginfo). */
  lastBlockStats(): { size: number; txCount: number } {
    return this.lastStats;
  }

  longPollId(tip: IndexEntry = this.chain.tip()): string {
    return `${hashToHex(tip.hash)}${this.transactionsUpdated}`;
  }

  /**
   * Resolve once the template differs from the one `longPollId` named, as getblocktemplate's
   * long polling: at once on a new tip; after a minute (then every 10 seconds) if the mempool
   * changed. Rejects with ShuttingDown when `signal` aborts.
   */
  waitForChange(longPollId: string, signal: AbortSignal): Promise<void> {
    const tipHex = longPollId.slice(0, 64);
    const updatedThen = Number(longPollId.slice(64));
    if (tipHex !== hashToHex(this.chain.tip().hash)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout;
      const check = () => {
        if (this.transactionsUpdated !== updatedThen) return done();
        timer = setTimeout(check, 10_000);
      };
      const done = () => {
        cleanup();
        resolve();
      };
      const onAbort = () => {
        cleanup();
        reject(new NodeError(NodeErrorCode.ShuttingDown, 'Shutting down'));
      };
      const cleanup = () => {
        clearTimeout(timer);
        this.chain.off('tip', done);
        signal.removeEventListener('abort', onAbort);
      };
      if (signal.aborted) return onAbort();
      timer = setTimeout(check, 60_000);
      this.chain.on('tip', done);
      signal.addEventListener('abort', onAbort);
    });
  }

  private select(tip: IndexEntry): Built {
    const updated = this.transactionsUpdated;
    if (this.cache && this.cache.tip === tip && this.cache.updated === updated) return this.cache;
    let built: Built = { tip, updated, entries: [], transactions: [], fees: 0n, txBytes: 0 };
    if (this.mempool && this.mempool.size > 0) {
      const height = tip.height + 1;
      const selection = selectPackages(this.mempool.all(), {
        maxTxBytes: this.sizeLimit - COINBASE_RESERVED_BYTES,
        minOverheadBytes: MIN_BLOCK_OVERHEAD,
        limitSigOps: !isGenesisActive(protocolEra(this.chain.params, height)),
        reservedSigOps: COINBASE_RESERVED_SIGOPS,
        minFeePerKb: this.minFeePerKb,
      });
      const position = new Map<MempoolEntry, number>();
      const transactions = selection.entries.map((e, i) => {
        position.set(e, i + 1);
        const depends = [...e.parents].map((p) => position.get(p)!).sort((a, b) => a - b);
        return { data: e.raw, txid: e.txid, hash: e.txid, depends, fee: e.fee };
      });
      built = { tip, updated, entries: selection.entries, transactions, fees: selection.fees, txBytes: selection.bytes };
    }
    this.cache = built;
    return built;
  }
}
