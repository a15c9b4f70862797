import { blockSubsidy, decodeCompact, hashToHex, type Hash32 } from '@metamorph/bitcoin';
import type { ChainService } from '../chain/chain-service.js';
import type { IndexEntry } from '../chain/index-entry.js';
import { NodeError, NodeErrorCode } from '../errors.js';

/** The block version templates ask for: BIP9 top bits, no deployments signalled. */
export const TEMPLATE_VERSION = 0x20000000;

/** The reference node's default largest generated block (sizelimit), 128 MB. */
export const DEFAULT_GENERATED_BLOCK_SIZE = 128_000_000;

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
  sizeLimit: number;
  /** Changes whenever the template would: the tip hash plus the transaction-update counter. */
  longPollId: string;
}

/**
 * Builds templates on the active tip. There is no mempool yet: templates carry no
 * transactions, and `transactionsUpdated` stays 0 until the mempool exists.
 */
export class TemplateBuilder {
  private transactionsUpdated = 0;
  private lastStats = { size: 0, txCount: 0 };

  constructor(
    private readonly chain: ChainService,
    private readonly sizeLimit = DEFAULT_GENERATED_BLOCK_SIZE,
  ) {}

  build(): BlockTemplate {
    const tip = this.chain.tip();
    const minTime = this.chain.index.medianTimePast(tip) + 1;
    const curTime = Math.max(minTime, this.chain.now());
    const bits = this.chain.nextBits(tip, curTime);
    const height = tip.height + 1;
    const fees = 0n;
    // Header, the transaction count and no transactions besides the coinbase the miner adds.
    this.lastStats = { size: 80 + 1, txCount: 0 };
    return {
      tip,
      version: TEMPLATE_VERSION,
      prevHash: tip.hash,
      height,
      bits,
      target: decodeCompact(bits).target,
      minTime,
      curTime,
      coinbaseValue: blockSubsidy(height, this.chain.params) + fees,
      transactions: [],
      sizeLimit: Math.min(this.sizeLimit, this.chain.maxBlockSize),
      longPollId: this.longPollId(tip),
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
   * Resolve once the template differs from the one `longPollId` named (a new tip), as
   * getblocktemplate's long polling; rejects with ShuttingDown when `signal` aborts.
   */
  waitForChange(longPollId: string, signal: AbortSignal): Promise<void> {
    if (longPollId !== this.longPollId()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onTip = () => {
        cleanup();
        resolve();
      };
      const onAbort = () => {
        cleanup();
        reject(new NodeError(NodeErrorCode.ShuttingDown, 'Shutting down'));
      };
      const cleanup = () => {
        this.chain.off('tip', onTip);
        signal.removeEventListener('abort', onAbort);
      };
      if (signal.aborted) return onAbort();
      this.chain.on('tip', onTip);
      signal.addEventListener('abort', onAbort);
    });
  }
}
