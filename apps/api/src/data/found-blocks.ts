import type { PrismaClient } from '@metamorph/db';
import type { FoundBlockRecord } from './records.js';

/** Our pool's found_block rows for the given hashes, keyed by the hash's hex (internal order). */
export async function foundBlocksByHash(db: PrismaClient, hashes: readonly Uint8Array[]): Promise<Map<string, FoundBlockRecord>> {
  if (hashes.length === 0) return new Map();
  const rows = await db.foundBlock.findMany({ where: { hash: { in: hashes.map((h) => new Uint8Array(h)) } } });
  return new Map(
    rows.map((r) => [
      Buffer.from(r.hash).toString('hex'),
      { hash: new Uint8Array(r.hash), height: r.height, reward: r.reward, status: r.status, submitResult: r.submitResult, foundAt: r.foundAt, workerId: r.workerId },
    ]),
  );
}
