import { z } from 'zod';
import { envInt, envList, envPort, envString } from './env.js';
import { loadConfig } from './load.js';
import { sharedEnv } from './shared.js';

/** `*`, or an origin such as `http://127.0.0.1:3000` (scheme, host, optional port; no path). */
function parseOrigin(s: string): string | undefined {
  if (s === '*') return s;
  try {
    const u = new URL(s);
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || s.replace(/\/$/, '') !== u.origin) return undefined;
    return u.origin;
  } catch {
    return undefined;
  }
}

/** Environment of apps/api (GraphQL over HTTP and WebSocket). */
export const apiEnv = z.object({
  ...sharedEnv,
  API_HOST: envString('127.0.0.1', { re: /^[A-Za-z0-9.:\[\]-]{1,253}$/, expected: 'a host name or IP address to listen on' }),
  API_PORT: envPort(4000),
  /** Origins allowed by CORS (the dashboard's); `*` allows any. */
  API_CORS_ORIGINS: envList('origins (http[s]://host[:port]) or *', parseOrigin, ['*']),
  /** Pool and worker hashrate are Σ share difficulty × 2^32 over this many seconds. */
  API_HASHRATE_WINDOW_SECONDS: envInt(600, 10, 86_400),
  /** A worker counts as online if it sent a share within this many seconds. */
  API_WORKER_ONLINE_SECONDS: envInt(600, 10, 86_400),
  /** How often the `poolStats` subscription pushes fresh figures. */
  API_STATS_INTERVAL_SECONDS: envInt(5, 1, 3_600),
  /** Largest `limit` any list field accepts. */
  API_MAX_PAGE_SIZE: envInt(100, 1, 1_000),
  /** Deepest selection nesting a query may have. */
  API_MAX_DEPTH: envInt(8, 2, 64),
  /** Highest estimated cost (fields × list sizes) a query may have. */
  API_MAX_COMPLEXITY: envInt(10_000, 10, 10_000_000),
});

export type ApiConfig = z.output<typeof apiEnv>;

export function loadApiConfig(env: Record<string, string | undefined> = process.env): ApiConfig {
  return loadConfig(apiEnv, env);
}
