import type { Logger } from '@metamorph/config';
import { withTransaction, type PgPool } from '@metamorph/db';
import { buf } from '../utxo/utxo-store.js';
import type { MempoolEntry, TxSource } from './entry.js';

const bytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

export interface StoredMempoolTx {
  raw: Uint8Array;
  time: number;
  seq: bigint;
}

export interface DoubleSpendRecord {
  kind: 'MEMPOOL' | 'BLOCK';
  txid: Uint8Array;
  raw: Uint8Array;
  conflictTxid: Uint8Array;
  prevTxid: Uint8Array;
  prevVout: number;
  blockHash?: Uint8Array;
  source: TxSource | 'block';
}

type Pending = { op: 'add'; entry: MempoolEntry } | { op: 'del'; txid: Uint8Array };

const CHUNK = 10_000;

/**
 * Keeps `mempool_tx` following the in-memory mempool, written behind: changes are collected
 * (the last one per transaction wins) and flushed in bulk every `intervalMs` or when many are
 * waiting. The mempool is a cache of unconfirmed transactions, so a crash loses at most the
 * last interval; whatever is reloaded is validated again. Double-spend records go out with the
 * same flush.
 */
export class MempoolStore {
  private pending = new Map<string, Pending>();
  private doubleSpends: DoubleSpendRecord[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly pool: PgPool,
    private readonly log: Logger,
    private readonly intervalMs = 200,
    private readonly maxPending = 20_000,
  ) {}

  async load(): Promise<StoredMempoolTx[]> {
    const { rows } = await this.pool.query<{ raw: Buffer; entered_at: Date; seq: bigint }>('SELECT raw, entered_at, seq FROM mempool_tx ORDER BY seq');
    return rows.map((r) => ({ raw: bytes(r.raw), time: Math.floor(r.entered_at.getTime() / 1000), seq: r.seq }));
  }

  added(entry: MempoolEntry): void {
    this.pending.set(entry.key, { op: 'add', entry });
    this.schedule();
  }

  removed(key: string, txid: Uint8Array): void {
    this.pending.set(key, { op: 'del', txid });
    this.schedule();
  }

  doubleSpend(record: DoubleSpendRecord): void {
    this.doubleSpends.push(record);
    this.schedule();
  }

  /** Write everything collected so far (waits for a flush already running). */
  flush(): Promise<void> {
    const run = this.flushing.then(() => this.write());
    this.flushing = run.catch(() => {});
    return run;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush().catch((e) => this.log.error('writing the mempool failed', { error: e as Error }));
  }

  private schedule(): void {
    if (this.closed) return;
    if (this.pending.size + this.doubleSpends.length >= this.maxPending) {
      void this.flush().catch((e) => this.log.warn('writing the mempool failed', { error: e as Error }));
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush().catch((e) => this.log.warn('writing the mempool failed', { error: e as Error }));
    }, this.intervalMs);
    this.timer.unref();
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0 && this.doubleSpends.length === 0) return;
    const pending = this.pending;
    const doubleSpends = this.doubleSpends;
    this.pending = new Map();
    this.doubleSpends = [];
    const adds: MempoolEntry[] = [];
    const dels: Uint8Array[] = [];
    for (const p of pending.values()) {
      if (p.op === 'add') adds.push(p.entry);
      else dels.push(p.txid);
    }
    try {
      await withTransaction(this.pool, async (client) => {
        for (let i = 0; i < dels.length; i += CHUNK) {
          await client.query('DELETE FROM mempool_tx WHERE txid = ANY($1::bytea[])', [dels.slice(i, i + CHUNK).map(buf)]);
        }
        for (let i = 0; i < adds.length; i += CHUNK) {
          const part = adds.slice(i, i + CHUNK);
          await client.query(
            `INSERT INTO mempool_tx (txid, raw, fee, size, height, seq, entered_at)
             SELECT q.txid, q.raw, q.fee, q.size, q.height, q.seq, to_timestamp(q.t)
               FROM unnest($1::bytea[], $2::bytea[], $3::bigint[], $4::int[], $5::int[], $6::bigint[], $7::bigint[]) AS q(txid, raw, fee, size, height, seq, t)
             ON CONFLICT (txid) DO NOTHING`,
            [
              part.map((e) => buf(e.txid)),
              part.map((e) => buf(e.raw)),
              part.map((e) => e.fee),
              part.map((e) => e.size),
              part.map((e) => e.height),
              part.map((e) => e.seq),
              part.map((e) => e.time),
            ],
          );
        }
        if (doubleSpends.length) {
          await client.query(
            `INSERT INTO double_spend (kind, txid, raw, conflict_txid, prev_txid, prev_vout, block_hash, source)
             SELECT * FROM unnest($1::double_spend_kind[], $2::bytea[], $3::bytea[], $4::bytea[], $5::bytea[], $6::int[], $7::bytea[], $8::text[])`,
            [
              doubleSpends.map((d) => d.kind),
              doubleSpends.map((d) => buf(d.txid)),
              doubleSpends.map((d) => buf(d.raw)),
              doubleSpends.map((d) => buf(d.conflictTxid)),
              doubleSpends.map((d) => buf(d.prevTxid)),
              doubleSpends.map((d) => d.prevVout),
              doubleSpends.map((d) => (d.blockHash ? buf(d.blockHash) : null)),
              doubleSpends.map((d) => d.source),
            ],
          );
        }
      });
    } catch (e) {
      // Keep what failed unless something newer replaced it, and try again later.
      for (const [k, p] of pending) if (!this.pending.has(k)) this.pending.set(k, p);
      this.doubleSpends.unshift(...doubleSpends);
      this.schedule();
      throw e;
    }
  }
}
