import { Reader, Writer, type Hash32 } from '@metamorph/bitcoin';

/** An unspent output as the UTXO set holds it. */
export interface Coin {
  /** Satoshis. */
  value: bigint;
  script: Uint8Array;
  /** Height of the block that created it. */
  height: number;
  coinbase: boolean;
}

/** A spend's outpoint. */
export interface OutPointRef {
  txid: Hash32;
  vout: number;
}

/**
 * Map key of an outpoint: the txid's 32 bytes as latin1 text plus the index. Compact and
 * cheap to build (no hex), never shown to anyone.
 */
export function coinKey(txid: Uint8Array, vout: number): string {
  return Buffer.from(txid.buffer, txid.byteOffset, 32).toString('latin1') + vout;
}

/** The txid part of a coin key, for grouping. */
export function txidKey(txid: Uint8Array): string {
  return Buffer.from(txid.buffer, txid.byteOffset, 32).toString('latin1');
}

/**
 * Undo data of a block: the coins its inputs spent, in block order (transaction by
 * transaction, input by input): CompactSize count, then per coin CompactSize(height·2 +
 * coinbase), the value (int64) and the script (CompactSize-prefixed).
 */
export function encodeUndo(coins: readonly Coin[]): Uint8Array {
  let size = 9;
  for (const c of coins) size += 9 + 8 + 9 + c.script.length;
  const w = new Writer(size);
  w.compactSize(coins.length);
  for (const c of coins) {
    w.compactSize(c.height * 2 + (c.coinbase ? 1 : 0));
    w.i64le(c.value);
    w.varBytes(c.script);
  }
  return w.finish().slice();
}

export function decodeUndo(bytes: Uint8Array): Coin[] {
  const r = new Reader(bytes);
  const n = r.compactSize();
  const out: Coin[] = [];
  for (let i = 0; i < n; i++) {
    const code = r.compactSize();
    const value = r.i64le();
    const script = r.varBytes().slice();
    out.push({ value, script, height: Math.floor(code / 2), coinbase: code % 2 === 1 });
  }
  r.end();
  return out;
}
