export enum DbErrorCode {
  Unreachable = 'UNREACHABLE',
  DatabaseMissing = 'DATABASE_MISSING',
  MigrationChanged = 'MIGRATION_CHANGED',
  MigrationFailed = 'MIGRATION_FAILED',
  MigrationsMissing = 'MIGRATIONS_MISSING',
  InvalidUrl = 'INVALID_URL',
}

export class DbError extends Error {
  override readonly name = 'DbError';
  constructor(
    readonly code: DbErrorCode,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}
