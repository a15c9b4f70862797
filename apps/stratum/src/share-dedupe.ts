/**
 * The shares one connection had accepted, while their jobs live: a duplicate is the same header
 * hash again (the hash commits to extranonce1, extranonce2, ntime, nonce and version bits for the
 * job). Each entry is 52 bits of the hash plus the job's sequence number, 12 bytes; a busy
 * connection switches to a Map. Entries of jobs no longer remembered are dropped when room is needed.
 */
export class ShareDedupe {
  private keys = new Float64Array(4);
  private seqs = new Uint32Array(4);
  private n = 0;
  private map: Map<number, number> | undefined;

  get size(): number {
    return this.map ? this.map.size : this.n;
  }

  has(key: number): boolean {
    if (this.map) return this.map.has(key);
    const keys = this.keys;
    for (let i = 0; i < this.n; i++) if (keys[i] === key) return true;
    return false;
  }

  /** Record an accepted share of job `seq`; jobs older than `oldestSeq` are gone. */
  add(key: number, seq: number, oldestSeq: number): void {
    if (this.map) {
      if (this.map.size >= MAX_ENTRIES) this.pruneMap(oldestSeq);
      this.map.set(key, seq);
      return;
    }
    if (this.n === this.keys.length) {
      this.compact(oldestSeq);
      if (this.n === this.keys.length) {
        if (this.keys.length >= SMALL_LIMIT) {
          this.map = new Map();
          for (let i = 0; i < this.n; i++) this.map.set(this.keys[i], this.seqs[i]);
          this.map.set(key, seq);
          this.keys = new Float64Array(0);
          this.seqs = new Uint32Array(0);
          this.n = 0;
          return;
        }
        const keys = new Float64Array(this.keys.length * 2);
        const seqs = new Uint32Array(this.keys.length * 2);
        keys.set(this.keys);
        seqs.set(this.seqs);
        this.keys = keys;
        this.seqs = seqs;
      }
    }
    this.keys[this.n] = key;
    this.seqs[this.n] = seq;
    this.n++;
  }

  /** Forget one key (a share that could not be stored after all). */
  delete(key: number): void {
    if (this.map) {
      this.map.delete(key);
      return;
    }
    for (let i = 0; i < this.n; i++) {
      if (this.keys[i] === key) {
        this.n--;
        this.keys[i] = this.keys[this.n];
        this.seqs[i] = this.seqs[this.n];
        return;
      }
    }
  }

  /** Forget entries of jobs older than `oldestSeq`. */
  prune(oldestSeq: number): void {
    if (this.map) this.pruneMap(oldestSeq);
    else this.compact(oldestSeq);
  }

  private compact(oldestSeq: number): void {
    let w = 0;
    for (let r = 0; r < this.n; r++) {
      if (this.seqs[r] >= oldestSeq) {
        this.keys[w] = this.keys[r];
        this.seqs[w] = this.seqs[r];
        w++;
      }
    }
    this.n = w;
  }

  private pruneMap(oldestSeq: number): void {
    const map = this.map!;
    for (const [k, s] of map) if (s < oldestSeq) map.delete(k);
    // Still full (an extreme share rate): forget the oldest entries; the database's unique share key still counts each share once.
    for (const k of map.keys()) {
      if (map.size < MAX_ENTRIES) break;
      map.delete(k);
    }
  }
}

/** Linear search up to this many entries, then a Map. */
const SMALL_LIMIT = 32;
const MAX_ENTRIES = 200_000;

/** 52 bits of a header hash as an exact JavaScript number. */
export function dedupeKey(hash: Uint8Array): number {
  return hash[0] + hash[1] * 0x100 + hash[2] * 0x10000 + hash[3] * 0x1000000 + hash[4] * 0x100000000 + hash[5] * 0x10000000000 + (hash[6] & 0x0f) * 0x1000000000000;
}
