import { EventEmitter } from 'node:events';
import net from 'node:net';
import { MinerError, MinerErrorCode } from './errors.js';

export interface ClientEvents {
  notify: [params: unknown[]];
  difficulty: [difficulty: number];
  /** `mining.set_extranonce`: extranonce1 (hex) and extranonce2 size, for the next job. */
  extranonce: [extranonce1: string, extranonce2Size: number];
  /** `mining.set_version_mask`: the new BIP310 mask, valid at once. */
  versionMask: [mask: number];
  /** `client.reconnect`: where to (absent: the same pool) and after how many seconds. */
  reconnect: [to: { host: string; port: number } | undefined, waitSeconds: number];
  /** `client.show_message`. */
  message: [text: string];
  close: [];
}

interface Waiting {
  resolve: (result: unknown) => void;
  reject: (e: Error) => void;
}

const MAX_LINE = 1024 * 1024;
export const CLIENT_VERSION = 'metamorph-cpu/0.2';

/** A Stratum V1 client connection: JSON lines, requests matched to replies by id, pool messages as events. */
export class StratumClient extends EventEmitter<ClientEvents> {
  private socket: net.Socket | undefined;
  private buffer = '';
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly localAddress?: string,
  ) {
    super();
  }

  get connected(): boolean {
    return !!this.socket && !this.socket.destroyed;
  }

  connect(timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: this.host, port: this.port, noDelay: true, localAddress: this.localAddress });
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
      this.onMethod(msg.method, Array.isArray(msg.params) ? msg.params : [], msg.id ?? null);
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

  private onMethod(method: string, params: unknown[], id: unknown): void {
    switch (method) {
      case 'mining.notify':
        this.emit('notify', params);
        break;
      case 'mining.set_difficulty':
        if (typeof params[0] === 'number' && params[0] > 0) this.emit('difficulty', params[0]);
        break;
      case 'mining.set_extranonce':
        if (typeof params[0] === 'string' && /^([0-9a-fA-F]{2})*$/.test(params[0]) && typeof params[1] === 'number') this.emit('extranonce', params[0], params[1]);
        break;
      case 'mining.set_version_mask':
        if (typeof params[0] === 'string' && /^[0-9a-fA-F]{8}$/.test(params[0])) this.emit('versionMask', parseInt(params[0], 16) >>> 0);
        break;
      case 'client.reconnect': {
        const [host, port, wait] = params;
        const p = typeof port === 'string' ? Number(port) : port;
        const to = typeof host === 'string' && host && typeof p === 'number' && p > 0 ? { host, port: p } : undefined;
        this.emit('reconnect', to, typeof wait === 'number' && wait > 0 ? Math.min(wait, 3600) : 0);
        break;
      }
      case 'client.show_message':
        this.emit('message', typeof params[0] === 'string' ? params[0] : JSON.stringify(params[0]));
        if (id !== null) this.reply(id, true);
        break;
      case 'mining.ping':
        if (id !== null) this.reply(id, 'pong');
        break;
      case 'client.get_version':
        if (id !== null) this.reply(id, CLIENT_VERSION);
        break;
    }
  }

  private reply(id: unknown, result: unknown): void {
    this.socket?.write(JSON.stringify({ id, result, error: null }) + '\n');
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
