import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  BitcoinErrorCode as C,
  coinbaseMerkleBranch,
  concatBytes,
  hashFromHex,
  hashToHex,
  mainnet,
  merkleBranch,
  merkleRoot,
  merkleRootFlat,
  merkleRootFromBranch,
  merkleRootWithMutation,
  sha256d,
  txid,
  type Hash32,
} from '../src/index.js';
import { sha256dPair } from '../src/primitives/merkle-hash.js';
import { arbHash32, throwsCode } from './codec-support.js';

/**
 * Test oracle: the reference node's streaming MerkleComputation restated — leaves are
 * folded into a stack of complete subtrees (`inner[level]`), comparing the two halves of
 * each complete pair for the mutation flag, then the right edge is closed by
 * duplicating odd nodes.
 */
function oracle(leaves: Uint8Array[]): { root: Uint8Array; mutated: boolean } {
  if (leaves.length === 0) return { root: new Uint8Array(32), mutated: false };
  const inner: Uint8Array[] = [];
  let mutated = false;
  let count = 0;
  for (const leaf of leaves) {
    let h = leaf;
    count++;
    let level = 0;
    for (; (count & (1 << level)) === 0; level++) {
      if (inner[level].every((b, i) => b === h[i])) mutated = true;
      h = sha256d(concatBytes(inner[level], h));
    }
    inner[level] = h;
  }
  let level = 0;
  while ((count & (1 << level)) === 0) level++;
  let h = inner[level];
  while (count !== 1 << level) {
    h = sha256d(concatBytes(h, h));
    count += 1 << level;
    level++;
    while ((count & (1 << level)) === 0) {
      h = sha256d(concatBytes(inner[level], h));
      level++;
    }
  }
  return { root: h, mutated };
}

test('the pair hash is double SHA-256 of 64 bytes, as node:crypto computes it (property)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 64, maxLength: 200 }), fc.nat(), fc.nat(), (buf, o1, o2) => {
      const off = o1 % (buf.length - 63);
      const out = new Uint8Array(buf.length + 32);
      const doff = o2 % (out.length - 31);
      sha256dPair(buf, off, out, doff);
      assert.deepEqual(out.subarray(doff, doff + 32), sha256d(buf.subarray(off, off + 64)));
    }),
    { numRuns: 500 },
  );
  // In place, over its own input, as the tree reduction uses it.
  const buf = new Uint8Array(64).map((_, i) => i);
  const want = sha256d(buf.slice());
  sha256dPair(buf, 0, buf, 0);
  assert.deepEqual(buf.subarray(0, 32), want);
});

const arbLeaves = fc.array(arbHash32, { minLength: 1, maxLength: 70 });

test('merkle root and mutation flag agree with the reference algorithm (property)', () => {
  fc.assert(
    fc.property(arbLeaves, (leaves) => {
      const want = oracle(leaves);
      const got = merkleRootWithMutation(leaves);
      assert.deepEqual(got.root, want.root);
      assert.equal(got.mutated, want.mutated);
      assert.deepEqual(merkleRootFlat(concatBytes(...leaves)), got);
    }),
    { numRuns: 150 },
  );
  // Trees with repeated leaves, where the mutation flag matters.
  const small = fc.array(fc.constantFrom(...[1, 2, 3].map((i) => new Uint8Array(32).fill(i) as Hash32)), { minLength: 1, maxLength: 24 });
  fc.assert(
    fc.property(small, (leaves) => {
      const want = oracle(leaves);
      const got = merkleRootWithMutation(leaves);
      assert.deepEqual(got.root, want.root);
      assert.equal(got.mutated, want.mutated, `leaves ${leaves.map((l) => l[0]).join(',')}`);
    }),
    { numRuns: 400 },
  );
});

test('CVE-2012-2459: a list with its tail repeated has the same root and is flagged', () => {
  const ids = [1, 2, 3, 4, 5, 6].map((i) => new Uint8Array(32).fill(i) as Hash32);
  const dup = [...ids, ids[4], ids[5]];
  const a = merkleRootWithMutation(ids);
  const b = merkleRootWithMutation(dup);
  assert.deepEqual(a.root, b.root);
  assert.equal(a.mutated, false);
  assert.equal(b.mutated, true);
  // A duplicated last leaf of an odd level alone is not a mutation…
  assert.equal(merkleRootWithMutation(ids.slice(0, 5)).mutated, false);
  // …but two equal real leaves are.
  assert.equal(merkleRootWithMutation([ids[0], ids[0]]).mutated, true);
});

test('branches fold back to the root for every leaf (property)', () => {
  fc.assert(
    fc.property(arbLeaves, (leaves) => {
      const root = merkleRoot(leaves);
      for (let i = 0; i < leaves.length; i++) {
        const branch = merkleBranch(leaves, i);
        assert.equal(branch.length, Math.ceil(Math.log2(leaves.length)));
        assert.deepEqual(merkleRootFromBranch(leaves[i], branch, i), root);
      }
      const cb = coinbaseMerkleBranch(leaves.slice(1));
      assert.deepEqual(cb, merkleBranch(leaves, 0));
      assert.deepEqual(merkleRootFromBranch(leaves[0], cb, 0), root);
    }),
    { numRuns: 60 },
  );
});

test('a zero branch entry stands for the node itself, as in the reference node', () => {
  const leaves = [1, 2, 3].map((i) => new Uint8Array(32).fill(i) as Hash32);
  const branch = merkleBranch(leaves, 2);
  assert.deepEqual(branch[0], leaves[2]); // the odd last leaf is its own sibling
  const withZero = [new Uint8Array(32), branch[1]];
  assert.deepEqual(merkleRootFromBranch(leaves[2], withZero, 2), merkleRoot(leaves));
});

test('known roots: genesis and mainnet block 100000', () => {
  const g = mainnet.genesis;
  assert.deepEqual(merkleRoot(g.txs.map(txid)), g.header.merkleRoot);
  assert.deepEqual(merkleRoot([]), new Uint8Array(32));
  assert.deepEqual(merkleRootFromBranch(txid(g.txs[0]), []), g.header.merkleRoot);
  const ids = [
    '8c14f0db3df150123e6f3dbbf30f8b955a8249b62ac1d1ff16284aefa3d06d87',
    'fff2525b8931402dd09222c50775608f75787bd2b87e56995a7bdd30f79702c4',
    '6359f0868171b1d194cbee1af2f16ea598ae8fad666d9b012c8ed2b79a236ec4',
    'e9a66845e05d5abc0ad04ec80f774a7e585c6e8db975962d069a522137b80c1d',
  ].map((h) => hashFromHex(h));
  assert.equal(hashToHex(merkleRoot(ids)), 'f3e94742aca4b5ef85488dc37c06c3282295ffec960994b2c0d5ac2a25a95766');
});

test('merkle inputs are checked', () => {
  throwsCode(() => merkleRoot([new Uint8Array(31)]), C.InvalidLength, 'hashes[0]');
  throwsCode(() => merkleRootFlat(new Uint8Array(33)), C.InvalidLength, 'txids');
  throwsCode(() => merkleBranch([new Uint8Array(32)], 1), C.OutOfRange, 'index');
  throwsCode(() => merkleRootFromBranch(new Uint8Array(32), [new Uint8Array(32).fill(1), new Uint8Array(20)]), C.InvalidLength, 'branch[1]');
  throwsCode(() => merkleRootFromBranch(new Uint8Array(31), []), C.InvalidLength, 'leaf');
  assert.deepEqual(coinbaseMerkleBranch([]), []);
});
