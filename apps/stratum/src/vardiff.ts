import { normalizeDifficulty } from './difficulty.js';

export interface VarDiffOptions {
  /** Seconds between shares the difficulty aims for. */
  targetSeconds: number;
  min: number;
  max: number;
}

/**
 * A simple per-connection vardiff: over windows of max(4 targets, 30 s) it moves the difficulty
 * toward one share per target interval, by at most 4× per step, ignoring changes under 20%.
 */
export class VarDiff {
  private windowStart: number;
  private shares = 0;
  private readonly windowMs: number;

  constructor(
    private readonly options: VarDiffOptions,
    private current: number,
    now: number,
  ) {
    this.windowStart = now;
    this.windowMs = Math.max(4 * options.targetSeconds, 30) * 1000;
  }

  get difficulty(): number {
    return this.current;
  }

  recordShare(): void {
    this.shares++;
  }

  /** A new difficulty when the window is over and the rate is off by more than 20%, else undefined. */
  retarget(now: number): number | undefined {
    const elapsed = now - this.windowStart;
    if (elapsed < this.windowMs) return undefined;
    const shares = this.shares;
    this.windowStart = now;
    this.shares = 0;
    let factor = shares === 0 ? 0.5 : (shares * this.options.targetSeconds * 1000) / elapsed;
    factor = Math.min(4, Math.max(0.25, factor));
    if (Math.abs(factor - 1) < 0.2) return undefined;
    const next = normalizeDifficulty(this.current * factor, this.options.min, this.options.max);
    if (next === this.current) return undefined;
    this.current = next;
    return next;
  }
}
