/**
 * Wire constants of the Bitcoin SV P2P protocol as SV Node 1.2.2 uses them
 * (version.h, protocol.h, net.h, validation.h, consensus/validation.h, net/authconn.h).
 */

export const PROTOCOL_VERSION = 70016;
/** Peers below this are refused (GETHEADERS_VERSION). */
export const MIN_PEER_PROTO_VERSION = 31800;
export const BIP0031_VERSION = 60000;
export const SENDHEADERS_VERSION = 70012;
export const FEEFILTER_VERSION = 70013;
export const SHORT_IDS_BLOCKS_VERSION = 70014;
/** From this version a payload may exceed 4 GB using the extended message header. */
export const EXTENDED_PAYLOAD_VERSION = 70016;

export const NODE_NETWORK = 1n << 0n;
export const NODE_BLOOM = 1n << 2n;
export const NODE_BITCOIN_CASH = 1n << 5n;
/** What we advertise: we serve the full chain, on the BSV consensus rules. */
export const LOCAL_SERVICES = NODE_NETWORK | NODE_BITCOIN_CASH;
/** Addresses are kept and dialled only when they offer these. */
export const REQUIRED_SERVICES = NODE_NETWORK;

export const HEADER_SIZE = 24;
export const EXTENDED_HEADER_SIZE = 44;
export const COMMAND_SIZE = 12;
export const EXTMSG_COMMAND = 'extmsg';

/** Default maximum payload we accept for ordinary messages (maxprotocolrecvpayloadlength). */
export const DEFAULT_MAX_RECV_PAYLOAD = 2 * 1024 * 1024;
/** What a peer may send us before it told us its limit in `protoconf`. */
export const LEGACY_MAX_PAYLOAD = 1024 * 1024;
/** SV Node's ONE_GIGABYTE: maxprotocolrecvpayloadlength's upper bound, the post-Genesis tx size limit. */
export const ONE_GIGABYTE = 1_000_000_000;
/** We send at most this factor times what we accept ourselves (MAX_PROTOCOL_SEND_PAYLOAD_FACTOR). */
export const MAX_SEND_PAYLOAD_FACTOR = 4;

export const MAX_SUBVERSION_LENGTH = 256;
export const MAX_REJECT_MESSAGE_LENGTH = 111;
export const MAX_ASSOCIATION_ID_LENGTH = 129;
export const MAX_STREAM_POLICY_NAME_LENGTH = 64;
export const MAX_NUM_STREAM_POLICIES = 10;
export const MAX_HEADERS_RESULTS = 2000;
export const MAX_GETBLOCKS_RESULTS = 500;
export const MAX_ADDR_PER_MESSAGE = 1000;
export const MAX_BLOCKS_TO_ANNOUNCE = 8;
export const MAX_UNCONNECTING_HEADERS = 10;
export const MAX_BLOCKS_IN_TRANSIT_PER_PEER = 16;
export const BLOCK_DOWNLOAD_WINDOW = 1024;
export const DEFAULT_BANSCORE_THRESHOLD = 100;
export const DEFAULT_BAN_TIME_SECONDS = 24 * 60 * 60;
export const PING_INTERVAL_SECONDS = 2 * 60;
export const P2P_TIMEOUT_SECONDS = 20 * 60;
export const HANDSHAKE_TIMEOUT_SECONDS = 60;
export const DEFAULT_MAX_OUTBOUND = 8;
export const DEFAULT_MAX_ADDNODE = 8;
export const DEFAULT_MAX_CONNECTIONS = 125;
/** A tip older than this means we are still in initial block download (DEFAULT_MAX_TIP_AGE). */
export const MAX_TIP_AGE_SECONDS = 24 * 60 * 60;
/** Bad-checksum frames closer together than this count towards a penalty. */
export const INVALID_CHECKSUM_INTERVAL_MS = 500;
export const INVALID_CHECKSUM_FREQUENCY = 100;

/** `inv` / `getdata` object types. */
export enum InvType {
  Error = 0,
  Tx = 1,
  Block = 2,
  FilteredBlock = 3,
  CompactBlock = 4,
  DatarefTx = 5,
}

/** `reject` codes. */
export enum RejectCode {
  Malformed = 0x01,
  Invalid = 0x10,
  Obsolete = 0x11,
  Duplicate = 0x12,
  Nonstandard = 0x40,
  Dust = 0x41,
  InsufficientFee = 0x42,
  Checkpoint = 0x43,
  TooBusy = 0x44,
  StreamSetup = 0x60,
  AuthConnSetup = 0x70,
}

/** Stream types of SV's multi-stream associations (net/stream.h). */
export enum StreamType {
  Unknown = 0,
  General = 1,
  Data1 = 2,
  Data2 = 3,
  Data3 = 4,
  Data4 = 5,
}

export const AUTHCH_VERSION = 1;
export const AUTHCH_CHALLENGE_SIZE = 32;
export const COMPRESSED_PUBKEY_SIZE = 33;
export const DER_SIGNATURE_MIN_SIZE = 70;
export const DER_SIGNATURE_MAX_SIZE = 72;

/** The one stream policy we implement: everything on the single connection. */
export const DEFAULT_STREAM_POLICY = 'Default';
