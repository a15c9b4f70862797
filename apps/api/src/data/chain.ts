import type { PrismaClient } from '@metamorph/db';
import type { BlockRecord } from './records.js';

type IndexRow = { hash: Uint8Array; height: number; time: bigint; txCount: number | null; size: number | null };

function toRecord(row: IndexRow): BlockRecord {
  return { height: row.height, hash: new Uint8Array(row.hash), time: new Date(Number(row.time) * 1000), txCount: row.txCount, size: row.size };
}

const INDEX_FIELDS = { hash: true, height: true, time: true, txCount: true, size: true } as const;

/** The newest `limit` blocks of the active chain (main_chain joined to block_index), highest first. */
export async function recentBlocks(db: PrismaClient, limit: number): Promise<BlockRecord[]> {
  const chain = await db.mainChain.findMany({ orderBy: { height: 'desc' }, take: limit });
  if (chain.length === 0) return [];
  const rows = await db.blockIndex.findMany({ where: { hash: { in: chain.map((c) => c.hash) } }, select: INDEX_FIELDS });
  const byHash = new Map(rows.map((r) => [Buffer.from(r.hash).toString('hex'), r]));
  const out: BlockRecord[] = [];
  for (const c of chain) {
    const row = byHash.get(Buffer.from(c.hash).toString('hex'));
    // A main_chain row always has its header in block_index (the node writes both in one transaction).
    if (row) out.push(toRecord({ ...row, height: c.height }));
  }
  return out;
}

export async function chainTip(db: PrismaClient): Promise<BlockRecord | null> {
  const [tip] = await recentBlocks(db, 1);
  return tip ?? null;
}

/** A block known to the node's header index, on any branch. */
export async function blockByHash(db: PrismaClient, hash: Uint8Array): Promise<BlockRecord | null> {
  const row = await db.blockIndex.findUnique({ where: { hash: new Uint8Array(hash) }, select: INDEX_FIELDS });
  return row ? toRecord(row) : null;
}
