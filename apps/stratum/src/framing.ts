import { StringDecoder } from 'node:string_decoder';

export type FrameEvent = { kind: 'line'; line: string } | { kind: 'too-long' };

/**
 * Splits a byte stream into newline-terminated lines (`\n` or `\r\n`), refusing any line longer
 * than `maxLineBytes`; after that the stream is unusable (the connection should be closed).
 */
export class LineFramer {
  private buffer = '';
  private bufferedBytes = 0;
  private broken = false;
  private readonly decoder = new StringDecoder('utf8');

  constructor(private readonly maxLineBytes: number) {}

  push(chunk: Uint8Array): FrameEvent[] {
    if (this.broken) return [];
    const events: FrameEvent[] = [];
    let text = this.decoder.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    let nl: number;
    while ((nl = text.indexOf('\n')) >= 0) {
      const piece = text.slice(0, nl);
      if (this.bufferedBytes + Buffer.byteLength(piece) > this.maxLineBytes) return this.fail(events);
      let line = this.buffer + piece;
      if (line.endsWith('\r')) line = line.slice(0, -1);
      this.buffer = '';
      this.bufferedBytes = 0;
      events.push({ kind: 'line', line });
      text = text.slice(nl + 1);
    }
    this.bufferedBytes += Buffer.byteLength(text);
    if (this.bufferedBytes > this.maxLineBytes) return this.fail(events);
    this.buffer += text;
    return events;
  }

  private fail(events: FrameEvent[]): FrameEvent[] {
    this.broken = true;
    this.buffer = '';
    events.push({ kind: 'too-long' });
    return events;
  }
}
