import { toHex } from '../bytes.js';
import { SigHash } from '../sighash/sighash-type.js';
import { checkSignatureEncoding } from './encoding-checks.js';
import { Op, opcodeName } from './opcodes.js';
import { ScriptError } from './script-error.js';
import { ScriptFlag } from './script-flags.js';
import { decodeScriptNumUnchecked } from './script-num.js';
import { newInstruction, readInstruction } from './script.js';

/** Sighash bytes the disassembler names after a signature (`mapSigHashTypes`). */
const SIGHASH_NAMES = new Map<number, string>();
for (const [base, name] of [
  [SigHash.ALL, 'ALL'],
  [SigHash.NONE, 'NONE'],
  [SigHash.SINGLE, 'SINGLE'],
] as const) {
  SIGHASH_NAMES.set(base, name);
  SIGHASH_NAMES.set(base | SigHash.ANYONECANPAY, `${name}|ANYONECANPAY`);
  SIGHASH_NAMES.set(base | SigHash.FORKID, `${name}|FORKID`);
  SIGHASH_NAMES.set(base | SigHash.FORKID | SigHash.ANYONECANPAY, `${name}|FORKID|ANYONECANPAY`);
}

/** `OP_RETURN …` or `OP_FALSE OP_RETURN …`: data a signature decode must not touch (`IsKnownOpReturn`). */
export function isKnownOpReturn(script: Uint8Array): boolean {
  return (script.length > 0 && script[0] === Op.OP_RETURN) || (script.length > 1 && script[0] === Op.OP_0 && script[1] === Op.OP_RETURN);
}

const INT32_MAX = 0x7fffffffn;
const INT32_MIN = -0x80000000n;

export interface ScriptAsmOptions {
  /** Version of the transaction the script belongs to (Chronicle relaxes signature checks above 1). */
  txVersion?: number;
  /**
   * Show pushes that are well-formed signatures as DER hex followed by the sighash type in
   * brackets (`…[ALL|FORKID]`); only for scripts that can carry signatures (scriptSigs).
   */
  attemptSighashDecode?: boolean;
}

/**
 * The reference node's assembly text of a script (`ScriptToAsmStr`): pushes of up to 4 bytes
 * as decimal script numbers, longer pushes as hex, other opcodes by name, `[error]` where a
 * push runs past the end.
 */
export function scriptToAsm(script: Uint8Array, opts: ScriptAsmOptions = {}): string {
  const parts: string[] = [];
  const ins = newInstruction();
  const decodeSigs = opts.attemptSighashDecode === true && !isKnownOpReturn(script);
  let pc = 0;
  while (pc < script.length) {
    if (!readInstruction(script, pc, ins)) {
      parts.push('[error]');
      break;
    }
    const op = ins.opcode;
    if (op <= Op.OP_PUSHDATA4) {
      const data = script.subarray(ins.dataStart, ins.dataEnd);
      if (data.length <= 4) {
        let n = decodeScriptNumUnchecked(data);
        if (n > INT32_MAX) n = INT32_MAX;
        if (n < INT32_MIN) n = INT32_MIN;
        parts.push(n.toString());
      } else if (decodeSigs) {
        parts.push(signatureAsm(data, opts.txVersion ?? 1));
      } else {
        parts.push(toHex(data));
      }
    } else {
      parts.push(opcodeName(op));
    }
    pc = ins.next;
  }
  return parts.join(' ');
}

function signatureAsm(data: Uint8Array, txVersion: number): string {
  const type = data[data.length - 1];
  let flags = ScriptFlag.STRICTENC;
  if (type & SigHash.FORKID) flags |= ScriptFlag.SIGHASH_FORKID;
  if (checkSignatureEncoding(data, flags, txVersion) === ScriptError.OK) {
    const name = SIGHASH_NAMES.get(type);
    if (name !== undefined) return `${toHex(data.subarray(0, data.length - 1))}[${name}]`;
  }
  return toHex(data);
}
