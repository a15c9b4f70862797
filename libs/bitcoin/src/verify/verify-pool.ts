import { Worker } from 'node:worker_threads';
import { BitcoinError, BitcoinErrorCode } from '../errors.js';
import type { Secp256k1BackendName } from '../crypto/secp256k1.js';
import type { ScriptConfig } from '../script/script-limits.js';
import { batchTransferList, packBatch, runPackedBatch, type BatchContext, type PackedBatch, type VerifyItem } from './verify-batch.js';
import type { TxScriptsResult, VerifyParams } from './verify-transaction.js';

export enum VerifyPoolErrorCode {
  Closed = 'POOL_CLOSED',
  WorkerFailed = 'WORKER_FAILED',
}

export class VerifyPoolError extends Error {
  override readonly name = 'VerifyPoolError';
  constructor(
    readonly code: VerifyPoolErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface VerifyPoolOptions {
  /** Worker threads; 0 verifies on the calling thread. */
  threads: number;
  params: VerifyParams;
  config?: ScriptConfig;
  /** Inputs per message to a worker; smaller spreads work more evenly, larger costs less messaging. */
  chunkInputs?: number;
}

interface Task {
  id: number;
  batch: PackedBatch;
  resolve: (r: TxScriptsResult[]) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  task?: Task;
  ready: Promise<Secp256k1BackendName>;
  started: boolean;
}

/**
 * Where the worker module is and how to start it. From TypeScript sources the worker needs
 * the tsx loader, preloaded through execArgv (tsx's `--import tsx` skips worker threads
 * under Node 20, so a small module registers it there).
 */
function workerEntry(): { url: URL; execArgv?: string[] } {
  const ts = import.meta.url.endsWith('.ts');
  if (!ts) return { url: new URL('./verify-worker.js', import.meta.url) };
  return {
    url: new URL('./verify-worker.ts', import.meta.url),
    execArgv: ['--import', new URL('./tsx-worker-register.mjs', import.meta.url).href],
  };
}

/**
 * A reusable pool of worker threads verifying transaction scripts in parallel. Batches
 * are split by input count into chunks that idle workers take in turn; concurrent
 * `verify` calls share the workers. Close it when done.
 */
export class VerifyPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;
  private readonly chunkInputs: number;

  private constructor(private readonly options: VerifyPoolOptions) {
    this.chunkInputs = options.chunkInputs ?? 250;
  }

  /** Start the workers and wait until each has loaded. */
  static async create(options: VerifyPoolOptions): Promise<VerifyPool> {
    if (!Number.isInteger(options.threads) || options.threads < 0) {
      throw new BitcoinError(BitcoinErrorCode.InvalidArgument, `expected a whole number of threads, got ${options.threads}`, 'threads');
    }
    const pool = new VerifyPool(options);
    for (let i = 0; i < options.threads; i++) pool.slots.push(pool.spawn());
    try {
      await Promise.all(pool.slots.map((s) => s.ready));
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  get threads(): number {
    return this.slots.length;
  }

  /** The secp256k1 implementation each worker loaded. */
  async workerBackends(): Promise<Secp256k1BackendName[]> {
    return Promise.all(this.slots.map((s) => s.ready));
  }

  private spawn(): Slot {
    const { url, execArgv } = workerEntry();
    const worker = new Worker(url, { execArgv, workerData: { params: this.options.params, config: this.options.config } });
    let markReady!: (b: Secp256k1BackendName) => void;
    let failReady!: (e: Error) => void;
    const ready = new Promise<Secp256k1BackendName>((res, rej) => {
      markReady = res;
      failReady = rej;
    });
    ready.catch(() => undefined);
    const slot: Slot = { worker, ready, started: false };
    worker.on('message', (msg: { type: string; id?: number; results?: TxScriptsResult[]; message?: string; backend?: Secp256k1BackendName }) => {
      if (msg.type === 'ready') {
        slot.started = true;
        markReady(msg.backend!);
        this.pump();
        return;
      }
      const task = slot.task;
      slot.task = undefined;
      if (task && task.id === msg.id) {
        if (msg.type === 'result') task.resolve(msg.results!);
        else task.reject(new VerifyPoolError(VerifyPoolErrorCode.WorkerFailed, `verification worker failed: ${msg.message}`));
      }
      this.pump();
    });
    const fail = (err: Error) => {
      failReady(err);
      const task = slot.task;
      slot.task = undefined;
      task?.reject(new VerifyPoolError(VerifyPoolErrorCode.WorkerFailed, `verification worker stopped: ${err.message}`));
      const i = this.slots.indexOf(slot);
      // Replace a worker lost while running so the pool keeps its size; one that never
      // started would fail again.
      if (i >= 0 && !this.closed && slot.started) this.slots[i] = this.spawn();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!this.closed) fail(new Error(`exit code ${code}`));
    });
    return slot;
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.task) continue;
      const task = this.queue.shift()!;
      slot.task = task;
      slot.worker.postMessage({ id: task.id, batch: task.batch }, batchTransferList(task.batch));
    }
  }

  private submit(batch: PackedBatch): Promise<TxScriptsResult[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, batch, resolve, reject });
      this.pump();
    });
  }

  /** Verify every transaction's scripts; results are in the order of `items`. */
  async verify(items: readonly VerifyItem[], ctx: BatchContext): Promise<TxScriptsResult[]> {
    if (this.closed) throw new VerifyPoolError(VerifyPoolErrorCode.Closed, 'the verification pool is closed');
    if (this.slots.length === 0) return runPackedBatch(packBatch(items, ctx), this.options.params, this.options.config);
    const chunks: VerifyItem[][] = [];
    let current: VerifyItem[] = [];
    let inputs = 0;
    for (const item of items) {
      current.push(item);
      inputs += item.tx.inputs.length;
      if (inputs >= this.chunkInputs) {
        chunks.push(current);
        current = [];
        inputs = 0;
      }
    }
    if (current.length > 0) chunks.push(current);
    const parts = await Promise.all(chunks.map((c) => this.submit(packBatch(c, ctx))));
    return parts.flat();
  }

  /** Stop the workers; batches not yet verified are rejected. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new VerifyPoolError(VerifyPoolErrorCode.Closed, 'the verification pool was closed');
    for (const task of this.queue.splice(0)) task.reject(err);
    for (const slot of this.slots) {
      slot.task?.reject(err);
      slot.task = undefined;
    }
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
