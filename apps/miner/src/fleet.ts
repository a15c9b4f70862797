import type { Logger } from '@metamorph/config';
import { MinerWorker, type WorkerStats } from './worker.js';

export interface FleetOptions {
  host: string;
  port: number;
  workers: number;
  /** Usernames `<address>.<prefix><n>`; addresses taken in turn. */
  addresses: readonly string[];
  workerPrefix: string;
  password: string;
  /** Share of one core spent hashing (the rest of each 100 ms period the loop sleeps). */
  cpuPercent: number;
  logger: Logger;
  /** Nonces per batch; the event loop gets a turn between batches. */
  batchSize?: number;
  /** Negotiate BIP310 version rolling and roll the granted bits. */
  versionRolling?: boolean;
  suggestDifficulty?: number;
  /** Source addresses the connections are spread over (in turn). */
  localAddresses?: readonly string[];
  /** Connections opened at once while starting (many connections start in waves). */
  connectConcurrency?: number;
}

const PERIOD_MS = 100;

/**
 * N simulated workers sharing one thread: hashing runs in short batches, round-robin, for
 * `cpuPercent` of every 100 ms, so the process stays responsive and its CPU use bounded.
 */
export class MinerFleet {
  readonly workers: MinerWorker[];
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private cursor = 0;

  constructor(private readonly options: FleetOptions) {
    this.workers = Array.from({ length: options.workers }, (_, i) => {
      const address = options.addresses[i % options.addresses.length];
      return new MinerWorker({
        host: options.host,
        port: options.port,
        username: `${address}.${options.workerPrefix}${i + 1}`,
        password: options.password,
        logger: options.logger,
        versionRolling: options.versionRolling,
        suggestDifficulty: options.suggestDifficulty,
        localAddress: options.localAddresses?.length ? options.localAddresses[i % options.localAddresses.length] : undefined,
      });
    });
  }

  /** Connect every worker (rejects if any first connection fails), then start hashing. */
  async start(): Promise<void> {
    const concurrency = this.options.connectConcurrency ?? 256;
    let next = 0;
    const lane = async () => {
      while (next < this.workers.length) await this.workers[next++].start();
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, this.workers.length) }, lane));
    this.running = true;
    this.loop();
  }

  private loop(): void {
    if (!this.running) return;
    const budget = (PERIOD_MS * this.options.cpuPercent) / 100;
    const batch = this.options.batchSize ?? 512;
    const start = performance.now();
    let idle = 0;
    while (performance.now() - start < budget && idle < this.workers.length) {
      const w = this.workers[this.cursor];
      this.cursor = (this.cursor + 1) % this.workers.length;
      idle = w.hashBatch(batch) ? 0 : idle + 1;
    }
    const spent = performance.now() - start;
    this.timer = setTimeout(() => this.loop(), Math.max(0, PERIOD_MS - spent));
  }

  totals(): WorkerStats {
    const t: WorkerStats = { hashes: 0, accepted: 0, rejected: 0, blocks: 0, rolled: 0, notifies: 0, lastCleanJobAt: 0 };
    for (const w of this.workers) {
      t.hashes += w.stats.hashes;
      t.accepted += w.stats.accepted;
      t.rejected += w.stats.rejected;
      t.blocks += w.stats.blocks;
      t.rolled += w.stats.rolled;
      t.notifies += w.stats.notifies;
      t.lastCleanJobAt = Math.max(t.lastCleanJobAt, w.stats.lastCleanJobAt);
    }
    return t;
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.workers) w.stop();
  }
}
