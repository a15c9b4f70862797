import { Redis } from 'ioredis';
import { hashToHex } from '@metamorph/bitcoin';
import type { Logger } from '@metamorph/config';
import { Channel, channelKey, redisOptions } from '@metamorph/queue';
import type { JobManager } from './job-manager.js';
import type { NodeRpc } from './node-rpc.js';
import { StratumAppError, StratumAppErrorCode } from './errors.js';
import { parseBlockTemplate } from './template.js';

export interface TemplateSourceOptions {
  rpc: NodeRpc;
  jobs: JobManager;
  pollIntervalMs: number;
  logger: Logger;
  /** Listen for the node's TemplateChanged events here (omit to poll only). */
  events?: { redisUrl: string; prefix: string };
}

/**
 * Feeds the job manager from the node's `getblocktemplate`: at once when the tip changes (the
 * node's TemplateChanged event, a block we submitted, or polling `getbestblockhash` as a
 * fallback), and when a refresh is due (new transactions reach miners then, not on every
 * transaction: a full template can take the node a second to build).
 */
export class TemplateSource {
  private timer: NodeJS.Timeout | undefined;
  /** Fires when the job manager's next refresh is due, so refreshed jobs go out on time whatever the poll interval. */
  private refreshTimer: NodeJS.Timeout | undefined;
  private subscriber: Redis | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private failing = false;
  private closed = false;

  constructor(private readonly options: TemplateSourceOptions) {}

  /**
   * Fetch the first template, then keep polling. An unreachable node or refused credentials
   * throw (a start-up error); a node that answers but cannot give a template yet (e.g. still
   * syncing) is polled until it can.
   */
  async start(): Promise<void> {
    try {
      await this.fetch();
    } catch (e) {
      const code = (e as StratumAppError).code;
      if (code === StratumAppErrorCode.RpcTransport || code === StratumAppErrorCode.RpcAuth) throw e;
      this.failing = true;
      this.options.logger.warn('the node cannot give a block template yet; polling', { error: (e as Error).message });
    }
    this.timer = setInterval(() => void this.poll(), this.options.pollIntervalMs);
    if (this.options.events) await this.subscribe(this.options.events);
  }

  /** The fallback: a cheap look at the node's tip; a template only when it moved (or none yet). */
  private async poll(): Promise<void> {
    const current = this.options.jobs.current();
    if (!current || this.failing) return void this.refresh();
    try {
      const best = await this.options.rpc.call<string>('getbestblockhash', []);
      if (best !== hashToHex(current.template.prevHash)) await this.refresh();
    } catch {
      await this.refresh();
    }
  }

  private async subscribe(ev: { redisUrl: string; prefix: string }): Promise<void> {
    const channel = channelKey(ev.prefix, Channel.TemplateChanged);
    const sub = new Redis(redisOptions(ev.redisUrl, { lazyConnect: true }));
    this.subscriber = sub;
    sub.on('error', (e) => this.options.logger.debug('event subscription error', { error: e.message }));
    sub.on('message', (ch, message) => {
      if (ch !== channel) return;
      // New transactions wait for the next refresh (the refresh timer); a new tip cannot wait.
      let reason: unknown;
      try {
        reason = (JSON.parse(message) as { reason?: unknown }).reason;
      } catch {
        reason = undefined;
      }
      if (reason !== 'new-transactions') void this.refresh();
    });
    await sub.connect();
    await sub.subscribe(channel);
  }

  private async fetch(): Promise<void> {
    const asked = performance.now();
    const raw = await this.options.rpc.call('getblocktemplate', []);
    const fetched = performance.now();
    const template = parseBlockTemplate(raw);
    // Emitting the job sends it to every connection before update returns.
    const job = this.options.jobs.update(template);
    this.scheduleRefresh();
    if (job) {
      this.options.logger[job.cleanJobs ? 'info' : 'debug']('new job', {
        id: job.id,
        height: template.height,
        txs: template.transactions.length,
        value: template.coinbaseValue,
        clean: job.cleanJobs,
        seq: job.seq,
        templateMs: Math.round(fetched - asked),
        sentMs: Math.round(performance.now() - asked),
      });
    }
  }

  private scheduleRefresh(): void {
    const at = this.options.jobs.nextRefreshAt();
    if (at === undefined || this.closed) return;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refresh(), Math.max(0, at - Date.now()) + 5);
  }

  /** Fetch a template now; calls made while one is in flight coalesce into one more fetch. */
  refresh(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.fetch();
          if (this.failing) this.options.logger.info('templates from the node again');
          this.failing = false;
        } catch (e) {
          if (!this.failing) this.options.logger.error('cannot get a block template', { error: (e as Error).message });
          this.failing = true;
        }
      } while (this.again && !this.closed);
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    if (this.subscriber) this.subscriber.disconnect();
    await this.running;
  }
}
