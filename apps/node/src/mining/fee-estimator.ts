import type { ChainService } from '../chain/chain-service.js';
import { indexStore } from '../indexes/index-store.js';
import type { Mempool } from '../mempool/mempool.js';
import { feeRate } from '../mempool/policy.js';
import type { Queryable } from '../utxo/utxo-store.js';

/** Blocks of history looked at, at least. */
const MIN_HISTORY = 6;

/**
 * Fee rate estimates (satoshis per 1,000 bytes) for confirmation within `blocks` blocks, from
 * two sources: recent blocks (the median of each block's 10th-percentile rate: what the
 * cheaper transactions that still made it paid) and the mempool backlog (if more is waiting
 * than `blocks` blocks can take, the rate at that depth, plus one). Never below the node's own
 * minimum mining fee.
 */
export class FeeEstimator {
  constructor(
    private readonly chain: ChainService,
    private readonly mempool: Mempool,
    private readonly db: Queryable,
    private readonly blockSize: number,
    private readonly minMiningFeePerKb: bigint,
  ) {}

  async estimate(blocks: number): Promise<bigint> {
    const target = Math.max(1, Math.floor(blocks));
    let estimate = this.minMiningFeePerKb;
    const recent = await indexStore.recentStats(this.db, this.chain.tip().height, Math.max(MIN_HISTORY, 2 * target));
    const withTxs = recent.filter((s) => s.txCount > 1).map((s) => s.feeRates.p10).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (withTxs.length) {
      const median = withTxs[Math.floor(withTxs.length / 2)];
      if (median > estimate) estimate = median;
    }
    const backlog = this.backlogRate(target);
    if (backlog !== null && backlog > estimate) estimate = backlog;
    return estimate;
  }

  /** The rate a transaction must beat to be within `blocks` blocks of the mempool's best payers, or null if everything fits. */
  private backlogRate(blocks: number): bigint | null {
    const capacity = blocks * this.blockSize;
    if (this.mempool.bytes <= capacity) return null;
    const rates = [...this.mempool.all()].map((e) => ({ rate: feeRate(e.fee, e.size), size: e.size }));
    rates.sort((a, b) => (a.rate > b.rate ? -1 : a.rate < b.rate ? 1 : 0));
    let used = 0;
    for (const r of rates) {
      used += r.size;
      if (used > capacity) return r.rate + 1n;
    }
    return null;
  }
}
