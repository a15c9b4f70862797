import { Prisma, type PrismaClient } from '@metamorph/db';
import type { WorkerRecord } from './records.js';

const TWO_POW_32 = new Prisma.Decimal(4_294_967_296);

/** Hashes per second that a difficulty sum over `windowSeconds` stands for: Σd × 2^32 / W. */
export function hashrateOf(difficultySum: Prisma.Decimal | null | undefined, windowSeconds: number): number {
  if (!difficultySum) return 0;
  return difficultySum.mul(TWO_POW_32).div(windowSeconds).toNumber();
}

const WITH_MINER = { miner: { select: { address: true } } } as const;

function toRecord(w: { id: number; name: string; lastShareAt: Date | null; miner: { address: string } }): WorkerRecord {
  return { id: w.id, name: w.name, minerAddress: w.miner.address, lastShareAt: w.lastShareAt };
}

export async function listWorkers(
  db: PrismaClient,
  opts: { online?: boolean | null; onlineSince: Date; limit: number },
): Promise<WorkerRecord[]> {
  const where: Prisma.WorkerWhereInput =
    opts.online === true
      ? { lastShareAt: { gte: opts.onlineSince } }
      : opts.online === false
        ? { OR: [{ lastShareAt: null }, { lastShareAt: { lt: opts.onlineSince } }] }
        : {};
  const rows = await db.worker.findMany({
    where,
    include: WITH_MINER,
    orderBy: [{ lastShareAt: { sort: 'desc', nulls: 'last' } }, { id: 'asc' }],
    take: opts.limit,
  });
  return rows.map(toRecord);
}

export async function workersById(db: PrismaClient, ids: readonly number[]): Promise<Map<number, WorkerRecord>> {
  if (ids.length === 0) return new Map();
  const rows = await db.worker.findMany({ where: { id: { in: [...ids] } }, include: WITH_MINER });
  return new Map(rows.map((r) => [r.id, toRecord(r)]));
}

/** Hashrate of each worker over the window ending now; workers without shares are absent (0). */
export async function workerHashrates(
  db: PrismaClient,
  ids: readonly number[],
  since: Date,
  windowSeconds: number,
): Promise<Map<number, number>> {
  if (ids.length === 0) return new Map();
  const groups = await db.share.groupBy({
    by: ['workerId'],
    where: { workerId: { in: [...ids] }, submittedAt: { gte: since } },
    _sum: { difficulty: true },
  });
  return new Map(groups.map((g) => [g.workerId, hashrateOf(g._sum.difficulty, windowSeconds)]));
}
