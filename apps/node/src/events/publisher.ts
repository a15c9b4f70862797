import { Redis } from 'ioredis';
import { hashToHex } from '@metamorph/bitcoin';
import type { Logger } from '@metamorph/config';
import {
  Channel,
  channelKey,
  redisOptions,
  type BlockConnectedEvent,
  type BlockDisconnectedEvent,
  type TemplateChangedEvent,
} from '@metamorph/queue';
import type { ChainService, TipChange } from '../chain/chain-service.js';

/**
 * Publishes the chain's tip changes on Redis pub/sub for the stratum and the api:
 * BlockDisconnected for each block that left the active chain (highest first), BlockConnected
 * for each that joined it (lowest first), then one TemplateChanged. Sent as one pipeline so
 * subscribers see them in that order. A Redis outage is logged, never fatal: the stratum also polls.
 */
export class EventPublisher {
  private readonly redis: Redis;
  private readonly onTip = (change: TipChange) => void this.publishTip(change);
  private pending = new Set<Promise<void>>();

  constructor(
    redisUrl: string,
    private readonly prefix: string,
    private readonly chain: ChainService,
    private readonly log: Logger,
  ) {
    this.redis = new Redis(redisOptions(redisUrl, { maxRetriesPerRequest: 2, lazyConnect: true }));
    this.redis.on('error', (e) => this.log.debug('redis connection error', { error: e }));
  }

  async start(): Promise<void> {
    await this.redis.connect();
    this.chain.on('tip', this.onTip);
  }

  async stop(): Promise<void> {
    this.chain.off('tip', this.onTip);
    await Promise.allSettled([...this.pending]);
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private publishTip(change: TipChange): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const e of change.disconnected) {
      const payload: BlockDisconnectedEvent = { hash: hashToHex(e.hash), height: e.height };
      pipeline.publish(channelKey(this.prefix, Channel.BlockDisconnected), JSON.stringify(payload));
    }
    for (const e of change.connected) {
      const payload: BlockConnectedEvent = {
        hash: hashToHex(e.hash),
        height: e.height,
        prevHash: hashToHex(e.header.prevHash),
        time: e.header.time,
      };
      pipeline.publish(channelKey(this.prefix, Channel.BlockConnected), JSON.stringify(payload));
    }
    // The template now builds on the new tip: prevHash is that tip, height the template's.
    const template: TemplateChangedEvent = { prevHash: hashToHex(change.tip.hash), height: change.tip.height + 1, reason: 'new-tip' };
    pipeline.publish(channelKey(this.prefix, Channel.TemplateChanged), JSON.stringify(template));
    const run = pipeline
      .exec()
      .then((results) => {
        const failed = results?.find(([err]) => err);
        if (failed) this.log.warn('publishing chain events failed', { error: failed[0] as Error });
      })
      .catch((e) => this.log.warn('publishing chain events failed', { error: e as Error }))
      .finally(() => this.pending.delete(run));
    this.pending.add(run);
    return run;
  }
}
