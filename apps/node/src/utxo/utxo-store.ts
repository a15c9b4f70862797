import type { Hash32 } from '@metamorph/bitcoin';
import type { PgClient, PgPool } from '@metamorph/db';
import { coinKey, type Coin, type OutPointRef } from './coin.js';

/** A pool or a client inside a transaction. */
export type Queryable = Pick<PgPool | PgClient, 'query'>;

const bytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
export const buf = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/** Rows per statement: keeps parameter arrays and result sets of one query bounded. */
const CHUNK = 20_000;

export interface NewCoin {
  txid: Uint8Array;
  vout: number;
  coin: Coin;
}

/**
 * The UTXO set in Postgres: bulk reads and writes with `unnest` arrays, never one statement
 * per row. Writes take the chain transaction's client.
 */
export const utxoStore = {
  /** The coins among `outpoints` that exist, by coinKey. */
  async fetch(db: Queryable, outpoints: readonly OutPointRef[]): Promise<Map<string, Coin>> {
    const out = new Map<string, Coin>();
    for (let i = 0; i < outpoints.length; i += CHUNK) {
      const part = outpoints.slice(i, i + CHUNK);
      const { rows } = await db.query<{ txid: Buffer; vout: number; value: bigint; script: Buffer; height: number; coinbase: boolean }>(
        `SELECT u.txid, u.vout, u.value, u.script, u.height, u.coinbase
           FROM unnest($1::bytea[], $2::int[]) AS q(txid, vout)
           JOIN utxo u ON u.txid = q.txid AND u.vout = q.vout`,
        [part.map((o) => buf(o.txid)), part.map((o) => o.vout)],
      );
      for (const r of rows) {
        out.set(coinKey(r.txid, r.vout), { value: r.value, script: bytes(r.script), height: r.height, coinbase: r.coinbase });
      }
    }
    return out;
  },

  /** Whether any output of these transactions is unspent (BIP30). */
  async anyOutputOf(db: Queryable, txids: readonly Uint8Array[]): Promise<boolean> {
    for (let i = 0; i < txids.length; i += CHUNK) {
      const { rowCount } = await db.query('SELECT 1 FROM utxo WHERE txid = ANY($1::bytea[]) LIMIT 1', [txids.slice(i, i + CHUNK).map(buf)]);
      if (rowCount) return true;
    }
    return false;
  },

  async remove(client: PgClient, outpoints: readonly OutPointRef[]): Promise<void> {
    for (let i = 0; i < outpoints.length; i += CHUNK) {
      const part = outpoints.slice(i, i + CHUNK);
      await client.query(
        `DELETE FROM utxo u USING unnest($1::bytea[], $2::int[]) AS d(txid, vout) WHERE u.txid = d.txid AND u.vout = d.vout`,
        [part.map((o) => buf(o.txid)), part.map((o) => o.vout)],
      );
    }
  },

  /** Insert coins; an existing outpoint is overwritten (the two historic duplicate coinbases). */
  async add(client: PgClient, coins: readonly NewCoin[]): Promise<void> {
    for (let i = 0; i < coins.length; i += CHUNK) {
      const part = coins.slice(i, i + CHUNK);
      await client.query(
        `INSERT INTO utxo (txid, vout, value, script, height, coinbase)
         SELECT * FROM unnest($1::bytea[], $2::int[], $3::bigint[], $4::bytea[], $5::int[], $6::bool[])
         ON CONFLICT (txid, vout) DO UPDATE SET value = EXCLUDED.value, script = EXCLUDED.script, height = EXCLUDED.height, coinbase = EXCLUDED.coinbase`,
        [
          part.map((c) => buf(c.txid)),
          part.map((c) => c.vout),
          part.map((c) => c.coin.value),
          part.map((c) => buf(c.coin.script)),
          part.map((c) => c.coin.height),
          part.map((c) => c.coin.coinbase),
        ],
      );
    }
  },

  async putUndo(client: PgClient, hash: Hash32, height: number, data: Uint8Array): Promise<void> {
    await client.query('INSERT INTO block_undo (hash, height, data) VALUES ($1, $2, $3) ON CONFLICT (hash) DO UPDATE SET data = EXCLUDED.data', [
      buf(hash),
      height,
      buf(data),
    ]);
  },

  async takeUndo(client: PgClient, hash: Hash32): Promise<Uint8Array | null> {
    const { rows } = await client.query<{ data: Buffer }>('DELETE FROM block_undo WHERE hash = $1 RETURNING data', [buf(hash)]);
    return rows.length ? bytes(rows[0].data) : null;
  },
};
