import type { Prisma, PrismaClient } from '@metamorph/db';
import type { ShareRecord } from './records.js';

export async function recentShares(
  db: PrismaClient,
  opts: { workerId?: number; minerAddress?: string; limit: number },
): Promise<ShareRecord[]> {
  const where: Prisma.ShareWhereInput = {};
  if (opts.workerId !== undefined) where.workerId = opts.workerId;
  if (opts.minerAddress !== undefined) where.worker = { miner: { address: opts.minerAddress } };
  const rows = await db.share.findMany({
    where,
    include: { worker: { include: { miner: { select: { address: true } } } } },
    orderBy: [{ submittedAt: 'desc' }, { id: 'desc' }],
    take: opts.limit,
  });
  return rows.map((s) => ({
    id: s.id,
    worker: { id: s.worker.id, name: s.worker.name, minerAddress: s.worker.miner.address, lastShareAt: s.worker.lastShareAt },
    difficulty: s.difficulty,
    actualDifficulty: s.actualDifficulty,
    height: s.height,
    isBlock: s.isBlock,
    submittedAt: s.submittedAt,
  }));
}
