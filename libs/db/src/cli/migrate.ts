// Usage: node --import tsx libs/db/src/cli/migrate.ts [DATABASE_URL]
// Creates the database if missing and applies pending migrations.
import { applyMigrations } from '../migrate.js';
import { ensureDatabase, databaseName, redact } from '../database.js';
import { DbError } from '../errors.js';

const url = process.argv[2] ?? process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/metamorph';
try {
  if (await ensureDatabase(url)) console.log(`migrate: created database "${databaseName(url)}"`);
  const { applied, alreadyApplied } = await applyMigrations(url);
  console.log(`migrate: ${redact(url)}: ${applied.length} applied${applied.length ? ` (${applied.join(', ')})` : ''}, ${alreadyApplied.length} already applied`);
} catch (e) {
  console.error(`migrate: ${e instanceof DbError ? e.message : (e as Error).stack}`);
  process.exit(1);
}
