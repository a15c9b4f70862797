import { z } from 'zod';

// The dashboard's bundler (Turbopack) cannot resolve this library's `./x.js` imports to their
// `.ts` sources, so this module imports nothing but zod and repeats the few checks it needs.

export const DEFAULT_API_URL = 'http://127.0.0.1:4000/graphql';

function variable<T>(expected: string, parse: (raw: string) => T | undefined, fallback: T) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): T => {
      if (raw === undefined || raw.trim() === '') return fallback;
      const v = parse(raw.trim());
      if (v === undefined) {
        ctx.addIssue({ code: 'custom', message: `"${raw}" is not ${expected}` });
        return z.NEVER;
      }
      return v;
    });
}

function url(protocols: readonly string[]) {
  return (s: string) => {
    try {
      return protocols.includes(new URL(s).protocol) ? s : undefined;
    } catch {
      return undefined;
    }
  };
}

/** Environment of apps/web (the dashboard), read by its server at run time, not baked into the build. */
export const webEnv = z.object({
  WEB_HOST: variable('a host name or IP address to listen on', (s) => (/^[A-Za-z0-9.:\[\]-]{1,253}$/.test(s) ? s : undefined), '127.0.0.1'),
  WEB_PORT: variable('a TCP port (1-65535)', (s) => (/^\d{1,5}$/.test(s) && +s >= 1 && +s <= 65535 ? +s : undefined), 3000),
  /** The GraphQL endpoint the browser talks to (apps/api). */
  NEXT_PUBLIC_API_URL: variable('a URL starting with http:// or https://', url(['http:', 'https:']), DEFAULT_API_URL),
  /** Its WebSocket endpoint for subscriptions; derived from NEXT_PUBLIC_API_URL (http→ws, https→wss) when empty. */
  NEXT_PUBLIC_API_WS_URL: variable('a URL starting with ws:// or wss://', url(['ws:', 'wss:']), ''),
});

export type WebConfig = z.output<typeof webEnv>;

export class WebConfigError extends Error {
  override readonly name = 'WebConfigError';
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(issues.map((i) => `${i.variable}: ${i.message}`).join('; '));
  }
}

/** The WebSocket URL of a GraphQL HTTP URL: same host, port and path, ws(s) scheme. */
export function graphqlWsUrl(httpUrl: string): string {
  const u = new URL(httpUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.toString();
}

export function loadWebConfig(env: Record<string, string | undefined> = process.env): WebConfig {
  const result = webEnv.safeParse(env);
  if (!result.success) {
    throw new WebConfigError(result.error.issues.map((i) => ({ variable: i.path.map(String).join('.') || '(environment)', message: i.message })));
  }
  const c = result.data;
  return { ...c, NEXT_PUBLIC_API_WS_URL: c.NEXT_PUBLIC_API_WS_URL || graphqlWsUrl(c.NEXT_PUBLIC_API_URL) };
}
