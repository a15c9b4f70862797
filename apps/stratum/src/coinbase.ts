import { Writer, concatBytes, encodeCoinbaseHeight } from '@metamorph/bitcoin';
import { StratumAppError, StratumAppErrorCode } from './errors.js';

export const EXTRANONCE1_SIZE = 4;
export const EXTRANONCE2_SIZE = 8;
const EXTRANONCE_SIZE = EXTRANONCE1_SIZE + EXTRANONCE2_SIZE;

/** Consensus bound on a coinbase scriptSig (the reference node's `bad-cb-length`). */
export const MAX_COINBASE_SCRIPTSIG_SIZE = 100;

function dataPush(data: Uint8Array): Uint8Array {
  if (data.length > 75) throw new StratumAppError(StratumAppErrorCode.InvalidArgument, `at most 75 bytes, got ${data.length}`, 'push');
  return concatBytes(new Uint8Array([data.length]), data);
}

export interface CoinbaseSpec {
  height: number;
  /** Pool tag written after the height (ASCII). */
  tag: string;
  /** Satoshis paid to `outputScript`. */
  value: bigint;
  outputScript: Uint8Array;
}

/** The coinbase transaction split around the extranonce: coinbase = coinb1 ‖ extranonce1 ‖ extranonce2 ‖ coinb2. */
export interface CoinbaseParts {
  coinb1: Uint8Array;
  coinb2: Uint8Array;
}

/**
 * Version 1, one input (null prevout, scriptSig = BIP34 height push as the reference node writes
 * it ‖ tag push ‖ push of the 12-byte extranonce), one output, lock time 0. The extranonce is a
 * proper push so the scriptSig parses.
 */
export function buildCoinbaseParts(spec: CoinbaseSpec): CoinbaseParts {
  const tag = new TextEncoder().encode(spec.tag);
  const prefix = concatBytes(encodeCoinbaseHeight(spec.height), tag.length ? dataPush(tag) : new Uint8Array(0), new Uint8Array([EXTRANONCE_SIZE]));
  const scriptSigLength = prefix.length + EXTRANONCE_SIZE;
  if (scriptSigLength > MAX_COINBASE_SCRIPTSIG_SIZE) {
    throw new StratumAppError(StratumAppErrorCode.InvalidArgument, `coinbase scriptSig would be ${scriptSigLength} bytes, above ${MAX_COINBASE_SCRIPTSIG_SIZE}`, 'tag');
  }
  if (spec.value < 0n) throw new StratumAppError(StratumAppErrorCode.InvalidArgument, `negative value ${spec.value}`, 'value');
  const head = new Writer(128)
    .i32le(1)
    .compactSize(1)
    .bytes(new Uint8Array(32))
    .u32le(0xffffffff)
    .compactSize(scriptSigLength)
    .bytes(prefix)
    .finish()
    .slice();
  const tail = new Writer(64)
    .u32le(0xffffffff)
    .compactSize(1)
    .i64le(spec.value)
    .varBytes(spec.outputScript)
    .u32le(0)
    .finish()
    .slice();
  return { coinb1: head, coinb2: tail };
}

export function assembleCoinbase(parts: CoinbaseParts, extranonce1: Uint8Array, extranonce2: Uint8Array): Uint8Array {
  return concatBytes(parts.coinb1, extranonce1, extranonce2, parts.coinb2);
}
