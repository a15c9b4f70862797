import net from 'node:net';
import tls from 'node:tls';
import { loadConfig, stratumSchema, type StratumConfig } from '@metamorph/config';

/** A stratum config for tests: regtest defaults, an ephemeral port, test Redis/DB, quiet logs. */
export function testStratumConfig(env: Record<string, string>, overrides: Partial<StratumConfig> = {}): StratumConfig {
  return { ...loadConfig(stratumSchema, { LOG_LEVEL: 'error', STRATUM_HOST: '127.0.0.1', ...env }), STRATUM_PORT: 0, ...overrides };
}

/** A bare line-oriented TCP client, to speak Stratum to the server byte for byte. */
export class LineClient {
  readonly messages: any[] = [];
  private waiters: (() => void)[] = [];
  private buffer = '';
  closed = false;

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        this.messages.push(JSON.parse(this.buffer.slice(0, nl)));
        this.buffer = this.buffer.slice(nl + 1);
      }
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('error', () => {});
  }

  static connect(port: number, opts: { localAddress?: string; tlsCa?: string } = {}): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const s = opts.tlsCa
        ? tls.connect({ host: '127.0.0.1', port, ca: opts.tlsCa, servername: 'localhost' }, () => resolve(new LineClient(s)))
        : net.connect({ host: '127.0.0.1', port, localAddress: opts.localAddress }, () => resolve(new LineClient(s)));
      s.once('error', reject);
    });
  }

  write(text: string): void {
    this.socket.write(text);
  }

  send(msg: unknown): void {
    this.socket.write(JSON.stringify(msg) + '\n');
  }

  /** Wait for (and remove) the first message matching `pred`. */
  async next(pred: (m: any) => boolean, timeoutMs = 10_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.messages.findIndex(pred);
      if (i >= 0) return this.messages.splice(i, 1)[0];
      if (this.closed) throw new Error('connection closed while waiting');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; got ${JSON.stringify(this.messages).slice(0, 500)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (!this.closed) throw new Error('still open');
  }

  close(): void {
    this.socket.destroy();
  }
}
