import type { PrismaClient } from '@metamorph/db';
import type { PoolStatsRecord, PoolWindows } from './records.js';
import { hashrateOf } from './workers.js';

const HOUR_MS = 3_600_000;

export async function poolStats(db: PrismaClient, windows: PoolWindows, now = new Date()): Promise<PoolStatsRecord> {
  const windowStart = new Date(now.getTime() - windows.hashrateWindowSeconds * 1000);
  const onlineSince = new Date(now.getTime() - windows.workerOnlineSeconds * 1000);
  const [sum, workersOnline, sharesLastHour, blocksFound] = await Promise.all([
    db.share.aggregate({ where: { submittedAt: { gte: windowStart, lte: now } }, _sum: { difficulty: true } }),
    db.worker.count({ where: { lastShareAt: { gte: onlineSince } } }),
    db.share.count({ where: { submittedAt: { gte: new Date(now.getTime() - HOUR_MS), lte: now } } }),
    db.foundBlock.count({ where: { status: { notIn: ['REJECTED', 'ORPHANED'] } } }),
  ]);
  return {
    hashrate: hashrateOf(sum._sum.difficulty, windows.hashrateWindowSeconds),
    windowSeconds: windows.hashrateWindowSeconds,
    workersOnline,
    sharesLastHour,
    blocksFound,
    updatedAt: now,
  };
}
