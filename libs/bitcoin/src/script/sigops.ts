import { Op, decodeOpN } from './opcodes.js';
import { ProtocolEra, isGenesisActive } from './protocol-era.js';
import { isMinimallyEncoded, decodeScriptNumUnchecked, SCRIPT_NUM_DEFAULT_MAX_LENGTH } from './script-num.js';
import { isP2SH, newInstruction, readInstruction } from './script.js';

/** Sigops in a script, or `error` when the script cannot be counted (and so cannot be spent). */
export interface SigOpCount {
  count: number;
  error: boolean;
}

/** Pre-Genesis legacy counting charges this many for any CHECKMULTISIG. */
export const MAX_PUBKEYS_PER_MULTISIG_BEFORE_GENESIS = 20;

/**
 * Count signature operations as the reference node's `CScript::GetSigOpCount(fAccurate, era)`.
 * `accurate` (and every post-Genesis count) reads the key count from the push before
 * CHECKMULTISIG and ignores code after a top-level OP_RETURN.
 */
export function countSigOps(script: Uint8Array, accurate: boolean, era: ProtocolEra): SigOpCount {
  const genesis = isGenesisActive(era);
  const ins = newInstruction();
  let n = 0;
  let lastOpcode: number = Op.OP_INVALIDOPCODE;
  let lastStart = 0;
  let lastEnd = 0;
  let scope = 0;
  let pc = 0;
  while (pc < script.length) {
    if (!readInstruction(script, pc, ins) || ins.opcode === Op.OP_INVALIDOPCODE) break;
    const opcode = ins.opcode;
    if (accurate || genesis) {
      if (opcode === Op.OP_RETURN && scope === 0) break;
      if (opcode === Op.OP_IF || opcode === Op.OP_NOTIF || opcode === Op.OP_VERIF || opcode === Op.OP_VERNOTIF) scope++;
      else if (opcode === Op.OP_ENDIF && --scope < 0) return { count: 0, error: true };
    }
    if (opcode === Op.OP_CHECKSIG || opcode === Op.OP_CHECKSIGVERIFY) {
      n++;
    } else if (opcode === Op.OP_CHECKMULTISIG || opcode === Op.OP_CHECKMULTISIGVERIFY) {
      if ((accurate || genesis) && lastOpcode >= Op.OP_1 && lastOpcode <= Op.OP_16) {
        n += decodeOpN(lastOpcode);
      } else if (genesis) {
        if (lastOpcode !== Op.OP_0) {
          const operand = script.subarray(lastStart, lastEnd);
          if (operand.length > SCRIPT_NUM_DEFAULT_MAX_LENGTH) return { count: 0, error: true };
          if (!isMinimallyEncoded(operand, SCRIPT_NUM_DEFAULT_MAX_LENGTH)) return { count: 0, error: true };
          const keys = Number(decodeScriptNumUnchecked(operand));
          if (keys < 0) return { count: 0, error: true };
          n += keys;
        }
      } else {
        n += MAX_PUBKEYS_PER_MULTISIG_BEFORE_GENESIS;
      }
    }
    lastOpcode = opcode;
    lastStart = ins.dataStart;
    lastEnd = ins.dataEnd;
    pc = ins.next;
  }
  return { count: n, error: false };
}

/**
 * Sigops of a spend, counting a pre-Genesis P2SH redeem script (the last push of a
 * push-only scriptSig); after Genesis P2SH is not executed and counts 0.
 */
export function countP2SHSigOps(scriptPubKey: Uint8Array, scriptSig: Uint8Array, era: ProtocolEra): SigOpCount {
  if (!isP2SH(scriptPubKey)) return countSigOps(scriptPubKey, true, era);
  const ins = newInstruction();
  let data = scriptSig.subarray(0, 0);
  let pc = 0;
  while (pc < scriptSig.length) {
    if (!readInstruction(scriptSig, pc, ins) || ins.opcode > Op.OP_16) return { count: 0, error: false };
    data = scriptSig.subarray(ins.dataStart, ins.dataEnd);
    pc = ins.next;
  }
  if (isGenesisActive(era)) return { count: 0, error: false };
  return countSigOps(data, true, era);
}
