import { difficultyFromBits, hashToHex, hex32 } from '@metamorph/bitcoin';
import type { BlockIndex } from '../chain/block-index.js';
import { hasData, workToHex, type IndexEntry } from '../chain/index-entry.js';
import { univalueDouble } from './json-number.js';

/** The validity level the reference node reports for a block (BlockValidity names). */
function validity(e: IndexEntry): string {
  if (e.status === 'VALID') return 'scripts';
  return hasData(e) ? 'transactions' : 'tree';
}

/** The `status` object of getblockheader / getblock. */
export function blockStatusJson(e: IndexEntry) {
  return {
    validity: validity(e),
    data: hasData(e),
    undo: e.status === 'VALID' && e.height > 0,
    failed: e.status === 'INVALID',
    'parent failed': e.failedParent,
    'disk meta': hasData(e),
    'soft reject': false,
    'double spend': false,
    'soft consensus frozen': false,
  };
}

/** Confirmations: depth in the active chain, or -1 off it. */
export function confirmations(index: BlockIndex, e: IndexEntry): number {
  return index.contains(e) ? index.height() - e.height + 1 : -1;
}

/** The header fields of getblockheader (verbose) and getblock, in the reference node's order. */
export function blockHeaderJson(index: BlockIndex, e: IndexEntry): Record<string, unknown> {
  const out: Record<string, unknown> = {
    hash: hashToHex(e.hash),
    confirmations: confirmations(index, e),
  };
  if (e.size !== null) out.size = e.size;
  out.height = e.height;
  out.version = e.header.version;
  out.versionHex = hex32(e.header.version);
  out.merkleroot = hashToHex(e.header.merkleRoot);
  if (e.txCount) out.num_tx = e.txCount;
  out.time = e.header.time;
  out.mediantime = index.medianTimePast(e);
  out.nonce = e.header.nonce;
  out.bits = hex32(e.header.bits);
  out.difficulty = univalueDouble(difficultyFromBits(e.header.bits));
  out.chainwork = workToHex(e.chainWork);
  if (e.prev) out.previousblockhash = hashToHex(e.prev.hash);
  const next = index.next(e);
  if (next) out.nextblockhash = hashToHex(next.hash);
  out.status = blockStatusJson(e);
  return out;
}
