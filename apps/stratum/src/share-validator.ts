import { asHash32, encodeBlockHeader, merkleRootFromBranch, sha256d, type Hash32 } from '@metamorph/bitcoin';
import { EXTRANONCE1_SIZE, EXTRANONCE2_SIZE } from './coinbase.js';
import type { Job } from './job.js';
import { StratumErrorCode, StratumProtocolError } from './protocol.js';

/** How far ahead of our clock a share's ntime may be: the node's limit on block times (2 hours). */
export const MAX_NTIME_AHEAD_SECONDS = 7200;

export interface ShareInput {
  job: Job;
  /** The connection's 4-byte extranonce1 as a number. */
  extranonce1: number;
  extranonce2: Uint8Array;
  ntime: number;
  nonce: number;
  /** The header version after any version rolling. */
  version: number;
  /** Unix milliseconds. */
  now: number;
}

export interface BuiltShare {
  hash: Hash32;
  header: Uint8Array;
  coinbase: Uint8Array;
}

/**
 * Checks the parts of a share that need no hashing (extranonce2 size, ntime bounds), then rebuilds
 * the coinbase, merkle root and header and hashes it. Throws a StratumProtocolError with the code
 * miners expect; targets and duplicates are the session's (they depend on the connection).
 */
export function buildShare(s: ShareInput): BuiltShare {
  if (s.extranonce2.length !== EXTRANONCE2_SIZE) {
    reject(`Incorrect size of extranonce2: expected ${EXTRANONCE2_SIZE} bytes, got ${s.extranonce2.length}`);
  }
  if (s.ntime < s.job.ntime) reject(`ntime out of range: before the job's ${s.job.ntime}`);
  if (s.ntime > Math.floor(s.now / 1000) + MAX_NTIME_AHEAD_SECONDS) reject('ntime out of range: more than 2 hours ahead');
  return hashShare(s.job, s.extranonce1, s.extranonce2, s.ntime, s.nonce, s.version);
}

export function hashShare(job: Job, extranonce1: number, extranonce2: Uint8Array, ntime: number, nonce: number, version: number): BuiltShare {
  const { coinb1, coinb2 } = job.coinbase;
  const coinbase = new Uint8Array(coinb1.length + EXTRANONCE1_SIZE + extranonce2.length + coinb2.length);
  coinbase.set(coinb1, 0);
  let at = coinb1.length;
  coinbase[at++] = extranonce1 >>> 24;
  coinbase[at++] = (extranonce1 >>> 16) & 0xff;
  coinbase[at++] = (extranonce1 >>> 8) & 0xff;
  coinbase[at++] = extranonce1 & 0xff;
  coinbase.set(extranonce2, at);
  coinbase.set(coinb2, at + extranonce2.length);
  const merkleRoot = merkleRootFromBranch(sha256d(coinbase), job.merkleBranch);
  const header = encodeBlockHeader({
    version: version | 0,
    prevHash: job.template.prevHash,
    merkleRoot: asHash32(merkleRoot),
    time: ntime,
    bits: job.template.bits,
    nonce,
  });
  return { hash: sha256d(header), header, coinbase };
}

function reject(message: string): never {
  throw new StratumProtocolError(StratumErrorCode.Other, message);
}
