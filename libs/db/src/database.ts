import pg from 'pg';
import { DbError, DbErrorCode } from './errors.js';

function parseUrl(connectionString: string): URL {
  try {
    const url = new URL(connectionString);
    if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') throw new Error('protocol');
    return url;
  } catch {
    throw new DbError(DbErrorCode.InvalidUrl, `"${redact(connectionString)}" is not a postgresql:// URL`);
  }
}

export function databaseName(connectionString: string): string {
  return decodeURIComponent(parseUrl(connectionString).pathname.replace(/^\//, '')) || 'postgres';
}

/** The same server with another database name. */
export function withDatabase(connectionString: string, name: string): string {
  const url = parseUrl(connectionString);
  url.pathname = '/' + encodeURIComponent(name);
  return url.toString();
}

export function redact(connectionString: string): string {
  return connectionString.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

function explain(connectionString: string, e: unknown): DbError {
  const err = e as { code?: string; message?: string };
  const where = (() => {
    try {
      const u = parseUrl(connectionString);
      return `${u.hostname}:${u.port || 5432}`;
    } catch {
      return redact(connectionString);
    }
  })();
  if (err.code === '3D000') {
    return new DbError(DbErrorCode.DatabaseMissing, `database "${databaseName(connectionString)}" does not exist on ${where}`, e);
  }
  if (err.code === 'ECONNREFUSED' || err.code === 'ENOTFOUND' || err.code === 'ETIMEDOUT' || err.code === 'EHOSTUNREACH') {
    return new DbError(
      DbErrorCode.Unreachable,
      `PostgreSQL is not reachable at ${where} (${err.code}): start it, or point DATABASE_URL at a running server`,
      e,
    );
  }
  return new DbError(DbErrorCode.Unreachable, `PostgreSQL at ${where} refused the connection: ${err.message ?? String(e)}`, e);
}

/** Throws a DbError with a one-line explanation unless a trivial query succeeds. */
export async function checkPostgres(connectionString: string): Promise<void> {
  parseUrl(connectionString);
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (e) {
    throw explain(connectionString, e);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Create the URL's database if it does not exist yet. */
export async function ensureDatabase(connectionString: string): Promise<boolean> {
  parseUrl(connectionString);
  const name = databaseName(connectionString);
  const admin = new pg.Client({ connectionString: withDatabase(connectionString, 'postgres'), connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (e) {
    throw explain(connectionString, e);
  }
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return false;
    try {
      await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    } catch (e) {
      // Another process created it between our check and our CREATE.
      if ((e as { code?: string }).code !== '42P04') throw e;
      return false;
    }
    return true;
  } finally {
    await admin.end().catch(() => {});
  }
}

/** Drop and recreate the URL's database (tests only: every session on it is terminated). */
export async function recreateDatabase(connectionString: string): Promise<void> {
  const name = databaseName(connectionString);
  const admin = new pg.Client({ connectionString: withDatabase(connectionString, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await admin.end().catch(() => {});
  }
}
