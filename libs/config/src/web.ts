import { z } from 'zod';
import { envPort, envString, envUrl } from './env.js';
import { loadConfig } from './load.js';

// Imports nothing beyond zod and this library's env helpers: the dashboard's bundle includes it.

export const DEFAULT_API_URL = 'http://127.0.0.1:4000/graphql';

/** Environment of apps/web (the dashboard), read by its server at run time, not baked into the build. */
export const webEnv = z.object({
  WEB_HOST: envString('127.0.0.1', { re: /^[A-Za-z0-9.:\[\]-]{1,253}$/, expected: 'a host name or IP address to listen on' }),
  WEB_PORT: envPort(3000),
  /** The GraphQL endpoint the browser talks to (apps/api). */
  NEXT_PUBLIC_API_URL: envUrl(['http:', 'https:'], DEFAULT_API_URL),
  /** Its WebSocket endpoint for subscriptions; derived from NEXT_PUBLIC_API_URL (http→ws, https→wss) when empty. */
  NEXT_PUBLIC_API_WS_URL: envString('', { re: /^wss?:\/\/[^\s/?#]+(\/\S*)?$/, expected: 'a URL starting with ws:// or wss://' }),
});

export type WebConfig = z.output<typeof webEnv>;

/** The WebSocket URL of a GraphQL HTTP URL: same host, port and path, ws(s) scheme. */
export function graphqlWsUrl(httpUrl: string): string {
  const u = new URL(httpUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.toString();
}

export function loadWebConfig(env: Record<string, string | undefined> = process.env): WebConfig {
  const c = loadConfig(webEnv, env);
  return { ...c, NEXT_PUBLIC_API_WS_URL: c.NEXT_PUBLIC_API_WS_URL || graphqlWsUrl(c.NEXT_PUBLIC_API_URL) };
}
