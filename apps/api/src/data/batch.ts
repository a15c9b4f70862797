/**
 * Collects the keys asked for during one turn of the event loop and fetches them in one query.
 * Nothing is cached beyond that batch, so a long-lived subscription never sees stale rows.
 */
export class Batcher<K, V> {
  private pending: { keys: Map<K, { resolve: (v: V | undefined) => void; reject: (e: unknown) => void }[]> } | null = null;

  constructor(private readonly fetch: (keys: K[]) => Promise<Map<K, V>>) {}

  load(key: K): Promise<V | undefined> {
    if (!this.pending) {
      const batch = { keys: new Map() };
      this.pending = batch;
      setImmediate(() => void this.run(batch));
    }
    const waiters = this.pending.keys.get(key) ?? [];
    this.pending.keys.set(key, waiters);
    return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
  }

  private async run(batch: NonNullable<Batcher<K, V>['pending']>): Promise<void> {
    if (this.pending === batch) this.pending = null;
    try {
      const found = await this.fetch([...batch.keys.keys()]);
      for (const [key, waiters] of batch.keys) for (const w of waiters) w.resolve(found.get(key));
    } catch (e) {
      for (const waiters of batch.keys.values()) for (const w of waiters) w.reject(e);
    }
  }
}
