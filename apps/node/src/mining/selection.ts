import { maxBlockSigOpsBeforeGenesis } from '../chain/validation/consensus.js';
import type { MempoolEntry } from '../mempool/entry.js';
import { feeForSize } from '../mempool/policy.js';

export interface SelectionLimits {
  /** Bytes available for transactions (block size limit minus header, count and coinbase reserve). */
  maxTxBytes: number;
  /**
   * The fewest bytes the block can have besides these transactions (header, count, smallest
   * coinbase): the sigop limit grows with block size, so it is judged at the smallest size.
   */
  minOverheadBytes: number;
  /** Count sigops against the pre-Genesis block limit (20,000 per started MB). */
  limitSigOps: boolean;
  /** Sigops reserved for the coinbase. */
  reservedSigOps: number;
  /** Packages paying less than this per 1,000 bytes are left out (`-minminingtxfee`). */
  minFeePerKb: bigint;
}

export interface Selection {
  /** In block order: every transaction after the transactions it spends. */
  entries: MempoolEntry[];
  fees: bigint;
  bytes: number;
  sigOps: number;
}

interface Package {
  fee: bigint;
  size: number;
  sigOps: number;
}

/** a pays more per byte than b. */
function richer(a: Package, b: Package): boolean {
  return a.fee * BigInt(b.size) > b.fee * BigInt(a.size);
}

/** A binary max-heap of entries by package fee rate, ties to the earlier arrival. */
class PackageHeap {
  private readonly items: { e: MempoolEntry; pkg: Package }[] = [];

  get size(): number {
    return this.items.length;
  }

  push(e: MempoolEntry, pkg: Package): void {
    const a = this.items;
    a.push({ e, pkg });
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(a[i], a[parent])) break;
      [a[i], a[parent]] = [a[parent], a[i]];
      i = parent;
    }
  }

  peek(): { e: MempoolEntry; pkg: Package } | undefined {
    return this.items[0];
  }

  pop(): { e: MempoolEntry; pkg: Package } | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < a.length && this.before(a[l], a[best])) best = l;
        if (r < a.length && this.before(a[r], a[best])) best = r;
        if (best === i) break;
        [a[i], a[best]] = [a[best], a[i]];
        i = best;
      }
    }
    return top;
  }

  private before(x: { e: MempoolEntry; pkg: Package }, y: { e: MempoolEntry; pkg: Package }): boolean {
    if (richer(x.pkg, y.pkg)) return true;
    if (richer(y.pkg, x.pkg)) return false;
    return x.e.seq < y.e.seq;
  }
}

/**
 * Choose mempool transactions for a block by ancestor-package fee rate (CreateNewBlock's
 * addPackageTxs): the package of a transaction is it plus its not-yet-chosen ancestors;
 * the best-paying package that fits is added whole, parents first. Every limit the block
 * will be validated against holds: size, and before Genesis the 20,000-sigops-per-MB
 * limit for the block's final size. `entries` must be in arrival order (parents first).
 */
export function selectPackages(entries: Iterable<MempoolEntry>, limits: SelectionLimits): Selection {
  const all = [...entries];
  const chosen = new Set<MempoolEntry>();
  const packages = new Map<MempoolEntry, Package>();
  // Ancestor totals: exact along single-parent chains; a full walk for transactions with several parents.
  for (const e of all) {
    if (e.parents.size === 0) packages.set(e, { fee: e.fee, size: e.size, sigOps: e.sigOps });
    else if (e.parents.size === 1) {
      const p = packages.get(e.parents.values().next().value!)!;
      packages.set(e, { fee: p.fee + e.fee, size: p.size + e.size, sigOps: p.sigOps + e.sigOps });
    } else {
      packages.set(e, totals(e, ancestorsNotIn(e, chosen)));
    }
  }
  const heap = new PackageHeap();
  for (const e of all) heap.push(e, packages.get(e)!);

  const result: MempoolEntry[] = [];
  let bytes = 0;
  let sigOps = limits.reservedSigOps;
  let fees = 0n;
  let failures = 0;
  while (heap.size) {
    const { e, pkg } = heap.pop()!;
    if (chosen.has(e)) continue;
    // Ancestors chosen since this package was scored make it smaller: score it again.
    let ancestors: MempoolEntry[] | null = null;
    let current = pkg;
    if (e.parents.size) {
      ancestors = ancestorsNotIn(e, chosen);
      current = totals(e, ancestors);
      if (current.size !== pkg.size) {
        const next = heap.peek();
        if (next && richer(next.pkg, current)) {
          heap.push(e, current);
          continue;
        }
      }
    }
    if (current.fee < feeForSize(limits.minFeePerKb, current.size)) continue;
    const blockSize = limits.minOverheadBytes + bytes + current.size;
    if (bytes + current.size > limits.maxTxBytes || (limits.limitSigOps && sigOps + current.sigOps > maxBlockSigOpsBeforeGenesis(blockSize))) {
      // Give up once the block is nearly full and packages keep failing.
      if (++failures > 1000 && bytes > limits.maxTxBytes - 4000) break;
      continue;
    }
    const members = ancestors ? [...ancestors, e].sort((a, b) => a.seq - b.seq) : [e];
    for (const m of members) {
      chosen.add(m);
      result.push(m);
    }
    bytes += current.size;
    sigOps += current.sigOps;
    fees += current.fee;
  }
  return { entries: result, fees, bytes, sigOps: sigOps - limits.reservedSigOps };
}

/** In-mempool ancestors of `e` that are not in `exclude`. */
function ancestorsNotIn(e: MempoolEntry, exclude: ReadonlySet<MempoolEntry>): MempoolEntry[] {
  const seen = new Set<MempoolEntry>();
  const stack = [...e.parents];
  while (stack.length) {
    const p = stack.pop()!;
    if (seen.has(p) || exclude.has(p)) continue;
    seen.add(p);
    for (const q of p.parents) stack.push(q);
  }
  return [...seen];
}

function totals(e: MempoolEntry, ancestors: readonly MempoolEntry[]): Package {
  let fee = e.fee;
  let size = e.size;
  let sigOps = e.sigOps;
  for (const a of ancestors) {
    fee += a.fee;
    size += a.size;
    sigOps += a.sigOps;
  }
  return { fee, size, sigOps };
}
