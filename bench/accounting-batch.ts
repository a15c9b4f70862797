// Accounting write throughput: accepted shares per second written to Postgres in batches
// (miners/workers upsert, idempotent share insert, per-minute rollups) on a scratch database.
// Run: node --import tsx bench/accounting-batch.ts [shares] [batch size]
import { hashToHex, sha256d } from '@metamorph/bitcoin';
import type { ShareJobData } from '@metamorph/queue';
import { createTestDatabase } from '@metamorph/testing';
import { writeShareBatch } from '../apps/stratum/src/accounting/share-writer.js';

const total = Number(process.argv[2] ?? 50_000);
const batchSize = Number(process.argv[3] ?? 500);
const addresses = ['mg8Jz5776UdyiYcBb9Z873NTozEiADRW5H', 'mrzKXEpXfEDHk7vFS3LBXVXoa4YXFcCkje', 'myQGSFVupuQvHqV8bpKtdh4sVUeCyyxs6M'];

const db = await createTestDatabase('bench_accounting');
const start = Date.now();
const shares: ShareJobData[] = Array.from({ length: total }, (_, i) => ({
  kind: 'share',
  shareKey: hashToHex(sha256d(new TextEncoder().encode(`bench ${i}`))),
  address: addresses[i % 3],
  worker: `rig${i % 50}`,
  jobId: '000000010000',
  difficulty: '0.0001',
  height: 100,
  isBlock: false,
  submittedAt: start + i * 10,
}));
let t = performance.now();
for (let i = 0; i < total; i += batchSize) await writeShareBatch(db.pool, shares.slice(i, i + batchSize));
let s = (performance.now() - t) / 1000;
console.log(`new shares, batches of ${batchSize}: ${Math.round(total / s).toLocaleString('en')} shares/s`);
t = performance.now();
for (let i = 0; i < total; i += batchSize) await writeShareBatch(db.pool, shares.slice(i, i + batchSize));
s = (performance.now() - t) / 1000;
console.log(`the same shares again (all duplicates): ${Math.round(total / s).toLocaleString('en')} shares/s`);
const { rows } = await db.pool.query('SELECT count(*)::int AS shares, (SELECT sum(shares)::int FROM share_rollup) AS rolled FROM share');
console.log(`stored ${rows[0].shares} shares, rollups count ${rows[0].rolled}`);
await db.close();
