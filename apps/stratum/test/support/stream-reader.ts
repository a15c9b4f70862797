import { Redis } from 'ioredis';
import { QueueName, streamKey, type QueuedJob, type SharesQueueJob } from '@metamorph/queue';
import { TEST_REDIS_URL } from '@metamorph/testing';

/** Every job id (share keys and found-block ids) now in a deployment's share stream. */
export async function streamShareKeys(prefix: string): Promise<Set<string>> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    const entries = await redis.xrange(streamKey(prefix, QueueName.Shares), '-', '+');
    const out = new Set<string>();
    for (const [, fields] of entries) for (const j of JSON.parse(fields[1]) as QueuedJob<SharesQueueJob>[]) out.add(j.id);
    return out;
  } finally {
    redis.disconnect();
  }
}
