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
  private readonly inUse = new Set<number>();

  constructor(instanceId: number, processIndex = 0) {
    this.prefix = (((instanceId & 0xff) << 24) | ((processIndex & 0xf) << COUNTER_BITS)) >>> 0;
  }

  get size(): number {
    return this.inUse.size;
  }

  allocate(): number {
    if (this.inUse.size > COUNTER_MASK) throw new Error('every extranonce1 of this process is in use');
    while (this.inUse.has(this.next)) this.next = (this.next + 1) & COUNTER_MASK;
    const counter = this.next;
    this.next = (this.next + 1) & COUNTER_MASK;
    this.inUse.add(counter);
    return (this.prefix | counter) >>> 0;
  }

  /** True when `value` carries this process's prefix. */
  owns(value: number): boolean {
    return ((value >>> 0) & ~COUNTER_MASK) >>> 0 === this.prefix;
  }

  release(value: number): void {
    if (this.owns(value)) this.inUse.delete(value & COUNTER_MASK);
  }
}

export function extranonce1Hex(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}

export function extranonce1Bytes(value: number): Uint8Array {
  return new Uint8Array([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);
}
