import { BitcoinError, BitcoinErrorCode, bool, prefixField, struct, u64le, u8, varString, type Codec, type Hash32 } from '@metamorph/bitcoin';
import { COMMAND_SIZE, MAX_REJECT_MESSAGE_LENGTH } from '../protocol.js';
import { amountCodec, hash32 } from './primitives.js';

export interface NoncePayload {
  nonce: bigint;
}

/** `ping` and `pong`: an 8-byte nonce (peers above BIP 31, i.e. every peer we accept). */
export const nonceCodec: Codec<NoncePayload> = struct({ nonce: u64le });

export interface SendCmpctPayload {
  announce: boolean;
  version: bigint;
}

export const sendcmpctCodec: Codec<SendCmpctPayload> = struct({ announce: bool, version: u64le });

export interface FeeFilterPayload {
  /** Satoshis per 1000 bytes. */
  feeRate: bigint;
}

export const feefilterCodec: Codec<FeeFilterPayload> = struct({ feeRate: amountCodec });

export interface MempoolPayload {
  /** SV's extended mempool sync: only entries older than this many seconds. Absent in the classic form. */
  age?: bigint;
}

/** `mempool`: empty, or an 8-byte age in SV's mempool-sync form. */
export const mempoolCodec: Codec<MempoolPayload> = {
  encode(w, v) {
    if (v.age !== undefined) w.i64le(v.age);
  },
  decode(r) {
    return r.remaining >= 8 ? { age: r.i64le() } : {};
  },
};

export interface RejectPayload {
  /** The command being rejected. */
  message: string;
  code: number;
  reason: string;
  /** The rejected block or transaction, when `message` is `block` or `tx`. */
  hash?: Hash32;
}

const rejectMessage = varString(COMMAND_SIZE);
const rejectReason = varString(MAX_REJECT_MESSAGE_LENGTH);

/** `reject` (BIP 61), the hash read only after `block` or `tx`, as SV Node does. */
export const rejectCodec: Codec<RejectPayload> = {
  encode(w, v) {
    let field = 'message';
    try {
      rejectMessage.encode(w, v.message);
      field = 'code';
      if (!Number.isInteger(v.code) || v.code < 0 || v.code > 255) {
        throw new BitcoinError(BitcoinErrorCode.OutOfRange, `${v.code} is not a byte`);
      }
      w.u8(v.code);
      field = 'reason';
      rejectReason.encode(w, v.reason);
      field = 'hash';
      if (v.hash !== undefined) hash32.encode(w, v.hash);
    } catch (e) {
      throw prefixField(e, field);
    }
  },
  decode(r) {
    let field = 'message';
    try {
      const message = rejectMessage.decode(r);
      field = 'code';
      const code = u8.decode(r);
      field = 'reason';
      const reason = rejectReason.decode(r);
      field = 'hash';
      if ((message === 'block' || message === 'tx') && r.remaining >= 32) return { message, code, reason, hash: hash32.decode(r) };
      return { message, code, reason };
    } catch (e) {
      throw prefixField(e, field);
    }
  },
};
