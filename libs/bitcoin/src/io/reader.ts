import { BitcoinError, BitcoinErrorCode } from '../errors.js';

/**
 * The largest CompactSize the reference node reads or writes (`MAX_SIZE` in serialize.h:
 * BSV raised it from Bitcoin's 32 MB to 2^32 − 1 for its large blocks and scripts).
 */
export const MAX_COMPACT_SIZE = 0xffffffff;

/**
 * Cursor over a byte array. Byte strings it returns are views into the input (no copy):
 * callers that keep them beyond the input's life must copy.
 */
export class Reader {
  pos = 0;
  private readonly view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  private need(n: number, what: string): void {
    if (!(n >= 0)) throw new BitcoinError(BitcoinErrorCode.InvalidArgument, `cannot read ${n} bytes`);
    if (this.pos + n > this.bytes.length) {
      throw new BitcoinError(BitcoinErrorCode.Truncated, `needs ${n} bytes for ${what}, ${this.remaining} left`);
    }
  }

  u8(): number {
    this.need(1, 'u8');
    return this.bytes[this.pos++];
  }

  u16le(): number {
    this.need(2, 'u16');
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u16be(): number {
    this.need(2, 'u16');
    const v = this.view.getUint16(this.pos, false);
    this.pos += 2;
    return v;
  }

  u32le(): number {
    this.need(4, 'u32');
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  i32le(): number {
    this.need(4, 'i32');
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  u64le(): bigint {
    this.need(8, 'u64');
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  i64le(): bigint {
    this.need(8, 'i64');
    const v = this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /**
   * The raw 64-bit CompactSize value, rejecting non-minimal encodings but applying no
   * size limit. Lengths and counts use `compactSize()`, which refuses values above
   * MAX_COMPACT_SIZE as the reference node does.
   */
  compactSizeBig(): bigint {
    const first = this.u8();
    if (first < 0xfd) return BigInt(first);
    if (first === 0xfd) {
      const v = this.u16le();
      if (v < 0xfd) throw nonMinimal(v);
      return BigInt(v);
    }
    if (first === 0xfe) {
      const v = this.u32le();
      if (v <= 0xffff) throw nonMinimal(v);
      return BigInt(v);
    }
    const v = this.u64le();
    if (v <= 0xffffffffn) throw nonMinimal(v);
    return v;
  }

  /**
   * A CompactSize length or count, as the reference node's ReadCompactSize: non-minimal
   * encodings and values above MAX_COMPACT_SIZE are refused.
   */
  compactSize(): number {
    const first = this.u8();
    let v: number;
    if (first < 0xfd) return first;
    if (first === 0xfd) {
      v = this.u16le();
      if (v < 0xfd) throw nonMinimal(v);
      return v;
    }
    if (first === 0xfe) {
      v = this.u32le();
      if (v <= 0xffff) throw nonMinimal(v);
      return v;
    }
    const big = this.u64le();
    if (big <= 0xffffffffn) throw nonMinimal(big);
    throw new BitcoinError(BitcoinErrorCode.Oversized, `CompactSize ${big} exceeds the maximum ${MAX_COMPACT_SIZE}`);
  }

  /** The next `n` bytes as a view into the input. */
  bytes_(n: number): Uint8Array {
    this.need(n, `${n}-byte field`);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A CompactSize length followed by that many bytes. */
  varBytes(max = MAX_COMPACT_SIZE): Uint8Array {
    const n = this.compactSize();
    if (n > max) throw new BitcoinError(BitcoinErrorCode.Oversized, `length ${n} exceeds the maximum ${max}`);
    return this.bytes_(n);
  }

  /** Advance past `n` bytes without reading them. */
  skip(n: number): void {
    this.need(n, `${n}-byte field`);
    this.pos += n;
  }

  /** Throws unless every byte was consumed. */
  end(): void {
    if (this.remaining !== 0) {
      throw new BitcoinError(BitcoinErrorCode.TrailingBytes, `${this.remaining} unexpected bytes after the end`);
    }
  }
}

function nonMinimal(v: number | bigint): BitcoinError {
  return new BitcoinError(BitcoinErrorCode.NonMinimalCompactSize, `non-minimal CompactSize encoding of ${v}`);
}
