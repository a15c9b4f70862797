import type { Hash32 } from '../hash.js';
import { sha256dPair } from './merkle-hash.js';
import { BitcoinError, BitcoinErrorCode } from '../errors.js';

// Trees are computed level by level in one flat buffer: each pair is hashed in place
// (sha256dPair reads 64 bytes and writes 32, allocating nothing) over the level just
// read. A tree of n leaves allocates one n×32-byte buffer.

/** Leaves packed into one buffer with room for one more hash (the duplicate of an odd last node). */
function flatten(hashes: readonly Uint8Array[]): Uint8Array {
  const buf = new Uint8Array(hashes.length * 32 + 32);
  for (let i = 0; i < hashes.length; i++) {
    const h = hashes[i];
    if (!(h instanceof Uint8Array) || h.length !== 32) {
      throw new BitcoinError(BitcoinErrorCode.InvalidLength, 'expected a 32-byte hash', `hashes[${i}]`);
    }
    buf.set(h, i * 32);
  }
  return buf;
}

function checkFlat(txids: Uint8Array): void {
  if (txids.length % 32 !== 0) {
    throw new BitcoinError(BitcoinErrorCode.InvalidLength, `${txids.length} bytes is not a whole number of 32-byte hashes`, 'txids');
  }
}

function same32(buf: Uint8Array, a: number, b: number): boolean {
  for (let k = 0; k < 32; k++) if (buf[a + k] !== buf[b + k]) return false;
  return true;
}

/**
 * Reduce `buf` (len hashes) to its root in place. `mutated` is set exactly as the
 * reference node's MerkleComputation does: when two equal hashes of complete subtrees
 * are paired (CVE-2012-2459). Pairs made by duplicating the last node of an odd level
 * are not counted, nor pairs involving a node built from such a duplicate.
 */
function reduce(buf: Uint8Array, len: number): { root: Hash32; mutated: boolean } {
  if (len === 0) return { root: new Uint8Array(32) as Hash32, mutated: false };
  let mutated = false;
  let lastIncomplete = false;
  while (len > 1) {
    if (len & 1) {
      // Duplicate the odd last node so every pair is two adjacent hashes.
      buf.copyWithin(len * 32, (len - 1) * 32, len * 32);
    }
    for (let i = 0; i < len; i += 2) {
      const a = i * 32;
      if (!mutated && i + 1 < len && !(lastIncomplete && i + 2 === len) && same32(buf, a, a + 32)) mutated = true;
      sha256dPair(buf, a, buf, (i >> 1) * 32);
    }
    lastIncomplete = lastIncomplete || (len & 1) === 1;
    len = (len + 1) >> 1;
  }
  return { root: buf.slice(0, 32) as Hash32, mutated };
}

/**
 * Merkle root over txids (internal byte order). `mutated` reports the CVE-2012-2459
 * ambiguity, which block validation must refuse. No leaves give the zero hash.
 */
export function merkleRootWithMutation(hashes: readonly Uint8Array[]): { root: Hash32; mutated: boolean } {
  return reduce(flatten(hashes), hashes.length);
}

export function merkleRoot(hashes: readonly Uint8Array[]): Hash32 {
  return merkleRootWithMutation(hashes).root;
}

/** The same over txids packed back to back in one buffer (n × 32 bytes); the input is not modified. */
export function merkleRootFlat(txids: Uint8Array): { root: Hash32; mutated: boolean } {
  checkFlat(txids);
  const buf = new Uint8Array(txids.length + 32);
  buf.set(txids);
  return reduce(buf, txids.length / 32);
}

/** Sibling hashes from leaf `index` up to the root (the leaf itself where a level is odd). */
export function merkleBranch(hashes: readonly Uint8Array[], index: number): Hash32[] {
  if (!Number.isInteger(index) || index < 0 || index >= hashes.length) {
    throw new BitcoinError(BitcoinErrorCode.OutOfRange, `leaf ${index} of ${hashes.length}`, 'index');
  }
  const buf = flatten(hashes);
  let len = hashes.length;
  let i = index;
  const branch: Hash32[] = [];
  while (len > 1) {
    const sibling = (i ^ 1) < len ? i ^ 1 : i;
    branch.push(buf.slice(sibling * 32, sibling * 32 + 32) as Hash32);
    if (len & 1) buf.copyWithin(len * 32, (len - 1) * 32, len * 32);
    for (let j = 0; j < len; j += 2) sha256dPair(buf, j * 32, buf, (j >> 1) * 32);
    len = (len + 1) >> 1;
    i >>= 1;
  }
  return branch;
}

/**
 * The branch a Stratum job sends: siblings of the coinbase (leaf 0) given the txids of
 * every other transaction in block order. The coinbase's own hash never enters it.
 */
export function coinbaseMerkleBranch(otherTxids: readonly Uint8Array[]): Hash32[] {
  if (otherTxids.length === 0) return [];
  return merkleBranch([new Uint8Array(32), ...otherTxids], 0);
}

/**
 * Fold a leaf up a branch to the root. As in the reference node, an all-zero branch
 * entry stands for "the node itself" (a duplicated last node).
 */
export function merkleRootFromBranch(leaf: Uint8Array, branch: readonly Uint8Array[], index = 0): Hash32 {
  if (!(leaf instanceof Uint8Array) || leaf.length !== 32) throw new BitcoinError(BitcoinErrorCode.InvalidLength, 'expected a 32-byte hash', 'leaf');
  if (!Number.isInteger(index) || index < 0) throw new BitcoinError(BitcoinErrorCode.OutOfRange, `leaf index ${index}`, 'index');
  const buf = new Uint8Array(64);
  buf.set(leaf, 0);
  let i = index;
  for (let k = 0; k < branch.length; k++) {
    const sibling = branch[k];
    if (!(sibling instanceof Uint8Array) || sibling.length !== 32) {
      throw new BitcoinError(BitcoinErrorCode.InvalidLength, 'expected a 32-byte hash', `branch[${k}]`);
    }
    // The running hash sits in buf[0..32]; place the sibling on its side.
    if (isZero(sibling)) buf.copyWithin(32, 0, 32);
    else if (i & 1) {
      buf.copyWithin(32, 0, 32);
      buf.set(sibling, 0);
    } else buf.set(sibling, 32);
    sha256dPair(buf, 0, buf, 0);
    i = Math.floor(i / 2);
  }
  return buf.slice(0, 32) as Hash32;
}

function isZero(h: Uint8Array): boolean {
  for (let k = 0; k < h.length; k++) if (h[k] !== 0) return false;
  return true;
}
