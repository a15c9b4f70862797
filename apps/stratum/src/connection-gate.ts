import type { Logger } from '@metamorph/config';

export type Admission = 'ok' | 'banned' | 'too-many';

export interface ConnectionGateOptions {
  /** Connections one address may hold at once (0 = no limit). */
  maxPerIp: number;
  logger: Logger;
  now?: () => number;
}

/** IPv4 addresses arrive as `::ffff:1.2.3.4` on dual-stack listeners: count them as `1.2.3.4`. */
export function normalizeIp(ip: string | undefined): string {
  if (!ip) return 'unknown';
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

/**
 * Admission of new connections: at most `maxPerIp` per address, none from a banned address. Bans
 * expire; refusals are logged at most once a minute per address so a flood cannot flood the log.
 */
export class ConnectionGate {
  private readonly counts = new Map<string, number>();
  private readonly bans = new Map<string, { until: number; reason: string }>();
  private readonly lastLogged = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: ConnectionGateOptions) {
    this.now = options.now ?? Date.now;
  }

  connections(ip: string): number {
    return this.counts.get(ip) ?? 0;
  }

  /** Counts the connection when admitted. */
  admit(ip: string): Admission {
    const ban = this.bans.get(ip);
    if (ban) {
      if (ban.until > this.now()) {
        this.refused(ip, 'banned', { until: new Date(ban.until).toISOString(), reason: ban.reason });
        return 'banned';
      }
      this.bans.delete(ip);
    }
    const n = this.counts.get(ip) ?? 0;
    if (this.options.maxPerIp > 0 && n >= this.options.maxPerIp) {
      this.refused(ip, 'too-many', { limit: this.options.maxPerIp });
      return 'too-many';
    }
    this.counts.set(ip, n + 1);
    return 'ok';
  }

  release(ip: string, count = 1): void {
    const n = (this.counts.get(ip) ?? 0) - count;
    if (n > 0) this.counts.set(ip, n);
    else this.counts.delete(ip);
  }

  ban(ip: string, seconds: number, reason: string): void {
    const until = this.now() + seconds * 1000;
    const existing = this.bans.get(ip);
    if (existing && existing.until >= until) return;
    this.bans.set(ip, { until, reason });
    this.options.logger.warn('address banned', { ip, seconds, reason });
  }

  isBanned(ip: string): boolean {
    const ban = this.bans.get(ip);
    return !!ban && ban.until > this.now();
  }

  /** Forget expired bans and log throttles (called from time to time). */
  sweep(): void {
    const now = this.now();
    for (const [ip, b] of this.bans) if (b.until <= now) this.bans.delete(ip);
    for (const [ip, t] of this.lastLogged) if (now - t > 60_000) this.lastLogged.delete(ip);
  }

  private refused(ip: string, why: Admission, fields: Record<string, unknown>): void {
    const now = this.now();
    const last = this.lastLogged.get(ip);
    if (last !== undefined && now - last < 60_000) return;
    this.lastLogged.set(ip, now);
    this.options.logger.warn(why === 'banned' ? 'refused a connection from a banned address' : 'refused a connection: too many from this address', { ip, ...fields });
  }
}
