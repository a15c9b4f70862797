import { z } from 'zod';

/**
 * Builders for environment variables: each parses a string once, at start-up, into a typed
 * value, with an error message that says what was expected. Absent or empty means "use the default".
 */
type Env<T> = z.ZodType<T, string | undefined>;

function fromString<T>(expected: string, parse: (raw: string) => T | undefined, fallback?: T): Env<T> {
  return z
    .string()
    .optional()
    .transform((raw, ctx): T => {
      if (raw === undefined || raw.trim() === '') {
        if (fallback === undefined) {
          ctx.addIssue({ code: 'custom', message: `is required (${expected})` });
          return z.NEVER;
        }
        return fallback;
      }
      const v = parse(raw.trim());
      if (v === undefined) {
        ctx.addIssue({ code: 'custom', message: `"${raw}" is not ${expected}` });
        return z.NEVER;
      }
      return v;
    }) as unknown as Env<T>;
}

export function envString(fallback?: string, pattern?: { re: RegExp; expected: string }): Env<string> {
  return fromString(pattern?.expected ?? 'a string', (s) => (pattern && !pattern.re.test(s) ? undefined : s), fallback);
}

export function envInt(fallback: number | undefined, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): Env<number> {
  return fromString(`an integer from ${min} to ${max}`, (s) => {
    if (!/^-?\d+$/.test(s)) return undefined;
    const n = Number(s);
    return n >= min && n <= max ? n : undefined;
  }, fallback);
}

export function envNumber(fallback: number | undefined, min = -Infinity, max = Infinity): Env<number> {
  return fromString(`a number from ${min} to ${max}`, (s) => {
    if (!/^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s)) return undefined;
    const n = Number(s);
    return n >= min && n <= max ? n : undefined;
  }, fallback);
}

export function envPort(fallback?: number): Env<number> {
  return fromString('a TCP port (1-65535)', (s) => {
    if (!/^\d+$/.test(s)) return undefined;
    const n = Number(s);
    return n >= 1 && n <= 65535 ? n : undefined;
  }, fallback);
}

export function envBool(fallback?: boolean): Env<boolean> {
  return fromString('a boolean (true/false, 1/0, yes/no)', (s) => {
    const v = s.toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    return undefined;
  }, fallback);
}

export function envEnum<const T extends string>(values: readonly T[], fallback?: T): Env<T> {
  return fromString(`one of ${values.join(', ')}`, (s) => (values as readonly string[]).includes(s) ? (s as T) : undefined, fallback);
}

/** A URL whose scheme is one of `protocols` (e.g. ['postgresql:', 'postgres:']). */
export function envUrl(protocols: readonly string[], fallback?: string): Env<string> {
  return fromString(`a URL starting with ${protocols.map((p) => p + '//').join(' or ')}`, (s) => {
    try {
      return protocols.includes(new URL(s).protocol) ? s : undefined;
    } catch {
      return undefined;
    }
  }, fallback);
}

/**
 * An amount in coins with up to 8 decimals (`0.00000001`), as the reference node's
 * fee options take it; parsed exactly into satoshis.
 */
export function envCoins(fallback: bigint | undefined, max = 21_000_000n * 100_000_000n): Env<bigint> {
  return fromString(`an amount in BSV with at most 8 decimals, from 0 to ${max / 100_000_000n}`, (s) => {
    const sats = parseCoins(s);
    return sats !== undefined && sats <= max ? sats : undefined;
  }, fallback);
}

/** `12.345` → 1234500000n satoshis; undefined for anything but a plain non-negative decimal with at most 8 places. */
export function parseCoins(s: string): bigint | undefined {
  const m = /^(\d{1,8})(?:\.(\d{1,8}))?$/.exec(s);
  if (!m) return undefined;
  return BigInt(m[1]) * 100_000_000n + BigInt((m[2] ?? '').padEnd(8, '0'));
}

/** A comma-separated list; each item checked by `item`. */
export function envList<T>(expected: string, item: (s: string) => T | undefined, fallback: T[] = []): Env<T[]> {
  return fromString(`a comma-separated list of ${expected}`, (s) => {
    const out: T[] = [];
    for (const part of s.split(',').map((p) => p.trim()).filter(Boolean)) {
      const v = item(part);
      if (v === undefined) return undefined;
      out.push(v);
    }
    return out;
  }, fallback);
}

/** host:port, with `defaultPort` when the port is omitted. IPv6 hosts in brackets. */
export function parseHostPort(s: string, defaultPort: number): { host: string; port: number } | undefined {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(s);
  if (!m) return undefined;
  const port = m[2] ? Number(m[2]) : defaultPort;
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}
