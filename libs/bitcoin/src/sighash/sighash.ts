import { BitcoinError, BitcoinErrorCode } from '../errors.js';
import { sha256d, type Hash32 } from '../hash.js';
import { compactSizeLength } from '../io/writer.js';
import type { Transaction } from '../primitives/transaction.js';
import { Op } from '../script/opcodes.js';
import { newInstruction, readInstruction } from '../script/script.js';
import { SigHash, hasAnyoneCanPay, hasChronicle, hasForkId, sigHashBaseType, type SigHashType } from './sighash-type.js';

/**
 * Per-transaction hashes the FORKID digest reuses for every input (BIP143's
 * hashPrevouts, hashSequence, hashOutputs). Build once per transaction.
 */
export interface PrecomputedTxData {
  hashPrevouts: Uint8Array;
  hashSequence: Uint8Array;
  hashOutputs: Uint8Array;
}

/** The hash the original algorithm returns for SIGHASH_SINGLE without a matching output (and a bad input index). */
export const SIGHASH_ONE: Hash32 = (() => {
  const h = new Uint8Array(32);
  h[0] = 1;
  return h as Hash32;
})();

const ZERO32 = new Uint8Array(32);


const scratch = new DataView(new ArrayBuffer(8));
const scratchBytes = new Uint8Array(scratch.buffer);

/** Minimal little-endian serializer into a buffer sized in advance. */
class Out {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}
  u32(v: number): void {
    const b = this.buf;
    let p = this.pos;
    b[p++] = v & 0xff;
    b[p++] = (v >>> 8) & 0xff;
    b[p++] = (v >>> 16) & 0xff;
    b[p++] = (v >>> 24) & 0xff;
    this.pos = p;
  }
  i64(v: bigint): void {
    scratch.setBigInt64(0, BigInt.asIntN(64, v), true);
    this.buf.set(scratchBytes, this.pos);
    this.pos += 8;
  }
  bytes(b: Uint8Array): void {
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  compactSize(n: number): void {
    if (n < 0xfd) this.buf[this.pos++] = n;
    else if (n <= 0xffff) {
      this.buf[this.pos++] = 0xfd;
      this.buf[this.pos++] = n & 0xff;
      this.buf[this.pos++] = n >>> 8;
    } else if (n <= 0xffffffff) {
      this.buf[this.pos++] = 0xfe;
      this.u32(n);
    } else {
      this.buf[this.pos++] = 0xff;
      this.u32(n % 0x100000000);
      this.u32(Math.floor(n / 0x100000000));
    }
  }
}

export function precomputeTxData(tx: Transaction): PrecomputedTxData {
  const prevouts = new Out(new Uint8Array(36 * tx.inputs.length));
  const sequences = new Out(new Uint8Array(4 * tx.inputs.length));
  for (const input of tx.inputs) {
    prevouts.bytes(input.prevout.txid);
    prevouts.u32(input.prevout.vout);
    sequences.u32(input.sequence);
  }
  let outLen = 0;
  for (const o of tx.outputs) outLen += 8 + compactSizeLength(o.script.length) + o.script.length;
  const outputs = new Out(new Uint8Array(outLen));
  for (const o of tx.outputs) {
    outputs.i64(o.value);
    outputs.compactSize(o.script.length);
    outputs.bytes(o.script);
  }
  return { hashPrevouts: sha256d(prevouts.buf), hashSequence: sha256d(sequences.buf), hashOutputs: sha256d(outputs.buf) };
}

function checkInputIndex(tx: Transaction, inputIndex: number): void {
  if (!Number.isInteger(inputIndex) || inputIndex < 0 || inputIndex >= tx.inputs.length) {
    throw new BitcoinError(BitcoinErrorCode.OutOfRange, `input ${inputIndex} does not exist (${tx.inputs.length} inputs)`, 'inputIndex');
  }
}

/**
 * The SIGHASH_FORKID digest (BIP143 layout with the fork id in the type's upper bits):
 * version, hashPrevouts, hashSequence, the spent outpoint, scriptCode, amount, sequence,
 * hashOutputs, lockTime, type.
 */
export function sigHashForkId(
  tx: Transaction,
  inputIndex: number,
  scriptCode: Uint8Array,
  amount: bigint,
  type: SigHashType,
  cache?: PrecomputedTxData,
): Hash32 {
  checkInputIndex(tx, inputIndex);
  const base = sigHashBaseType(type);
  const acp = hasAnyoneCanPay(type);
  let hashPrevouts: Uint8Array = ZERO32;
  let hashSequence: Uint8Array = ZERO32;
  let hashOutputs: Uint8Array = ZERO32;
  const pre = !acp || (base !== SigHash.SINGLE && base !== SigHash.NONE) ? (cache ?? precomputeTxData(tx)) : undefined;
  if (!acp) hashPrevouts = pre!.hashPrevouts;
  if (!acp && base !== SigHash.SINGLE && base !== SigHash.NONE) hashSequence = pre!.hashSequence;
  if (base !== SigHash.SINGLE && base !== SigHash.NONE) {
    hashOutputs = pre!.hashOutputs;
  } else if (base === SigHash.SINGLE && inputIndex < tx.outputs.length) {
    const o = tx.outputs[inputIndex];
    const one = new Out(new Uint8Array(8 + compactSizeLength(o.script.length) + o.script.length));
    one.i64(o.value);
    one.compactSize(o.script.length);
    one.bytes(o.script);
    hashOutputs = sha256d(one.buf);
  }
  const input = tx.inputs[inputIndex];
  const out = new Out(new Uint8Array(4 + 32 + 32 + 36 + compactSizeLength(scriptCode.length) + scriptCode.length + 8 + 4 + 32 + 4 + 4));
  out.u32(tx.version);
  out.bytes(hashPrevouts);
  out.bytes(hashSequence);
  out.bytes(input.prevout.txid);
  out.u32(input.prevout.vout);
  out.compactSize(scriptCode.length);
  out.bytes(scriptCode);
  out.i64(amount);
  out.u32(input.sequence);
  out.bytes(hashOutputs);
  out.u32(tx.lockTime);
  out.u32(type);
  return sha256d(out.buf);
}

/**
 * The scriptCode as the original algorithm serializes it: OP_CODESEPARATORs removed.
 * As in the reference node, the length prefix counts only the separators before any
 * truncated push, and a truncated push is cut where reading it stopped.
 */
function originalScriptCode(scriptCode: Uint8Array): { declaredLength: number; parts: Uint8Array[] } {
  const ins = newInstruction();
  let separators = 0;
  let pc = 0;
  while (readInstruction(scriptCode, pc, ins)) {
    if (ins.opcode === Op.OP_CODESEPARATOR) separators++;
    pc = ins.next;
  }
  if (separators === 0 && ins.next === scriptCode.length) {
    return { declaredLength: scriptCode.length, parts: [scriptCode] };
  }
  const parts: Uint8Array[] = [];
  let segStart = 0;
  pc = 0;
  while (readInstruction(scriptCode, pc, ins)) {
    if (ins.opcode === Op.OP_CODESEPARATOR) {
      parts.push(scriptCode.subarray(segStart, ins.next - 1));
      segStart = ins.next;
    }
    pc = ins.next;
  }
  if (segStart !== scriptCode.length) parts.push(scriptCode.subarray(segStart, ins.next));
  return { declaredLength: scriptCode.length - separators, parts };
}

/**
 * The original (pre-fork) signature hash, including its quirks: SIGHASH_SINGLE without
 * a matching output, or a missing input, hashes to 1 (SIGHASH_ONE).
 */
export function sigHashLegacy(tx: Transaction, inputIndex: number, scriptCode: Uint8Array, type: SigHashType): Hash32 {
  if (!Number.isInteger(inputIndex) || inputIndex < 0 || inputIndex >= tx.inputs.length) return SIGHASH_ONE;
  const base = sigHashBaseType(type);
  if (base === SigHash.SINGLE && inputIndex >= tx.outputs.length) return SIGHASH_ONE;
  const acp = hasAnyoneCanPay(type);
  const code = originalScriptCode(scriptCode);
  let codeLen = 0;
  for (const p of code.parts) codeLen += p.length;

  const nInputs = acp ? 1 : tx.inputs.length;
  const nOutputs = base === SigHash.NONE ? 0 : base === SigHash.SINGLE ? inputIndex + 1 : tx.outputs.length;
  let size = 4 + compactSizeLength(nInputs) + compactSizeLength(nOutputs) + 4 + 4;
  size += nInputs * 40 + (nInputs - 1) + compactSizeLength(code.declaredLength) + codeLen;
  for (let i = 0; i < nOutputs; i++) {
    if (base === SigHash.SINGLE && i !== inputIndex) size += 9;
    else size += 8 + compactSizeLength(tx.outputs[i].script.length) + tx.outputs[i].script.length;
  }

  const out = new Out(new Uint8Array(size));
  out.u32(tx.version);
  out.compactSize(nInputs);
  for (let n = 0; n < nInputs; n++) {
    const i = acp ? inputIndex : n;
    const input = tx.inputs[i];
    out.bytes(input.prevout.txid);
    out.u32(input.prevout.vout);
    if (i !== inputIndex) {
      out.compactSize(0);
    } else {
      out.compactSize(code.declaredLength);
      for (const p of code.parts) out.bytes(p);
    }
    out.u32(i !== inputIndex && (base === SigHash.SINGLE || base === SigHash.NONE) ? 0 : input.sequence);
  }
  out.compactSize(nOutputs);
  for (let i = 0; i < nOutputs; i++) {
    if (base === SigHash.SINGLE && i !== inputIndex) {
      out.i64(-1n);
      out.compactSize(0);
    } else {
      const o = tx.outputs[i];
      out.i64(o.value);
      out.compactSize(o.script.length);
      out.bytes(o.script);
    }
  }
  out.u32(tx.lockTime);
  out.u32(type);
  return sha256d(out.buf);
}

/**
 * The digest a signature of `type` commits to (the reference node's `SignatureHash`):
 * the FORKID digest when FORKID is set (and enabled) without the CHRONICLE bit,
 * otherwise the original algorithm.
 */
export function signatureHash(
  tx: Transaction,
  inputIndex: number,
  scriptCode: Uint8Array,
  amount: bigint,
  type: SigHashType,
  options: { forkIdEnabled?: boolean; cache?: PrecomputedTxData } = {},
): Hash32 {
  if ((options.forkIdEnabled ?? true) && hasForkId(type) && !hasChronicle(type)) {
    return sigHashForkId(tx, inputIndex, scriptCode, amount, type, options.cache);
  }
  return sigHashLegacy(tx, inputIndex, scriptCode, type);
}
