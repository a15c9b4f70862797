import { fromHex } from '@metamorph/bitcoin';

/** Error codes miners understand (the `[code, message, null]` triple of Stratum V1). */
export enum StratumErrorCode {
  Other = 20,
  JobNotFound = 21,
  DuplicateShare = 22,
  LowDifficulty = 23,
  Unauthorized = 24,
  NotSubscribed = 25,
}

export type StratumErrorTuple = [code: number, message: string, traceback: null];
export type RequestId = string | number | null;

/**
 * A miner-facing failure: becomes the error of the reply to the request that caused it. These are
 * expected and frequent (every low-difficulty share), so no stack trace is captured.
 */
export class StratumProtocolError extends Error {
  override readonly name = 'StratumProtocolError';
  readonly code: StratumErrorCode;

  constructor(code: StratumErrorCode, message: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.code = code;
  }

  toTuple(): StratumErrorTuple {
    return [this.code, this.message, null];
  }
}

export interface StratumRequest {
  id: RequestId;
  method: string;
  params: unknown[];
}

/** A miner's answer to something the pool asked (`mining.ping`, `client.show_message` with an id). */
export interface StratumResponse {
  id: RequestId;
  result: unknown;
  error: unknown;
}

export type ParsedLine =
  | { ok: true; request: StratumRequest; response?: undefined }
  | { ok: true; response: StratumResponse; request?: undefined }
  | { ok: false; id: RequestId; error: StratumProtocolError };

const MAX_METHOD_LENGTH = 64;

function other(message: string): StratumProtocolError {
  return new StratumProtocolError(StratumErrorCode.Other, message);
}

/**
 * One JSON line from a miner to a request (or a response to one of ours), or the error to
 * answer (id null when it cannot be read). Extra members such as `"jsonrpc": "2.0"` are ignored.
 */
export function parseLine(line: string): ParsedLine {
  let msg: unknown;
  try {
    msg = JSON.parse(line);
  } catch {
    return { ok: false, id: null, error: other('Parse error: not valid JSON') };
  }
  if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) {
    return { ok: false, id: null, error: other('Invalid request: expected a JSON object') };
  }
  const m = msg as Record<string, unknown>;
  const rawId = m.id;
  const idOk = rawId === null || rawId === undefined || (typeof rawId === 'string' && rawId.length <= 128) || (typeof rawId === 'number' && Number.isFinite(rawId));
  if (!idOk) return { ok: false, id: null, error: other('Invalid request: id must be a number, a string or null') };
  const id = (rawId ?? null) as RequestId;
  if (m.method === undefined && id !== null && ('result' in m || 'error' in m)) {
    return { ok: true, response: { id, result: m.result ?? null, error: m.error ?? null } };
  }
  if (typeof m.method !== 'string' || m.method.length === 0 || m.method.length > MAX_METHOD_LENGTH) {
    return { ok: false, id, error: other('Invalid request: method must be a non-empty string') };
  }
  if (m.params !== undefined && m.params !== null && !Array.isArray(m.params)) {
    return { ok: false, id, error: other(`Invalid params for ${m.method}: expected an array`) };
  }
  return { ok: true, request: { id, method: m.method, params: (m.params as unknown[] | null | undefined) ?? [] } };
}

export interface Reply {
  id: RequestId;
  result: unknown;
  error: StratumErrorTuple | null;
}

export interface Notification {
  id: null;
  method: string;
  params: unknown[];
}

export function resultReply(id: RequestId, result: unknown): Reply {
  return { id, result, error: null };
}

export function errorReply(id: RequestId, error: StratumProtocolError): Reply {
  return { id, result: null, error: error.toTuple() };
}

export function notification(method: string, params: unknown[]): Notification {
  return { id: null, method, params };
}

// ───── Params of each method, checked once here ─────

function str(v: unknown, what: string, max: number): string {
  if (typeof v !== 'string') throw other(`${what} must be a string`);
  if (v.length > max) throw other(`${what} is longer than ${max} characters`);
  return v;
}

function hexBytes(v: unknown, what: string, maxBytes: number): Uint8Array {
  const s = str(v, what, maxBytes * 2);
  if (!/^([0-9a-fA-F]{2})*$/.test(s)) throw other(`${what} must be hex`);
  return fromHex(s, what);
}

function u32hex(v: unknown, what: string): number {
  const s = str(v, what, 8);
  if (!/^[0-9a-fA-F]{8}$/.test(s)) throw other(`${what} must be 8 hex digits`);
  return parseInt(s, 16) >>> 0;
}

/** A difficulty as miners send it: a positive number, or a decimal string of one. */
function positiveNumber(v: unknown, what: string, allowZero = false): number {
  const n = typeof v === 'string' && /^\s*\d+(\.\d*)?([eE][-+]?\d+)?\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || (n === 0 && !allowZero)) {
    throw other(`${what} must be a ${allowZero ? 'non-negative' : 'positive'} number`);
  }
  return n;
}

export interface SubscribeParams {
  userAgent?: string;
  /** The subscription id of an earlier session the miner wants back (`mining.subscribe` param 2). */
  resume?: string;
}

export function parseSubscribeParams(params: unknown[]): SubscribeParams {
  const [ua, session] = params;
  const out: SubscribeParams = {};
  if (ua !== undefined && ua !== null) out.userAgent = str(ua, 'user agent', 256);
  // Some miners send a host or port here; only a string can name a session.
  if (typeof session === 'string' && session.length <= 64) out.resume = session;
  return out;
}

export interface AuthorizeParams {
  username: string;
  password: string;
}

export function parseAuthorizeParams(params: unknown[]): AuthorizeParams {
  const username = str(params[0], 'username', 128);
  const password = params[1] === undefined || params[1] === null ? '' : str(params[1], 'password', 256);
  return { username, password };
}

export interface SubmitParams {
  username: string;
  jobId: string;
  extranonce2: Uint8Array;
  ntime: number;
  nonce: number;
  /** BIP310 version bits, when the miner rolls the version. */
  versionBits?: number;
}

export function parseSubmitParams(params: unknown[]): SubmitParams {
  if (params.length < 5) throw other('mining.submit needs [username, job id, extranonce2, ntime, nonce]');
  return {
    username: str(params[0], 'username', 128),
    jobId: str(params[1], 'job id', 64),
    extranonce2: hexBytes(params[2], 'extranonce2', 32),
    ntime: u32hex(params[3], 'ntime'),
    nonce: u32hex(params[4], 'nonce'),
    versionBits: params[5] === undefined || params[5] === null ? undefined : u32hex(params[5], 'version bits'),
  };
}

/** What a miner asked for with `mining.configure` (BIP310), checked. */
export interface ConfigureRequest {
  extensions: string[];
  versionRolling?: { mask: number; minBitCount: number };
  minimumDifficulty?: number;
  subscribeExtranonce: boolean;
  info?: Record<string, string>;
}

export function parseConfigureParams(params: unknown[]): ConfigureRequest {
  const [ext, opts] = params;
  if (!Array.isArray(ext) || ext.length > 16 || !ext.every((e) => typeof e === 'string' && e.length > 0 && e.length <= 64)) {
    throw other('mining.configure needs a list of extension names');
  }
  if (opts !== undefined && opts !== null && (typeof opts !== 'object' || Array.isArray(opts))) {
    throw other('mining.configure extension parameters must be an object');
  }
  const o = (opts ?? {}) as Record<string, unknown>;
  const extensions = ext as string[];
  const out: ConfigureRequest = { extensions, subscribeExtranonce: extensions.includes('subscribe-extranonce') };
  if (extensions.includes('version-rolling')) {
    const rawMask = o['version-rolling.mask'];
    const mask = rawMask === undefined || rawMask === null ? 0xffffffff : u32hexLoose(rawMask, 'version-rolling.mask');
    const rawCount = o['version-rolling.min-bit-count'];
    let minBitCount = 0;
    if (rawCount !== undefined && rawCount !== null) {
      if (typeof rawCount !== 'number' || !Number.isInteger(rawCount) || rawCount < 0 || rawCount > 32) throw other('version-rolling.min-bit-count must be an integer from 0 to 32');
      minBitCount = rawCount;
    }
    out.versionRolling = { mask, minBitCount };
  }
  if (extensions.includes('minimum-difficulty')) {
    out.minimumDifficulty = positiveNumber(o['minimum-difficulty.value'], 'minimum-difficulty.value', true);
  }
  if (extensions.includes('info')) {
    const info: Record<string, string> = {};
    for (const k of ['connection-url', 'hw-version', 'sw-version', 'hw-id']) {
      const v = o[`info.${k}`];
      if (typeof v === 'string') info[k] = v.slice(0, 128);
    }
    out.info = info;
  }
  return out;
}

/** A BIP310 mask: 8 hex digits (some firmware sends fewer, meaning leading zeros). */
function u32hexLoose(v: unknown, what: string): number {
  const s = str(v, what, 8);
  if (!/^[0-9a-fA-F]{1,8}$/.test(s)) throw other(`${what} must be up to 8 hex digits`);
  return parseInt(s, 16) >>> 0;
}

export function parseSuggestDifficulty(params: unknown[]): number {
  return positiveNumber(params[0], 'mining.suggest_difficulty difficulty');
}

export const WORKER_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
export const DEFAULT_WORKER = 'default';

/** `address[.worker]`; the worker defaults to `default`. */
export function splitUsername(username: string): { address: string; worker: string } {
  const dot = username.indexOf('.');
  if (dot < 0) return { address: username, worker: DEFAULT_WORKER };
  const worker = username.slice(dot + 1);
  if (worker === '') return { address: username.slice(0, dot), worker: DEFAULT_WORKER };
  if (!WORKER_NAME.test(worker)) throw new StratumProtocolError(StratumErrorCode.Unauthorized, `Invalid worker name "${worker.slice(0, 64)}": use letters, digits, _ . - (at most 64)`);
  return { address: username.slice(0, dot), worker };
}

/** Number of 1 bits in a 32-bit value. */
export function bitCount(n: number): number {
  let c = 0;
  for (let v = n >>> 0; v; v &= v - 1) c++;
  return c;
}
