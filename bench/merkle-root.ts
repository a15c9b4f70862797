// Merkle root of 1,000,000 txids: time and hashing throughput (best of 3 runs).
// Run: node --import tsx bench/merkle-root.ts [leaves] [--compare]
// --compare also times the straightforward per-level-array form (slow: ~10–25 s).
import { createHash, randomBytes } from 'node:crypto';
import { concatBytes, merkleRoot, merkleRootFlat, type Hash32 } from '../libs/bitcoin/src/index.js';

const args = process.argv.slice(2);
const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const compare = args.includes('--compare');
const flat = new Uint8Array(randomBytes(n * 32));
const leaves = Array.from({ length: n }, (_, i) => flat.subarray(i * 32, i * 32 + 32) as Hash32);

// Pairs hashed over the whole tree: one per parent node, odd levels duplicating their last node.
let pairs = 0;
for (let len = n; len > 1; len = (len + 1) >> 1) pairs += (len + 1) >> 1;
// Each pair is sha256(64 bytes) then sha256(32 bytes).
const hashedBytes = pairs * (64 + 32);

/** The straightforward form, for comparison: a new array per level, createHash, concat per pair. */
function naiveRoot(hs: Uint8Array[]): Uint8Array {
  let level = hs;
  const sha256d = (b: Uint8Array) => createHash('sha256').update(createHash('sha256').update(b).digest()).digest();
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(sha256d(concatBytes(level[i], level[i + 1] ?? level[i])));
    level = next;
  }
  return level[0];
}

function time(label: string, fn: () => Uint8Array, runs = 3): Uint8Array {
  const rss0 = process.memoryUsage().rss;
  let ms = Infinity;
  let out!: Uint8Array;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    out = fn();
    ms = Math.min(ms, performance.now() - t0);
  }
  const rss = (process.memoryUsage().rss - rss0) / 1e6;
  console.log(
    `${label.padEnd(30)} ${ms.toFixed(0).padStart(6)} ms  ${(hashedBytes / 1e6 / (ms / 1000)).toFixed(1).padStart(6)} MB/s hashed  ` +
      `${((n * 32) / 1e6 / (ms / 1000)).toFixed(1).padStart(6)} MB/s of txids  ${(pairs / (ms / 1000) / 1e6).toFixed(2)} M pairs/s  rss +${rss.toFixed(0)} MB`,
  );
  return out;
}

console.log(`${n.toLocaleString('en')} txids, ${pairs.toLocaleString('en')} pairs, ${(hashedBytes / 1e6).toFixed(0)} MB through SHA-256; node ${process.version}, ${process.arch}`);
merkleRoot(leaves.slice(0, 1024)); // warm up
const a = time('merkleRoot (Hash32[])', () => merkleRoot(leaves));
const b = time('merkleRootFlat (one buffer)', () => merkleRootFlat(flat).root);
if (Buffer.compare(a, b) !== 0) throw new Error('roots differ');
if (compare) {
  const c = time('naive per-level arrays', () => naiveRoot(leaves), 1);
  if (Buffer.compare(a, c) !== 0) throw new Error('roots differ');
}
