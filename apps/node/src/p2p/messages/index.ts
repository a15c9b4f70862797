import { Reader, Writer, prefixField, type Codec, type Infer } from '@metamorph/bitcoin';
import { P2PError, P2PErrorCode } from '../errors.js';
import { blockPayloadCodec, blocktxnCodec, cmpctblockCodec, getblocktxnCodec, txPayloadCodec } from './blocks.js';
import { feefilterCodec, mempoolCodec, nonceCodec, rejectCodec, sendcmpctCodec } from './control.js';
import { authchCodec, authrespCodec, createstrmCodec, protoconfCodec, streamackCodec, versionCodec } from './handshake.js';
import { addrCodec, headersCodec, inventoryPayloadCodec, locatorCodec } from './inventory.js';
import { empty } from './primitives.js';

export * from './blocks.js';
export * from './control.js';
export * from './handshake.js';
export * from './inventory.js';
export * from './primitives.js';

/**
 * Every command we read or write, each with its one declared layout. The same table
 * encodes and decodes, so the two directions cannot drift apart.
 */
export const MESSAGE_CODECS = {
  version: versionCodec,
  verack: empty,
  protoconf: protoconfCodec,
  authch: authchCodec,
  authresp: authrespCodec,
  createstrm: createstrmCodec,
  streamack: streamackCodec,
  ping: nonceCodec,
  pong: nonceCodec,
  sendheaders: empty,
  sendcmpct: sendcmpctCodec,
  feefilter: feefilterCodec,
  reject: rejectCodec,
  getaddr: empty,
  addr: addrCodec,
  mempool: mempoolCodec,
  inv: inventoryPayloadCodec,
  getdata: inventoryPayloadCodec,
  notfound: inventoryPayloadCodec,
  getheaders: locatorCodec,
  getblocks: locatorCodec,
  headers: headersCodec,
  block: blockPayloadCodec,
  tx: txPayloadCodec,
  cmpctblock: cmpctblockCodec,
  getblocktxn: getblocktxnCodec,
  blocktxn: blocktxnCodec,
} as const;

export type Command = keyof typeof MESSAGE_CODECS;
export type PayloadOf<C extends Command> = Infer<(typeof MESSAGE_CODECS)[C]>;
export type Message = { [C in Command]: { command: C; payload: PayloadOf<C> } }[Command];
export type MessageOf<C extends Command> = Extract<Message, { command: C }>;

/**
 * Commands SV Node knows that we do not implement: bloom filters (we do not offer
 * NODE_BLOOM), enriched headers, double-spend and miner-ID notices, dataref transactions.
 */
export const UNSUPPORTED_COMMANDS = new Set([
  'filterload',
  'filteradd',
  'filterclear',
  'merkleblock',
  'sendhdrsen',
  'gethdrsen',
  'hdrsen',
  'dsdetected',
  'revokemid',
  'datareftx',
  'alert',
]);

export function isCommand(command: string): command is Command {
  return Object.prototype.hasOwnProperty.call(MESSAGE_CODECS, command);
}

/** Encode a message's payload (without the frame header). */
export function encodePayload(message: Message): Uint8Array {
  const codec = MESSAGE_CODECS[message.command] as Codec<unknown>;
  const w = new Writer(message.command === 'block' || message.command === 'tx' ? 16 : 128);
  try {
    codec.encode(w, message.payload);
  } catch (e) {
    const err = prefixField(e, message.command) as Error;
    throw new P2PError(P2PErrorCode.InvalidArgument, err.message);
  }
  return w.finish();
}

export interface DecodedMessage {
  message: Message;
  /** Bytes after the last field we know; SV Node ignores them, and so do we. */
  trailing: number;
}

/** Decode a known command's payload; a payload that does not fit its layout is a Malformed error. */
export function decodePayload(command: Command, payload: Uint8Array): DecodedMessage {
  const codec = MESSAGE_CODECS[command] as Codec<unknown>;
  const r = new Reader(payload);
  try {
    const value = codec.decode(r);
    return { message: { command, payload: value } as Message, trailing: r.remaining };
  } catch (e) {
    const err = prefixField(e, command) as Error;
    throw new P2PError(P2PErrorCode.Malformed, err.message, undefined, err);
  }
}
