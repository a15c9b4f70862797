import { blockHash, encodeBlockHeader, hashToHex, ZERO_HASH, type Hash32 } from '@metamorph/bitcoin';
import type { PgPool } from '@metamorph/db';

/** Rows as the node and the accounting worker write them, for API and dashboard tests. */

export interface SeededBlock {
  height: number;
  hash: Hash32;
  hex: string;
  time: number;
}

const REGTEST_BITS = 0x207fffff;

/** Append `count` blocks to the active chain (block_index + main_chain), on top of its current tip. */
export async function appendBlocks(pool: PgPool, count: number, opts: { time?: number; txCount?: number } = {}): Promise<SeededBlock[]> {
  const { rows } = await pool.query<{ height: number; hash: Buffer; time: bigint }>(
    'SELECT m.height, m.hash, b.time FROM main_chain m JOIN block_index b ON b.hash = m.hash ORDER BY m.height DESC LIMIT 1',
  );
  let prevHash = rows[0] ? (new Uint8Array(rows[0].hash) as Hash32) : ZERO_HASH;
  let height = rows[0] ? rows[0].height + 1 : 0;
  let time = opts.time ?? (rows[0] ? Number(rows[0].time) + 600 : 1_700_000_000);
  const out: SeededBlock[] = [];
  for (let i = 0; i < count; i++, height++, time += 600) {
    const header = { version: 0x20000000, prevHash, merkleRoot: blockHash({ version: 1, prevHash: ZERO_HASH, merkleRoot: ZERO_HASH, time: height, bits: 0, nonce: 0 }), time, bits: REGTEST_BITS, nonce: height };
    const hash = blockHash(header);
    const work = Buffer.alloc(32);
    work.writeUInt32BE(height + 1, 28);
    await pool.query(
      `INSERT INTO block_index (hash, height, prev_hash, version, merkle_root, time, bits, nonce, chain_work, header, status, tx_count, size)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'VALID', $11, $12)`,
      [hash, height, prevHash, header.version, header.merkleRoot, time, header.bits, header.nonce, work, encodeBlockHeader(header), opts.txCount ?? 1, 80 + 1 + 200 * (opts.txCount ?? 1)],
    );
    await pool.query('INSERT INTO main_chain (height, hash) VALUES ($1, $2)', [height, hash]);
    out.push({ height, hash, hex: hashToHex(hash), time });
    prevHash = hash;
  }
  return out;
}

export const MINER_A = 'mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn';
export const MINER_B = 'n3GNqMveyvaPvUbH469vDRadqpJMPc84JA';

export interface SeededPool {
  workers: { rigA: number; rigB: number; oldRig: number };
  /** Σ difficulty of the shares inside the 600-second window. */
  windowDifficulty: number;
  sharesLastHour: number;
  foundHash: Hash32;
}

async function upsertWorker(pool: PgPool, address: string, name: string, lastShareAt: Date | null): Promise<number> {
  const miner = await pool.query<{ id: number }>(
    'INSERT INTO miner (address) VALUES ($1) ON CONFLICT (address) DO UPDATE SET address = EXCLUDED.address RETURNING id',
    [address],
  );
  const w = await pool.query<{ id: number }>('INSERT INTO worker (miner_id, name, last_share_at) VALUES ($1, $2, $3) RETURNING id', [
    miner.rows[0].id,
    name,
    lastShareAt,
  ]);
  return w.rows[0].id;
}

let shareSeq = 0;

export async function insertShare(pool: PgPool, workerId: number, difficulty: string, submittedAt: Date, height: number, isBlock = false): Promise<void> {
  shareSeq++;
  await pool.query(
    `INSERT INTO share (share_key, worker_id, job_id, difficulty, actual_difficulty, height, is_block, submitted_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [`job${shareSeq}:00000001:${shareSeq.toString(16).padStart(16, '0')}:5f5e1000:00000001:20000000`, workerId, `job${shareSeq}`, difficulty, '12.5', height, isBlock, submittedAt],
  );
  await pool.query('UPDATE worker SET last_share_at = GREATEST(last_share_at, $2) WHERE id = $1', [workerId, submittedAt]);
}

/**
 * Two online workers of two miners and one that went quiet two hours ago, with shares inside
 * the 10-minute window, within the hour, and older; and one found block on the chain (`foundOn`)
 * plus one rejected block that never made it.
 */
export async function seedPool(pool: PgPool, foundOn: SeededBlock, now = Date.now()): Promise<SeededPool> {
  const min = 60_000;
  const rigA = await upsertWorker(pool, MINER_A, 'rigA', null);
  const rigB = await upsertWorker(pool, MINER_B, 'rigB', null);
  const oldRig = await upsertWorker(pool, MINER_A, 'oldRig', null);
  for (let i = 0; i < 30; i++) await insertShare(pool, rigA, '1', new Date(now - min - i * 5_000), foundOn.height);
  for (let i = 0; i < 10; i++) await insertShare(pool, rigB, '0.5', new Date(now - 2 * min - i * 10_000), foundOn.height);
  for (let i = 0; i < 5; i++) await insertShare(pool, rigA, '2', new Date(now - 30 * min - i * 1_000), foundOn.height - 1);
  for (let i = 0; i < 3; i++) await insertShare(pool, oldRig, '4', new Date(now - 120 * min - i * 1_000), foundOn.height - 2);
  await pool.query(`INSERT INTO found_block (hash, height, worker_id, reward, status) VALUES ($1, $2, $3, $4, 'ACCEPTED')`, [
    foundOn.hash,
    foundOn.height,
    rigA,
    5_000_000_000n,
  ]);
  await pool.query(`INSERT INTO found_block (hash, height, worker_id, reward, status, submit_result) VALUES ($1, $2, $3, $4, 'REJECTED', 'high-hash')`, [
    Buffer.alloc(32, 0xee),
    foundOn.height,
    rigB,
    5_000_000_000n,
  ]);
  return { workers: { rigA, rigB, oldRig }, windowDifficulty: 30 * 1 + 10 * 0.5, sharesLastHour: 45, foundHash: foundOn.hash };
}
