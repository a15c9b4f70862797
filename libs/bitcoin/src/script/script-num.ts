import { ScriptError } from './script-error.js';

/**
 * A script failure raised inside number decoding or stack bookkeeping. The interpreter
 * turns it into its result; other callers see it as a thrown error with a code.
 */
export class ScriptException extends Error {
  override readonly name = 'ScriptException';
  constructor(
    readonly code: ScriptError,
    message: string = code,
  ) {
    super(message);
  }
}

/** Operand size limit of numeric opcodes before Genesis (and always for CHECKMULTISIG counts). */
export const SCRIPT_NUM_DEFAULT_MAX_LENGTH = 4;

/**
 * Script number encoding: little-endian magnitude, sign in the top bit of the last byte,
 * zero as the empty string. Always minimal.
 */
export function encodeScriptNum(value: bigint | number): Uint8Array {
  let n = typeof value === 'bigint' ? value : BigInt(value);
  if (n === 0n) return EMPTY;
  const neg = n < 0n;
  if (neg) n = -n;
  let bytes: Uint8Array;
  if (n <= 0xffffffffn) {
    let m = Number(n);
    const tmp: number[] = [];
    while (m > 0) {
      tmp.push(m & 0xff);
      m = Math.floor(m / 256);
    }
    bytes = Uint8Array.from(tmp);
  } else {
    // Linear-time conversion for big numbers: through hex, least significant byte first.
    let hex = n.toString(16);
    if (hex.length & 1) hex = '0' + hex;
    bytes = Uint8Array.from(Buffer.from(hex, 'hex')).reverse();
  }
  const top = bytes[bytes.length - 1];
  if (top & 0x80) {
    const out = new Uint8Array(bytes.length + 1);
    out.set(bytes);
    out[bytes.length] = neg ? 0x80 : 0x00;
    return out;
  }
  if (neg) bytes[bytes.length - 1] = top | 0x80;
  return bytes;
}

/** Length of `encodeScriptNum(value)` without building it. */
export function scriptNumSize(value: bigint): number {
  if (value === 0n) return 0;
  const mag = value < 0n ? -value : value;
  if (mag < 0x80n) return 1;
  const hex = mag.toString(16);
  const bits = (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0], 16)));
  // A magnitude that fills its top byte needs one more byte for the sign.
  return (bits >> 3) + 1;
}

/** Decode without size or minimality checks (sign-magnitude, little-endian). */
export function decodeScriptNumUnchecked(bytes: Uint8Array): bigint {
  const len = bytes.length;
  if (len === 0) return 0n;
  const last = bytes[len - 1];
  if (len <= 6) {
    // Fits a double exactly.
    let v = last & 0x7f;
    for (let i = len - 2; i >= 0; i--) v = v * 256 + bytes[i];
    return BigInt(last & 0x80 ? -v : v);
  }
  const be = Uint8Array.from(bytes).reverse();
  be[0] &= 0x7f;
  const v = BigInt('0x' + Buffer.from(be.buffer, be.byteOffset, be.length).toString('hex'));
  return last & 0x80 ? -v : v;
}

/**
 * Whether `bytes` is the shortest encoding of its number and at most `maxLength` long
 * (negative zero, 0x80, is not minimal).
 */
export function isMinimallyEncoded(bytes: Uint8Array, maxLength: number): boolean {
  const size = bytes.length;
  if (size > maxLength) return false;
  if (size > 0 && (bytes[size - 1] & 0x7f) === 0) {
    // A sign byte is only needed when the byte below it uses its top bit.
    if (size <= 1 || (bytes[size - 2] & 0x80) === 0) return false;
  }
  return true;
}

/**
 * Decode a stack item as a number, as the reference node's CScriptNum does: longer than
 * `maxLength` fails with SCRIPTNUM_OVERFLOW, a non-minimal encoding with
 * SCRIPTNUM_MINENCODE when `requireMinimal`.
 */
export function decodeScriptNum(bytes: Uint8Array, requireMinimal: boolean, maxLength: number): bigint {
  if (bytes.length > maxLength) throw new ScriptException(ScriptError.SCRIPTNUM_OVERFLOW, 'script number overflow');
  if (requireMinimal && !isMinimallyEncoded(bytes, maxLength)) {
    throw new ScriptException(ScriptError.SCRIPTNUM_MINENCODE, 'non-minimally encoded script number');
  }
  return decodeScriptNumUnchecked(bytes);
}

/**
 * The reference node's 64-bit decoding (`bsv::deserialize<int64_t>`), used where it does
 * not use big numbers. Up to 8 bytes this equals the exact value. Longer inputs (only
 * reachable through the Chronicle OP_SUBSTR/OP_LEFT/OP_RIGHT operands) skip the sign
 * byte and place byte i at bit 8*(i mod 8), as x86-64 masks the shift count of the C++
 * loop; the result is a wrapped int64.
 */
export function decodeScriptNumInt64(bytes: Uint8Array): bigint {
  if (bytes.length <= 8) return decodeScriptNumUnchecked(bytes);
  let result = 0n;
  for (let i = 0; i < bytes.length - 1; i++) result |= BigInt(bytes[i]) << BigInt((8 * i) % 64);
  return BigInt.asIntN(64, result);
}

/**
 * Shortest encoding of the same number (OP_BIN2NUM, OP_NUM2BIN). Returns the input
 * itself when it is already minimal.
 */
export function minimallyEncode(data: Uint8Array): Uint8Array {
  const size = data.length;
  if (size === 0) return data;
  const last = data[size - 1];
  if (last & 0x7f) return data;
  if (size === 1) return EMPTY;
  if (data[size - 2] & 0x80) return data;
  for (let i = size - 1; i > 0; i--) {
    if (data[i - 1] !== 0) {
      // Copies (never views: items may be shared between stack entries).
      if (data[i - 1] & 0x80) {
        const out = Uint8Array.prototype.slice.call(data, 0, i + 1);
        out[i] = last;
        return out;
      }
      const out = Uint8Array.prototype.slice.call(data, 0, i);
      out[i - 1] |= last;
      return out;
    }
  }
  return EMPTY;
}

/** Truth value of a stack item: any non-zero byte, except a lone sign bit at the end. */
export function castToBool(v: Uint8Array): boolean {
  for (let i = 0; i < v.length; i++) {
    if (v[i] !== 0) return !(i === v.length - 1 && v[i] === 0x80);
  }
  return false;
}

const EMPTY = new Uint8Array(0);

/** The script-number operations under one name (the reference node's CScriptNum). */
export const ScriptNum = {
  encode: encodeScriptNum,
  decode: decodeScriptNum,
  size: scriptNumSize,
  isMinimallyEncoded,
  minimallyEncode,
  castToBool,
} as const;
