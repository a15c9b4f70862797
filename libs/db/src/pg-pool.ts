import pg from 'pg';

const { Pool, types } = pg;

/**
 * Type parsers for our own pools (not global, so the Prisma adapter keeps its own):
 * int8 → bigint (satoshis, ids), numeric stays a string (exact decimals), bytea → Buffer.
 */
const parsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === types.builtins.INT8) return (v: string) => BigInt(v);
    return types.getTypeParser(oid, format as 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

export type PgPool = pg.Pool;
export type PgClient = pg.PoolClient;

export function createPgPool(connectionString: string, options: Partial<pg.PoolConfig> = {}): pg.Pool {
  const pool = new Pool({ connectionString, types: parsers, max: 10, ...options });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return pool;
}

/** Run `fn` in one transaction; rolls back on any error. */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}
