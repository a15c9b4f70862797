import { createHash } from 'node:crypto';
import { sha256d, toHex } from '@metamorph/bitcoin';
import { P2PError, P2PErrorCode } from './errors.js';
import {
  COMMAND_SIZE,
  DEFAULT_MAX_RECV_PAYLOAD,
  EXTENDED_HEADER_SIZE,
  EXTMSG_COMMAND,
  HEADER_SIZE,
  LEGACY_MAX_PAYLOAD,
  ONE_GIGABYTE,
} from './protocol.js';

const U32_MAX = 0xffffffff;
const ASCII = new TextEncoder();

/** Payload size limits per command, as SV Node's NetMsgType::GetMaxMessageLength. */
export interface PayloadLimits {
  /** Ordinary messages (maxprotocolrecvpayloadlength). */
  maxRecvPayload: number;
  /** Block-carrying messages: block, cmpctblock, blocktxn, hdrsen. */
  maxBlockSize: number;
  /** A single transaction. */
  maxTxSize: number;
}

export const DEFAULT_PAYLOAD_LIMITS: PayloadLimits = {
  maxRecvPayload: DEFAULT_MAX_RECV_PAYLOAD,
  maxBlockSize: ONE_GIGABYTE,
  maxTxSize: ONE_GIGABYTE,
};

const BLOCK_LIKE = new Set(['block', 'cmpctblock', 'blocktxn', 'hdrsen']);
/** Smallest realistic transaction and short-id size, for the getblocktxn bound. */
const MIN_TX_SIZE = 215;
const SHORT_TXID_SIZE = 6;

export function maxPayloadFor(command: string, limits: PayloadLimits): number {
  if (command === 'protoconf') return LEGACY_MAX_PAYLOAD;
  if (command === 'tx' || command === 'datareftx') return limits.maxTxSize;
  if (command === 'getblocktxn') {
    const p = Math.floor(limits.maxBlockSize / MIN_TX_SIZE) * SHORT_TXID_SIZE;
    return p + (p > U32_MAX ? EXTENDED_HEADER_SIZE : HEADER_SIZE);
  }
  if (BLOCK_LIKE.has(command)) return limits.maxBlockSize;
  return limits.maxRecvPayload;
}

function commandBytes(command: string): Uint8Array {
  if (!/^[\x21-\x7e]{1,12}$/.test(command)) {
    throw new P2PError(P2PErrorCode.InvalidCommand, `"${command}" is not 1-12 printable ASCII characters`, 'command');
  }
  const out = new Uint8Array(COMMAND_SIZE);
  out.set(ASCII.encode(command));
  return out;
}

/**
 * The header for a payload of `length` bytes: magic, command, length, checksum
 * (sha256d(payload)[:4]). Above 4 GB it is SV's extended header: `extmsg`, length
 * 0xffffffff, a zero checksum, then the real command and a 64-bit length.
 */
export function encodeFrameHeader(magic: Uint8Array, command: string, length: number, checksum: Uint8Array): Uint8Array {
  const cmd = commandBytes(command);
  const extended = length > U32_MAX;
  const out = new Uint8Array(extended ? EXTENDED_HEADER_SIZE : HEADER_SIZE);
  const view = new DataView(out.buffer);
  out.set(magic, 0);
  if (extended) {
    out.set(commandBytes(EXTMSG_COMMAND), 4);
    view.setUint32(16, U32_MAX, true);
    out.set(cmd, 24);
    view.setBigUint64(36, BigInt(length), true);
  } else {
    out.set(cmd, 4);
    view.setUint32(16, length, true);
    out.set(checksum.subarray(0, 4), 20);
  }
  return out;
}

/** A whole frame: header then payload. */
export function encodeFrame(magic: Uint8Array, command: string, payload: Uint8Array): Uint8Array {
  const checksum = payload.length > U32_MAX ? new Uint8Array(4) : sha256d(payload);
  const header = encodeFrameHeader(magic, command, payload.length, checksum);
  const out = new Uint8Array(header.length + payload.length);
  out.set(header, 0);
  out.set(payload, header.length);
  return out;
}

/** A decoded frame whose checksum matched. */
export interface Frame {
  command: string;
  payload: Uint8Array;
  extended: boolean;
}

/** Something the decoder dropped without it being fatal; the session decides what it costs. */
export type FrameDrop =
  | { kind: 'bad-checksum'; command: string; length: number; expected: string; actual: string }
  | { kind: 'bad-command'; command: string; length: number };

export type FrameEvent = ({ kind: 'frame' } & Frame) | FrameDrop;

/**
 * The command of a 12-byte field as SV Node's CheckCommandFormat accepts it: printable
 * ASCII up to the first NUL, only NULs after. Returns undefined for anything else.
 */
function readCommand(field: Uint8Array): string | undefined {
  let end = COMMAND_SIZE;
  for (let i = 0; i < COMMAND_SIZE; i++) {
    const c = field[i];
    if (c === 0) {
      end = i;
      for (let j = i + 1; j < COMMAND_SIZE; j++) if (field[j] !== 0) return undefined;
      break;
    }
    if (c < 0x20 || c > 0x7e) return undefined;
  }
  return String.fromCharCode(...field.subarray(0, end));
}

function printable(field: Uint8Array): string {
  return Array.from(field, (c) => (c >= 0x20 && c <= 0x7e ? String.fromCharCode(c) : c === 0 ? '' : '?')).join('');
}

/**
 * Incremental frame reader for one direction of a connection. The payload length is
 * checked against the command's limit as soon as the header is complete, before any
 * payload byte is kept, so an oversized frame costs nothing but its header. Fatal
 * problems (wrong magic, oversized, unreadable extended header) throw a P2PError; the
 * decoder is unusable afterwards and the caller must drop the connection.
 */
export class FrameDecoder {
  private header = new Uint8Array(EXTENDED_HEADER_SIZE);
  private headerFill = 0;
  private headerNeed = HEADER_SIZE;
  private command: string | undefined;
  private rawCommand = new Uint8Array(0);
  private payloadLength = 0;
  private extended = false;
  private checksum = new Uint8Array(4);
  private inPayload = false;
  private chunks: Uint8Array[] = [];
  private received = 0;
  private hasher: ReturnType<typeof createHash> | undefined;
  private failed: P2PError | undefined;

  constructor(
    private readonly magic: Uint8Array,
    private readonly limits: PayloadLimits = DEFAULT_PAYLOAD_LIMITS,
  ) {}

  /** Bytes held for the frame in progress (for receive-buffer accounting). */
  get buffered(): number {
    return this.headerFill + this.received;
  }

  /**
   * Feed bytes as they arrive; returns every frame (or dropped frame) they completed.
   * Chunks are referenced until their frame completes: do not reuse them before then.
   */
  push(chunk: Uint8Array): FrameEvent[] {
    if (this.failed) throw this.failed;
    const out: FrameEvent[] = [];
    let off = 0;
    try {
      while (off < chunk.length) {
        if (!this.inPayload) {
          const n = Math.min(this.headerNeed - this.headerFill, chunk.length - off);
          this.header.set(chunk.subarray(off, off + n), this.headerFill);
          this.headerFill += n;
          off += n;
          if (this.headerFill === this.headerNeed) this.headerComplete(out);
          continue;
        }
        const n = Math.min(this.payloadLength - this.received, chunk.length - off);
        const part = chunk.subarray(off, off + n);
        this.chunks.push(part);
        this.hasher?.update(part);
        this.received += n;
        off += n;
        if (this.received === this.payloadLength) this.payloadComplete(out);
      }
    } catch (e) {
      this.failed = e instanceof P2PError ? e : new P2PError(P2PErrorCode.BadHeader, (e as Error).message);
      throw this.failed;
    }
    return out;
  }

  private headerComplete(out: FrameEvent[]): void {
    const h = this.header;
    if (this.headerNeed === HEADER_SIZE) {
      for (let i = 0; i < 4; i++) {
        if (h[i] !== this.magic[i]) {
          throw new P2PError(P2PErrorCode.WrongMagic, `frame starts with ${toHex(h.subarray(0, 4))}, expected network magic ${toHex(this.magic)}`);
        }
      }
      const cmd = readCommand(h.subarray(4, 16));
      if (cmd === EXTMSG_COMMAND) {
        // The real command and a 64-bit length follow.
        this.headerNeed = EXTENDED_HEADER_SIZE;
        return;
      }
      this.command = cmd;
      this.rawCommand = h.slice(4, 16);
      this.payloadLength = new DataView(h.buffer, h.byteOffset).getUint32(16, true);
      this.extended = false;
      this.checksum = h.slice(20, 24);
    } else {
      const cmd = readCommand(h.subarray(24, 36));
      if (cmd === undefined || cmd === '' || cmd === EXTMSG_COMMAND) {
        throw new P2PError(P2PErrorCode.BadHeader, `extended header carries an invalid command "${printable(h.subarray(24, 36))}"`);
      }
      const len = new DataView(h.buffer, h.byteOffset).getBigUint64(36, true);
      this.command = cmd;
      this.rawCommand = h.slice(24, 36);
      this.extended = true;
      if (len > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new P2PError(P2PErrorCode.Oversized, `${cmd} payload of ${len} bytes exceeds the limit of ${maxPayloadFor(cmd, this.limits)}`);
      }
      this.payloadLength = Number(len);
    }
    const limitCommand = this.command ?? printable(this.rawCommand);
    const max = maxPayloadFor(limitCommand, this.limits);
    if (this.payloadLength > max) {
      throw new P2PError(P2PErrorCode.Oversized, `${limitCommand} payload of ${this.payloadLength} bytes exceeds the limit of ${max}`);
    }
    this.inPayload = true;
    this.received = 0;
    this.chunks = [];
    this.hasher = this.extended || this.command === undefined ? undefined : createHash('sha256');
    if (this.payloadLength === 0) this.payloadComplete(out);
  }

  private payloadComplete(out: FrameEvent[]): void {
    // One copy either way, so the payload never pins (or aliases) the caller's buffers.
    const payload = this.chunks.length === 1 ? this.chunks[0].slice() : new Uint8Array(Buffer.concat(this.chunks, this.payloadLength));
    const command = this.command;
    const rawCommand = this.rawCommand;
    const length = this.payloadLength;
    const hasher = this.hasher;
    const expected = this.checksum;
    const extended = this.extended;
    this.reset();
    if (command === undefined) {
      out.push({ kind: 'bad-command', command: printable(rawCommand), length });
      return;
    }
    if (!extended) {
      const first = hasher!.digest();
      const actual = createHash('sha256').update(first).digest().subarray(0, 4);
      if (!actual.equals(expected)) {
        out.push({ kind: 'bad-checksum', command, length, expected: toHex(expected), actual: toHex(actual) });
        return;
      }
    }
    out.push({ kind: 'frame', command, payload, extended });
  }

  private reset(): void {
    this.inPayload = false;
    this.headerFill = 0;
    this.headerNeed = HEADER_SIZE;
    this.chunks = [];
    this.received = 0;
    this.hasher = undefined;
    this.command = undefined;
  }
}
