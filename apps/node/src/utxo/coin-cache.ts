import type { Coin } from './coin.js';

/**
 * Committed unspent outputs kept in memory in front of Postgres, least recently used out
 * first. It only ever holds what the database holds after a commit: block connections apply
 * their changes here once their transaction committed, and readers outside the chain lock
 * may only add what they read if no commit happened meanwhile (`generation`).
 */
export class CoinCache {
  private readonly map = new Map<string, Coin>();
  /** Bumped on every applied commit. */
  generation = 0;
  hits = 0;
  misses = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.map.size;
  }

  get(key: string): Coin | undefined {
    const c = this.map.get(key);
    if (c === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Most recently used last.
    this.map.delete(key);
    this.map.set(key, c);
    return c;
  }

  /** Add coins read from the database at `generation` (ignored if a commit happened since). */
  fill(entries: Iterable<[string, Coin]>, generation: number): void {
    if (generation !== this.generation || this.capacity === 0) return;
    for (const [k, c] of entries) this.map.set(k, c);
    this.trim();
  }

  /** Apply a committed change set: a coin (created) or null (spent) per key. */
  apply(changes: Map<string, Coin | null>): void {
    this.generation++;
    for (const [k, c] of changes) {
      if (c === null) this.map.delete(k);
      else if (this.capacity > 0) {
        this.map.delete(k);
        this.map.set(k, c);
      }
    }
    this.trim();
  }

  clear(): void {
    this.generation++;
    this.map.clear();
  }

  private trim(): void {
    let excess = this.map.size - this.capacity;
    if (excess <= 0) return;
    for (const k of this.map.keys()) {
      this.map.delete(k);
      if (--excess <= 0) break;
    }
  }
}
