import { randomInt } from 'node:crypto';
import { EXTRANONCE1_SIZE } from './coinbase.js';

/**
 * Hands out 4-byte extranonce1 values: the instance id, then a 24-bit counter starting at a random
 * point, skipping values still in use. Distinct instances never hand out the same value.
 */
export class Extranonce1Allocator {
  private next = randomInt(0, 0x1000000);
  private readonly inUse = new Set<number>();

  constructor(private readonly instanceId: number) {}

  allocate(): Uint8Array {
    if (this.inUse.size >= 0xffffff) throw new Error('every extranonce1 of this instance is in use');
    while (this.inUse.has(this.next)) this.next = (this.next + 1) & 0xffffff;
    const value = this.next;
    this.next = (this.next + 1) & 0xffffff;
    this.inUse.add(value);
    const out = new Uint8Array(EXTRANONCE1_SIZE);
    new DataView(out.buffer).setUint32(0, (((this.instanceId & 0xff) << 24) | value) >>> 0, false);
    return out;
  }

  release(extranonce1: Uint8Array): void {
    this.inUse.delete(new DataView(extranonce1.buffer, extranonce1.byteOffset, 4).getUint32(0, false) & 0xffffff);
  }
}
