import http from 'node:http';
import https from 'node:https';
import { StratumAppError, StratumAppErrorCode } from './errors.js';

export interface NodeRpc {
  call<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  close(): void;
}

export interface NodeRpcOptions {
  timeoutMs?: number;
}

/** Where the node is, for messages (credentials left out). */
export function describeRpcUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
}

/**
 * Bitcoin-style JSON-RPC 1.0 over HTTP POST with basic auth taken from the URL, as the
 * reference node speaks it: RPC errors come back as JSON with HTTP 500 (404 for an unknown method).
 */
export function createNodeRpc(url: string, options: NodeRpcOptions = {}): NodeRpc {
  const u = new URL(url);
  const where = describeRpcUrl(url);
  const secure = u.protocol === 'https:';
  const agent = secure ? new https.Agent({ keepAlive: true, maxSockets: 8 }) : new http.Agent({ keepAlive: true, maxSockets: 8 });
  const auth = u.username ? `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}` : undefined;
  const timeoutMs = options.timeoutMs ?? 30_000;
  let nextId = 1;

  function post(body: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = (secure ? https : http).request(
        {
          host: u.hostname,
          port: u.port || (secure ? 443 : 80),
          path: u.pathname || '/',
          method: 'POST',
          agent,
          auth,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  return {
    async call<T>(method: string, params: unknown[] = []): Promise<T> {
      const id = nextId++;
      let res: { status: number; text: string };
      try {
        res = await post(JSON.stringify({ jsonrpc: '1.0', id, method, params }));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new StratumAppError(
          StratumAppErrorCode.RpcTransport,
          `node RPC at ${where} is not reachable${code ? ` (${code})` : `: ${(e as Error).message}`}`,
          method,
          e,
        );
      }
      if (res.status === 401 || res.status === 403) {
        throw new StratumAppError(StratumAppErrorCode.RpcAuth, `node RPC at ${where} refused the credentials (HTTP ${res.status}): check the user and password in the URL`, method);
      }
      let body: { result?: unknown; error?: { code?: number; message?: string } | null; id?: unknown };
      try {
        body = JSON.parse(res.text);
      } catch {
        throw new StratumAppError(
          res.status >= 400 ? StratumAppErrorCode.RpcHttp : StratumAppErrorCode.RpcBadResponse,
          `node RPC answered HTTP ${res.status} with ${JSON.stringify(res.text.slice(0, 200))}`,
          method,
        );
      }
      if (body === null || typeof body !== 'object') {
        throw new StratumAppError(StratumAppErrorCode.RpcBadResponse, `node RPC answered ${JSON.stringify(body)}`, method);
      }
      if (body.error) {
        const err = new StratumAppError(StratumAppErrorCode.RpcError, `node RPC error ${body.error.code}: ${body.error.message}`, method);
        (err as StratumAppError & { rpcCode?: number }).rpcCode = body.error.code;
        throw err;
      }
      if (res.status >= 400) throw new StratumAppError(StratumAppErrorCode.RpcHttp, `node RPC answered HTTP ${res.status}`, method);
      return body.result as T;
    },
    close() {
      agent.destroy();
    },
  };
}
