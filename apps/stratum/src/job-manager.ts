import { EventEmitter } from 'node:events';
import { concatBytes, equalBytes, sha256d } from '@metamorph/bitcoin';
import { buildJob, notifyParams, type Job, type NotifyParams } from './job.js';
import type { BlockTemplate } from './template.js';

export interface JobManagerOptions {
  tag: string;
  outputScript: Uint8Array;
  /** First byte of every job id, distinct per stratum instance. */
  instanceId: number;
  /** A new job (fresh ntime) at least this often even when the template did not change. */
  refreshMs: number;
  /** Jobs remembered for share validation (older ones answer "job not found"). */
  maxJobs?: number;
  now?: () => number;
}

export interface JobEvents {
  job: [job: Job, notify: NotifyParams];
}

/**
 * Turns templates into jobs: a new clean job on a new tip, a new job when the transactions or the
 * coinbase value change or the refresh interval passed. Jobs of an older tip are stale.
 */
export class JobManager extends EventEmitter<JobEvents> {
  private readonly jobs = new Map<string, Job>();
  private readonly notifies = new WeakMap<Job, NotifyParams>();
  private latest: Job | undefined;
  private latestTxKey: Uint8Array | undefined;
  private counter = Math.floor(Math.random() * 0xffffff);
  private readonly now: () => number;
  private readonly maxJobs: number;

  constructor(private readonly options: JobManagerOptions) {
    super();
    this.now = options.now ?? Date.now;
    this.maxJobs = options.maxJobs ?? 32;
  }

  current(): Job | undefined {
    return this.latest;
  }

  currentNotify(): NotifyParams | undefined {
    return this.latest && this.notifies.get(this.latest);
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  /** A job is stale once the chain tip moved past the block it builds on. */
  isStale(job: Job): boolean {
    return this.latest !== undefined && !equalBytes(job.template.prevHash, this.latest.template.prevHash);
  }

  /** Offer a fresh template; returns the new job if one was made (and emitted). */
  update(template: BlockTemplate): Job | undefined {
    const txKey = sha256d(concatBytes(...template.transactions.map((t) => t.txid)));
    const prev = this.latest;
    const newTip = !prev || !equalBytes(prev.template.prevHash, template.prevHash) || prev.template.height !== template.height;
    const changed =
      newTip ||
      !equalBytes(this.latestTxKey!, txKey) ||
      prev!.template.coinbaseValue !== template.coinbaseValue ||
      prev!.template.bits !== template.bits ||
      prev!.template.version !== template.version ||
      this.now() - prev!.createdAt >= this.options.refreshMs;
    if (!changed) return undefined;
    this.counter = (this.counter + 1) & 0xffffff;
    const id = (((this.options.instanceId & 0xff) << 24) | this.counter) >>> 0;
    const job = buildJob({
      id: id.toString(16).padStart(8, '0'),
      template,
      tag: this.options.tag,
      outputScript: this.options.outputScript,
      cleanJobs: newTip,
      now: this.now(),
    });
    if (newTip) {
      // Work on the old tip can never become a block: keep a few entries only so late shares say "stale".
      for (const [jobId, old] of this.jobs) if (old !== prev) this.jobs.delete(jobId);
    }
    this.jobs.set(job.id, job);
    while (this.jobs.size > this.maxJobs) this.jobs.delete(this.jobs.keys().next().value!);
    this.latest = job;
    this.latestTxKey = txKey;
    const notify = notifyParams(job);
    this.notifies.set(job, notify);
    this.emit('job', job, notify);
    return job;
  }
}
