/** A job with its idempotency id: adding the same id twice enqueues it once while it is retained. */
export interface QueuedJob<T> {
  id: string;
  data: T;
}

/** The producing side of a queue; implementations hide the engine (BullMQ today). */
export interface JobQueue<T> {
  /** Resolves once every job is stored durably in the queue. */
  addBulk(jobs: readonly QueuedJob<T>[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Processes jobs a batch at a time. Resolving marks the whole batch done; throwing makes each
 * job of the batch retry (after being tried on its own, so one bad job cannot hold the others back).
 */
export type BatchHandler<T> = (jobs: readonly QueuedJob<T>[]) => Promise<void>;

export interface BatchConsumer {
  /** Stops taking jobs, finishes the batch in hand, and disconnects. */
  close(): Promise<void>;
}
