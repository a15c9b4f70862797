import { normalizeDifficulty } from './difficulty.js';

export interface VarDiffOptions {
  /** Seconds between shares to aim for. */
  targetSeconds: number;
  /** Look again after this long when shares are too few to decide sooner. */
  retargetSeconds: number;
  /** Decide as soon as this many shares came in since the last change. */
  retargetShares: number;
  /** Largest factor one change may move the difficulty by. */
  maxStep: number;
  /** Pool bounds (a connection may raise its own floor with `setFloor`). */
  min: number;
  max: number;
}

/**
 * Per-connection variable difficulty. Since the last change it counts accepted shares and sums
 * the difficulty they were credited with, which measures the miner's hash rate whatever
 * difficulties were in force. It decides once `retargetShares` shares came in, or after
 * `retargetSeconds` with fewer; it moves only when the measured rate is off by more than three
 * times its own statistical noise (1/√n in log terms for n shares) and at least 25%, toward the
 * measured rate less half the noise (so a noisy sample does not overshoot), by at most `maxStep`;
 * with no share at all for two windows it steps down. Times are milliseconds.
 */
export class VarDiff {
  private windowStart: number;
  /** The time path looks once per `retargetSeconds`, not at every tick (fewer looks, fewer false alarms). */
  private nextLook: number;
  private shares = 0;
  private creditSum = 0;
  private floor: number;

  /** `options` is shared by every connection of a server: keep it one object. */
  constructor(
    private readonly options: VarDiffOptions,
    private current: number,
    now: number,
    floor = options.min,
  ) {
    this.windowStart = now;
    this.nextLook = now + options.retargetSeconds * 1000;
    this.floor = floor;
  }

  get difficulty(): number {
    return this.current;
  }

  /** A per-connection lower bound (BIP310 `minimum-difficulty`), within the pool's bounds. */
  setFloor(min: number): void {
    this.floor = Math.min(this.options.max, Math.max(this.options.min, min));
  }

  get minimum(): number {
    return this.floor;
  }

  /** The difficulty was set from outside (suggest_difficulty, minimum-difficulty): measure afresh. */
  reset(difficulty: number, now: number): void {
    this.current = difficulty;
    this.restart(now);
  }

  /** An accepted share, credited with `difficulty`; returns a new difficulty when one is due. */
  recordShare(difficulty: number, now: number): number | undefined {
    this.shares++;
    this.creditSum += difficulty;
    return this.shares >= this.options.retargetShares ? this.retarget(now) : undefined;
  }

  /** Called from time to time without a share: a new difficulty when one is due. */
  tick(now: number): number | undefined {
    if (now < this.nextLook) return undefined;
    this.nextLook = now + this.options.retargetSeconds * 1000;
    return this.retarget(now);
  }

  private retarget(now: number): number | undefined {
    const o = this.options;
    const elapsedS = Math.max(0.001, (now - this.windowStart) / 1000);
    const n = this.shares;
    let wanted: number;
    if (n === 0) {
      // Nothing for two windows: far too hard. One window without a share is still likely (e^-6) at the right difficulty.
      if (elapsedS < 2 * o.retargetSeconds) return undefined;
      wanted = this.current / o.maxStep;
    } else {
      // Difficulty-seconds per second: the hash rate in units of 2^32 hashes.
      const rate = this.creditSum / elapsedS;
      const off = Math.log((rate * o.targetSeconds) / this.current);
      const noise = Math.max(Math.log(1.25), 3 / Math.sqrt(n));
      if (Math.abs(off) <= noise) {
        // Within noise: a full sample confirms the difficulty; a partial one keeps accumulating.
        if (n >= o.retargetShares) this.restart(now);
        return undefined;
      }
      // Move only by what lies beyond the noise: a noisy estimate never overshoots into the opposite error.
      wanted = this.current * Math.exp(Math.sign(off) * (Math.abs(off) - noise / 2));
    }
    wanted = Math.min(this.current * o.maxStep, Math.max(this.current / o.maxStep, wanted));
    const next = normalizeDifficulty(wanted, this.floor, o.max);
    this.restart(now);
    if (next === this.current) return undefined;
    this.current = next;
    return next;
  }

  private restart(now: number): void {
    this.windowStart = now;
    this.nextLook = now + this.options.retargetSeconds * 1000;
    this.shares = 0;
    this.creditSum = 0;
  }
}
