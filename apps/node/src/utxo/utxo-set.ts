import type { PgPool } from '@metamorph/db';
import { CoinCache } from './coin-cache.js';
import { coinKey, type Coin, type OutPointRef } from './coin.js';
import { utxoStore, type Queryable } from './utxo-store.js';

/**
 * The committed UTXO set: Postgres with a cache in front. Reads see the state as of the last
 * committed block; the block connector applies each commit's changes (`applyCommitted`).
 */
export class UtxoSet {
  readonly cache: CoinCache;

  constructor(
    readonly pool: PgPool,
    cacheEntries: number,
  ) {
    this.cache = new CoinCache(cacheEntries);
  }

  /** The coins among `outpoints` that are unspent, by coinKey (cache first, then one query for the rest). */
  async getCoins(outpoints: readonly OutPointRef[], db: Queryable = this.pool): Promise<Map<string, Coin>> {
    const found = new Map<string, Coin>();
    const missing: OutPointRef[] = [];
    for (const o of outpoints) {
      const k = coinKey(o.txid, o.vout);
      const c = this.cache.get(k);
      if (c) found.set(k, c);
      else missing.push(o);
    }
    if (missing.length === 0) return found;
    const generation = this.cache.generation;
    const fetched = await utxoStore.fetch(db, missing);
    this.cache.fill(fetched, generation);
    for (const [k, c] of fetched) found.set(k, c);
    return found;
  }

  async getCoin(o: OutPointRef): Promise<Coin | undefined> {
    return (await this.getCoins([o])).get(coinKey(o.txid, o.vout));
  }

  applyCommitted(changes: Map<string, Coin | null>): void {
    this.cache.apply(changes);
  }
}
