import { blockSubsidy, type ChainParams } from '@metamorph/bitcoin';
import type { PgClient } from '@metamorph/db';
import type { BlockIndex } from './block-index.js';
import type { IndexEntry } from './index-entry.js';
import type { ParsedBlock } from './parsed-block.js';
import { reject, type Rejection } from './validation/rejection.js';

export interface ConnectContext {
  /** The transaction the chain change commits in: UTXO writes belong in it. */
  client: PgClient;
  params: ChainParams;
  /** The header index (ancestors' median times for sequence locks). */
  index: BlockIndex;
}

/**
 * What connecting a block to the active chain means beyond the header index (ConnectBlock /
 * DisconnectBlock): spending and creating outputs, fees, scripts. The chain service calls it
 * in chain order inside the transaction that moves the tip.
 */
export interface BlockConnector {
  /** Refuse, before anything is stored, a block this connector could never connect. */
  screen(p: ParsedBlock): Rejection | null;
  connect(ctx: ConnectContext, p: ParsedBlock, entry: IndexEntry): Promise<Rejection | null>;
  disconnect(ctx: ConnectContext, p: ParsedBlock, entry: IndexEntry): Promise<void>;
  /**
   * The chain transaction that ran `connect`/`disconnect` calls committed: bring in-memory
   * state (caches, the mempool) in line with it. Runs before the tip event, still holding the
   * chain lock; it must not throw.
   */
  committed?(): Promise<void>;
  /** The chain transaction was rolled back (or was a dry run): forget what the calls staged. */
  rolledBack?(): void;
}

/**
 * A connector without a UTXO set, for tests of the chain seam: only coinbase-only blocks are
 * connectable, and the coinbase may claim at most the subsidy. The node runs UtxoConnector.
 */
export class CoinbaseOnlyConnector implements BlockConnector {
  screen(p: ParsedBlock): Rejection | null {
    if (p.block.txs.length > 1) {
      return reject(
        'bad-txns-unsupported',
        `${p.block.txs.length - 1} non-coinbase transactions: this node cannot validate spends yet (no UTXO set)`,
      );
    }
    return null;
  }

  async connect(ctx: ConnectContext, p: ParsedBlock, entry: IndexEntry): Promise<Rejection | null> {
    const screened = this.screen(p);
    if (screened) return screened;
    const fees = 0n;
    const limit = fees + blockSubsidy(entry.height, ctx.params);
    const paid = p.block.txs[0].outputs.reduce((sum, o) => sum + o.value, 0n);
    if (paid > limit) return reject('bad-cb-amount', `coinbase pays too much (actual=${paid} vs limit=${limit})`);
    return null;
  }

  async disconnect(): Promise<void> {}
}
