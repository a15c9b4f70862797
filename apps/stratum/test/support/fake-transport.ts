import type { SessionTransport } from '../../src/session.js';

/** A socket stand-in: records what the session writes, parsed. */
export class FakeTransport implements SessionTransport {
  readonly messages: any[] = [];
  closed = false;

  send(line: string): void {
    if (line.includes('\n')) throw new Error('a message must be one line');
    this.messages.push(JSON.parse(line));
  }

  close(): void {
    this.closed = true;
  }

  /** Messages received since the last call. */
  take(): any[] {
    return this.messages.splice(0);
  }
}
