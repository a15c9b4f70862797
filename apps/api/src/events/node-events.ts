import { Redis } from 'ioredis';
import type { Logger } from '@metamorph/config';
import { Channel, channelKey, redisOptions, type BlockConnectedEvent, type BlockDisconnectedEvent } from '@metamorph/queue';
import type { EventHub } from './hub.js';

const HEX64 = /^[0-9a-f]{64}$/;

function isHeight(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}

/** The payload if it has the agreed shape, else null. */
export function parseBlockConnected(raw: string): BlockConnectedEvent | null {
  try {
    const v = JSON.parse(raw) as Partial<BlockConnectedEvent>;
    if (typeof v.hash !== 'string' || !HEX64.test(v.hash) || !isHeight(v.height)) return null;
    if (typeof v.prevHash !== 'string' || !HEX64.test(v.prevHash) || !Number.isSafeInteger(v.time)) return null;
    return { hash: v.hash, height: v.height, prevHash: v.prevHash, time: v.time as number };
  } catch {
    return null;
  }
}

export function parseBlockDisconnected(raw: string): BlockDisconnectedEvent | null {
  try {
    const v = JSON.parse(raw) as Partial<BlockDisconnectedEvent>;
    if (typeof v.hash !== 'string' || !HEX64.test(v.hash) || !isHeight(v.height)) return null;
    return { hash: v.hash, height: v.height };
  } catch {
    return null;
  }
}

export interface NodeEventsSubscription {
  close(): Promise<void>;
}

/**
 * Listens to the node's chain events on Redis pub/sub (channel names from libs/queue under
 * the deployment's prefix) and hands them to the hub. Malformed payloads are logged and dropped.
 * Resolves once the subscription is active.
 */
export async function subscribeNodeEvents(redisUrl: string, prefix: string, hub: EventHub, logger: Logger): Promise<NodeEventsSubscription> {
  const connected = channelKey(prefix, Channel.BlockConnected);
  const disconnected = channelKey(prefix, Channel.BlockDisconnected);
  const redis = new Redis(redisOptions(redisUrl, { lazyConnect: true }));
  let lastError = '';
  redis.on('error', (e: Error) => {
    if (e.message !== lastError) logger.warn('redis subscriber error', { error: e.message });
    lastError = e.message;
  });
  redis.on('ready', () => {
    if (lastError) logger.info('redis subscriber reconnected');
    lastError = '';
  });
  redis.on('message', (channel: string, message: string) => {
    if (channel === connected) {
      const block = parseBlockConnected(message);
      if (block) hub.publish({ kind: 'connected', block });
      else logger.warn('ignored a malformed block-connected event', { channel, message: message.slice(0, 200) });
    } else if (channel === disconnected) {
      const block = parseBlockDisconnected(message);
      if (block) hub.publish({ kind: 'disconnected', block });
      else logger.warn('ignored a malformed block-disconnected event', { channel, message: message.slice(0, 200) });
    }
  });
  await redis.connect();
  await redis.subscribe(connected, disconnected);
  return {
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
