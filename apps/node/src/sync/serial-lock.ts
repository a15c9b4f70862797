/**
 * Runs async sections one at a time, in call order (the reference node's cs_main for the
 * chain state): the chain service and the mempool share one, so a block is never connected
 * while a transaction is half-way through acceptance, and the reverse.
 * Not reentrant: code already inside `run` must not call `run` again.
 */
export class SerialLock {
  private tail: Promise<unknown> = Promise.resolve();
  private depth = 0;

  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const start = async () => {
      this.depth++;
      try {
        return await fn();
      } finally {
        this.depth--;
      }
    };
    const run = this.tail.then(start, start);
    this.tail = run.catch(() => {});
    return run;
  }

  /** A section is running now. */
  get busy(): boolean {
    return this.depth > 0;
  }

  /** Resolves once everything queued so far has run. */
  async idle(): Promise<void> {
    await this.tail;
  }
}
