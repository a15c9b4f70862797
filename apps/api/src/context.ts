import type { NetworkName } from '@metamorph/bitcoin';
import type { Logger } from '@metamorph/config';
import type { PrismaClient } from '@metamorph/db';
import { Batcher } from './data/batch.js';
import { foundBlocksByHash } from './data/found-blocks.js';
import type { FoundBlockRecord, PoolWindows, WorkerRecord } from './data/records.js';
import { workerHashrates, workersById } from './data/workers.js';
import type { EventHub } from './events/hub.js';
import type { PoolStatsFeed } from './events/pool-stats-feed.js';

export interface ApiSettings extends PoolWindows {
  network: NetworkName;
  maxPageSize: number;
  maxDepth: number;
  maxComplexity: number;
}

/** Long-lived parts shared by every request of one server. */
export interface ApiServices {
  db: PrismaClient;
  settings: ApiSettings;
  hub: EventHub;
  stats: PoolStatsFeed;
  logger: Logger;
}

export interface Loaders {
  /** Keyed by the hash's hex in internal byte order. */
  foundBlock: Batcher<string, FoundBlockRecord>;
  worker: Batcher<number, WorkerRecord>;
  workerHashrate: Batcher<number, number>;
}

/** Per operation (one HTTP request, or one subscription over WebSocket). */
export interface ApiContext {
  services: ApiServices;
  loaders: Loaders;
}

export function createContext(services: ApiServices): ApiContext {
  const { db, settings } = services;
  return {
    services,
    loaders: {
      foundBlock: new Batcher((keys) => foundBlocksByHash(db, keys.map((k) => Buffer.from(k, 'hex')))),
      worker: new Batcher((ids) => workersById(db, ids)),
      workerHashrate: new Batcher((ids) =>
        workerHashrates(db, ids, new Date(Date.now() - settings.hashrateWindowSeconds * 1000), settings.hashrateWindowSeconds),
      ),
    },
  };
}
