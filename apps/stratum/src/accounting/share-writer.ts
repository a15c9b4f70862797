import { hashFromHex } from '@metamorph/bitcoin';
import { withTransaction, type PgClient, type PgPool } from '@metamorph/db';
import type { FoundBlockJobData, ShareJobData, SharesQueueJob } from '@metamorph/queue';
import { valueDifficultyDecimal } from '../difficulty.js';

export interface BatchWriteResult {
  /** Shares new to the database (duplicates are not counted again). */
  inserted: number;
  duplicates: number;
  blocks: number;
}

const DEADLOCK = '40P01';
const SERIALIZATION = '40001';

/**
 * Writes one batch of queue jobs in one transaction: miners and workers (upsert), shares
 * (idempotent on share_key), per-worker per-minute rollups of the shares that were new, and
 * found blocks. Re-delivered jobs change nothing.
 */
export async function writeShareBatch(pool: PgPool, jobs: readonly SharesQueueJob[]): Promise<BatchWriteResult> {
  const shares = new Map<string, ShareJobData>();
  const blocks = new Map<string, FoundBlockJobData>();
  for (const j of jobs) {
    if (j.kind === 'share') shares.set(j.shareKey, j);
    else if (j.kind === 'block') {
      const seen = blocks.get(j.hash);
      // A verdict beats "submitted"; within a batch one row per block.
      if (!seen || seen.status === 'SUBMITTED') blocks.set(j.hash, j);
    }
  }
  for (let attempt = 0; ; attempt++) {
    try {
      return await withTransaction(pool, (c) => write(c, [...shares.values()], [...blocks.values()]));
    } catch (e) {
      const code = (e as { code?: string }).code;
      if ((code === DEADLOCK || code === SERIALIZATION) && attempt < 3) continue;
      throw e;
    }
  }
}

async function write(c: PgClient, shares: ShareJobData[], blocks: FoundBlockJobData[]): Promise<BatchWriteResult> {
  const pairs = new Map<string, { address: string; worker: string }>();
  for (const x of [...shares, ...blocks]) pairs.set(`${x.address}\n${x.worker}`, { address: x.address, worker: x.worker });
  const sorted = [...pairs.values()].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.worker < b.worker ? -1 : a.worker > b.worker ? 1 : 0));
  const addresses = [...new Set(sorted.map((p) => p.address))];
  if (addresses.length) {
    await c.query('INSERT INTO miner (address) SELECT a FROM unnest($1::text[]) AS a ORDER BY a ON CONFLICT (address) DO NOTHING', [addresses]);
    await c.query(
      `INSERT INTO worker (miner_id, name)
       SELECT m.id, p.name FROM unnest($1::text[], $2::text[]) AS p(address, name) JOIN miner m ON m.address = p.address
       ORDER BY m.id, p.name
       ON CONFLICT (miner_id, name) DO NOTHING`,
      [sorted.map((p) => p.address), sorted.map((p) => p.worker)],
    );
  }

  let inserted = 0;
  if (shares.length) {
    const r = await c.query<{ inserted: string }>(
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::numeric[], $6::numeric[], $7::int[], $8::bool[], $9::timestamptz[])
           AS i(share_key, address, worker, job_id, difficulty, actual_difficulty, height, is_block, submitted_at)
       ), new_shares AS (
         INSERT INTO share (share_key, worker_id, job_id, difficulty, actual_difficulty, height, is_block, submitted_at)
         SELECT i.share_key, w.id, i.job_id, i.difficulty, i.actual_difficulty, i.height, i.is_block, i.submitted_at
         FROM input i JOIN miner m ON m.address = i.address JOIN worker w ON w.miner_id = m.id AND w.name = i.worker
         ORDER BY i.share_key
         ON CONFLICT (share_key) DO NOTHING
         RETURNING worker_id, difficulty, submitted_at
       ), rollups AS (
         INSERT INTO share_rollup (worker_id, minute, shares, difficulty_sum)
         SELECT worker_id, date_trunc('minute', submitted_at, 'UTC'), count(*)::int, sum(difficulty)
         FROM new_shares GROUP BY 1, 2 ORDER BY 1, 2
         ON CONFLICT (worker_id, minute) DO UPDATE
           SET shares = share_rollup.shares + EXCLUDED.shares, difficulty_sum = share_rollup.difficulty_sum + EXCLUDED.difficulty_sum
         RETURNING 1
       ), touched AS (
         UPDATE worker w SET last_share_at = GREATEST(w.last_share_at, t.last)
         FROM (SELECT worker_id, max(submitted_at) AS last FROM new_shares GROUP BY 1) t
         WHERE w.id = t.worker_id
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM new_shares) AS inserted, (SELECT count(*) FROM rollups) AS r, (SELECT count(*) FROM touched) AS t`,
      [
        shares.map((s) => s.shareKey),
        shares.map((s) => s.address),
        shares.map((s) => s.worker),
        shares.map((s) => s.jobId),
        shares.map((s) => s.difficulty),
        // The key is the header hash (display hex): the difficulty it reached is DIFF1 / hash.
        shares.map((s) => valueDifficultyDecimal(BigInt('0x' + s.shareKey))),
        shares.map((s) => s.height),
        shares.map((s) => s.isBlock),
        shares.map((s) => new Date(s.submittedAt).toISOString()),
      ],
    );
    inserted = Number(r.rows[0].inserted);
  }

  if (blocks.length) {
    await c.query(
      `INSERT INTO found_block (hash, height, worker_id, reward, status, submit_result, found_at, updated_at)
       SELECT b.hash, b.height, w.id, b.reward, b.status::found_block_status, b.submit_result, b.found_at, now()
       FROM unnest($1::bytea[], $2::int[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::timestamptz[])
         AS b(hash, height, address, worker, reward, status, submit_result, found_at)
       LEFT JOIN miner m ON m.address = b.address
       LEFT JOIN worker w ON w.miner_id = m.id AND w.name = b.worker
       ORDER BY b.hash
       ON CONFLICT (hash) DO UPDATE
         SET status = EXCLUDED.status,
             submit_result = COALESCE(EXCLUDED.submit_result, found_block.submit_result),
             updated_at = now()
         WHERE found_block.status = 'SUBMITTED'`,
      [
        blocks.map((b) => Buffer.from(hashFromHex(b.hash, 'block.hash'))),
        blocks.map((b) => b.height),
        blocks.map((b) => b.address),
        blocks.map((b) => b.worker),
        blocks.map((b) => b.reward),
        blocks.map((b) => b.status),
        blocks.map((b) => b.submitResult),
        blocks.map((b) => new Date(b.foundAt).toISOString()),
      ],
    );
  }
  return { inserted, duplicates: shares.length - inserted, blocks: blocks.length };
}
