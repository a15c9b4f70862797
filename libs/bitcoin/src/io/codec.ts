import { BitcoinError, BitcoinErrorCode } from '../errors.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

/**
 * A wire layout declared once: `encode` and `decode` are derived from the same
 * declaration so they cannot drift apart.
 */
export interface Codec<T> {
  encode(w: Writer, value: T): void;
  decode(r: Reader): T;
}

export type Infer<C> = C extends Codec<infer T> ? T : never;

/** Encode one value to fresh bytes. */
export function encode<T>(codec: Codec<T>, value: T, sizeHint = 256): Uint8Array {
  const w = new Writer(sizeHint);
  codec.encode(w, value);
  return w.finish();
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

/** Re-raise a BitcoinError with `segment` prepended to its field path. */
export function prefixField(e: unknown, segment: string): unknown {
  if (!(e instanceof BitcoinError)) return e;
  const field = e.field ? (e.field.startsWith('[') ? segment + e.field : `${segment}.${e.field}`) : segment;
  const bare = e.field ? e.message.slice(e.field.length + 2) : e.message;
  return new BitcoinError(e.code, bare, field);
}

export const u8: Codec<number> = { encode: (w, v) => void w.u8(v), decode: (r) => r.u8() };
export const u16le: Codec<number> = { encode: (w, v) => void w.u16le(v), decode: (r) => r.u16le() };
export const u16be: Codec<number> = { encode: (w, v) => void w.u16be(v), decode: (r) => r.u16be() };
export const u32le: Codec<number> = { encode: (w, v) => void w.u32le(v), decode: (r) => r.u32le() };
export const i32le: Codec<number> = { encode: (w, v) => void w.i32le(v), decode: (r) => r.i32le() };
export const u64le: Codec<bigint> = { encode: (w, v) => void w.u64le(v), decode: (r) => r.u64le() };
export const i64le: Codec<bigint> = { encode: (w, v) => void w.i64le(v), decode: (r) => r.i64le() };
export const compactSize: Codec<number> = { encode: (w, v) => void w.compactSize(v), decode: (r) => r.compactSize() };
export const bool: Codec<boolean> = { encode: (w, v) => void w.u8(v ? 1 : 0), decode: (r) => r.u8() !== 0 };

/** Exactly `n` bytes. */
export function fixedBytes(n: number): Codec<Uint8Array> {
  return {
    encode(w, v) {
      if (v.length !== n) throw new BitcoinError(BitcoinErrorCode.InvalidLength, `expected ${n} bytes, got ${v.length}`);
      w.bytes(v);
    },
    decode: (r) => r.bytes_(n),
  };
}

/** CompactSize length + bytes, refusing lengths above `max`. */
export function varBytes(max = Number.MAX_SAFE_INTEGER): Codec<Uint8Array> {
  return {
    encode(w, v) {
      if (v.length > max) throw new BitcoinError(BitcoinErrorCode.Oversized, `length ${v.length} exceeds the maximum ${max}`);
      w.varBytes(v);
    },
    decode: (r) => r.varBytes(max),
  };
}

/** CompactSize length + UTF-8 text. */
export function varString(max = 256): Codec<string> {
  const inner = varBytes(max);
  return {
    encode: (w, v) => inner.encode(w, new TextEncoder().encode(v)),
    decode: (r) => new TextDecoder().decode(inner.decode(r)),
  };
}

/** CompactSize count + items; `max` bounds the count. */
export function list<T>(item: Codec<T>, max = Number.MAX_SAFE_INTEGER): Codec<T[]> {
  return {
    encode(w, v) {
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
  };
}

type Fields = Record<string, Codec<any>>;
type StructOf<F extends Fields> = { [K in keyof F]: Infer<F[K]> };

/** Fields in declaration order. Errors name the failing field. */
export function struct<F extends Fields>(fields: F): Codec<StructOf<F>> {
  const entries = Object.entries(fields);
  return {
    encode(w, v) {
      let k = '';
      try {
        for (const [name, codec] of entries) {
          k = name;
          codec.encode(w, (v as Record<string, unknown>)[name]);
        }
      } catch (e) {
        throw prefixField(e, k);
      }
    },
    decode(r) {
      const out: Record<string, unknown> = {};
      let k = '';
      try {
        for (const [name, codec] of entries) {
          k = name;
          out[name] = codec.decode(r);
        }
      } catch (e) {
        throw prefixField(e, k);
      }
      return out as StructOf<F>;
    },
  };
}

/** A codec over another representation, converting both ways. */
export function mapped<A, B>(inner: Codec<A>, to: (a: A) => B, from: (b: B) => A): Codec<B> {
  return { encode: (w, v) => inner.encode(w, from(v)), decode: (r) => to(inner.decode(r)) };
}
