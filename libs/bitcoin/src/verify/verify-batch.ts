import { Reader } from '../io/reader.js';
import { encodeTransaction, transactionCodec, type Transaction } from '../primitives/transaction.js';
import type { ScriptConfig } from '../script/script-limits.js';
import { verifyTransactionScripts, type SpentOutput, type TxScriptsResult, type VerifyParams } from './verify-transaction.js';

/** A transaction to verify with the outputs its inputs spend (in input order). */
export interface VerifyItem {
  tx: Transaction;
  spent: readonly SpentOutput[];
  /** The transaction's serialization, when the caller has it (saves re-encoding for workers). */
  raw?: Uint8Array;
}

/** Where and how a batch is verified: one height and mode for all its transactions. */
export interface BatchContext {
  height: number;
  mode?: 'block' | 'mempool';
}

/**
 * A batch flattened into a few typed arrays, so a worker receives it by transfer instead
 * of cloning thousands of small objects.
 */
export interface PackedBatch {
  height: number;
  mode: 'block' | 'mempool';
  txBytes: Uint8Array;
  /** txOffsets[i]..txOffsets[i+1] is transaction i. */
  txOffsets: Uint32Array;
  spentValues: BigInt64Array;
  spentHeights: Int32Array;
  spentScripts: Uint8Array;
  spentScriptOffsets: Uint32Array;
}

export function packBatch(items: readonly VerifyItem[], ctx: BatchContext): PackedBatch {
  const raws = items.map((it) => it.raw ?? encodeTransaction(it.tx));
  let txLen = 0;
  let spentCount = 0;
  let scriptLen = 0;
  for (let i = 0; i < items.length; i++) {
    txLen += raws[i].length;
    spentCount += items[i].spent.length;
    for (const s of items[i].spent) scriptLen += s.script.length;
  }
  const txBytes = new Uint8Array(txLen);
  const txOffsets = new Uint32Array(items.length + 1);
  const spentValues = new BigInt64Array(spentCount);
  const spentHeights = new Int32Array(spentCount);
  const spentScripts = new Uint8Array(scriptLen);
  const spentScriptOffsets = new Uint32Array(spentCount + 1);
  let off = 0;
  let k = 0;
  let soff = 0;
  for (let i = 0; i < items.length; i++) {
    txBytes.set(raws[i], off);
    off += raws[i].length;
    txOffsets[i + 1] = off;
    for (const s of items[i].spent) {
      spentValues[k] = s.value;
      spentHeights[k] = s.height;
      spentScripts.set(s.script, soff);
      soff += s.script.length;
      spentScriptOffsets[++k] = soff;
    }
  }
  return { height: ctx.height, mode: ctx.mode ?? 'block', txBytes, txOffsets, spentValues, spentHeights, spentScripts, spentScriptOffsets };
}

/** The buffers to transfer with a packed batch. */
export function batchTransferList(b: PackedBatch): ArrayBuffer[] {
  return [b.txBytes, b.txOffsets, b.spentValues, b.spentHeights, b.spentScripts, b.spentScriptOffsets].map((a) => a.buffer as ArrayBuffer);
}

/** Verify a packed batch (in a worker, or inline). One result per transaction. */
export function runPackedBatch(b: PackedBatch, params: VerifyParams, config?: ScriptConfig): TxScriptsResult[] {
  const results: TxScriptsResult[] = [];
  let k = 0;
  for (let i = 0; i + 1 < b.txOffsets.length; i++) {
    const tx = transactionCodec.decode(new Reader(b.txBytes.subarray(b.txOffsets[i], b.txOffsets[i + 1])));
    const spent: SpentOutput[] = [];
    for (let n = 0; n < tx.inputs.length; n++, k++) {
      spent.push({
        value: b.spentValues[k],
        height: b.spentHeights[k],
        script: b.spentScripts.subarray(b.spentScriptOffsets[k], b.spentScriptOffsets[k + 1]),
      });
    }
    results.push(verifyTransactionScripts(tx, spent, { params, height: b.height, mode: b.mode, config }));
  }
  return results;
}
