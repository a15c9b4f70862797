import { loadApiConfig, type ApiConfig } from '@metamorph/config';
import { clearRedisPrefix, createTestDatabase, testRedisPrefix, TEST_REDIS_URL, type TestDatabase } from '@metamorph/testing';
import { startApiServer, type RunningApi } from '../src/server.js';

/** A migrated test database and a private Redis prefix for one suite. */
export async function testEnvironment(suite: string): Promise<{ db: TestDatabase; prefix: string }> {
  const db = await createTestDatabase(suite);
  const prefix = testRedisPrefix(suite);
  await clearRedisPrefix(prefix);
  return { db, prefix };
}

/** Config as main.ts would load it, on a free port, quiet unless LOG_LEVEL says otherwise. */
export function testConfig(env: { databaseUrl: string; prefix: string }, overrides: Record<string, string> = {}): ApiConfig {
  const config = loadApiConfig({
    DATABASE_URL: env.databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: env.prefix,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
    ...overrides,
  });
  return { ...config, API_PORT: 0 };
}

export async function startTestApi(env: { databaseUrl: string; prefix: string }, overrides: Record<string, string> = {}): Promise<RunningApi> {
  return startApiServer(testConfig(env, overrides));
}
