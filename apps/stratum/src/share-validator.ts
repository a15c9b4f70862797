import {
  asHash32,
  encodeBlockHeader,
  hashToBigInt,
  hashToHex,
  merkleRootFromBranch,
  sha256d,
  type Hash32,
} from '@metamorph/bitcoin';
import { EXTRANONCE2_SIZE, assembleCoinbase } from './coinbase.js';
import type { Job } from './job.js';
import { StratumErrorCode, StratumProtocolError } from './protocol.js';

/** How far ahead of our clock a share's ntime may be (the node allows 2 hours). */
export const MAX_NTIME_AHEAD_SECONDS = 7000;

export interface ShareInput {
  job: Job;
  extranonce1: Uint8Array;
  extranonce2: Uint8Array;
  ntime: number;
  nonce: number;
  /** The header version after any version rolling. */
  version: number;
  /** The connection's share target for this job. */
  shareTarget: bigint;
  /** Unix milliseconds. */
  now: number;
}

export interface ValidShare {
  hash: Hash32;
  /** Display-order hex of `hash`: the share's idempotency key. */
  hashHex: string;
  header: Uint8Array;
  coinbase: Uint8Array;
  /** hash ≤ network target: a block. */
  isBlock: boolean;
  /** hash ≤ the share target (a block may miss it when the pool difficulty exceeds the network's). */
  meetsShareTarget: boolean;
}

function reject(code: StratumErrorCode, message: string): never {
  throw new StratumProtocolError(code, message);
}

/**
 * Checks a submitted share against its job and throws a StratumProtocolError with the code
 * miners expect; on success records it for duplicate detection. Job lookup and staleness are
 * the caller's (it owns the job table).
 */
export function validateShare(s: ShareInput): ValidShare {
  if (s.extranonce2.length !== EXTRANONCE2_SIZE) {
    reject(StratumErrorCode.Other, `Incorrect size of extranonce2: expected ${EXTRANONCE2_SIZE} bytes, got ${s.extranonce2.length}`);
  }
  if (s.ntime < s.job.ntime) reject(StratumErrorCode.Other, `ntime out of range: before the job's ${s.job.ntime}`);
  if (s.ntime > Math.floor(s.now / 1000) + MAX_NTIME_AHEAD_SECONDS) reject(StratumErrorCode.Other, 'ntime out of range: too far in the future');

  const coinbase = assembleCoinbase(s.job.coinbase, s.extranonce1, s.extranonce2);
  const merkleRoot = merkleRootFromBranch(sha256d(coinbase), s.job.merkleBranch);
  const header = encodeBlockHeader({
    version: s.version | 0,
    prevHash: s.job.template.prevHash,
    merkleRoot: asHash32(merkleRoot),
    time: s.ntime,
    bits: s.job.template.bits,
    nonce: s.nonce,
  });
  const hash = sha256d(header);
  const hashHex = hashToHex(hash);
  if (s.job.submitted.has(hashHex)) reject(StratumErrorCode.DuplicateShare, 'Duplicate share');

  const value = hashToBigInt(hash);
  const isBlock = value <= s.job.template.target;
  const meetsShareTarget = value <= s.shareTarget;
  if (!meetsShareTarget && !isBlock) reject(StratumErrorCode.LowDifficulty, 'Low difficulty share');
  s.job.submitted.add(hashHex);
  return { hash, hashHex, header, coinbase, isBlock, meetsShareTarget };
}
