import type { Hash32 } from '@metamorph/bitcoin';
import type { PgClient } from '@metamorph/db';
import { buf, type Queryable } from '../utxo/utxo-store.js';

const bytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

export interface TxLocation {
  txid: Uint8Array;
  position: number;
  offset: number;
  size: number;
}

export interface AddressRow {
  hash160: Uint8Array;
  position: number;
  isSpend: boolean;
  n: number;
  txid: Uint8Array;
  /** Positive for outputs received, negative for outputs spent. */
  value: bigint;
}

export interface BlockStatsRow {
  txCount: number;
  size: number;
  totalFee: bigint;
  /** Satoshis per 1,000 bytes. */
  feeRates: { min: bigint; p10: bigint; median: bigint; p90: bigint };
}

export interface IndexedTx {
  blockHash: Hash32;
  height: number;
  position: number;
  offset: number;
  size: number;
}

const CHUNK = 20_000;

/**
 * The indexes written with each connected block (transaction locations, P2PKH address
 * history and balances, block statistics) and removed when it is disconnected, in the
 * chain transaction. Rows describe the active chain only.
 */
export const indexStore = {
  async addTxs(client: PgClient, blockHash: Hash32, height: number, txs: readonly TxLocation[]): Promise<void> {
    for (let i = 0; i < txs.length; i += CHUNK) {
      const part = txs.slice(i, i + CHUNK);
      await client.query(
        `INSERT INTO tx_index (txid, block_hash, height, position, "offset", size)
         SELECT q.txid, $2, $3, q.position, q.off, q.size FROM unnest($1::bytea[], $4::int[], $5::int[], $6::int[]) AS q(txid, position, off, size)
         ON CONFLICT (txid) DO UPDATE SET block_hash = EXCLUDED.block_hash, height = EXCLUDED.height, position = EXCLUDED.position,
           "offset" = EXCLUDED."offset", size = EXCLUDED.size`,
        [part.map((t) => buf(t.txid)), buf(blockHash), height, part.map((t) => t.position), part.map((t) => t.offset), part.map((t) => t.size)],
      );
    }
  },

  async addAddressRows(client: PgClient, height: number, rows: readonly AddressRow[]): Promise<void> {
    if (rows.length === 0) return;
    for (let i = 0; i < rows.length; i += CHUNK) {
      const part = rows.slice(i, i + CHUNK);
      await client.query(
        `INSERT INTO address_history (hash160, height, position, is_spend, n, txid, value)
         SELECT q.hash160, $1, q.position, q.is_spend, q.n, q.txid, q.value
           FROM unnest($2::bytea[], $3::int[], $4::bool[], $5::int[], $6::bytea[], $7::bigint[]) AS q(hash160, position, is_spend, n, txid, value)
         ON CONFLICT DO NOTHING`,
        [
          height,
          part.map((r) => buf(r.hash160)),
          part.map((r) => r.position),
          part.map((r) => r.isSpend),
          part.map((r) => r.n),
          part.map((r) => buf(r.txid)),
          part.map((r) => r.value),
        ],
      );
    }
    // One row per address: net change, amount received, entries.
    const totals = new Map<string, { hash: Uint8Array; delta: bigint; received: bigint; entries: number }>();
    for (const r of rows) {
      const k = buf(r.hash160).toString('latin1');
      let t = totals.get(k);
      if (!t) totals.set(k, (t = { hash: r.hash160, delta: 0n, received: 0n, entries: 0 }));
      t.delta += r.value;
      if (r.value > 0n) t.received += r.value;
      t.entries++;
    }
    const list = [...totals.values()];
    for (let i = 0; i < list.length; i += CHUNK) {
      const part = list.slice(i, i + CHUNK);
      await client.query(
        `INSERT INTO address_balance (hash160, balance, received, entries)
         SELECT * FROM unnest($1::bytea[], $2::bigint[], $3::bigint[], $4::int[])
         ON CONFLICT (hash160) DO UPDATE SET balance = address_balance.balance + EXCLUDED.balance,
           received = address_balance.received + EXCLUDED.received, entries = address_balance.entries + EXCLUDED.entries`,
        [part.map((t) => buf(t.hash)), part.map((t) => t.delta), part.map((t) => t.received), part.map((t) => t.entries)],
      );
    }
  },

  async addBlockStats(client: PgClient, blockHash: Hash32, height: number, s: BlockStatsRow): Promise<void> {
    await client.query(
      `INSERT INTO block_stats (hash, height, tx_count, size, total_fee, fee_rate_min, fee_rate_p10, fee_rate_median, fee_rate_p90)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (hash) DO NOTHING`,
      [buf(blockHash), height, s.txCount, s.size, s.totalFee, s.feeRates.min, s.feeRates.p10, s.feeRates.median, s.feeRates.p90],
    );
  },

  /** Remove everything a block at `height` added (it is leaving the active chain). */
  async removeBlock(client: PgClient, blockHash: Hash32, height: number): Promise<void> {
    await client.query('DELETE FROM tx_index WHERE height = $1', [height]);
    await client.query(
      `WITH d AS (DELETE FROM address_history WHERE height = $1 RETURNING hash160, value),
            s AS (SELECT hash160, sum(value) AS delta, sum(greatest(value, 0)) AS received, count(*)::int AS entries FROM d GROUP BY hash160)
       UPDATE address_balance b SET balance = b.balance - s.delta, received = b.received - s.received, entries = b.entries - s.entries
         FROM s WHERE b.hash160 = s.hash160`,
      [height],
    );
    await client.query('DELETE FROM address_balance WHERE entries <= 0');
    await client.query('DELETE FROM block_stats WHERE hash = $1', [buf(blockHash)]);
  },

  async findTx(db: Queryable, txid: Uint8Array): Promise<IndexedTx | null> {
    const { rows } = await db.query<{ block_hash: Buffer; height: number; position: number; offset: number; size: number }>(
      'SELECT block_hash, height, position, "offset", size FROM tx_index WHERE txid = $1',
      [buf(txid)],
    );
    if (!rows.length) return null;
    const r = rows[0];
    return { blockHash: bytes(r.block_hash) as Hash32, height: r.height, position: r.position, offset: r.offset, size: r.size };
  },

  /** The transaction's bytes, cut out of its stored block. */
  async readTx(db: Queryable, at: IndexedTx): Promise<Uint8Array | null> {
    const { rows } = await db.query<{ raw: Buffer }>('SELECT substring(raw FROM $2 FOR $3) AS raw FROM block_data WHERE hash = $1', [
      buf(at.blockHash),
      at.offset + 1,
      at.size,
    ]);
    return rows.length ? bytes(rows[0].raw) : null;
  },

  /** Statistics of the last `count` blocks of the active chain up to `height`, newest first. */
  async recentStats(db: Queryable, height: number, count: number): Promise<(BlockStatsRow & { height: number })[]> {
    const { rows } = await db.query<{
      height: number;
      tx_count: number;
      size: number;
      total_fee: bigint;
      fee_rate_min: bigint;
      fee_rate_p10: bigint;
      fee_rate_median: bigint;
      fee_rate_p90: bigint;
    }>(
      `SELECT s.height, s.tx_count, s.size, s.total_fee, s.fee_rate_min, s.fee_rate_p10, s.fee_rate_median, s.fee_rate_p90
         FROM block_stats s JOIN main_chain m ON m.hash = s.hash
        WHERE s.height <= $1 AND s.height > $1 - $2 ORDER BY s.height DESC`,
      [height, count],
    );
    return rows.map((r) => ({
      height: r.height,
      txCount: r.tx_count,
      size: r.size,
      totalFee: r.total_fee,
      feeRates: { min: r.fee_rate_min, p10: r.fee_rate_p10, median: r.fee_rate_median, p90: r.fee_rate_p90 },
    }));
  },
};
