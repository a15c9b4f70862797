import { createHash } from 'node:crypto';
import pg from 'pg';
import { applyMigrations, createPgPool, readMigrations, withDatabase, type PgPool } from '@metamorph/db';

export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  name: string;
  url: string;
  pool: PgPool;
  close(): Promise<void>;
}

const TEMPLATE_LOCK = 7_164_021_340;

function sanitize(suite: string): string {
  const s = suite.toLowerCase().replace(/[^a-z0-9_]+/g, '_').slice(0, 40);
  if (!s) throw new Error(`test suite name "${suite}" has no usable characters`);
  return s;
}

/** A migrated template database named after the migrations' content, built once per change. */
async function templateName(admin: pg.Client): Promise<string> {
  const migrations = await readMigrations();
  const digest = createHash('sha256').update(migrations.map((m) => `${m.name}:${m.sha256}`).join('\n')).digest('hex');
  const name = `mm_tpl_${digest.slice(0, 16)}`;
  await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      const building = `${name}_building`;
      await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(building)} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(building)}`);
      await applyMigrations(withDatabase(TEST_POSTGRES_URL, building));
      await admin.query(`ALTER DATABASE ${pg.escapeIdentifier(building)} RENAME TO ${pg.escapeIdentifier(name)}`);
    }
  } finally {
    await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
  }
  return name;
}

/**
 * A fresh, fully migrated database for one test suite: `mm_test_<suite>`, dropped and recreated
 * on every call so reruns start clean, and separate per suite so suites run in parallel.
 */
export async function createTestDatabase(suite: string): Promise<TestDatabase> {
  const name = `mm_test_${sanitize(suite)}`;
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  try {
    const template = await templateName(admin);
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    // CREATE ... TEMPLATE fails while another session is connected to the template; retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)} TEMPLATE ${pg.escapeIdentifier(template)}`);
        break;
      } catch (e) {
        if ((e as { code?: string }).code !== '55006' || attempt > 50) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    await admin.end();
  }
  const url = withDatabase(TEST_POSTGRES_URL, name);
  const pool = createPgPool(url, { max: 5 });
  return {
    name,
    url,
    pool,
    async close() {
      await pool.end();
    },
  };
}
