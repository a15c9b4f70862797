import { concatBytes } from '../bytes.js';
import { sha256d, type Hash32 } from '../hash.js';
import { BitcoinError, BitcoinErrorCode } from '../errors.js';

function pair(a: Uint8Array, b: Uint8Array): Hash32 {
  return sha256d(concatBytes(a, b));
}

/**
 * Merkle root over txids (internal byte order). `mutated` reports the CVE-2012-2459
 * ambiguity (two identical adjacent hashes at some level), which block validation must refuse.
 */
export function merkleRootWithMutation(hashes: readonly Hash32[]): { root: Hash32; mutated: boolean } {
  if (hashes.length === 0) return { root: new Uint8Array(32) as Hash32, mutated: false };
  let level: Uint8Array[] = hashes.slice();
  let mutated = false;
  const buf = new Uint8Array(64);
  while (level.length > 1) {
    const next: Uint8Array[] = new Array(Math.ceil(level.length / 2));
    for (let i = 0; i < level.length; i += 2) {
      const a = level[i];
      const b = i + 1 < level.length ? level[i + 1] : a;
      if (i + 1 < level.length && equal32(a, b)) mutated = true;
      buf.set(a, 0);
      buf.set(b, 32);
      next[i >> 1] = sha256d(buf);
    }
    level = next;
  }
  return { root: level[0] as Hash32, mutated };
}

export function merkleRoot(hashes: readonly Hash32[]): Hash32 {
  return merkleRootWithMutation(hashes).root;
}

function equal32(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Sibling hashes from leaf `index` up to the root. */
export function merkleBranch(hashes: readonly Hash32[], index: number): Hash32[] {
  if (index < 0 || index >= hashes.length) {
    throw new BitcoinError(BitcoinErrorCode.OutOfRange, `leaf ${index} of ${hashes.length}`, 'index');
  }
  const branch: Hash32[] = [];
  let level: Uint8Array[] = hashes.slice();
  let i = index;
  while (level.length > 1) {
    const sibling = i ^ 1;
    branch.push((sibling < level.length ? level[sibling] : level[i]) as Hash32);
    const next: Uint8Array[] = [];
    for (let j = 0; j < level.length; j += 2) next.push(pair(level[j], j + 1 < level.length ? level[j + 1] : level[j]));
    level = next;
    i >>= 1;
  }
  return branch;
}

/**
 * The branch a Stratum job sends: siblings of the coinbase (leaf 0) given the txids of
 * every other transaction in block order.
 */
export function coinbaseMerkleBranch(otherTxids: readonly Hash32[]): Hash32[] {
  if (otherTxids.length === 0) return [];
  return merkleBranch([new Uint8Array(32) as Hash32, ...otherTxids], 0);
}

/** Fold a leaf up a branch to the root. */
export function merkleRootFromBranch(leaf: Uint8Array, branch: readonly Uint8Array[], index = 0): Hash32 {
  let h = leaf;
  let i = index;
  for (const sibling of branch) {
    h = i & 1 ? pair(sibling, h) : pair(h, sibling);
    i >>= 1;
  }
  return h as Hash32;
}
