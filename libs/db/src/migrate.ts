import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import pg from 'pg';
import { DbError, DbErrorCode } from './errors.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../prisma/migrations', import.meta.url));

/** Arbitrary constant identifying our migration lock among advisory locks. */
const LOCK_KEY = 7_164_021_339;

export interface Migration {
  name: string;
  sql: string;
  sha256: string;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  let entries: string[];
  try {
    entries = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch (e) {
    throw new DbError(DbErrorCode.MigrationsMissing, `cannot read migrations folder ${dir}`, e);
  }
  entries.sort();
  const out: Migration[] = [];
  for (const name of entries) {
    const sql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
    out.push({ name, sql, sha256: createHash('sha256').update(sql).digest('hex') });
  }
  return out;
}

/**
 * Apply every migration not yet applied, each in its own transaction, under an advisory lock
 * so concurrent appliers apply each file once. A changed, already-applied file is an error.
 */
export async function applyMigrations(connectionString: string, dir = MIGRATIONS_DIR): Promise<MigrateResult> {
  const migrations = await readMigrations(dir);
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_migrations" (
      "name" TEXT PRIMARY KEY,
      "sha256" TEXT NOT NULL,
      "applied_at" TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ name: string; sha256: string }>('SELECT name, sha256 FROM "_migrations"');
    const applied = new Map(rows.map((r) => [r.name, r.sha256]));
    const result: MigrateResult = { applied: [], alreadyApplied: [] };
    for (const m of migrations) {
      const previous = applied.get(m.name);
      if (previous !== undefined) {
        if (previous !== m.sha256) {
          throw new DbError(
            DbErrorCode.MigrationChanged,
            `migration ${m.name} was changed after it was applied (sha256 ${previous} in the database, ${m.sha256} on disk); add a new migration instead`,
          );
        }
        result.alreadyApplied.push(m.name);
        continue;
      }
      try {
        await client.query('BEGIN');
        await client.query(m.sql);
        await client.query('INSERT INTO "_migrations" (name, sha256) VALUES ($1, $2)', [m.name, m.sha256]);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        throw new DbError(DbErrorCode.MigrationFailed, `migration ${m.name} failed: ${(e as Error).message}`, e);
      }
      result.applied.push(m.name);
    }
    return result;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => {});
    await client.end();
  }
}
