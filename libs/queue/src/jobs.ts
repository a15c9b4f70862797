import { QueueName } from './names.js';

/**
 * Job payloads cross process boundaries as JSON: amounts and exact decimals are strings,
 * hashes are display-order hex, times are Unix milliseconds.
 */

/**
 * One accepted share. Job id = `shareKey`. The difficulty the hash reached follows from the key
 * (DIFF1 / hash), so the consumer works it out instead of the stratum.
 */
export interface ShareJobData {
  kind: 'share';
  /** Idempotency key: the share's block-header hash (display hex), unique per distinct piece of work. */
  shareKey: string;
  /** Payout address the worker authorized with. */
  address: string;
  worker: string;
  /** Stratum job id the share answered. */
  jobId: string;
  /** Assigned difficulty (the share's weight), an exact decimal string. */
  difficulty: string;
  /** Height of the block the share's job builds. */
  height: number;
  isBlock: boolean;
  submittedAt: number;
}

export type FoundBlockStatus = 'SUBMITTED' | 'ACCEPTED' | 'REJECTED';

/**
 * A block candidate the pool found. Sent once when submitted (status SUBMITTED, job id
 * `block-<hash>-found`) and once more with the node's verdict (`block-<hash>-result`); the worker
 * never moves a block back to SUBMITTED, so the two may be handled in either order.
 */
export interface FoundBlockJobData {
  kind: 'block';
  /** Block hash, display hex. */
  hash: string;
  height: number;
  address: string;
  worker: string;
  /** Coinbase value in satoshis, a decimal string. */
  reward: string;
  status: FoundBlockStatus;
  /** `submitblock`'s answer (null when accepted), or the transport error. */
  submitResult: string | null;
  foundAt: number;
}

export type SharesQueueJob = ShareJobData | FoundBlockJobData;

/** The payload type of each queue. */
export interface QueueJobTypes {
  [QueueName.Shares]: SharesQueueJob;
}

export function foundBlockJobId(hash: string, phase: 'found' | 'result'): string {
  return `block-${hash}-${phase}`;
}
