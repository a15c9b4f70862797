import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fromHex } from '@metamorph/bitcoin';

/** Real SV Node 1.2.2 regtest traffic (see ../shared/vectors/SOURCES.md), pinned by hash. */
export const CAPTURE_PATH = new URL('../../../../../shared/vectors/p2p_regtest_capture.json', import.meta.url);
export const CAPTURE_SHA256 = 'cbe2bdfe5efbfd2d17d19863aae3923a8b557ecb5145d40e396661cd4cdeb74b';

export interface CapturedMessage {
  conn: number;
  from: 'A' | 'B';
  seq: number;
  dirIndex: number;
  command: string;
  length: number;
  checksum: Uint8Array;
  payload: Uint8Array;
}

export interface Capture {
  magic: Uint8Array;
  messages: CapturedMessage[];
  counts: Record<string, Record<string, number>>;
  sha256: string;
}

export function loadCapture(): Capture {
  const bytes = readFileSync(CAPTURE_PATH);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const json = JSON.parse(bytes.toString('utf8'));
  return {
    sha256,
    magic: fromHex(json.magic),
    counts: json.message_counts,
    messages: json.messages.map((m: Record<string, unknown>) => ({
      conn: m.conn,
      from: m.from,
      seq: m.seq,
      dirIndex: m.dir_index,
      command: m.command,
      length: m.length,
      checksum: fromHex(m.checksum as string),
      payload: fromHex(m.payload as string),
    })),
  };
}

/** The captured frame exactly as it was on the wire. */
export function frameBytes(magic: Uint8Array, m: CapturedMessage): Uint8Array {
  const out = new Uint8Array(24 + m.payload.length);
  out.set(magic, 0);
  out.set(new TextEncoder().encode(m.command), 4);
  new DataView(out.buffer).setUint32(16, m.length, true);
  out.set(m.checksum, 20);
  out.set(m.payload, 24);
  return out;
}
