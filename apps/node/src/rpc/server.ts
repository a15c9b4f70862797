import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger } from '@metamorph/config';
import { RpcError, RpcErrorCode, httpStatusFor, reply, type RpcReply } from './protocol.js';
import { isObject } from './params.js';
import { stringifyJson } from './json-number.js';
import type { RpcContext, RpcRegistry } from './registry.js';

export interface RpcServerOptions {
  bind: string;
  port: number;
  user: string;
  password: string;
  maxBodyBytes: number;
  /** Requests handled at once; more get HTTP 500 "Work queue depth exceeded". */
  workQueue: number;
  log: Logger;
}

/** Failed logins wait this long before the 401, to slow password guessing (as bitcoind). */
const AUTH_FAILURE_DELAY_MS = 250;

class BodyTooLarge extends Error {}

/**
 * Bitcoin-style JSON-RPC over HTTP: POST to `/` with basic auth, JSON-RPC 1.0/2.0 requests or
 * batches; replies and HTTP statuses as bitcoind (result/error/id always present; 400 invalid
 * request, 404 unknown method, 500 other errors, 200 for batches; 401 without valid credentials).
 */
export class RpcServer {
  private readonly server: http.Server;
  private readonly credentials: Buffer;
  private inFlight = 0;

  constructor(
    private readonly opts: RpcServerOptions,
    private readonly registry: RpcRegistry,
    private readonly ctx: RpcContext,
  ) {
    this.credentials = sha256(`${opts.user}:${opts.password}`);
    this.server = http.createServer({ maxHeaderSize: 8192 }, (req, res) => void this.handle(req, res));
    this.server.headersTimeout = 30_000;
    this.server.requestTimeout = 120_000;
    this.server.keepAliveTimeout = 30_000;
  }

  /** Start listening; rejects (EADDRINUSE…) when the port cannot be bound. */
  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.server.once('error', onError);
      this.server.listen(this.opts.port, this.opts.bind, () => {
        this.server.off('error', onError);
        this.server.on('error', (e) => this.opts.log.error('RPC server error', { error: e }));
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** Stop accepting connections, let requests in progress finish briefly, then cut the rest. */
  close(graceMs = 2000): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      const timer = setTimeout(() => this.server.closeAllConnections(), graceMs);
      this.server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      this.server.closeIdleConnections();
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (this.inFlight >= this.opts.workQueue) return this.sendText(res, 500, 'Work queue depth exceeded', true);
    this.inFlight++;
    res.once('close', () => this.inFlight--);
    try {
      if (req.method !== 'POST') return this.sendText(res, 405, 'JSONRPC server handles only POST requests', true);
      const path = (req.url ?? '/').split('?')[0];
      if (path !== '/') return this.sendText(res, 404, '', true);
      const auth = req.headers.authorization;
      if (!auth) return this.unauthorized(res);
      if (!this.authorized(auth)) {
        this.opts.log.warn('RPC incorrect password attempt', { from: req.socket.remoteAddress });
        await new Promise((r) => setTimeout(r, AUTH_FAILURE_DELAY_MS));
        return this.unauthorized(res);
      }
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > this.opts.maxBodyBytes) return this.sendText(res, 413, 'Request body too large', true);
      let body: string;
      try {
        body = await readBody(req, this.opts.maxBodyBytes);
      } catch (e) {
        if (e instanceof BodyTooLarge) return this.sendText(res, 413, 'Request body too large', true);
        return void req.destroy();
      }
      await this.dispatch(body, res);
    } catch (e) {
      this.opts.log.error('RPC request failed', { error: e as Error });
      if (!res.headersSent) this.sendJson(res, 500, reply(null, new RpcError(RpcErrorCode.InternalError, 'Internal error'), null));
    }
  }

  private async dispatch(body: string, res: http.ServerResponse): Promise<void> {
    let request: unknown;
    try {
      request = JSON.parse(body);
    } catch {
      return this.sendJson(res, 500, reply(null, new RpcError(RpcErrorCode.ParseError, 'Parse error'), null));
    }
    if (Array.isArray(request)) {
      const replies: RpcReply[] = [];
      for (const item of request) replies.push(await this.executeOne(item));
      return this.sendJson(res, 200, replies);
    }
    if (!isObject(request)) {
      return this.sendJson(res, 500, reply(null, new RpcError(RpcErrorCode.ParseError, 'Top-level object parse error'), null));
    }
    const r = await this.executeOne(request);
    return this.sendJson(res, r.error ? httpStatusFor(r.error.code) : 200, r);
  }

  private async executeOne(item: unknown): Promise<RpcReply> {
    let id: unknown = null;
    const started = Date.now();
    try {
      if (!isObject(item)) throw new RpcError(RpcErrorCode.InvalidRequest, 'Invalid Request object');
      id = item.id;
      const { method, params } = item;
      if (method === undefined || method === null) throw new RpcError(RpcErrorCode.InvalidRequest, 'Missing method');
      if (typeof method !== 'string') throw new RpcError(RpcErrorCode.InvalidRequest, 'Method must be a string');
      if (params !== undefined && params !== null && !Array.isArray(params) && !isObject(params)) {
        throw new RpcError(RpcErrorCode.InvalidRequest, 'Params must be an array or object');
      }
      const result = await this.registry.execute(method, params ?? [], this.ctx);
      this.opts.log.debug('RPC call', { method, ms: Date.now() - started });
      return reply(result === undefined ? null : result, null, id);
    } catch (e) {
      const error = e instanceof RpcError ? e : new RpcError(RpcErrorCode.MiscError, (e as Error)?.message ?? String(e));
      return reply(null, error, id);
    }
  }

  private authorized(header: string): boolean {
    if (!header.startsWith('Basic ')) return false;
    const given = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    return timingSafeEqual(sha256(given), this.credentials);
  }

  private unauthorized(res: http.ServerResponse): void {
    res.setHeader('WWW-Authenticate', 'Basic realm="jsonrpc"');
    this.sendText(res, 401, '', true);
  }

  private sendJson(res: http.ServerResponse, status: number, value: unknown): void {
    const body = stringifyJson(value) + '\n';
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  /** Plain replies; `close` ends the connection (its request body may still be arriving). */
  private sendText(res: http.ServerResponse, status: number, text: string, close = false): void {
    const headers: http.OutgoingHttpHeaders = { 'Content-Type': 'text/html; charset=ISO-8859-1', 'Content-Length': Buffer.byteLength(text) };
    if (close) headers.Connection = 'close';
    res.writeHead(status, headers);
    res.end(text);
  }
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
