import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { applyMigrations, DbError, DbErrorCode, recreateDatabase, withDatabase, ensureDatabase, checkPostgres } from '@metamorph/db';
import { TEST_POSTGRES_URL } from '@metamorph/testing';

const url = withDatabase(TEST_POSTGRES_URL, 'mm_test_db_migrate');
let dir: string;

async function writeMigration(name: string, sql: string) {
  await mkdir(path.join(dir, name), { recursive: true });
  await writeFile(path.join(dir, name, 'migration.sql'), sql);
}

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mm-migrations-'));
  await recreateDatabase(url);
  await writeMigration('001_a', 'CREATE TABLE a (id int); INSERT INTO a VALUES (1);');
  await writeMigration('002_b', `CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 2; END; $$ LANGUAGE plpgsql; CREATE TABLE b (id int);`);
});
after(async () => rm(dir, { recursive: true, force: true }));

test('two appliers started at once on a fresh database apply each file once', async () => {
  const results = await Promise.all([applyMigrations(url, dir), applyMigrations(url, dir), applyMigrations(url, dir)]);
  assert.deepEqual(results.flatMap((r) => r.applied).sort(), ['001_a', '002_b']);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query('SELECT count(*)::int AS n FROM a');
  assert.equal(rows[0].n, 1);
  await client.end();
});

test('a file changed after it was applied is refused', async () => {
  await writeMigration('001_a', 'CREATE TABLE a (id bigint);');
  await assert.rejects(applyMigrations(url, dir), (e) => e instanceof DbError && e.code === DbErrorCode.MigrationChanged && /001_a/.test(e.message));
  await writeMigration('001_a', 'CREATE TABLE a (id int); INSERT INTO a VALUES (1);');
});

test('a failing migration rolls back entirely and names itself', async () => {
  await writeMigration('003_bad', 'CREATE TABLE c (id int); SELECT * FROM no_such_table;');
  await assert.rejects(applyMigrations(url, dir), (e) => e instanceof DbError && e.code === DbErrorCode.MigrationFailed && /003_bad/.test(e.message));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rowCount } = await client.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'c'`);
  assert.equal(rowCount, 0);
  await client.end();
  await rm(path.join(dir, '003_bad'), { recursive: true });
});

test('ensureDatabase creates a missing database once', async () => {
  const other = withDatabase(TEST_POSTGRES_URL, 'mm_test_db_ensure');
  await recreateDatabase(other);
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  await admin.query('DROP DATABASE mm_test_db_ensure WITH (FORCE)');
  await admin.end();
  assert.equal(await ensureDatabase(other), true);
  assert.equal(await ensureDatabase(other), false);
});

test('an unreachable server gives one clear line', async () => {
  await assert.rejects(
    checkPostgres('postgresql://postgres@127.0.0.1:1/x'),
    (e) => e instanceof DbError && e.code === DbErrorCode.Unreachable && /not reachable at 127\.0\.0\.1:1/.test(e.message),
  );
  await assert.rejects(checkPostgres('mysql://x'), (e) => e instanceof DbError && e.code === DbErrorCode.InvalidUrl);
});
