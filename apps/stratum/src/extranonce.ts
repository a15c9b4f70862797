import { randomInt } from 'node:crypto';

/** Extranonce1 values are 4 bytes: instance id (8 bits) ‖ process index (4 bits) ‖ counter (20 bits). */
export const COUNTER_BITS = 20;
const COUNTER_MASK = (1 << COUNTER_BITS) - 1;

/**
 * Hands out extranonce1 values of one process: its fixed 12-bit prefix, then a counter starting at
 * a random point, skipping values in use (live or parked for resumption). Distinct instances and
 * processes never hand out the same value, so no two connections anywhere mine the same coinbase.
 */
export class Extranonce1Allocator {
  readonly prefix: number;
  private next = randomInt(0, COUNTER_MASK + 1);
  private readonly inUse: Set<number> | undefined;
  private readonly used: (value: number) => boolean;

  /**
   * `isUsed` tells whether a full value is taken (the server's own tables, to keep no second copy
   * per connection); without it the allocator remembers what it handed out until `release`.
   */
  constructor(instanceId: number, processIndex = 0, isUsed?: (value: number) => boolean) {
    this.prefix = (((instanceId & 0xff) << 24) | ((processIndex & 0xf) << COUNTER_BITS)) >>> 0;
    if (isUsed) this.used = isUsed;
    else {
      const inUse = (this.inUse = new Set<number>());
      this.used = (v) => inUse.has(v);
    }
  }

  allocate(): number {
    for (let tries = 0; tries <= COUNTER_MASK; tries++) {
      const value = (this.prefix | this.next) >>> 0;
      this.next = (this.next + 1) & COUNTER_MASK;
      if (this.used(value)) continue;
      this.inUse?.add(value);
      return value;
    }
    throw new Error('every extranonce1 of this process is in use');
  }

  /** True when `value` carries this process's prefix. */
  owns(value: number): boolean {
    return ((value >>> 0) & ~COUNTER_MASK) >>> 0 === this.prefix;
  }

  /** Only needed without `isUsed`: the server's tables already say when a value is free. */
  release(value: number): void {
    this.inUse?.delete(value >>> 0);
  }
}

export function extranonce1Hex(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}

export function extranonce1Bytes(value: number): Uint8Array {
  return new Uint8Array([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);
}
