import { NETWORK_NAMES, type NetworkName } from '@metamorph/bitcoin';
import { envEnum, envString, envUrl } from './env.js';
import { LOG_LEVELS } from './logger.js';

export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/metamorph';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Variables every back-end app reads. */
export const sharedEnv = {
  NETWORK: envEnum<NetworkName>(NETWORK_NAMES, 'regtest'),
  DATABASE_URL: envUrl(['postgresql:', 'postgres:'], DEFAULT_DATABASE_URL),
  REDIS_URL: envUrl(['redis:', 'rediss:'], DEFAULT_REDIS_URL),
  LOG_LEVEL: envEnum(LOG_LEVELS, 'info'),
  /** Prefix of every Redis key, queue and channel of this deployment. */
  REDIS_PREFIX: envString('mm:', { re: /^[A-Za-z0-9_:.-]{1,64}$/, expected: 'a key prefix of letters, digits, _ : . - (1-64 characters)' }),
};
