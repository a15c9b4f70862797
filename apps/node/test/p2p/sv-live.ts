import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type net from 'node:net';
import { blockHash, concatBytes, decodeBlockHeader, fromHex, hashToHex, regtest, sha256d, toHex } from '@metamorph/bitcoin';
import { FrameDecoder, encodeFrame } from '../../src/p2p/framing.js';

/**
 * Live sessions between apps/node and SV Node 1.2.2 on regtest, every frame of both
 * directions as a recording proxy saw them (see the fixture's `source`), pinned by hash.
 */
export const SV_LIVE_PATH = new URL('./fixtures/sv-node-1.2.2-live.json', import.meta.url);
export const SV_LIVE_SHA256 = 'fa9012e6c9e70d5a597e03b65b459cb42501fc687e6292d72ccb0c317e9dd26f';

export type Side = 'sv' | 'mm';

export interface LiveFrame {
  /** Milliseconds since the session's first frame. */
  t: number;
  from: Side;
  command: string;
  checksum: Uint8Array;
  payload: Uint8Array;
}

export interface LiveSession {
  description: string;
  frames: LiveFrame[];
}

export interface LiveRecording {
  sha256: string;
  magic: Uint8Array;
  sessions: { outbound: LiveSession; inbound: LiveSession };
  /** What getpeerinfo showed at the end: SV Node A (we dialled it), SV Node B (it dialled us), and ours. */
  getpeerinfo: { svA: Record<string, unknown>[]; svB: Record<string, unknown>[]; ours: Record<string, unknown>[] };
}

export function loadLiveRecording(): LiveRecording {
  const bytes = readFileSync(SV_LIVE_PATH);
  const json = JSON.parse(bytes.toString('utf8'));
  const session = (s: { description: string; frames: Record<string, unknown>[] }): LiveSession => ({
    description: s.description,
    frames: s.frames.map((f) => ({
      t: f.t as number,
      from: f.from as Side,
      command: f.command as string,
      checksum: fromHex(f.checksum as string),
      payload: fromHex(f.payload as string),
    })),
  });
  return {
    sha256: createHash('sha256').update(bytes).digest('hex'),
    magic: fromHex(json.magic),
    sessions: { outbound: session(json.sessions.outbound), inbound: session(json.sessions.inbound) },
    getpeerinfo: json.getpeerinfo,
  };
}

/** The frame exactly as it crossed the wire. */
export function wireBytes(f: LiveFrame): Uint8Array {
  return encodeFrame(regtest.netMagic, f.command, f.payload);
}

export function checksumOf(payload: Uint8Array): string {
  return toHex(sha256d(payload).subarray(0, 4));
}

/** The hash (display hex) of a block payload. */
export function blockHashOf(payload: Uint8Array): string {
  return hashToHex(blockHash(decodeBlockHeader(payload.subarray(0, 80))));
}

export interface ReceivedFrame {
  command: string;
  payload: Uint8Array;
}

/**
 * The SV Node side of a replayed session, on a real socket: sends recorded frames, and
 * collects what apps/node sends back in order so a test can wait for and check each one.
 */
export class WirePeer {
  readonly received: ReceivedFrame[] = [];
  private consumed = new Set<number>();
  private waiters: (() => void)[] = [];
  private readonly decoder = new FrameDecoder(regtest.netMagic);
  closed = false;

  constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const ev of this.decoder.push(chunk)) {
        if (ev.kind === 'frame') this.received.push({ command: ev.command, payload: ev.payload });
      }
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  send(...frames: (LiveFrame | Uint8Array)[]): void {
    this.socket.write(concatBytes(...frames.map((f) => (f instanceof Uint8Array ? f : wireBytes(f)))));
  }

  /** The first frame of this command not taken yet, waiting for it if need be. */
  async take(command: string, ms = 10_000): Promise<ReceivedFrame> {
    const until = Date.now() + ms;
    for (;;) {
      const i = this.received.findIndex((f, k) => f.command === command && !this.consumed.has(k));
      if (i >= 0) {
        this.consumed.add(i);
        return this.received[i];
      }
      if (this.closed) throw new Error(`connection closed while waiting for ${command}; received: ${this.commands().join(' ')}`);
      const left = until - Date.now();
      if (left <= 0) throw new Error(`no ${command} within ${ms} ms; received: ${this.commands().join(' ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  commands(): string[] {
    return this.received.map((f) => f.command);
  }

  close(): void {
    this.socket.destroy();
  }
}
