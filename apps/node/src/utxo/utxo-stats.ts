import { createHash } from 'node:crypto';
import type { Hash32 } from '@metamorph/bitcoin';
import type { PgPool } from '@metamorph/db';

const bytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

export interface UtxoStats {
  height: number;
  bestBlock: Hash32;
  transactions: number;
  txouts: number;
  bogoSize: number;
  /** SHA-256d of the serialized set, as the reference node computes it (internal byte order). */
  hashSerialized: Hash32;
  diskSize: number;
  totalAmount: bigint;
}

/** Rows per query while walking the set. */
const PAGE = 50_000;

/** The reference node's VARINT (serialize.h WriteVarInt): base 128, most significant group first, each continuation minus one. */
export function varInt(n: bigint): Uint8Array {
  const tmp: number[] = [];
  for (let len = 0; ; len++) {
    tmp.push(Number(n & 0x7fn) | (len ? 0x80 : 0));
    if (n <= 0x7fn) break;
    n = (n >> 7n) - 1n;
  }
  return Uint8Array.from(tmp.reverse());
}

function compactSize(n: number): Uint8Array {
  if (n < 0xfd) return Uint8Array.of(n);
  if (n <= 0xffff) return Uint8Array.of(0xfd, n & 0xff, n >> 8);
  return Uint8Array.of(0xfe, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff);
}

/**
 * gettxoutsetinfo over one consistent snapshot of the set and the active chain: outputs in
 * the reference node's database order (txid bytes, then index), grouped per transaction and
 * hashed exactly as its GetUTXOStats does, so two nodes at the same tip agree on
 * `hash_serialized`.
 */
export async function computeUtxoStats(pool: PgPool): Promise<UtxoStats> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const tip = await client.query<{ height: number; hash: Buffer }>('SELECT height, hash FROM main_chain ORDER BY height DESC LIMIT 1');
    const bestBlock = bytes(tip.rows[0].hash) as Hash32;
    const h = createHash('sha256');
    h.update(bestBlock);
    let transactions = 0;
    let txouts = 0;
    let bogoSize = 0;
    let totalAmount = 0n;
    let current: Buffer | null = null;
    const closeTx = () => {
      if (current) h.update(varInt(0n));
    };
    type Row = { txid: Buffer; vout: number; value: bigint; script: Buffer; height: number; coinbase: boolean };
    let after: [Buffer, number] | null = null;
    for (;;) {
      const { rows }: { rows: Row[] } = await client.query<Row>(
        after
          ? 'SELECT txid, vout, value, script, height, coinbase FROM utxo WHERE (txid, vout) > ($1, $2) ORDER BY txid, vout LIMIT $3'
          : 'SELECT txid, vout, value, script, height, coinbase FROM utxo ORDER BY txid, vout LIMIT $1',
        after ? [after[0], after[1], PAGE] : [PAGE],
      );
      for (const r of rows) {
        if (!current || !current.equals(r.txid)) {
          closeTx();
          current = r.txid;
          transactions++;
          h.update(r.txid);
          h.update(varInt(BigInt(r.height) * 2n + (r.coinbase ? 1n : 0n)));
        }
        h.update(varInt(BigInt(r.vout) + 1n));
        h.update(compactSize(r.script.length));
        h.update(r.script);
        h.update(varInt(r.value));
        txouts++;
        totalAmount += r.value;
        bogoSize += 32 + 4 + 4 + 8 + 2 + r.script.length;
      }
      if (rows.length < PAGE) break;
      const last: Row = rows[rows.length - 1];
      after = [last.txid, last.vout];
    }
    closeTx();
    const size = await client.query<{ size: bigint }>("SELECT pg_total_relation_size('utxo') AS size");
    await client.query('COMMIT');
    const first = h.digest();
    const hashSerialized = bytes(createHash('sha256').update(first).digest()) as Hash32;
    return {
      height: tip.rows[0].height,
      bestBlock,
      transactions,
      txouts,
      bogoSize,
      hashSerialized,
      diskSize: Number(size.rows[0].size),
      totalAmount,
    };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}
