import { MEDIAN_TIME_SPAN, blockProof, type BlockHeader, type Hash32 } from '@metamorph/bitcoin';
import { NO_SEQ, betterTip, hasData, isInvalid, keyOf, type BlockStatus, type IndexEntry } from './index-entry.js';

/** Reverts one in-memory change; collected so a failed database write leaves memory as it was. */
export type Undo = () => void;

export interface NewEntry {
  hash: Hash32;
  header: BlockHeader;
  status: BlockStatus;
  txCount: number | null;
  size: number | null;
}

/**
 * Every known header in memory, the active chain, and the candidates for a better tip.
 * Mutations return an Undo so the chain service can roll memory back with the database.
 */
export class BlockIndex {
  private readonly entries = new Map<string, IndexEntry>();
  private readonly active: IndexEntry[] = [];
  /** Connectable entries (all bodies stored, nothing invalid) that may become the tip. */
  private readonly candidates = new Set<IndexEntry>();
  private nextSeq = 0;
  private bestHeaderEntry: IndexEntry | null = null;

  get size(): number {
    return this.entries.size;
  }

  get(hash: Uint8Array): IndexEntry | undefined {
    return this.entries.get(keyOf(hash));
  }

  /** The active chain's tip; throws before the genesis block is loaded. */
  tip(): IndexEntry {
    const t = this.active[this.active.length - 1];
    if (!t) throw new Error('the block index has no active chain yet');
    return t;
  }

  height(): number {
    return this.active.length - 1;
  }

  /** The block of the active chain at `height`. */
  atHeight(height: number): IndexEntry | undefined {
    return Number.isInteger(height) && height >= 0 ? this.active[height] : undefined;
  }

  contains(e: IndexEntry): boolean {
    return this.active[e.height] === e;
  }

  /** The active chain's block after `e`, if `e` is on it and not the tip. */
  next(e: IndexEntry): IndexEntry | undefined {
    return this.contains(e) ? this.active[e.height + 1] : undefined;
  }

  /** The header with the most work that is not known invalid (what `headers` counts reach). */
  bestHeader(): IndexEntry {
    return this.bestHeaderEntry ?? this.tip();
  }

  all(): IterableIterator<IndexEntry> {
    return this.entries.values();
  }

  /** `e`'s ancestor at `height` (or `e` itself). */
  ancestor(e: IndexEntry, height: number): IndexEntry | undefined {
    if (height < 0 || height > e.height) return undefined;
    if (this.contains(e)) return this.active[height];
    let cur: IndexEntry | null = e;
    while (cur && cur.height > height) {
      if (this.contains(cur)) return this.active[height];
      cur = cur.prev;
    }
    return cur ?? undefined;
  }

  /** Median of the block's time and up to ten ancestors' (GetMedianTimePast). */
  medianTimePast(e: IndexEntry): number {
    if (e.mtp !== undefined) return e.mtp;
    const times: number[] = [];
    for (let cur: IndexEntry | null = e; cur && times.length < MEDIAN_TIME_SPAN; cur = cur.prev) times.push(cur.header.time);
    times.sort((a, b) => a - b);
    e.mtp = times[Math.floor(times.length / 2)];
    return e.mtp;
  }

  /** The last block `e`'s chain shares with the active chain. */
  findFork(e: IndexEntry): IndexEntry {
    let cur: IndexEntry | null = e;
    while (cur && !this.contains(cur)) cur = cur.prev;
    if (!cur) throw new Error(`block ${e.key} does not descend from the genesis block`);
    return cur;
  }

  /** Add a header (its parent must be indexed unless it is the genesis block). */
  add(n: NewEntry, prev: IndexEntry | null): { entry: IndexEntry; undo: Undo } {
    const key = keyOf(n.hash);
    if (this.entries.has(key)) throw new Error(`block ${key} is already indexed`);
    const entry: IndexEntry = {
      hash: n.hash,
      key,
      header: n.header,
      height: prev ? prev.height + 1 : 0,
      prev,
      chainWork: (prev?.chainWork ?? 0n) + blockProof(n.header.bits),
      status: n.status,
      failedParent: prev ? isInvalid(prev) : false,
      txCount: n.txCount,
      size: n.size,
      chainData: false,
      seq: n.txCount !== null ? this.nextSeq++ : NO_SEQ,
      children: [],
    };
    entry.chainData = hasData(entry) && (prev === null || prev.chainData);
    this.entries.set(key, entry);
    prev?.children.push(entry);
    const previousBest = this.bestHeaderEntry;
    if (!isInvalid(entry) && (!previousBest || entry.chainWork > previousBest.chainWork)) this.bestHeaderEntry = entry;
    if (entry.chainData && !isInvalid(entry)) this.candidates.add(entry);
    return {
      entry,
      undo: () => {
        this.candidates.delete(entry);
        this.bestHeaderEntry = previousBest;
        prev?.children.pop();
        this.entries.delete(key);
      },
    };
  }

  /** Record that `e`'s body is stored; it and waiting descendants may become connectable. */
  setData(e: IndexEntry, txCount: number, size: number): Undo {
    const before = { status: e.status, txCount: e.txCount, size: e.size, seq: e.seq };
    e.txCount = txCount;
    e.size = size;
    if (e.seq === NO_SEQ) e.seq = this.nextSeq++;
    if (e.status === 'HEADER') e.status = 'DATA';
    const flagged = !e.chainData && (e.prev === null || e.prev.chainData) ? this.spreadChainData(e) : [];
    return () => {
      for (const c of flagged) {
        c.chainData = false;
        this.candidates.delete(c);
      }
      Object.assign(e, before);
    };
  }

  setStatus(e: IndexEntry, status: BlockStatus): Undo {
    const before = e.status;
    e.status = status;
    return () => {
      e.status = before;
    };
  }

  /** Mark `e` invalid and every descendant as having an invalid parent. */
  markInvalid(e: IndexEntry): Undo {
    const changed: { entry: IndexEntry; status: BlockStatus; failedParent: boolean; candidate: boolean }[] = [];
    const visit = (x: IndexEntry, self: boolean) => {
      changed.push({ entry: x, status: x.status, failedParent: x.failedParent, candidate: this.candidates.has(x) });
      if (self) x.status = 'INVALID';
      else x.failedParent = true;
      this.candidates.delete(x);
      for (const c of x.children) visit(c, false);
    };
    visit(e, true);
    const previousBest = this.bestHeaderEntry;
    if (previousBest && isInvalid(previousBest)) this.bestHeaderEntry = this.findBestHeader();
    return () => {
      for (const c of changed.reverse()) {
        c.entry.status = c.status;
        c.entry.failedParent = c.failedParent;
        if (c.candidate) this.candidates.add(c.entry);
      }
      this.bestHeaderEntry = previousBest;
    };
  }

  pushActive(e: IndexEntry): Undo {
    if (e.height !== this.active.length || (e.prev && this.active[e.height - 1] !== e.prev)) {
      throw new Error(`block ${e.key} at height ${e.height} does not extend the active chain`);
    }
    this.active.push(e);
    return () => {
      this.active.pop();
    };
  }

  popActive(): Undo {
    const e = this.active.pop();
    if (!e) throw new Error('the active chain is empty');
    return () => {
      this.active.push(e);
    };
  }

  /** The connectable entry with the most work (first arrived wins ties), if any. */
  bestCandidate(): IndexEntry | undefined {
    let best: IndexEntry | undefined;
    for (const c of this.candidates) if (!best || betterTip(c, best)) best = c;
    return best;
  }

  /**
   * After loading from the database: number the stored bodies so the active chain comes first,
   * so that a restart never prefers a side branch of equal work over the tip it left.
   */
  resequence(): void {
    this.nextSeq = 0;
    for (const e of this.active) e.seq = this.nextSeq++;
    for (const e of this.entries.values()) if (hasData(e) && !this.contains(e)) e.seq = this.nextSeq++;
  }

  /**
   * Make every connectable, valid entry with at least the tip's work a candidate again (after
   * the tip was invalidated, blocks pruned earlier may be the best chain now).
   */
  rebuildCandidates(): Undo {
    const before = new Set(this.candidates);
    const tip = this.tip();
    for (const e of this.entries.values()) {
      if (e.chainData && !isInvalid(e) && e.chainWork >= tip.chainWork) this.candidates.add(e);
    }
    return () => {
      this.candidates.clear();
      for (const c of before) this.candidates.add(c);
    };
  }

  /**
   * Forget that `e`, its descendants and its ancestors were found invalid (reconsiderblock):
   * their statuses go back to what their stored data says, and `failedParent` is derived
   * again everywhere. Returns the entries whose status changed, and how to undo it.
   */
  clearInvalid(e: IndexEntry): { changed: IndexEntry[]; undo: Undo } {
    const saved = new Map<IndexEntry, { status: BlockStatus; failedParent: boolean }>();
    const changed: IndexEntry[] = [];
    const reset = (x: IndexEntry) => {
      if (x.status !== 'INVALID') return;
      saved.set(x, { status: x.status, failedParent: x.failedParent });
      x.status = hasData(x) ? 'DATA' : 'HEADER';
      changed.push(x);
    };
    const stack = [e];
    while (stack.length) {
      const x = stack.pop()!;
      reset(x);
      stack.push(...x.children);
    }
    for (let a = e.prev; a; a = a.prev) reset(a);
    const ordered = [...this.entries.values()].sort((a, b) => a.height - b.height);
    for (const x of ordered) {
      const failed = x.prev ? isInvalid(x.prev) : false;
      if (failed !== x.failedParent) {
        if (!saved.has(x)) saved.set(x, { status: x.status, failedParent: x.failedParent });
        x.failedParent = failed;
      }
    }
    const previousBest = this.bestHeaderEntry;
    this.bestHeaderEntry = this.findBestHeader();
    const undoCandidates = this.rebuildCandidates();
    return {
      changed,
      undo: () => {
        undoCandidates();
        this.bestHeaderEntry = previousBest;
        for (const [x, v] of saved) Object.assign(x, v);
      },
    };
  }

  /** Forget candidates that can no longer beat the tip (call only once a chain change is committed). */
  pruneCandidates(): void {
    const tip = this.tip();
    for (const c of this.candidates) if (c !== tip && betterTip(tip, c)) this.candidates.delete(c);
    this.candidates.add(tip);
  }

  /** Leaves of the block tree plus the active tip (getchaintips). */
  tips(): IndexEntry[] {
    const out: IndexEntry[] = [];
    for (const e of this.entries.values()) if (e.children.length === 0 && !this.contains(e)) out.push(e);
    out.push(this.tip());
    return out;
  }

  /** Flag `root` and its stored descendants as connectable; returns every entry flagged. */
  private spreadChainData(root: IndexEntry): IndexEntry[] {
    const flagged: IndexEntry[] = [];
    const stack = [root];
    while (stack.length) {
      const x = stack.pop()!;
      x.chainData = true;
      flagged.push(x);
      if (!isInvalid(x)) this.candidates.add(x);
      for (const c of x.children) if (hasData(c) && !c.chainData) stack.push(c);
    }
    return flagged;
  }

  private findBestHeader(): IndexEntry | null {
    let best: IndexEntry | null = null;
    for (const e of this.entries.values()) if (!isInvalid(e) && (!best || e.chainWork > best.chainWork)) best = e;
    return best;
  }
}
