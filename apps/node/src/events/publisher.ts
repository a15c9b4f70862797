import { Redis } from 'ioredis';
import { hashToHex } from '@metamorph/bitcoin';
import type { Logger } from '@metamorph/config';
import {
  Channel,
  channelKey,
  redisOptions,
  type BlockConnectedEvent,
  type BlockDisconnectedEvent,
  type DoubleSpendEvent,
  type TemplateChangedEvent,
} from '@metamorph/queue';
import type { ChainService, TipChange } from '../chain/chain-service.js';
import type { Mempool } from '../mempool/mempool.js';
import type { DoubleSpendRecord } from '../mempool/mempool-store.js';

export interface EventPublisherOptions {
  redisUrl: string;
  prefix: string;
  chain: ChainService;
  /** When given, new transactions also announce a new template, at most every `templateRefreshSeconds`. */
  mempool?: Mempool;
  templateRefreshSeconds?: number;
  log: Logger;
}

/**
 * Publishes the chain's tip changes on Redis pub/sub for the stratum and the api:
 * BlockDisconnected for each block that left the active chain (highest first), BlockConnected
 * for each that joined it (lowest first), then one TemplateChanged (`new-tip`). Sent as one
 * pipeline so subscribers see them in that order, as soon as the chain (and the mempool)
 * moved. Between tips, a TemplateChanged (`new-transactions`) follows mempool changes every
 * few seconds, and double-spend attempts are announced for alerts. A Redis outage is logged,
 * never fatal: the stratum also polls.
 */
export class EventPublisher {
  private readonly redis: Redis;
  private readonly onTip = (change: TipChange) => void this.publishTip(change);
  private readonly onDoubleSpend = (r: DoubleSpendRecord) => void this.publishDoubleSpend(r);
  private pending = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  /** The mempool's update counter when the last template event went out. */
  private announcedUpdates = 0;

  constructor(private readonly o: EventPublisherOptions) {
    this.redis = new Redis(redisOptions(o.redisUrl, { maxRetriesPerRequest: 2, lazyConnect: true }));
    this.redis.on('error', (e) => this.o.log.debug('redis connection error', { error: e }));
  }

  async start(): Promise<void> {
    await this.redis.connect();
    this.o.chain.on('tip', this.onTip);
    if (this.o.mempool) {
      this.announcedUpdates = this.o.mempool.transactionsUpdated;
      this.o.mempool.on('doubleSpend', this.onDoubleSpend);
      const every = (this.o.templateRefreshSeconds ?? 5) * 1000;
      this.timer = setInterval(() => this.checkMempool(), every);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    this.o.chain.off('tip', this.onTip);
    this.o.mempool?.off('doubleSpend', this.onDoubleSpend);
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.allSettled([...this.pending]);
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private checkMempool(): void {
    const mempool = this.o.mempool!;
    if (mempool.transactionsUpdated === this.announcedUpdates) return;
    this.announcedUpdates = mempool.transactionsUpdated;
    const tip = this.o.chain.tip();
    const event: TemplateChangedEvent = { prevHash: hashToHex(tip.hash), height: tip.height + 1, reason: 'new-transactions' };
    void this.send([[Channel.TemplateChanged, event]]);
  }

  private publishTip(change: TipChange): Promise<void> {
    const messages: [Channel, unknown][] = [];
    for (const e of change.disconnected) {
      const payload: BlockDisconnectedEvent = { hash: hashToHex(e.hash), height: e.height };
      messages.push([Channel.BlockDisconnected, payload]);
    }
    for (const e of change.connected) {
      const payload: BlockConnectedEvent = {
        hash: hashToHex(e.hash),
        height: e.height,
        prevHash: hashToHex(e.header.prevHash),
        time: e.header.time,
      };
      messages.push([Channel.BlockConnected, payload]);
    }
    // The template now builds on the new tip: prevHash is that tip, height the template's.
    const template: TemplateChangedEvent = { prevHash: hashToHex(change.tip.hash), height: change.tip.height + 1, reason: 'new-tip' };
    messages.push([Channel.TemplateChanged, template]);
    if (this.o.mempool) this.announcedUpdates = this.o.mempool.transactionsUpdated;
    return this.send(messages);
  }

  private publishDoubleSpend(r: DoubleSpendRecord): Promise<void> {
    const payload: DoubleSpendEvent = {
      kind: r.kind,
      txid: hashToHex(r.txid),
      conflictTxid: hashToHex(r.conflictTxid),
      prevTxid: hashToHex(r.prevTxid),
      prevVout: r.prevVout,
      ...(r.blockHash ? { blockHash: hashToHex(r.blockHash) } : {}),
    };
    return this.send([[Channel.DoubleSpend, payload]]);
  }

  private send(messages: [Channel, unknown][]): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const [channel, payload] of messages) pipeline.publish(channelKey(this.o.prefix, channel), JSON.stringify(payload));
    const run = pipeline
      .exec()
      .then((results) => {
        const failed = results?.find(([err]) => err);
        if (failed) this.o.log.warn('publishing events failed', { error: failed[0] as Error });
      })
      .catch((e) => this.o.log.warn('publishing events failed', { error: e as Error }))
      .finally(() => this.pending.delete(run));
    this.pending.add(run);
    return run;
  }
}
