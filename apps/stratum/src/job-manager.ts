import { EventEmitter } from 'node:events';
import { equalBytes } from '@metamorph/bitcoin';
import { buildJob, type Job } from './job.js';
import type { BlockTemplate } from './template.js';

export interface JobManagerOptions {
  tag: string;
  outputScript: Uint8Array;
  /** First byte of every job id, distinct per stratum instance. */
  instanceId: number;
  /** 0–15, distinct per process of one instance: the next four bits of every job id. */
  processIndex?: number;
  /** A new job (new transactions, fresh ntime) at most and at least this often on the same tip. */
  refreshMs: number;
  /** Jobs remembered for share validation (older ones answer "job not found"). */
  maxJobs?: number;
  now?: () => number;
  /** First job counter value (random by default); tests fix it. */
  firstCounter?: number;
}

export interface JobEvents {
  job: [job: Job];
}

/**
 * Turns templates into jobs: a clean job at once on a new tip; on the same tip a new job (new
 * transactions, fresh ntime) once `refreshMs` passed since the last one. Jobs built on an older tip
 * are stale; only the last `maxJobs` are remembered.
 */
export class JobManager extends EventEmitter<JobEvents> {
  private readonly jobs = new Map<string, Job>();
  private latest: Job | undefined;
  private counter: number;
  private seq = 0;
  private readonly now: () => number;
  private readonly maxJobs: number;
  private readonly idPrefix: number;

  constructor(private readonly options: JobManagerOptions) {
    super();
    this.setMaxListeners(0);
    this.now = options.now ?? Date.now;
    this.maxJobs = options.maxJobs ?? 16;
    this.counter = (options.firstCounter ?? Math.floor(Math.random() * 0xfffff)) & 0xfffff;
    this.idPrefix = (((options.instanceId & 0xff) << 24) | ((options.processIndex ?? 0) & 0xf) << 20) >>> 0;
  }

  current(): Job | undefined {
    return this.latest;
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  /** The sequence number of the oldest job still remembered. */
  oldestSeq(): number {
    for (const j of this.jobs.values()) return j.seq;
    return this.seq;
  }

  /** A job is stale once the chain tip moved past the block it builds on. */
  isStale(job: Job): boolean {
    return this.latest !== undefined && job !== this.latest && !equalBytes(job.template.prevHash, this.latest.template.prevHash);
  }

  /** When the next refresh on the current tip is due (for the template source's timer). */
  nextRefreshAt(): number | undefined {
    return this.latest && this.latest.createdAt + this.options.refreshMs;
  }

  /** Offer a fresh template; returns the new job if one was made (and emitted). */
  update(template: BlockTemplate): Job | undefined {
    const prev = this.latest;
    const newTip = !prev || !equalBytes(prev.template.prevHash, template.prevHash) || prev.template.height !== template.height;
    if (!newTip && this.now() - prev!.createdAt < this.options.refreshMs) return undefined;
    this.counter = (this.counter + 1) & 0xfffff;
    const id = (this.idPrefix | this.counter) >>> 0;
    const job = buildJob({
      id: id.toString(16).padStart(8, '0'),
      seq: ++this.seq,
      template,
      tag: this.options.tag,
      outputScript: this.options.outputScript,
      cleanJobs: newTip,
      now: this.now(),
    });
    if (newTip) {
      // Work on the old tip can never become a block: keep the last one only, so late shares hear "stale".
      for (const [jobId, old] of this.jobs) if (old !== prev) this.jobs.delete(jobId);
    }
    this.jobs.set(job.id, job);
    while (this.jobs.size > this.maxJobs) this.jobs.delete(this.jobs.keys().next().value!);
    this.latest = job;
    this.emit('job', job);
    return job;
  }
}
