import {
  BitcoinError,
  BitcoinErrorCode,
  bool,
  fixedBytes,
  i32le,
  i64le,
  prefixField,
  struct,
  u32le,
  u64le,
  u8,
  varBytes,
  varString,
  type Codec,
} from '@metamorph/bitcoin';
import type { NetAddress } from '../net-address.js';
import {
  AUTHCH_CHALLENGE_SIZE,
  DER_SIGNATURE_MAX_SIZE,
  COMPRESSED_PUBKEY_SIZE,
  MAX_ASSOCIATION_ID_LENGTH,
  MAX_NUM_STREAM_POLICIES,
  MAX_STREAM_POLICY_NAME_LENGTH,
  MAX_SUBVERSION_LENGTH,
} from '../protocol.js';
import { netAddressCodec } from './primitives.js';

export interface VersionPayload {
  version: number;
  services: bigint;
  /** Sender's clock, seconds since 1970. */
  timestamp: bigint;
  /** How the sender sees us. */
  addrRecv: NetAddress;
  /** The sender itself (SV Node sends an unspecified address). */
  addrFrom: NetAddress;
  /** Random per connection; detects connecting to ourselves. */
  nonce: bigint;
  userAgent: string;
  startHeight: number;
  /** Absent before protocol 70001; SV Node treats absence as true. */
  relay?: boolean;
  /**
   * SV's association ID (type byte + id). Absent: the peer knows no streams. Empty: the
   * peer supports streams but wants a single connection, which is what we send.
   */
  associationId?: Uint8Array;
}

const versionHead = struct({
  version: i32le,
  services: u64le,
  timestamp: i64le,
  addrRecv: netAddressCodec,
  addrFrom: netAddressCodec,
  nonce: u64le,
  userAgent: varString(MAX_SUBVERSION_LENGTH),
  startHeight: i32le,
});
const assocIdCodec = varBytes(MAX_ASSOCIATION_ID_LENGTH);

/**
 * `version`: the fixed fields, then `relay` and the association ID only when bytes remain,
 * as SV Node reads them. Bytes after the association ID are left for future fields.
 */
export const versionCodec: Codec<VersionPayload> = {
  encode(w, v) {
    versionHead.encode(w, v);
    if (v.relay === undefined) {
      if (v.associationId !== undefined) {
        throw new BitcoinError(BitcoinErrorCode.InvalidArgument, 'an association ID needs the relay flag before it', 'associationId');
      }
      return;
    }
    bool.encode(w, v.relay);
    if (v.associationId !== undefined) {
      try {
        assocIdCodec.encode(w, v.associationId);
      } catch (e) {
        throw prefixField(e, 'associationId');
      }
    }
  },
  decode(r) {
    const head = versionHead.decode(r);
    const out: VersionPayload = { ...head };
    if (r.remaining > 0) out.relay = r.u8() !== 0;
    if (r.remaining > 0) {
      try {
        out.associationId = assocIdCodec.decode(r);
      } catch (e) {
        throw prefixField(e, 'associationId');
      }
    }
    return out;
  },
};

export interface ProtoconfPayload {
  /** How many fields follow; SV Node sends 2 and refuses 0. */
  numberOfFields: number;
  maxRecvPayloadLength: number;
  /** Comma-separated stream policy names, present when numberOfFields ≥ 2. */
  streamPolicies?: string;
}

const policiesCodec = varString((MAX_STREAM_POLICY_NAME_LENGTH + 1) * MAX_NUM_STREAM_POLICIES);

/** `protoconf` (CProtoconf). Fields beyond the two known ones are left unread, as SV Node does. */
export const protoconfCodec: Codec<ProtoconfPayload> = {
  encode(w, v) {
    if (v.numberOfFields < 1) throw new BitcoinError(BitcoinErrorCode.InvalidArgument, 'must be at least 1', 'numberOfFields');
    if (v.numberOfFields >= 2 && v.streamPolicies === undefined) {
      throw new BitcoinError(BitcoinErrorCode.InvalidArgument, 'required when numberOfFields ≥ 2', 'streamPolicies');
    }
    w.compactSize(v.numberOfFields);
    w.u32le(v.maxRecvPayloadLength);
    if (v.numberOfFields >= 2) policiesCodec.encode(w, v.streamPolicies!);
  },
  decode(r) {
    const numberOfFields = r.compactSize();
    if (numberOfFields === 0) throw new BitcoinError(BitcoinErrorCode.OutOfRange, 'number of fields is 0', 'numberOfFields');
    let maxRecvPayloadLength: number;
    try {
      maxRecvPayloadLength = r.u32le();
    } catch (e) {
      throw prefixField(e, 'maxRecvPayloadLength');
    }
    if (numberOfFields < 2) return { numberOfFields, maxRecvPayloadLength };
    let streamPolicies: string;
    try {
      streamPolicies = policiesCodec.decode(r);
    } catch (e) {
      throw prefixField(e, 'streamPolicies');
    }
    return { numberOfFields, maxRecvPayloadLength, streamPolicies };
  },
};

export interface AuthChallengePayload {
  version: number;
  /** Declared challenge length; version 1 always carries 32 bytes. */
  length: number;
  challenge: Uint8Array;
}

/** `authch`: version, declared length, then a 32-byte challenge (read as a uint256 whatever the length says). */
export const authchCodec: Codec<AuthChallengePayload> = struct({
  version: u32le,
  length: u32le,
  challenge: fixedBytes(AUTHCH_CHALLENGE_SIZE),
});

export interface AuthResponsePayload {
  publicKey: Uint8Array;
  nonce: bigint;
  signature: Uint8Array;
}

/** `authresp`: compressed public key, client nonce, DER signature of sha256d(challenge ‖ nonce). */
export const authrespCodec: Codec<AuthResponsePayload> = struct({
  publicKey: varBytes(COMPRESSED_PUBKEY_SIZE),
  nonce: u64le,
  signature: varBytes(DER_SIGNATURE_MAX_SIZE),
});

export interface CreateStreamPayload {
  associationId: Uint8Array;
  streamType: number;
  policy: string;
}

export const createstrmCodec: Codec<CreateStreamPayload> = struct({
  associationId: varBytes(MAX_ASSOCIATION_ID_LENGTH),
  streamType: u8,
  policy: varString(MAX_STREAM_POLICY_NAME_LENGTH),
});

export interface StreamAckPayload {
  associationId: Uint8Array;
  streamType: number;
}

export const streamackCodec: Codec<StreamAckPayload> = struct({
  associationId: varBytes(MAX_ASSOCIATION_ID_LENGTH),
  streamType: u8,
});
