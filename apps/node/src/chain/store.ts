import pg from 'pg';
import { encodeBlockHeader, type BlockHeader, type Hash32 } from '@metamorph/bitcoin';
import { withTransaction, type PgClient, type PgPool } from '@metamorph/db';
import { NodeError, NodeErrorCode } from '../errors.js';
import { workFromBytes, workToBytes, type BlockStatus, type IndexEntry } from './index-entry.js';

/** One `block_index` row as the node loads it at start. */
export interface StoredHeader {
  hash: Hash32;
  header: BlockHeader;
  height: number;
  chainWork: bigint;
  status: BlockStatus;
  txCount: number | null;
  size: number | null;
}

/** Arbitrary constant naming the "one node writes this database" advisory lock. */
const WRITER_LOCK_KEY = 7_164_021_400;

const bytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
const buf = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/**
 * The chain tables in Postgres (block_index, block_data, main_chain). Only apps/node writes them;
 * every multi-row change goes through one transaction.
 */
export class ChainStore {
  private lockClient: pg.Client | null = null;

  constructor(
    readonly pool: PgPool,
    private readonly connectionString: string,
  ) {}

  /**
   * Hold a session advisory lock for the node's lifetime so a second node process on the same
   * database refuses to start instead of corrupting the chain tables.
   */
  async acquireWriterLock(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString });
    client.on('error', () => {});
    await client.connect();
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [WRITER_LOCK_KEY]);
    if (!rows[0].ok) {
      await client.end().catch(() => {});
      throw new NodeError(NodeErrorCode.DatabaseLocked, 'another node process is already using this database (stop it, or give this one its own DATABASE_URL)');
    }
    this.lockClient = client;
  }

  async releaseWriterLock(): Promise<void> {
    const client = this.lockClient;
    this.lockClient = null;
    await client?.end().catch(() => {});
  }

  async loadHeaders(): Promise<StoredHeader[]> {
    const { rows } = await this.pool.query<{
      hash: Buffer;
      height: number;
      prev_hash: Buffer;
      version: number;
      merkle_root: Buffer;
      time: bigint;
      bits: bigint;
      nonce: bigint;
      chain_work: Buffer;
      status: BlockStatus;
      tx_count: number | null;
      size: number | null;
    }>(
      `SELECT hash, height, prev_hash, version, merkle_root, time, bits, nonce, chain_work, status, tx_count, size
         FROM block_index ORDER BY height, received_at, hash`,
    );
    return rows.map((r) => ({
      hash: bytes(r.hash) as Hash32,
      header: {
        version: r.version,
        prevHash: bytes(r.prev_hash) as Hash32,
        merkleRoot: bytes(r.merkle_root) as Hash32,
        time: Number(r.time),
        bits: Number(r.bits),
        nonce: Number(r.nonce),
      },
      height: r.height,
      chainWork: workFromBytes(r.chain_work),
      status: r.status,
      txCount: r.tx_count,
      size: r.size,
    }));
  }

  /** The active chain's hashes by height, lowest first. */
  async loadMainChain(): Promise<{ height: number; hash: Hash32 }[]> {
    const { rows } = await this.pool.query<{ height: number; hash: Buffer }>('SELECT height, hash FROM main_chain ORDER BY height');
    return rows.map((r) => ({ height: r.height, hash: bytes(r.hash) as Hash32 }));
  }

  async getBlockData(hash: Uint8Array): Promise<Uint8Array | null> {
    const { rows } = await this.pool.query<{ raw: Buffer }>('SELECT raw FROM block_data WHERE hash = $1', [buf(hash)]);
    return rows.length ? bytes(rows[0].raw) : null;
  }

  transaction<T>(fn: (client: PgClient) => Promise<T>): Promise<T> {
    return withTransaction(this.pool, fn);
  }

  /** Run `fn` in a transaction that is always rolled back (trying a change without keeping it). */
  async rolledBack<T>(fn: (client: PgClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      return await fn(client);
    } finally {
      await client.query('ROLLBACK').catch(() => {});
      client.release();
    }
  }

  /** Insert index rows (headers, or blocks when txCount/size are set); an existing row gets the new status and size. */
  async putEntries(client: PgClient, entries: readonly IndexEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await client.query(
      `INSERT INTO block_index (hash, height, prev_hash, version, merkle_root, time, bits, nonce, chain_work, header, status, tx_count, size)
       SELECT * FROM unnest($1::bytea[], $2::int[], $3::bytea[], $4::int[], $5::bytea[], $6::bigint[], $7::bigint[], $8::bigint[],
                            $9::bytea[], $10::bytea[], $11::block_status[], $12::int[], $13::int[])
       ON CONFLICT (hash) DO UPDATE SET status = EXCLUDED.status, tx_count = EXCLUDED.tx_count, size = EXCLUDED.size`,
      [
        entries.map((e) => buf(e.hash)),
        entries.map((e) => e.height),
        entries.map((e) => buf(e.header.prevHash)),
        entries.map((e) => e.header.version),
        entries.map((e) => buf(e.header.merkleRoot)),
        entries.map((e) => e.header.time),
        entries.map((e) => e.header.bits),
        entries.map((e) => e.header.nonce),
        entries.map((e) => buf(workToBytes(e.chainWork))),
        entries.map((e) => buf(encodeBlockHeader(e.header))),
        entries.map((e) => e.status),
        entries.map((e) => e.txCount),
        entries.map((e) => e.size),
      ],
    );
  }

  async putBlockData(client: PgClient, hash: Uint8Array, raw: Uint8Array): Promise<void> {
    await client.query('INSERT INTO block_data (hash, raw) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING', [buf(hash), buf(raw)]);
  }

  async setStatus(client: PgClient, entries: readonly IndexEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await client.query(
      `UPDATE block_index AS b SET status = u.status
         FROM unnest($1::bytea[], $2::block_status[]) AS u(hash, status) WHERE b.hash = u.hash`,
      [entries.map((e) => buf(e.hash)), entries.map((e) => e.status)],
    );
  }

  /** Make the active chain above `forkHeight` exactly `connected` (ascending heights). */
  async setMainChain(client: PgClient, forkHeight: number, connected: readonly IndexEntry[]): Promise<void> {
    await client.query('DELETE FROM main_chain WHERE height > $1', [forkHeight]);
    if (connected.length === 0) return;
    await client.query('INSERT INTO main_chain (height, hash) SELECT * FROM unnest($1::int[], $2::bytea[])', [
      connected.map((e) => e.height),
      connected.map((e) => buf(e.hash)),
    ]);
  }
}
