import { withTransaction, type PgPool } from '@metamorph/db';
import type { AddressEntry, AddressStore } from './address-book.js';
import type { BanEntry, BanStore } from './ban-list.js';

/** Bans in the `p2p_ban` table. */
export class PgBanStore implements BanStore {
  constructor(private readonly pool: PgPool) {}

  async load(): Promise<BanEntry[]> {
    const { rows } = await this.pool.query<{ subnet: string; banned_until: Date; created_at: Date; reason: string }>(
      'SELECT subnet, banned_until, created_at, reason FROM p2p_ban WHERE banned_until > now()',
    );
    return rows.map((r) => ({ subnet: r.subnet, bannedUntil: r.banned_until.getTime(), createdAt: r.created_at.getTime(), reason: r.reason }));
  }

  async save(e: BanEntry): Promise<void> {
    await this.pool.query(
      `INSERT INTO p2p_ban (subnet, banned_until, reason, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (subnet) DO UPDATE SET banned_until = EXCLUDED.banned_until, reason = EXCLUDED.reason`,
      [e.subnet, new Date(e.bannedUntil), e.reason, new Date(e.createdAt)],
    );
  }

  async remove(subnet: string): Promise<void> {
    await this.pool.query('DELETE FROM p2p_ban WHERE subnet = $1', [subnet]);
  }

  async clear(): Promise<void> {
    await this.pool.query('DELETE FROM p2p_ban');
  }
}

const ms = (d: Date | null) => (d ? d.getTime() : 0);
const date = (t: number) => (t > 0 ? new Date(t) : null);

/** The address book in the `p2p_address` table, saved whole (it holds at most 20,000 rows). */
export class PgAddressStore implements AddressStore {
  constructor(private readonly pool: PgPool) {}

  async load(): Promise<AddressEntry[]> {
    const { rows } = await this.pool.query<{
      host: string;
      port: number;
      services: bigint;
      last_seen: Date;
      last_try: Date | null;
      last_success: Date | null;
      attempts: number;
      source: string;
    }>('SELECT host, port, services, last_seen, last_try, last_success, attempts, source FROM p2p_address ORDER BY last_seen DESC LIMIT 20000');
    return rows.map((r) => ({
      host: r.host,
      port: r.port,
      services: BigInt(r.services),
      lastSeen: Math.floor(r.last_seen.getTime() / 1000),
      lastTry: ms(r.last_try),
      lastSuccess: ms(r.last_success),
      attempts: r.attempts,
      source: r.source,
    }));
  }

  async save(entries: AddressEntry[]): Promise<void> {
    await withTransaction(this.pool, async (c) => {
      await c.query(
        `DELETE FROM p2p_address a WHERE NOT EXISTS (
           SELECT 1 FROM unnest($1::text[], $2::int[]) AS k(host, port) WHERE k.host = a.host AND k.port = a.port)`,
        [entries.map((e) => e.host), entries.map((e) => e.port)],
      );
      await c.query(
        `INSERT INTO p2p_address (host, port, services, last_seen, last_try, last_success, attempts, source)
         SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[], $7::int[], $8::text[])
         ON CONFLICT (host, port) DO UPDATE SET services = EXCLUDED.services, last_seen = EXCLUDED.last_seen,
           last_try = EXCLUDED.last_try, last_success = EXCLUDED.last_success, attempts = EXCLUDED.attempts`,
        [
          entries.map((e) => e.host),
          entries.map((e) => e.port),
          entries.map((e) => e.services.toString()),
          entries.map((e) => new Date(e.lastSeen * 1000)),
          entries.map((e) => date(e.lastTry)),
          entries.map((e) => date(e.lastSuccess)),
          entries.map((e) => e.attempts),
          entries.map((e) => e.source),
        ],
      );
    });
  }
}
