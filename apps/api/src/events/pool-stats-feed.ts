import type { Logger } from '@metamorph/config';
import type { PoolStatsRecord } from '../data/records.js';
import { PushIterator } from './push-iterator.js';

/**
 * Pushes pool figures to `poolStats` subscribers: at once on subscribing, then every interval.
 * The figures are computed once per tick for all subscribers, and only while there are any.
 */
export class PoolStatsFeed {
  private readonly subscribers = new Set<PushIterator<PoolStatsRecord>>();
  private timer: NodeJS.Timeout | null = null;
  private computing: Promise<PoolStatsRecord | null> | null = null;
  private stopped = false;

  constructor(
    private readonly compute: () => Promise<PoolStatsRecord>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  subscribe(): AsyncIterableIterator<PoolStatsRecord> {
    const it: PushIterator<PoolStatsRecord> = new PushIterator(() => {
      this.subscribers.delete(it);
      if (this.subscribers.size === 0) this.pause();
    }, 4);
    if (this.stopped) {
      it.close();
      return it;
    }
    this.subscribers.add(it);
    if (!this.timer) this.timer = setInterval(() => void this.tick(), this.intervalMs);
    void this.current().then((s) => s && it.push(s));
    return it;
  }

  get size(): number {
    return this.subscribers.size;
  }

  private current(): Promise<PoolStatsRecord | null> {
    // Subscribers arriving while figures are being computed share that computation.
    this.computing ??= this.compute()
      .catch((e) => {
        this.logger.warn('cannot compute pool stats', { error: (e as Error).message });
        return null;
      })
      .finally(() => {
        this.computing = null;
      });
    return this.computing;
  }

  private async tick(): Promise<void> {
    const stats = await this.current();
    if (stats) for (const it of this.subscribers) it.push(stats);
  }

  private pause(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  stop(): void {
    this.stopped = true;
    this.pause();
    for (const it of [...this.subscribers]) it.close();
  }
}
