import { fromHex, hashFromHex, sha256d, equalBytes, targetFromBits, type Hash32 } from '@metamorph/bitcoin';
import { StratumAppError, StratumAppErrorCode } from './errors.js';

export interface TemplateTransaction {
  /** Raw transaction bytes. */
  data: Uint8Array;
  txid: Hash32;
}

/** A `getblocktemplate` answer, checked once at the edge and typed. */
export interface BlockTemplate {
  version: number;
  prevHash: Hash32;
  transactions: TemplateTransaction[];
  /** Satoshis the coinbase may pay out (subsidy + fees). */
  coinbaseValue: bigint;
  bits: number;
  /** The network target `bits` stands for. */
  target: bigint;
  height: number;
  curtime: number;
  mintime: number;
}

function bad(message: string, field: string): never {
  throw new StratumAppError(StratumAppErrorCode.InvalidTemplate, message, field);
}

function int(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) bad(`expected an integer from ${min} to ${max}, got ${JSON.stringify(v)}`, field);
  return v;
}

function hex(v: unknown, field: string, length?: number): string {
  if (typeof v !== 'string' || !/^([0-9a-fA-F]{2})*$/.test(v)) bad(`expected hex, got ${JSON.stringify(typeof v === 'string' ? v.slice(0, 80) : v)}`, field);
  if (length !== undefined && v.length !== length) bad(`expected ${length} hex digits, got ${v.length}`, field);
  return v;
}

export function parseBlockTemplate(raw: unknown): BlockTemplate {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) bad('expected an object', 'template');
  const t = raw as Record<string, unknown>;
  const version = int(t.version, 'template.version', -0x80000000, 0xffffffff) | 0;
  const prevHash = hashFromHex(hex(t.previousblockhash, 'template.previousblockhash', 64), 'template.previousblockhash');
  const bitsHex = hex(t.bits, 'template.bits', 8);
  const bits = parseInt(bitsHex, 16) >>> 0;
  let target: bigint;
  try {
    target = targetFromBits(bits);
  } catch {
    bad(`"${bitsHex}" is not a valid compact target`, 'template.bits');
  }
  if (t.target !== undefined && BigInt('0x' + hex(t.target, 'template.target', 64)) !== target) {
    bad(`does not match bits ${bitsHex}`, 'template.target');
  }
  const height = int(t.height, 'template.height', 1, 0x7fffffff);
  const curtime = int(t.curtime, 'template.curtime', 0, 0xffffffff);
  const mintime = t.mintime === undefined ? 0 : int(t.mintime, 'template.mintime', 0, 0xffffffff);
  const coinbaseValue = BigInt(int(t.coinbasevalue, 'template.coinbasevalue', 0, Number.MAX_SAFE_INTEGER));
  if (!Array.isArray(t.transactions)) bad('expected an array', 'template.transactions');
  const transactions = t.transactions.map((entry: unknown, i: number): TemplateTransaction => {
    const field = `template.transactions[${i}]`;
    if (entry === null || typeof entry !== 'object') bad('expected an object', field);
    const e = entry as Record<string, unknown>;
    const data = fromHex(hex(e.data, `${field}.data`), `${field}.data`);
    if (data.length < 10) bad(`${data.length} bytes is too short for a transaction`, `${field}.data`);
    const txid = sha256d(data);
    if (e.txid !== undefined && !equalBytes(txid, hashFromHex(hex(e.txid, `${field}.txid`, 64), `${field}.txid`))) {
      bad(`does not match the hash of the transaction data`, `${field}.txid`);
    }
    return { data, txid };
  });
  return { version, prevHash, transactions, coinbaseValue, bits, target, height, curtime, mintime };
}
