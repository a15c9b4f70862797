import { BitcoinError, BitcoinErrorCode } from '../errors.js';

/** Growable little-endian byte writer. */
export class Writer {
  private buf: Uint8Array;
  private view: DataView;
  pos = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(initialCapacity);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  u16le(v: number): this {
    this.ensure(2);
    this.view.setUint16(this.pos, v, true);
    this.pos += 2;
    return this;
  }

  u16be(v: number): this {
    this.ensure(2);
    this.view.setUint16(this.pos, v, false);
    this.pos += 2;
    return this;
  }

  u32le(v: number): this {
    this.ensure(4);
    this.view.setUint32(this.pos, v >>> 0, true);
    this.pos += 4;
    return this;
  }

  i32le(v: number): this {
    this.ensure(4);
    this.view.setInt32(this.pos, v | 0, true);
    this.pos += 4;
    return this;
  }

  u64le(v: bigint): this {
    this.ensure(8);
    this.view.setBigUint64(this.pos, BigInt.asUintN(64, v), true);
    this.pos += 8;
    return this;
  }

  i64le(v: bigint): this {
    this.ensure(8);
    this.view.setBigInt64(this.pos, BigInt.asIntN(64, v), true);
    this.pos += 8;
    return this;
  }

  compactSize(v: number | bigint): this {
    const n = BigInt(v);
    if (n < 0n || n > 0xffffffffffffffffn) {
      throw new BitcoinError(BitcoinErrorCode.OutOfRange, `CompactSize ${n} out of range`);
    }
    if (n < 0xfdn) return this.u8(Number(n));
    if (n <= 0xffffn) return this.u8(0xfd).u16le(Number(n));
    if (n <= 0xffffffffn) return this.u8(0xfe).u32le(Number(n));
    return this.u8(0xff).u64le(n);
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  varBytes(b: Uint8Array): this {
    return this.compactSize(b.length).bytes(b);
  }

  /** The bytes written so far (a copy-free view until the next write). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

/** Length in bytes of the CompactSize encoding of `n`. */
export function compactSizeLength(n: number | bigint): number {
  const v = BigInt(n);
  return v < 0xfdn ? 1 : v <= 0xffffn ? 3 : v <= 0xffffffffn ? 5 : 9;
}
