import { BitcoinError, BitcoinErrorCode } from '../errors.js';
import { MAX_COMPACT_SIZE, Reader } from './reader.js';
import { Writer, compactSizeLength } from './writer.js';

/**
 * A wire layout declared once: `encode` and `decode` are derived from the same
 * declaration so they cannot drift apart. `size`, when present, is the exact encoded
 * length of a value, computed without encoding it.
 */
export interface Codec<T> {
  encode(w: Writer, value: T): void;
  decode(r: Reader): T;
  size?(value: T): number;
}

export type Infer<C> = C extends Codec<infer T> ? T : never;

/** Exact encoded length of `value` (encodes it when the codec cannot say). */
export function encodedSize<T>(codec: Codec<T>, value: T): number {
  if (codec.size) return codec.size(value);
  const w = new Writer(256);
  codec.encode(w, value);
  return w.length;
}

// One writer reused by `encode` so small encodings do not each allocate and grow a
// buffer; a writer that grew beyond SCRATCH_KEEP is dropped rather than kept.
const SCRATCH_KEEP = 1 << 20;
let scratch: Writer | null = null;

/** Encode one value to fresh bytes (a copy the caller owns). */
export function encode<T>(codec: Codec<T>, value: T, sizeHint?: number): Uint8Array {
  if (sizeHint !== undefined) {
    const w = new Writer(Math.max(1, sizeHint));
    codec.encode(w, value);
    return w.finish();
  }
  // A codec may call encode() while encoding: the nested call then gets its own writer.
  const w = scratch ?? new Writer(4096);
  scratch = null;
  try {
    w.reset();
    codec.encode(w, value);
    return w.finish().slice();
  } finally {
    if (w.capacity <= SCRATCH_KEEP) scratch = w;
  }
}

/** Decode bytes that must hold exactly one value: trailing bytes are an error. */
export function decode<T>(codec: Codec<T>, bytes: Uint8Array, what = 'value'): T {
  const r = new Reader(bytes);
  try {
    const v = codec.decode(r);
    r.end();
    return v;
  } catch (e) {
    throw prefixField(e, what);
  }
}

/** Decode one value from the start of `bytes`, allowing more bytes after it. */
export function decodePrefix<T>(codec: Codec<T>, bytes: Uint8Array, what = 'value'): { value: T; size: number } {
  const r = new Reader(bytes);
  try {
    const value = codec.decode(r);
    return { value, size: r.pos };
  } catch (e) {
    throw prefixField(e, what);
  }
}

/** Re-raise a BitcoinError with `segment` prepended to its field path. */
export function prefixField(e: unknown, segment: string): unknown {
  if (!(e instanceof BitcoinError)) return e;
  const field = e.field ? (e.field.startsWith('[') ? segment + e.field : `${segment}.${e.field}`) : segment;
  return new BitcoinError(e.code, e.detail, field);
}

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

function expectBytes(v: unknown): asserts v is Uint8Array {
  if (!(v instanceof Uint8Array)) throw new BitcoinError(BitcoinErrorCode.InvalidArgument, `expected bytes, got ${describe(v)}`);
}

function fixedSize<T>(n: number): (v: T) => number {
  return () => n;
}

export const u8: Codec<number> = { encode: (w, v) => void w.u8(v), decode: (r) => r.u8(), size: fixedSize(1) };
export const u16le: Codec<number> = { encode: (w, v) => void w.u16le(v), decode: (r) => r.u16le(), size: fixedSize(2) };
export const u16be: Codec<number> = { encode: (w, v) => void w.u16be(v), decode: (r) => r.u16be(), size: fixedSize(2) };
export const u32le: Codec<number> = { encode: (w, v) => void w.u32le(v), decode: (r) => r.u32le(), size: fixedSize(4) };
export const i32le: Codec<number> = { encode: (w, v) => void w.i32le(v), decode: (r) => r.i32le(), size: fixedSize(4) };
export const u64le: Codec<bigint> = { encode: (w, v) => void w.u64le(v), decode: (r) => r.u64le(), size: fixedSize(8) };
export const i64le: Codec<bigint> = { encode: (w, v) => void w.i64le(v), decode: (r) => r.i64le(), size: fixedSize(8) };
export const compactSize: Codec<number> = {
  encode: (w, v) => void w.compactSize(v),
  decode: (r) => r.compactSize(),
  size: (v) => compactSizeLength(v),
};
export const bool: Codec<boolean> = { encode: (w, v) => void w.u8(v ? 1 : 0), decode: (r) => r.u8() !== 0, size: fixedSize(1) };

/** Exactly `n` bytes. */
export function fixedBytes(n: number): Codec<Uint8Array> {
  return {
    encode(w, v) {
      expectBytes(v);
      if (v.length !== n) throw new BitcoinError(BitcoinErrorCode.InvalidLength, `expected ${n} bytes, got ${v.length}`);
      w.bytes(v);
    },
    decode: (r) => r.bytes_(n),
    size: fixedSize(n),
  };
}

/** CompactSize length + bytes, refusing lengths above `max` (at most MAX_COMPACT_SIZE). */
export function varBytes(max = MAX_COMPACT_SIZE): Codec<Uint8Array> {
  return {
    encode(w, v) {
      expectBytes(v);
      if (v.length > max) throw new BitcoinError(BitcoinErrorCode.Oversized, `length ${v.length} exceeds the maximum ${max}`);
      w.varBytes(v);
    },
    decode: (r) => r.varBytes(max),
    size: (v) => compactSizeLength(v.length) + v.length,
  };
}

/** CompactSize length + UTF-8 text. */
export function varString(max = 256): Codec<string> {
  const inner = varBytes(max);
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  return {
    encode: (w, v) => inner.encode(w, enc.encode(v)),
    decode: (r) => dec.decode(inner.decode(r)),
    size: (v) => inner.size!(enc.encode(v)),
  };
}

/** CompactSize count + items; `max` bounds the count. */
export function list<T>(item: Codec<T>, max = MAX_COMPACT_SIZE): Codec<T[]> {
  return {
    encode(w, v) {
      if (!Array.isArray(v)) throw new BitcoinError(BitcoinErrorCode.InvalidArgument, `expected an array, got ${describe(v)}`);
      if (v.length > max) throw new BitcoinError(BitcoinErrorCode.Oversized, `${v.length} items exceed the maximum ${max}`);
      w.compactSize(v.length);
      for (let i = 0; i < v.length; i++) {
        try {
          item.encode(w, v[i]);
        } catch (e) {
          throw prefixField(e, `[${i}]`);
        }
      }
    },
    decode(r) {
      const n = r.compactSize();
      if (n > max) throw new BitcoinError(BitcoinErrorCode.Oversized, `${n} items exceed the maximum ${max}`);
      // Every item takes at least one byte: a count larger than what is left is truncated input,
      // refused before anything is allocated.
      if (n > r.remaining) throw new BitcoinError(BitcoinErrorCode.Truncated, `count ${n} exceeds the ${r.remaining} bytes left`);
      const out = new Array<T>(n);
      let i = 0;
      try {
        for (; i < n; i++) out[i] = item.decode(r);
      } catch (e) {
        throw prefixField(e, `[${i}]`);
      }
      return out;
    },
    size(v) {
      let n = compactSizeLength(v.length);
      for (let i = 0; i < v.length; i++) n += encodedSize(item, v[i]);
      return n;
    },
  };
}

type Fields = Record<string, Codec<any>>;
type StructOf<F extends Fields> = { [K in keyof F]: Infer<F[K]> };

/** Fields in declaration order. Errors name the failing field. */
export function struct<F extends Fields>(fields: F): Codec<StructOf<F>> {
  const names = Object.keys(fields);
  const codecs = names.map((k) => fields[k]);
  const n = names.length;
  return {
    encode(w, v) {
      if (v === null || typeof v !== 'object') {
        throw new BitcoinError(BitcoinErrorCode.InvalidArgument, `expected an object, got ${describe(v)}`);
      }
      const rec = v as Record<string, unknown>;
      let i = 0;
      try {
        for (; i < n; i++) codecs[i].encode(w, rec[names[i]]);
      } catch (e) {
        throw prefixField(e, names[i]);
      }
    },
    decode(r) {
      const out: Record<string, unknown> = {};
      let i = 0;
      try {
        for (; i < n; i++) out[names[i]] = codecs[i].decode(r);
      } catch (e) {
        throw prefixField(e, names[i]);
      }
      return out as StructOf<F>;
    },
    size(v) {
      const rec = v as Record<string, unknown>;
      let total = 0;
      for (let i = 0; i < n; i++) total += encodedSize(codecs[i], rec[names[i]]);
      return total;
    },
  };
}

/** A codec over another representation, converting both ways. */
export function mapped<A, B>(inner: Codec<A>, to: (a: A) => B, from: (b: B) => A): Codec<B> {
  return {
    encode: (w, v) => inner.encode(w, from(v)),
    decode: (r) => to(inner.decode(r)),
    size: (v) => encodedSize(inner, from(v)),
  };
}
