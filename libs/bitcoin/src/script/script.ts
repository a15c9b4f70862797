import { joinBytes } from '../bytes.js';
import { Op } from './opcodes.js';

/** Largest push before Genesis (and for pre-Genesis outputs). */
export const MAX_SCRIPT_ELEMENT_SIZE_BEFORE_GENESIS = 520;
/** Stack + altstack items allowed before Genesis. */
export const MAX_STACK_ELEMENTS_BEFORE_GENESIS = 1000;
/** nLockTime below this is a block height, from it on a UNIX time. */
export const LOCKTIME_THRESHOLD = 500_000_000;

/**
 * One decoded instruction. `next` is the offset after it. Reused between calls so the
 * interpreter's loop allocates nothing per instruction.
 */
export interface Instruction {
  opcode: number;
  /** Push data as [dataStart, dataEnd) within the script; empty for non-push opcodes. */
  dataStart: number;
  dataEnd: number;
  next: number;
}

export function newInstruction(): Instruction {
  return { opcode: Op.OP_INVALIDOPCODE, dataStart: 0, dataEnd: 0, next: 0 };
}

/**
 * Decode the instruction at `pc` into `out` (the reference node's `GetOp`). Returns false
 * at the end of the script or on a truncated push; then `out.next` is where reading
 * stopped (after the opcode and any length bytes it could read), as the reference
 * node's iterator is left.
 */
export function readInstruction(script: Uint8Array, pc: number, out: Instruction): boolean {
  out.opcode = Op.OP_INVALIDOPCODE;
  out.dataStart = out.dataEnd = out.next = pc;
  const end = script.length;
  if (pc >= end) return false;
  const opcode = script[pc++];
  out.next = pc;
  if (opcode <= Op.OP_PUSHDATA4) {
    let size: number;
    if (opcode < Op.OP_PUSHDATA1) {
      size = opcode;
    } else if (opcode === Op.OP_PUSHDATA1) {
      if (end - pc < 1) return false;
      size = script[pc++];
    } else if (opcode === Op.OP_PUSHDATA2) {
      if (end - pc < 2) return false;
      size = script[pc] | (script[pc + 1] << 8);
      pc += 2;
    } else {
      if (end - pc < 4) return false;
      size = (script[pc] | (script[pc + 1] << 8) | (script[pc + 2] << 16) | (script[pc + 3] << 24)) >>> 0;
      pc += 4;
    }
    out.next = pc;
    if (end - pc < size) return false;
    out.dataStart = pc;
    out.dataEnd = pc + size;
    pc += size;
  }
  out.opcode = opcode;
  out.next = pc;
  return true;
}

/** A decoded instruction with its data copied out, for callers outside the hot path. */
export interface ScriptChunk {
  opcode: number;
  /** Push data (a view into the script), or undefined for non-push opcodes. */
  data?: Uint8Array;
}

/**
 * Split a script into instructions. A truncated push ends the list with
 * `{ opcode: OP_INVALIDOPCODE }` and `truncated: true`.
 */
export function decodeScript(script: Uint8Array): { chunks: ScriptChunk[]; truncated: boolean } {
  const chunks: ScriptChunk[] = [];
  const ins = newInstruction();
  let pc = 0;
  while (pc < script.length) {
    if (!readInstruction(script, pc, ins)) {
      chunks.push({ opcode: Op.OP_INVALIDOPCODE });
      return { chunks, truncated: true };
    }
    chunks.push(
      ins.opcode <= Op.OP_PUSHDATA4 ? { opcode: ins.opcode, data: script.subarray(ins.dataStart, ins.dataEnd) } : { opcode: ins.opcode },
    );
    pc = ins.next;
  }
  return { chunks, truncated: false };
}

/** Script bytes that push `data` with the smallest push opcode for its length (`CScript << vector`). */
export function pushDataScript(data: Uint8Array): Uint8Array {
  const n = data.length;
  let head: number[];
  if (n < Op.OP_PUSHDATA1) head = [n];
  else if (n <= 0xff) head = [Op.OP_PUSHDATA1, n];
  else if (n <= 0xffff) head = [Op.OP_PUSHDATA2, n & 0xff, n >> 8];
  else head = [Op.OP_PUSHDATA4, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
  const out = new Uint8Array(head.length + n);
  out.set(head);
  out.set(data, head.length);
  return out;
}

/**
 * Whether `opcode` is the minimal way to push `data` (MINIMALDATA): OP_0 for empty,
 * OP_1..OP_16 and OP_1NEGATE for those single bytes, a direct push up to 75 bytes,
 * OP_PUSHDATA1 up to 255, OP_PUSHDATA2 up to 65535.
 */
export function isMinimalPush(data: Uint8Array, opcode: number): boolean {
  const n = data.length;
  if (n === 0) return opcode === Op.OP_0;
  if (n === 1 && data[0] >= 1 && data[0] <= 16) return opcode === Op.OP_1 + (data[0] - 1);
  if (n === 1 && data[0] === 0x81) return opcode === Op.OP_1NEGATE;
  if (n <= 75) return opcode === n;
  if (n <= 255) return opcode === Op.OP_PUSHDATA1;
  if (n <= 65535) return opcode === Op.OP_PUSHDATA2;
  return true;
}

/** Only push opcodes (OP_RESERVED counts as one, as in the reference node); a truncated push is not push-only. */
export function isPushOnly(script: Uint8Array): boolean {
  const ins = newInstruction();
  let pc = 0;
  while (pc < script.length) {
    if (!readInstruction(script, pc, ins)) return false;
    if (ins.opcode > Op.OP_16) return false;
    pc = ins.next;
  }
  return true;
}

/** OP_HASH160 <20 bytes> OP_EQUAL. */
export function isP2SH(script: Uint8Array): boolean {
  return script.length === 23 && script[0] === Op.OP_HASH160 && script[1] === 0x14 && script[22] === Op.OP_EQUAL;
}

/** The 20-byte key hash of an exact `OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG` script, or null. */
export function p2pkhHash(script: Uint8Array): Uint8Array | null {
  if (
    script.length === 25 &&
    script[0] === Op.OP_DUP &&
    script[1] === Op.OP_HASH160 &&
    script[2] === 20 &&
    script[23] === Op.OP_EQUALVERIFY &&
    script[24] === Op.OP_CHECKSIG
  ) {
    return script.subarray(3, 23);
  }
  return null;
}

/**
 * Remove every occurrence of `pattern` that starts on an instruction boundary (the
 * reference node's `FindAndDelete`). Returns the input itself when nothing matched.
 */
export function findAndDelete(script: Uint8Array, pattern: Uint8Array): Uint8Array {
  const plen = pattern.length;
  if (plen === 0) return script;
  const end = script.length;
  const ins = newInstruction();
  let parts: Uint8Array[] | undefined;
  let pc = 0;
  let copyFrom = 0;
  for (;;) {
    let matched = false;
    while (end - pc >= plen && matchesAt(script, pc, pattern)) {
      if (!parts) parts = [];
      if (!matched) parts.push(script.subarray(copyFrom, pc));
      matched = true;
      pc += plen;
    }
    if (matched) copyFrom = pc;
    if (!readInstruction(script, pc, ins)) break;
    pc = ins.next;
  }
  if (!parts) return script;
  parts.push(script.subarray(copyFrom, end));
  return joinBytes(parts);
}

function matchesAt(script: Uint8Array, pos: number, pattern: Uint8Array): boolean {
  for (let i = 0; i < pattern.length; i++) if (script[pos + i] !== pattern[i]) return false;
  return true;
}
