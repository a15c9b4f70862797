import type { LogFields, Logger } from '@metamorph/config';
import { regtest } from '@metamorph/bitcoin';
import { waitFor as waitUntil } from '@metamorph/testing';
import { FrameDecoder } from '../../src/p2p/framing.js';
import { decodePayload, isCommand, type Message } from '../../src/p2p/messages/index.js';
import { PeerSession, type CloseReason, type SessionHandler, type SessionOptions } from '../../src/p2p/session.js';

export interface LogLine {
  level: string;
  msg: string;
  fields?: LogFields;
}

/** A logger that keeps what it was told, for assertions on logged reasons. */
export function memoryLogger(lines: LogLine[] = [], echo = process.env.TEST_LOG === '1'): Logger & { lines: LogLine[] } {
  const make = (scope: string): Logger => {
    const write = (level: string) => (msg: string, fields?: LogFields) => {
      lines.push({ level, msg, fields });
      if (echo) console.log(level, scope, msg, fields ? JSON.stringify(fields, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) : '');
    };
    return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error'), child: (s) => make(`${scope}:${s}`) };
  };
  return Object.assign(make('test'), { lines });
}

export class FakeClock {
  constructor(public t = 1_795_509_849_000) {}
  now = () => this.t;
  advance(ms: number) {
    this.t += ms;
  }
}

/** A session whose output is decoded back into messages, for scripted conversations. */
export function scriptedSession(opts: Partial<SessionOptions> & { inbound: boolean }, handler: SessionHandler = {}) {
  const log = memoryLogger();
  const sent: Message[] = [];
  const sentFrames: Uint8Array[] = [];
  const closes: CloseReason[] = [];
  const decoder = new FrameDecoder(regtest.netMagic);
  const session = new PeerSession({
    id: 1,
    params: regtest,
    remote: { host: '127.0.0.1', port: 18444 },
    local: { services: 0x21n, userAgent: '/Metamorph:test/', relay: true, startHeight: () => 7, maxRecvPayload: 2 * 1024 * 1024 },
    log,
    ...opts,
  });
  session.attach(
    (bytes) => {
      sentFrames.push(bytes);
      for (const ev of decoder.push(bytes)) {
        if (ev.kind === 'frame' && isCommand(ev.command)) sent.push(decodePayload(ev.command, ev.payload).message);
      }
    },
    {
      // Delegate (not spread): the handler may be a class instance with prototype methods.
      onReady: (s) => handler.onReady?.(s),
      onMessage: (s, m) => handler.onMessage?.(s, m),
      onVersion: (s) => handler.onVersion?.(s),
      onClose(s, r) {
        closes.push(r);
        handler.onClose?.(s, r);
      },
    },
  );
  return { session, sent, sentFrames, closes, log, commands: () => sent.map((m) => m.command) };
}

/** Poll until `cond` holds (or fail after `ms`). */
export async function waitFor(cond: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  await waitUntil(what, cond, ms, 20);
}
