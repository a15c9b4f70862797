import { decodeCompact, hashToBigInt } from '@metamorph/bitcoin';
import { MinerError, MinerErrorCode } from './errors.js';
import { sha256d } from './hasher.js';

/** A `mining.notify`, checked and decoded as a miner needs it. */
export interface NotifyJob {
  jobId: string;
  /** Previous block hash in header byte order (the word swap undone). */
  prevHash: Buffer;
  coinb1: Buffer;
  coinb2: Buffer;
  merkleBranch: Buffer[];
  version: number;
  bits: number;
  ntime: number;
  cleanJobs: boolean;
}

function hexField(v: unknown, field: string, bytes?: number): Buffer {
  if (typeof v !== 'string' || !/^([0-9a-fA-F]{2})*$/.test(v) || (bytes !== undefined && v.length !== bytes * 2)) {
    throw new MinerError(MinerErrorCode.BadNotify, `expected ${bytes === undefined ? '' : `${bytes} bytes of `}hex, got ${JSON.stringify(v)}`, field);
  }
  return Buffer.from(v, 'hex');
}

function u32Field(v: unknown, field: string): number {
  return hexField(v, field, 4).readUInt32BE(0);
}

export function parseNotify(params: unknown): NotifyJob {
  if (!Array.isArray(params) || params.length < 9) throw new MinerError(MinerErrorCode.BadNotify, 'expected 9 params', 'mining.notify');
  const [jobId, prev, coinb1, coinb2, branch, version, bits, ntime, clean] = params;
  if (typeof jobId !== 'string' || jobId.length === 0 || jobId.length > 64) throw new MinerError(MinerErrorCode.BadNotify, 'bad job id', 'job_id');
  if (!Array.isArray(branch)) throw new MinerError(MinerErrorCode.BadNotify, 'expected an array', 'merkle_branch');
  const sent = hexField(prev, 'prevhash', 32);
  const prevHash = Buffer.alloc(32);
  for (let i = 0; i < 32; i += 4) prevHash.writeUInt32LE(sent.readUInt32BE(i), i);
  return {
    jobId,
    prevHash,
    coinb1: hexField(coinb1, 'coinb1'),
    coinb2: hexField(coinb2, 'coinb2'),
    merkleBranch: branch.map((b, i) => hexField(b, `merkle_branch[${i}]`, 32)),
    version: u32Field(version, 'version'),
    bits: u32Field(bits, 'nbits'),
    ntime: u32Field(ntime, 'ntime'),
    cleanJobs: clean === true,
  };
}

export { sha256d } from './hasher.js';

/** The 80-byte header for this job and extranonce, nonce 0 (bytes 76–79 are the nonce). */
export function buildHeader(job: NotifyJob, extranonce1: Buffer, extranonce2: Buffer): { header: Buffer; coinbase: Buffer } {
  const coinbase = Buffer.concat([job.coinb1, extranonce1, extranonce2, job.coinb2]);
  let root = sha256d(coinbase);
  for (const sibling of job.merkleBranch) root = sha256d(Buffer.concat([root, sibling]));
  const header = Buffer.alloc(80);
  header.writeUInt32LE(job.version, 0);
  job.prevHash.copy(header, 4);
  root.copy(header, 36);
  header.writeUInt32LE(job.ntime, 68);
  header.writeUInt32LE(job.bits, 72);
  return { header, coinbase };
}

/** The target a header's hash must not exceed, from compact nBits. */
export function targetFromCompact(bits: number): bigint {
  return decodeCompact(bits).target;
}

/** The hash as the little-endian 256-bit number proof of work compares. */
export function hashValue(hash: Buffer): bigint {
  return hashToBigInt(hash);
}

/**
 * The `n`th value of the version bits a miner may roll: the bits of `n` spread over the set bits
 * of `mask`, lowest first (what ASICs do when they roll through the granted mask).
 */
export function rolledVersionBits(mask: number, n: number): number {
  let out = 0;
  let m = mask >>> 0;
  let k = n >>> 0;
  while (m && k) {
    const low = m & -m;
    if (k & 1) out |= low;
    m = (m & ~low) >>> 0;
    k >>>= 1;
  }
  return out >>> 0;
}
