import { coinbaseMerkleBranch, type Hash32, hex32, toHex } from '@metamorph/bitcoin';
import { buildCoinbaseParts, type CoinbaseParts } from './coinbase.js';
import type { BlockTemplate } from './template.js';

/** One unit of work handed to miners with `mining.notify`. */
export interface Job {
  /** 8 hex digits, unique per stratum instance and process (sessions append their own 4). */
  id: string;
  /** Increases by one per job of this process: orders jobs for per-connection bookkeeping. */
  seq: number;
  template: BlockTemplate;
  coinbase: CoinbaseParts;
  /** Siblings of the coinbase up the merkle tree, internal byte order. */
  merkleBranch: Hash32[];
  /** The header time this job starts from (the template's curtime). */
  ntime: number;
  createdAt: number;
  /** Set on the first job of a new tip: miners drop older work. */
  cleanJobs: boolean;
  /** The `mining.notify` params after the job id and before clean_jobs, as JSON (`"prevhash",…,"ntime"`). */
  notifyMiddle: string;
}

export interface JobSpec {
  id: string;
  seq: number;
  template: BlockTemplate;
  tag: string;
  outputScript: Uint8Array;
  cleanJobs: boolean;
  now: number;
}

export function buildJob(spec: JobSpec): Job {
  const t = spec.template;
  const job: Omit<Job, 'notifyMiddle'> = {
    id: spec.id,
    seq: spec.seq,
    template: t,
    coinbase: buildCoinbaseParts({ height: t.height, tag: spec.tag, value: t.coinbaseValue, outputScript: spec.outputScript }),
    merkleBranch: coinbaseMerkleBranch(t.transactions.map((tx) => tx.txid)),
    ntime: t.curtime,
    createdAt: spec.now,
    cleanJobs: spec.cleanJobs,
  };
  const p = notifyParams({ ...job, notifyMiddle: '' });
  return { ...job, notifyMiddle: JSON.stringify(p.slice(1, 8)).slice(1, -1) };
}

/**
 * The previous-block hash as Stratum V1 sends it: the internal byte order with each 4-byte
 * word byte-swapped (what miners undo before hashing).
 */
export function stratumPrevHash(hash: Uint8Array): string {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i += 4) {
    out[i] = hash[i + 3];
    out[i + 1] = hash[i + 2];
    out[i + 2] = hash[i + 1];
    out[i + 3] = hash[i];
  }
  return toHex(out);
}

export type NotifyParams = [string, string, string, string, string[], string, string, string, boolean];

/** `mining.notify` params: job id, prevhash, coinb1, coinb2, merkle branch, version, nbits, ntime, clean_jobs. */
export function notifyParams(job: Job, jobId = job.id, clean = job.cleanJobs): NotifyParams {
  return [
    jobId,
    stratumPrevHash(job.template.prevHash),
    toHex(job.coinbase.coinb1),
    toHex(job.coinbase.coinb2),
    job.merkleBranch.map(toHex),
    hex32(job.template.version),
    hex32(job.template.bits),
    hex32(job.ntime),
    clean,
  ];
}

/** The `mining.notify` line (newline included) for a job as one connection names it. */
export function notifyLine(job: Job, jobId: string, clean: boolean): string {
  return `{"id":null,"method":"mining.notify","params":["${jobId}",${job.notifyMiddle},${clean}]}\n`;
}
