import type { Prisma } from '@metamorph/db';

/** What resolvers work with: typed values from the database, formatted only by the scalars. */

export interface BlockRecord {
  height: number;
  /** Internal byte order. */
  hash: Uint8Array;
  time: Date;
  txCount: number | null;
  size: number | null;
}

export interface FoundBlockRecord {
  hash: Uint8Array;
  height: number;
  reward: bigint;
  status: 'SUBMITTED' | 'ACCEPTED' | 'REJECTED' | 'CONFIRMED' | 'ORPHANED';
  submitResult: string | null;
  foundAt: Date;
  workerId: number | null;
}

export interface WorkerRecord {
  id: number;
  name: string;
  minerAddress: string;
  lastShareAt: Date | null;
}

export interface ShareRecord {
  id: bigint;
  worker: WorkerRecord;
  difficulty: Prisma.Decimal;
  actualDifficulty: Prisma.Decimal;
  height: number;
  isBlock: boolean;
  submittedAt: Date;
}

export interface PoolStatsRecord {
  hashrate: number;
  windowSeconds: number;
  workersOnline: number;
  sharesLastHour: number;
  blocksFound: number;
  updatedAt: Date;
}

/** The figures the reads need from the configuration. */
export interface PoolWindows {
  hashrateWindowSeconds: number;
  workerOnlineSeconds: number;
}
