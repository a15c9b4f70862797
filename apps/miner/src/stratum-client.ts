import { EventEmitter } from 'node:events';
import net from 'node:net';
import { MinerError, MinerErrorCode } from './errors.js';

export interface ClientEvents {
  notify: [params: unknown[]];
  difficulty: [difficulty: number];
  close: [];
}

interface Waiting {
  resolve: (result: unknown) => void;
  reject: (e: Error) => void;
}

const MAX_LINE = 1024 * 1024;

/** A Stratum V1 client connection: JSON lines, requests matched to replies by id. */
export class StratumClient extends EventEmitter<ClientEvents> {
  private socket: net.Socket | undefined;
  private buffer = '';
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {
    super();
  }

  get connected(): boolean {
    return !!this.socket && !this.socket.destroyed;
  }

  connect(timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: this.host, port: this.port, noDelay: true });
      const timer = setTimeout(() => socket.destroy(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        this.socket = socket;
        resolve();
      });
      socket.once('error', (e) => {
        clearTimeout(timer);
        if (!this.socket) reject(e);
      });
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => this.onData(chunk));
      socket.on('close', () => {
        clearTimeout(timer);
        if (this.socket !== socket) return;
        this.socket = undefined;
        this.buffer = '';
        for (const w of this.waiting.values()) w.reject(new MinerError(MinerErrorCode.Disconnected, 'connection closed'));
        this.waiting.clear();
        this.emit('close');
      });
    });
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    if (this.buffer.length > MAX_LINE && this.buffer.indexOf('\n') < 0) {
      this.socket?.destroy();
      return;
    }
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (line) this.onLine(line);
    }
  }

  private onLine(line: string): void {
    let msg: { id?: unknown; method?: unknown; params?: unknown; result?: unknown; error?: unknown };
    try {
      msg = JSON.parse(line);
    } catch {
      return;
    }
    if (typeof msg.method === 'string') {
      if (msg.method === 'mining.notify' && Array.isArray(msg.params)) this.emit('notify', msg.params);
      else if (msg.method === 'mining.set_difficulty' && Array.isArray(msg.params) && typeof msg.params[0] === 'number') this.emit('difficulty', msg.params[0]);
      return;
    }
    if (typeof msg.id !== 'number') return;
    const w = this.waiting.get(msg.id);
    if (!w) return;
    this.waiting.delete(msg.id);
    if (msg.error) {
      const e = msg.error as unknown[];
      w.reject(new MinerError(MinerErrorCode.Refused, Array.isArray(e) ? `${e[1]} (${e[0]})` : JSON.stringify(e)));
    } else w.resolve(msg.result);
  }

  request(method: string, params: unknown[]): Promise<unknown> {
    if (!this.socket || this.socket.destroyed) return Promise.reject(new MinerError(MinerErrorCode.Disconnected, 'not connected'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.socket!.write(JSON.stringify({ id, method, params }) + '\n');
    });
  }

  close(): void {
    this.socket?.end();
    this.socket?.destroy();
  }
}
