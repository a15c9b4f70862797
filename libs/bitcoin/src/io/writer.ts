import { BitcoinError, BitcoinErrorCode } from '../errors.js';
import { MAX_COMPACT_SIZE } from './reader.js';

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
    fits(v, 8);
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  u16le(v: number): this {
    fits(v, 16);
    this.ensure(2);
    this.view.setUint16(this.pos, v & 0xffff, true);
    this.pos += 2;
    return this;
  }

  u16be(v: number): this {
    fits(v, 16);
    this.ensure(2);
    this.view.setUint16(this.pos, v & 0xffff, false);
    this.pos += 2;
    return this;
  }

  u32le(v: number): this {
    fits(v, 32);
    this.ensure(4);
    this.view.setUint32(this.pos, v >>> 0, true);
    this.pos += 4;
    return this;
  }

  i32le(v: number): this {
    fits(v, 32);
    this.ensure(4);
    this.view.setInt32(this.pos, v | 0, true);
    this.pos += 4;
    return this;
  }

  u64le(v: bigint): this {
    fits64(v);
    this.ensure(8);
    this.view.setBigUint64(this.pos, BigInt.asUintN(64, v), true);
    this.pos += 8;
    return this;
  }

  i64le(v: bigint): this {
    fits64(v);
    this.ensure(8);
    this.view.setBigInt64(this.pos, BigInt.asIntN(64, v), true);
    this.pos += 8;
    return this;
  }

  /**
   * A CompactSize length or count. Like the reference node's WriteCompactSize, values
   * above MAX_COMPACT_SIZE are refused.
   */
  compactSize(v: number | bigint): this {
    const n = typeof v === 'bigint' ? v : Number.isInteger(v) ? v : NaN;
    if (!(n >= 0)) throw new BitcoinError(BitcoinErrorCode.OutOfRange, `CompactSize ${v} is not a non-negative integer`);
    if (n > MAX_COMPACT_SIZE) {
      throw new BitcoinError(BitcoinErrorCode.Oversized, `CompactSize ${v} exceeds the maximum ${MAX_COMPACT_SIZE}`);
    }
    const x = Number(n);
    if (x < 0xfd) return this.u8(x);
    if (x <= 0xffff) return this.u8(0xfd).u16le(x);
    return this.u8(0xfe).u32le(x);
  }

  /** Any 64-bit CompactSize value, minimally encoded, with no size limit (see Reader.compactSizeBig). */
  compactSizeBig(v: bigint): this {
    if (v < 0n || v > 0xffffffffffffffffn) throw new BitcoinError(BitcoinErrorCode.OutOfRange, `CompactSize ${v} out of range`);
    if (v <= BigInt(MAX_COMPACT_SIZE)) return this.compactSize(v);
    return this.u8(0xff).u64le(v);
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

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  /** Bytes the writer holds before it must grow. */
  get capacity(): number {
    return this.buf.length;
  }

  /** Forget what was written, keeping the buffer for reuse. */
  reset(): this {
    this.pos = 0;
    return this;
  }

  /** The bytes written so far (a copy-free view until the next write). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

/**
 * A fixed-width field takes any integer whose bit pattern fits its width, signed or
 * unsigned (e.g. a u32 field accepts -1 as 0xffffffff, as sighash types are written);
 * anything else would be silently truncated, so it is refused.
 */
function fits(v: number, bits: number): void {
  const lo = -(2 ** (bits - 1));
  const hi = 2 ** bits - 1;
  if (!Number.isInteger(v) || v < lo || v > hi) {
    throw new BitcoinError(BitcoinErrorCode.OutOfRange, `${v} does not fit in ${bits} bits`);
  }
}

function fits64(v: bigint): void {
  if (typeof v !== 'bigint' || v < -(1n << 63n) || v > 0xffffffffffffffffn) {
    throw new BitcoinError(BitcoinErrorCode.OutOfRange, `${v} does not fit in 64 bits`);
  }
}

/** Length in bytes of the CompactSize encoding of `n`. */
export function compactSizeLength(n: number | bigint): number {
  if (typeof n === 'number') return n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9;
  return n < 0xfdn ? 1 : n <= 0xffffn ? 3 : n <= 0xffffffffn ? 5 : 9;
}
