import { Redis, type RedisOptions } from 'ioredis';

export enum QueueErrorCode {
  Unreachable = 'UNREACHABLE',
  InvalidUrl = 'INVALID_URL',
}

export class QueueError extends Error {
  override readonly name = 'QueueError';
  constructor(readonly code: QueueErrorCode, message: string, override readonly cause?: unknown) {
    super(message);
  }
}

/** Connection options (not a shared client) as BullMQ wants them. */
export function redisOptions(url: string, extra: RedisOptions = {}): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
    if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error();
  } catch {
    throw new QueueError(QueueErrorCode.InvalidUrl, `"${url}" is not a redis:// URL`);
  }
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
    ...extra,
  };
}

/** Throws a QueueError with a one-line explanation unless Redis answers PING. */
export async function checkRedis(url: string): Promise<void> {
  const opts = redisOptions(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 5000 });
  const redis = new Redis(opts);
  // The connect() rejection often carries no errno; the 'error' event does.
  let lastCode: string | undefined;
  redis.on('error', (e: NodeJS.ErrnoException) => (lastCode = e.code ?? lastCode));
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? lastCode;
    throw new QueueError(
      QueueErrorCode.Unreachable,
      `Redis is not reachable at ${opts.host}:${opts.port}${code ? ` (${code})` : ''}: start it, or point REDIS_URL at a running server`,
      e,
    );
  } finally {
    redis.disconnect();
  }
}
