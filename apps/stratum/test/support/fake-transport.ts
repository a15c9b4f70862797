import type { SessionTransport } from '../../src/session.js';

/** A socket stand-in: records what the session writes, one parsed message per line. */
export class FakeTransport implements SessionTransport {
  readonly messages: any[] = [];
  /** The raw text written, line by line, for byte-exact checks. */
  readonly lines: string[] = [];
  closed = false;

  write(data: string | Uint8Array): void {
    const text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
    if (!text.endsWith('\n')) throw new Error('the session must write whole lines');
    for (const line of text.slice(0, -1).split('\n')) {
      this.lines.push(line);
      this.messages.push(JSON.parse(line));
    }
  }

  close(): void {
    this.closed = true;
  }

  /** Messages received since the last call. */
  take(): any[] {
    this.lines.length = 0;
    return this.messages.splice(0);
  }

  /** Raw lines received since the last call. */
  takeLines(): string[] {
    this.messages.length = 0;
    return this.lines.splice(0);
  }
}
