import { BitcoinError, BitcoinErrorCode } from '../errors.js';

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

  /** CompactSize as a bigint, rejecting non-minimal encodings as consensus does. */
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

  /** CompactSize as a number; values above 2^53 are refused as oversized. */
  compactSize(): number {
    const v = this.compactSizeBig();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new BitcoinError(BitcoinErrorCode.Oversized, `CompactSize ${v} is larger than any supported length`);
    }
    return Number(v);
  }

  bytes_(n: number): Uint8Array {
    this.need(n, `${n}-byte field`);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A CompactSize length followed by that many bytes. */
  varBytes(max = Number.MAX_SAFE_INTEGER): Uint8Array {
    const n = this.compactSize();
    if (n > max) throw new BitcoinError(BitcoinErrorCode.Oversized, `length ${n} exceeds the maximum ${max}`);
    return this.bytes_(n);
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
