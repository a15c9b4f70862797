import { equalBytes } from '../bytes.js';
import { hash160, ripemd160, sha1, sha256, sha256d } from '../hash.js';
import { hasForkId } from '../sighash/sighash-type.js';
import {
  checkPubKeyEncoding,
  checkSignatureEncoding,
  enforceNonMalleability,
  isMalleableTxVersion,
  sigHashTypeOf,
} from './encoding-checks.js';
import { Op } from './opcodes.js';
import { ScriptError } from './script-error.js';
import { ScriptFlag, type ScriptFlags } from './script-flags.js';
import type { ScriptLimits } from './script-limits.js';
import {
  ScriptException,
  SCRIPT_NUM_DEFAULT_MAX_LENGTH,
  castToBool,
  decodeScriptNum,
  decodeScriptNumInt64,
  encodeScriptNum,
  isMinimallyEncoded,
  minimallyEncode,
  scriptNumSize,
} from './script-num.js';
import { ScriptStack } from './script-stack.js';
import {
  MAX_SCRIPT_ELEMENT_SIZE_BEFORE_GENESIS,
  MAX_STACK_ELEMENTS_BEFORE_GENESIS,
  findAndDelete,
  isMinimalPush,
  isP2SH,
  isPushOnly,
  newInstruction,
  pushDataScript,
  readInstruction,
} from './script.js';

/** What CHECKSIG, CHECKLOCKTIMEVERIFY, CHECKSEQUENCEVERIFY and OP_VER ask of the spending transaction. */
export interface SignatureChecker {
  /** Signature with its sighash byte; scriptCode as the interpreter prepared it. */
  checkSig(sig: Uint8Array, pubkey: Uint8Array, scriptCode: Uint8Array, forkIdEnabled: boolean): boolean;
  checkLockTime(lockTime: bigint): boolean;
  checkSequence(sequence: bigint): boolean;
  /** The spending transaction's version (signed 32-bit). */
  readonly txVersion: number;
}

/** A checker for scripts outside a transaction: every signature and lock-time check fails. */
export const NO_SIGNATURE_CHECKER: SignatureChecker = {
  checkSig: () => false,
  checkLockTime: () => false,
  checkSequence: () => false,
  txVersion: 0,
};

export interface EvalOptions {
  /** Polled between instructions and in long loops; true stops the evaluation with no result. */
  isCanceled?: () => boolean;
}

const TRUE = Uint8Array.of(1);
const FALSE = new Uint8Array(0);
const SEQUENCE_LOCKTIME_DISABLE_FLAG = 1n << 31n;
const INT32_MAX = 0x7fffffff;
const INT32_MIN = -0x80000000;

/** Saturating conversion to a C int, as CScriptNum::getint. */
function toInt32(n: bigint): number {
  if (n > 0x7fffffffn) return INT32_MAX;
  if (n < -0x80000000n) return INT32_MIN;
  return Number(n);
}

function le32(v: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, v | 0, true);
  return out;
}

function hashOp(opcode: number, data: Uint8Array): Uint8Array {
  switch (opcode) {
    case Op.OP_RIPEMD160:
      return ripemd160(data);
    case Op.OP_SHA1:
      return sha1(data);
    case Op.OP_SHA256:
      return sha256(data);
    case Op.OP_HASH160:
      return hash160(data);
    default:
      return sha256d(data);
  }
}

const RSHIFT_MASK = [0xff, 0xfe, 0xfc, 0xf8, 0xf0, 0xe0, 0xc0, 0x80];
const LSHIFT_MASK = [0xff, 0x7f, 0x3f, 0x1f, 0x0f, 0x07, 0x03, 0x01];

/** OP_RSHIFT on a byte string read as one big-endian bit string; n below its bit length. */
function rshiftBytes(x: Uint8Array, n: number): Uint8Array {
  const bitShift = n % 8;
  const byteShift = Math.floor(n / 8);
  const mask = RSHIFT_MASK[bitShift];
  const overflowMask = ~mask & 0xff;
  const result = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const k = i + byteShift;
    if (k < x.length) result[k] |= (x[i] & mask) >> bitShift;
    if (k + 1 < x.length) result[k + 1] |= ((x[i] & overflowMask) << (8 - bitShift)) & 0xff;
  }
  return result;
}

/** OP_LSHIFT counterpart of rshiftBytes. */
function lshiftBytes(x: Uint8Array, n: number): Uint8Array {
  const bitShift = n % 8;
  const byteShift = Math.floor(n / 8);
  const mask = LSHIFT_MASK[bitShift];
  const overflowMask = ~mask & 0xff;
  const result = new Uint8Array(x.length);
  for (let i = x.length - 1; i >= 0; i--) {
    if (byteShift <= i) {
      const k = i - byteShift;
      result[k] |= ((x[i] & mask) << bitShift) & 0xff;
      if (k >= 1) result[k - 1] |= (x[i] & overflowMask) >> (8 - bitShift);
    }
  }
  return result;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Which conditional branches are open and whether each has seen OP_ELSE. */
class Conditions {
  readonly values: boolean[] = [];
  readonly elses: boolean[] = [];
  falseCount = 0;

  get empty(): boolean {
    return this.values.length === 0;
  }
  get active(): boolean {
    return this.falseCount === 0;
  }
  hasElse(): boolean {
    return this.elses.length > 0 && this.elses[this.elses.length - 1];
  }
  if(value: boolean): void {
    this.values.push(value);
    this.elses.push(false);
    if (!value) this.falseCount++;
  }
  else(): void {
    const i = this.values.length - 1;
    this.values[i] = !this.values[i];
    this.elses[i] = true;
    if (this.values[i]) this.falseCount--;
    else this.falseCount++;
  }
  endif(): void {
    if (!this.values.pop()) this.falseCount--;
    this.elses.pop();
  }
}

/** Numbers are big after Genesis; before it they are at most 4 bytes and every result fits
 * the reference node's int64 arithmetic, so bigint gives the same values there too. After
 * Genesis a result longer than the number limit overflows. */
function checkNumSize(n: bigint, bigNumbers: boolean, maxLength: number): bigint {
  if (bigNumbers && scriptNumSize(n) > maxLength) throw new ScriptException(ScriptError.SCRIPTNUM_OVERFLOW, 'script number overflow');
  return n;
}

/** Chronicle's OP_SUBSTR/OP_LEFT/OP_RIGHT read their operands as 64-bit numbers, saturated to int. */
function int64Operand(item: Uint8Array, requireMinimal: boolean, maxLength: number): number {
  decodeScriptNum(item, requireMinimal, maxLength);
  return toInt32(decodeScriptNumInt64(item));
}

/** Executing an upgradable NOP: an error under DISCOURAGE_UPGRADABLE_NOPS, else nothing. */
function discouraged(flags: ScriptFlags): ScriptError | undefined {
  return (flags & ScriptFlag.DISCOURAGE_UPGRADABLE_NOPS) !== 0 ? ScriptError.DISCOURAGE_UPGRADABLE_NOPS : undefined;
}

/** One scriptCode preparation for CHECKSIG: signatures removed unless FORKID signs without them. */
function cleanupScriptCode(scriptCode: Uint8Array, sig: Uint8Array, flags: ScriptFlags): Uint8Array {
  if ((flags & ScriptFlag.SIGHASH_FORKID) === 0 || !hasForkId(sigHashTypeOf(sig))) {
    return findAndDelete(scriptCode, pushDataScript(sig));
  }
  return scriptCode;
}

/**
 * Evaluate one script on `stack` (the reference node's `EvalScript`). `checksigData` is the
 * scriptPubKey when `script` is a scriptSig: after Chronicle a CHECKSIG in the scriptSig
 * signs it too. Returns the error (OK on success), or undefined when canceled.
 */
export function evalScript(
  stack: ScriptStack,
  script: Uint8Array,
  flags: ScriptFlags,
  checker: SignatureChecker,
  limits: ScriptLimits,
  checksigData?: Uint8Array,
  options: EvalOptions = {},
): ScriptError | undefined {
  const utxoAfterGenesis = (flags & ScriptFlag.UTXO_AFTER_GENESIS) !== 0;
  const utxoAfterChronicle = (flags & ScriptFlag.UTXO_AFTER_CHRONICLE) !== 0;
  if (utxoAfterChronicle && !utxoAfterGenesis) return ScriptError.INVALID_FLAGS;
  if (script.length > limits.maxScriptSize) return ScriptError.SCRIPT_SIZE;

  const isCanceled = options.isCanceled;
  const version = checker.txVersion;
  const requireMinimal = (flags & ScriptFlag.MINIMALDATA) !== 0 && enforceNonMalleability(flags, version);
  const maxNumLength = limits.maxScriptNumLength;
  const altstack = new ScriptStack(stack.memory);
  const conditions = new Conditions();
  const ins = newInstruction();
  const end = script.length;
  let pc = 0;
  let codeHashStart = 0;
  let opCount = 0;
  // After Genesis, an OP_RETURN inside a branch stops execution but the rest of the script
  // must still be well formed.
  let returnedInBranch = false;

  try {
    while (pc < end) {
      if (isCanceled?.()) return undefined;
      if (!readInstruction(script, pc, ins)) return ScriptError.BAD_OPCODE;
      pc = ins.next;
      const opcode = ins.opcode;

      if (!utxoAfterGenesis && ins.dataEnd - ins.dataStart > MAX_SCRIPT_ELEMENT_SIZE_BEFORE_GENESIS) return ScriptError.PUSH_SIZE;

      const fExec = conditions.active && (!returnedInBranch || opcode === Op.OP_RETURN);

      // Pushes (and OP_RESERVED) do not count towards the operation limit.
      if (opcode > Op.OP_16 && ++opCount > limits.maxOpsPerScript) return ScriptError.OP_COUNT;

      if ((opcode === Op.OP_2MUL || opcode === Op.OP_2DIV) && !utxoAfterChronicle && (!utxoAfterGenesis || fExec)) {
        return ScriptError.DISABLED_OPCODE;
      }

      if (fExec && opcode <= Op.OP_PUSHDATA4) {
        const data = script.subarray(ins.dataStart, ins.dataEnd);
        if (requireMinimal && !isMinimalPush(data, opcode)) return ScriptError.MINIMALDATA;
        stack.push(data);
      } else if (fExec || (Op.OP_IF <= opcode && opcode <= Op.OP_ENDIF)) {
        switch (opcode) {
          case Op.OP_1NEGATE:
          case Op.OP_1:
          case Op.OP_2:
          case Op.OP_3:
          case Op.OP_4:
          case Op.OP_5:
          case Op.OP_6:
          case Op.OP_7:
          case Op.OP_8:
          case Op.OP_9:
          case Op.OP_10:
          case Op.OP_11:
          case Op.OP_12:
          case Op.OP_13:
          case Op.OP_14:
          case Op.OP_15:
          case Op.OP_16:
            stack.push(encodeScriptNum(opcode - (Op.OP_1 - 1)));
            break;

          case Op.OP_NOP:
            break;

          case Op.OP_CHECKLOCKTIMEVERIFY: {
            if ((flags & ScriptFlag.CHECKLOCKTIMEVERIFY) === 0 || utxoAfterGenesis) {
              const e = discouraged(flags);
              if (e) return e;
              break;
            }
            if (stack.length < 1) return ScriptError.INVALID_STACK_OPERATION;
            // Lock times use 5-byte operands: 4-byte numbers would end in 2038.
            const lockTime = decodeScriptNum(stack.top(-1), requireMinimal, 5);
            if (lockTime < 0n) return ScriptError.NEGATIVE_LOCKTIME;
            if (!checker.checkLockTime(lockTime)) return ScriptError.UNSATISFIED_LOCKTIME;
            break;
          }

          case Op.OP_CHECKSEQUENCEVERIFY: {
            if ((flags & ScriptFlag.CHECKSEQUENCEVERIFY) === 0 || utxoAfterGenesis) {
              const e = discouraged(flags);
              if (e) return e;
              break;
            }
            if (stack.length < 1) return ScriptError.INVALID_STACK_OPERATION;
            const sequence = decodeScriptNum(stack.top(-1), requireMinimal, 5);
            if (sequence < 0n) return ScriptError.NEGATIVE_LOCKTIME;
            // With the disable bit set, CHECKSEQUENCEVERIFY is a NOP.
            if ((sequence & SEQUENCE_LOCKTIME_DISABLE_FLAG) !== 0n) break;
            if (!checker.checkSequence(sequence)) return ScriptError.UNSATISFIED_LOCKTIME;
            break;
          }

          case Op.OP_VER:
            if (!utxoAfterChronicle) return ScriptError.BAD_OPCODE;
            stack.push(le32(version));
            break;

          case Op.OP_SUBSTR: {
            if (!utxoAfterChronicle) {
              const e = discouraged(flags);
              if (e) return e;
              break;
            }
            if (stack.length < 3) return ScriptError.INVALID_STACK_OPERATION;
            const len = int64Operand(stack.top(-1), requireMinimal, maxNumLength);
            const offset = int64Operand(stack.top(-2), requireMinimal, maxNumLength);
            const data = stack.top(-3);
            const size = data.length;
            if (offset < 0 || offset >= size || len < 0 || len > size - offset) return ScriptError.INVALID_NUMBER_RANGE;
            stack.replace(-3, data.subarray(offset, offset + len));
            stack.pop();
            stack.pop();
            break;
          }

          case Op.OP_LEFT:
          case Op.OP_RIGHT: {
            if (!utxoAfterChronicle) {
              const e = discouraged(flags);
              if (e) return e;
              break;
            }
            if (stack.length < 2) return ScriptError.INVALID_STACK_OPERATION;
            const len = int64Operand(stack.top(-1), requireMinimal, maxNumLength);
            const data = stack.top(-2);
            const size = data.length;
            if (len < 0 || len > size) return ScriptError.INVALID_NUMBER_RANGE;
            stack.replace(-2, opcode === Op.OP_LEFT ? data.subarray(0, len) : data.subarray(size - len));
            stack.pop();
            break;
          }

          case Op.OP_LSHIFTNUM:
          case Op.OP_RSHIFTNUM: {
            if (!utxoAfterChronicle) {
              const e = discouraged(flags);
              if (e) return e;
              break;
            }
            if (stack.length < 2) return ScriptError.INVALID_STACK_OPERATION;
            const n = decodeScriptNum(stack.top(-1), requireMinimal, maxNumLength);
            if (n < 0n) return ScriptError.INVALID_NUMBER_RANGE;
            stack.pop();
            let value = decodeScriptNum(stack.top(-1), requireMinimal, maxNumLength);
            if (opcode === Op.OP_LSHIFTNUM) {
              if (BigInt(scriptNumSize(value)) + n / 8n > BigInt(maxNumLength)) {
                throw new ScriptException(ScriptError.SCRIPTNUM_OVERFLOW, 'script number overflow');
              }
              if (n > 0n) value = checkNumSize(value << n, utxoAfterGenesis, maxNumLength);
            } else if (n > 0n) {
              if (n > 0x7fffffffn) return ScriptError.BIG_INT;
              // Magnitude shift, rounding towards zero, as OpenSSL's BN_rshift.
              value = value < 0n ? -(-value >> n) : value >> n;
            }
            stack.pop();
            stack.push(encodeScriptNum(value));
            break;
          }

          case Op.OP_NOP1:
          case Op.OP_NOP9:
          case Op.OP_NOP10: {
            const e = discouraged(flags);
            if (e) return e;
            break;
          }

          case Op.OP_VERIF:
          case Op.OP_VERNOTIF:
          case Op.OP_IF:
          case Op.OP_NOTIF: {
            const versionTest = opcode === Op.OP_VERIF || opcode === Op.OP_VERNOTIF;
            if (versionTest && !utxoAfterChronicle) {
              if (utxoAfterGenesis && !fExec) break;
              return ScriptError.BAD_OPCODE;
            }
            let value = false;
            if (fExec) {
              if (stack.length < 1) return ScriptError.UNBALANCED_CONDITIONAL;
              const vch = stack.top(-1);
              if (!versionTest && (flags & ScriptFlag.MINIMALIF) !== 0) {
                if (vch.length > 1 || (vch.length === 1 && vch[0] !== 1)) {
                  if (enforceNonMalleability(flags, version)) return ScriptError.MINIMALIF;
                }
              }
              if (versionTest) value = vch.length === 4 && equalBytes(vch, le32(version));
              else value = castToBool(vch);
              if (opcode === Op.OP_NOTIF || opcode === Op.OP_VERNOTIF) value = !value;
              stack.pop();
            }
            conditions.if(value);
            break;
          }

          case Op.OP_ELSE:
            // After Genesis a branch may have only one OP_ELSE.
            if (conditions.empty || (conditions.hasElse() && utxoAfterGenesis)) return ScriptError.UNBALANCED_CONDITIONAL;
            conditions.else();
            break;

          case Op.OP_ENDIF:
            if (conditions.empty) return ScriptError.UNBALANCED_CONDITIONAL;
            conditions.endif();
            break;

          case Op.OP_VERIFY:
            if (stack.length < 1) return ScriptError.INVALID_STACK_OPERATION;
            if (!castToBool(stack.top(-1))) return ScriptError.VERIFY;
            stack.pop();
            break;

          case Op.OP_RETURN:
            if (!utxoAfterGenesis) return ScriptError.OP_RETURN;
            // A top-level OP_RETURN ends the script successfully, whatever follows.
            if (conditions.empty) return ScriptError.OK;
            returnedInBranch = true;
            break;

          case Op.OP_TOALTSTACK:
            if (stack.length < 1) return ScriptError.INVALID_STACK_OPERATION;
            stack.moveTopTo(altstack);
            break;

          case Op.OP_FROMALTSTACK:
            if (altstack.length < 1) return ScriptError.INVALID_ALTSTACK_OPERATION;
            altstack.moveTopTo(stack);
            break;

          case Op.OP_2DROP:
            if (stack.length < 2) return ScriptError.INVALID_STACK_OPERATION;
            stack.pop();
            stack.pop();
            break;

          case Op.OP_2DUP: {
            if (stack.length < 2) return ScriptError.INVALID_STACK_OPERATION;
            const a = stack.top(-2);
            const b = stack.top(-1);
            stack.push(a);
            stack.push(b);
            break;
          }

          case Op.OP_3DUP: {
            if (stack.length < 3) return ScriptError.INVALID_STACK_OPERATION;
            const a = stack.top(-3);
            const b = stack.top(-2);
            const c = stack.top(-1);
            stack.push(a);
            stack.push(b);
            stack.push(c);
            break;
          }

          case Op.OP_2OVER: {
            if (stack.length < 4) return ScriptError.INVALID_STACK_OPERATION;
            const a = stack.top(-4);
            const b = stack.top(-3);
            stack.push(a);
            stack.push(b);
            break;
          }

          case Op.OP_2ROT: {
            // (x1 x2 x3 x4 x5 x6 -- x3 x4 x5 x6 x1 x2)
            if (stack.length < 6) return ScriptError.INVALID_STACK_OPERATION;
            const s = stack.length;
            stack.swap(s - 1, s - 3);
            stack.swap(s - 2, s - 4);
            stack.swap(s - 1, s - 5);
            stack.swap(s - 2, s - 6);
            break;
          }

          case Op.OP_2SWAP: {
            if (stack.length < 4) return ScriptError.INVALID_STACK_OPERATION;
            const s = stack.length;
            stack.swap(s - 4, s - 2);
            stack.swap(s - 3, s - 1);
            break;
          }

          case Op.OP_IFDUP: {
            if (stack.length < 1) return ScriptError.INVALID_STACK_OPERATION;
            const v = stack.top(-1);
            if (castToBool(v)) stack.push(v);
            break;
          }

          case Op.OP_DEPTH:
            stack.push(encodeScriptNum(stack.length));
            break;

          case Op.OP_DROP:
            if (stack.length < 1) return ScriptError.INVALID_STACK_OPERATION;
            stack.pop();
            break;

          case Op.OP_DUP:
            if (stack.length < 1) return ScriptError.INVALID_STACK_OPERATION;
            stack.push(stack.top(-1));
            break;

          case Op.OP_NIP:
            if (stack.length < 2) return ScriptError.INVALID_STACK_OPERATION;
            stack.erase(-2);
            break;

          case Op.OP_OVER:
            if (stack.length < 2) return ScriptError.INVALID_STACK_OPERATION;
            stack.push(stack.top(-2));
            break;

          case Op.OP_PICK:
          case Op.OP_ROLL: {
            if (stack.length < 2) return ScriptError.INVALID_STACK_OPERATION;
            const sn = decodeScriptNum(stack.top(-1), requireMinimal, maxNumLength);
            stack.pop();
            if (sn < 0n || sn >= BigInt(stack.length)) return ScriptError.INVALID_STACK_OPERATION;
            const n = Number(sn);
            const v = stack.top(-n - 1);
            if (opcode === Op.OP_ROLL) stack.erase(-n - 1);
            stack.push(v);
            break;
          }

          case Op.OP_ROT: {
            if (stack.length < 3) return ScriptError.INVALID_STACK_OPERATION;
            const s = stack.length;
            stack.swap(s - 3, s - 2);
            stack.swap(s - 2, s - 1);
            break;
          }

          case Op.OP_SWAP: {
            if (stack.length < 2) return ScriptError.INVALID_STACK_OPERATION;
            const s = stack.length;
            stack.swap(s - 2, s - 1);
            break;
          }

          case Op.OP_TUCK:
            if (stack.length < 2) return ScriptError.INVALID_STACK_OPERATION;
            stack.insert(-2, stack.top(-1));
            break;

          case Op.OP_SIZE:
            if (stack.length < 1) return ScriptError.INVALID_STACK_OPERATION;
            stack.push(encodeScriptNum(stack.top(-1).length));
            break;

          case Op.OP_AND:
          case Op.OP_OR:
          case Op.OP_XOR: {
            if (stack.length < 2) return ScriptError.INVALID_STACK_OPERATION;
            const a = stack.top(-2);
            const b = stack.top(-1);
            if (a.length !== b.length) return ScriptError.INVALID_OPERAND_SIZE;
            const r = new Uint8Array(a.length);
            if (opcode === Op.OP_AND) for (let i = 0; i < r.length; i++) r[i] = a[i] & b[i];
            else if (opcode === Op.OP_OR) for (let i = 0; i < r.length; i++) r[i] = a[i] | b[i];
            else for (let i = 0; i < r.length; i++) r[i] = a[i] ^ b[i];
            stack.replace(-2, r);
            stack.pop();
            break;
          }

          case Op.OP_INVERT: {
            if (stack.length < 1) return ScriptError.INVALID_STACK_OPERATION;
            const a = stack.top(-1);
            const r = new Uint8Array(a.length);
            for (let i = 0; i < r.length; i++) r[i] = ~a[i] & 0xff;
            stack.replace(-1, r);
            break;
          }

          case Op.OP_LSHIFT:
          case Op.OP_RSHIFT: {
            if (stack.length < 2) return ScriptError.INVALID_STACK_OPERATION;
            const values = stack.top(-2);
            const n = decodeScriptNum(stack.top(-1), requireMinimal, maxNumLength);
            if (n < 0n) return ScriptError.INVALID_NUMBER_RANGE;
            stack.pop();
            stack.pop();
            let result: Uint8Array;
            if (n >= BigInt(values.length * 8)) result = new Uint8Array(values.length);
            else result = opcode === Op.OP_LSHIFT ? lshiftBytes(values, Number(n)) : rshiftBytes(values, Number(n));
            stack.push(result);
            break;
          }

          case Op.OP_EQUAL:
          case Op.OP_EQUALVERIFY: {
            if (stack.length < 2) return ScriptError.INVALID_STACK_OPERATION;
            const equal = equalBytes(stack.top(-2), stack.top(-1));
            stack.pop();
            stack.pop();
            stack.push(equal ? TRUE : FALSE);
            if (opcode === Op.OP_EQUALVERIFY) {
              if (!equal) return ScriptError.EQUALVERIFY;
              stack.pop();
            }
            break;
          }

          case Op.OP_1ADD:
          case Op.OP_1SUB:
          case Op.OP_2MUL:
          case Op.OP_2DIV:
          case Op.OP_NEGATE:
          case Op.OP_ABS:
          case Op.OP_NOT:
          case Op.OP_0NOTEQUAL: {
            if (stack.length < 1) return ScriptError.INVALID_STACK_OPERATION;
            let bn = decodeScriptNum(stack.top(-1), requireMinimal, maxNumLength);
            switch (opcode) {
              case Op.OP_1ADD:
                bn = checkNumSize(bn + 1n, utxoAfterGenesis, maxNumLength);
                break;
              case Op.OP_1SUB:
                bn = checkNumSize(bn - 1n, utxoAfterGenesis, maxNumLength);
                break;
              case Op.OP_2MUL:
                bn = checkNumSize(bn + bn, utxoAfterGenesis, maxNumLength);
                break;
              case Op.OP_2DIV:
                bn = bn / 2n;
                break;
              case Op.OP_NEGATE:
                bn = -bn;
                break;
              case Op.OP_ABS:
                if (bn < 0n) bn = -bn;
                break;
              case Op.OP_NOT:
                bn = bn === 0n ? 1n : 0n;
                break;
              default:
                bn = bn !== 0n ? 1n : 0n;
                break;
            }
            stack.pop();
            stack.push(encodeScriptNum(bn));
            break;
          }

          case Op.OP_ADD:
          case Op.OP_SUB:
          case Op.OP_MUL:
          case Op.OP_DIV:
          case Op.OP_MOD:
          case Op.OP_BOOLAND:
          case Op.OP_BOOLOR:
          case Op.OP_NUMEQUAL:
          case Op.OP_NUMEQUALVERIFY:
          case Op.OP_NUMNOTEQUAL:
          case Op.OP_LESSTHAN:
          case Op.OP_GREATERTHAN:
          case Op.OP_LESSTHANOREQUAL:
          case Op.OP_GREATERTHANOREQUAL:
          case Op.OP_MIN:
          case Op.OP_MAX: {
            if (stack.length < 2) return ScriptError.INVALID_STACK_OPERATION;
            const a = decodeScriptNum(stack.top(-2), requireMinimal, maxNumLength);
            const b = decodeScriptNum(stack.top(-1), requireMinimal, maxNumLength);
            let r: bigint;
            switch (opcode) {
              case Op.OP_ADD:
                r = checkNumSize(a + b, utxoAfterGenesis, maxNumLength);
                break;
              case Op.OP_SUB:
                r = checkNumSize(a - b, utxoAfterGenesis, maxNumLength);
                break;
              case Op.OP_MUL:
                r = checkNumSize(a * b, utxoAfterGenesis, maxNumLength);
                break;
              case Op.OP_DIV:
                if (b === 0n) return ScriptError.DIV_BY_ZERO;
                r = a / b;
                break;
              case Op.OP_MOD:
                if (b === 0n) return ScriptError.MOD_BY_ZERO;
                r = a % b;
                break;
              case Op.OP_BOOLAND:
                r = a !== 0n && b !== 0n ? 1n : 0n;
                break;
              case Op.OP_BOOLOR:
                r = a !== 0n || b !== 0n ? 1n : 0n;
                break;
              case Op.OP_NUMEQUAL:
              case Op.OP_NUMEQUALVERIFY:
                r = a === b ? 1n : 0n;
                break;
              case Op.OP_NUMNOTEQUAL:
                r = a !== b ? 1n : 0n;
                break;
              case Op.OP_LESSTHAN:
                r = a < b ? 1n : 0n;
                break;
              case Op.OP_GREATERTHAN:
                r = a > b ? 1n : 0n;
                break;
              case Op.OP_LESSTHANOREQUAL:
                r = a <= b ? 1n : 0n;
                break;
              case Op.OP_GREATERTHANOREQUAL:
                r = a >= b ? 1n : 0n;
                break;
              case Op.OP_MIN:
                r = a < b ? a : b;
                break;
              default:
                r = a > b ? a : b;
                break;
            }
            stack.pop();
            stack.pop();
            stack.push(encodeScriptNum(r));
            if (opcode === Op.OP_NUMEQUALVERIFY) {
              if (!castToBool(stack.top(-1))) return ScriptError.NUMEQUALVERIFY;
              stack.pop();
            }
            break;
          }

          case Op.OP_WITHIN: {
            if (stack.length < 3) return ScriptError.INVALID_STACK_OPERATION;
            const x = decodeScriptNum(stack.top(-3), requireMinimal, maxNumLength);
            const min = decodeScriptNum(stack.top(-2), requireMinimal, maxNumLength);
            const max = decodeScriptNum(stack.top(-1), requireMinimal, maxNumLength);
            const inside = min <= x && x < max;
            stack.pop();
            stack.pop();
            stack.pop();
            stack.push(inside ? TRUE : FALSE);
            break;
          }

          case Op.OP_RIPEMD160:
          case Op.OP_SHA1:
          case Op.OP_SHA256:
          case Op.OP_HASH160:
          case Op.OP_HASH256: {
            if (stack.length < 1) return ScriptError.INVALID_STACK_OPERATION;
            const digest = hashOp(opcode, stack.top(-1));
            stack.pop();
            stack.push(digest);
            break;
          }

          case Op.OP_CODESEPARATOR:
            codeHashStart = pc;
            break;

          case Op.OP_CHECKSIG:
          case Op.OP_CHECKSIGVERIFY: {
            if (stack.length < 2) return ScriptError.INVALID_STACK_OPERATION;
            const sig = stack.top(-2);
            const pubkey = stack.top(-1);
            let err = checkSignatureEncoding(sig, flags, version);
            if (err !== ScriptError.OK) return err;
            err = checkPubKeyEncoding(pubkey, flags);
            if (err !== ScriptError.OK) return err;

            let scriptCode = script.subarray(codeHashStart);
            if (checksigData && (flags & ScriptFlag.CHRONICLE) !== 0) scriptCode = concat(scriptCode, checksigData);
            scriptCode = cleanupScriptCode(scriptCode, sig, flags);

            const ok = checker.checkSig(sig, pubkey, scriptCode, (flags & ScriptFlag.SIGHASH_FORKID) !== 0);
            if (!ok && (flags & ScriptFlag.NULLFAIL) !== 0 && sig.length > 0 && enforceNonMalleability(flags, version)) {
              return ScriptError.SIG_NULLFAIL;
            }
            stack.pop();
            stack.pop();
            stack.push(ok ? TRUE : FALSE);
            if (opcode === Op.OP_CHECKSIGVERIFY) {
              if (!ok) return ScriptError.CHECKSIGVERIFY;
              stack.pop();
            }
            break;
          }

          case Op.OP_CHECKMULTISIG:
          case Op.OP_CHECKMULTISIGVERIFY: {
            // ([sig ...] num_of_signatures [pubkey ...] num_of_pubkeys -- bool)
            let i = 1;
            if (stack.length < i) return ScriptError.INVALID_STACK_OPERATION;
            let keysCount = toInt32(decodeScriptNum(stack.top(-i), requireMinimal, SCRIPT_NUM_DEFAULT_MAX_LENGTH));
            if (keysCount < 0 || keysCount > limits.maxPubKeysPerMultiSig) return ScriptError.PUBKEY_COUNT;
            opCount += keysCount;
            if (opCount > limits.maxOpsPerScript) return ScriptError.OP_COUNT;
            let ikey = ++i;
            // Position of the last non-signature item: with NULLFAIL, the items below it must be empty on failure.
            let ikey2 = keysCount + 2;
            i += keysCount;
            if (stack.length < i) return ScriptError.INVALID_STACK_OPERATION;
            let sigsCount = toInt32(decodeScriptNum(stack.top(-i), requireMinimal, SCRIPT_NUM_DEFAULT_MAX_LENGTH));
            if (sigsCount < 0 || sigsCount > keysCount) return ScriptError.SIG_COUNT;
            let isig = ++i;
            i += sigsCount;
            if (stack.length < i) return ScriptError.INVALID_STACK_OPERATION;

            let scriptCode = script.subarray(codeHashStart);
            if (checksigData && (flags & ScriptFlag.CHRONICLE) !== 0) scriptCode = concat(scriptCode, checksigData);
            for (let k = 0; k < sigsCount; k++) scriptCode = cleanupScriptCode(scriptCode, stack.top(-isig - k), flags);

            let success = true;
            while (success && sigsCount > 0) {
              if (isCanceled?.()) return undefined;
              const sig = stack.top(-isig);
              const pubkey = stack.top(-ikey);
              // The order of these checks makes which key or signature is checked first observable.
              let err = checkSignatureEncoding(sig, flags, version);
              if (err !== ScriptError.OK) return err;
              err = checkPubKeyEncoding(pubkey, flags);
              if (err !== ScriptError.OK) return err;
              if (checker.checkSig(sig, pubkey, scriptCode, (flags & ScriptFlag.SIGHASH_FORKID) !== 0)) {
                isig++;
                sigsCount--;
              }
              ikey++;
              keysCount--;
              // More signatures left than keys: too many failed already.
              if (sigsCount > keysCount) success = false;
            }

            while (i-- > 1) {
              if (!success && (flags & ScriptFlag.NULLFAIL) !== 0 && ikey2 === 0 && stack.top(-1).length > 0) {
                if (enforceNonMalleability(flags, version)) return ScriptError.SIG_NULLFAIL;
              }
              if (ikey2 > 0) ikey2--;
              stack.pop();
            }

            // CHECKMULTISIG consumes one more, unchecked, item (a historical bug); NULLDUMMY wants it empty.
            if (stack.length === 0) return ScriptError.INVALID_STACK_OPERATION;
            if ((flags & ScriptFlag.NULLDUMMY) !== 0 && stack.top(-1).length > 0 && enforceNonMalleability(flags, version)) {
              return ScriptError.SIG_NULLDUMMY;
            }
            stack.pop();
            stack.push(success ? TRUE : FALSE);
            if (opcode === Op.OP_CHECKMULTISIGVERIFY) {
              if (!success) return ScriptError.CHECKMULTISIGVERIFY;
              stack.pop();
            }
            break;
          }

          case Op.OP_CAT: {
            if (stack.length < 2) return ScriptError.INVALID_STACK_OPERATION;
            const a = stack.top(-2);
            const b = stack.top(-1);
            if (!utxoAfterGenesis && a.length + b.length > MAX_SCRIPT_ELEMENT_SIZE_BEFORE_GENESIS) return ScriptError.PUSH_SIZE;
            stack.pop();
            stack.replace(-1, concat(a, b));
            break;
          }

          case Op.OP_SPLIT: {
            if (stack.length < 2) return ScriptError.INVALID_STACK_OPERATION;
            const data = stack.top(-2);
            const n = decodeScriptNum(stack.top(-1), requireMinimal, maxNumLength);
            if (n < 0n || n > BigInt(data.length)) return ScriptError.INVALID_SPLIT_RANGE;
            const position = Number(n);
            stack.pop();
            stack.pop();
            stack.push(data.subarray(0, position));
            stack.push(data.subarray(position));
            break;
          }

          case Op.OP_NUM2BIN: {
            if (stack.length < 2) return ScriptError.INVALID_STACK_OPERATION;
            const n = decodeScriptNum(stack.top(-1), requireMinimal, maxNumLength);
            if (n < 0n || n > 0x7fffffffn) return ScriptError.PUSH_SIZE;
            const size = Number(n);
            if (!utxoAfterGenesis && size > MAX_SCRIPT_ELEMENT_SIZE_BEFORE_GENESIS) return ScriptError.PUSH_SIZE;
            stack.pop();
            const raw = minimallyEncode(stack.top(-1));
            stack.replace(-1, raw);
            if (raw.length > size) return ScriptError.IMPOSSIBLE_ENCODING;
            if (raw.length === size) break;
            // Charge the padding before allocating it.
            stack.memory.charge(size - raw.length);
            const padded = new Uint8Array(size);
            padded.set(raw);
            let signbit = 0;
            if (raw.length > 0) {
              signbit = raw[raw.length - 1] & 0x80;
              padded[raw.length - 1] &= 0x7f;
            }
            padded[size - 1] = signbit;
            stack.memory.release(size - raw.length);
            stack.replace(-1, padded);
            break;
          }

          case Op.OP_BIN2NUM: {
            if (stack.length < 1) return ScriptError.INVALID_STACK_OPERATION;
            const v = minimallyEncode(stack.top(-1));
            stack.replace(-1, v);
            if (!isMinimallyEncoded(v, maxNumLength)) return ScriptError.INVALID_NUMBER_RANGE;
            break;
          }

          default:
            return ScriptError.BAD_OPCODE;
        }
      }

      if (!utxoAfterGenesis && stack.length + altstack.length > MAX_STACK_ELEMENTS_BEFORE_GENESIS) return ScriptError.STACK_SIZE;
    }
  } catch (e) {
    if (e instanceof ScriptException) return e.code;
    // The reference node maps any other exception (allocation failure included) to UNKNOWN_ERROR.
    if (e instanceof RangeError) return ScriptError.UNKNOWN_ERROR;
    throw e;
  }

  if (!conditions.empty) return ScriptError.UNBALANCED_CONDITIONAL;
  return ScriptError.OK;
}

/**
 * Verify that `scriptSig` satisfies `scriptPubKey` (the reference node's `VerifyScript`):
 * scriptSig then scriptPubKey on one stack, P2SH for pre-Genesis outputs, then CLEANSTACK.
 * Returns the error (OK on success), or undefined when canceled.
 */
export function verifyScript(
  scriptSig: Uint8Array,
  scriptPubKey: Uint8Array,
  flags: ScriptFlags,
  checker: SignatureChecker,
  limits: ScriptLimits,
  options: EvalOptions = {},
): ScriptError | undefined {
  if ((flags & ScriptFlag.UTXO_AFTER_CHRONICLE) !== 0 && (flags & ScriptFlag.UTXO_AFTER_GENESIS) === 0) return ScriptError.INVALID_FLAGS;
  // FORKID implies strict encoding.
  if ((flags & ScriptFlag.SIGHASH_FORKID) !== 0) flags |= ScriptFlag.STRICTENC;

  if ((flags & ScriptFlag.SIGPUSHONLY) !== 0) {
    const genesis = (flags & ScriptFlag.GENESIS) !== 0;
    const chronicle = (flags & ScriptFlag.CHRONICLE) !== 0;
    if ((genesis && !chronicle) || (chronicle && !isMalleableTxVersion(checker.txVersion))) {
      if (!isPushOnly(scriptSig)) return ScriptError.SIG_PUSHONLY;
    }
  }

  const p2sh = (flags & ScriptFlag.P2SH) !== 0 && (flags & ScriptFlag.UTXO_AFTER_GENESIS) === 0;
  let stack = ScriptStack.withLimit(limits.maxStackMemoryUsage);
  let r = evalScript(stack, scriptSig, flags, checker, limits, scriptPubKey, options);
  if (r !== ScriptError.OK) return r;

  const saved = p2sh ? stack.copy() : undefined;
  r = evalScript(stack, scriptPubKey, flags, checker, limits, undefined, options);
  if (r !== ScriptError.OK) return r;
  if (stack.length === 0 || !castToBool(stack.top(-1))) return ScriptError.EVAL_FALSE;

  if (p2sh && isP2SH(scriptPubKey)) {
    if (!isPushOnly(scriptSig)) return ScriptError.SIG_PUSHONLY;
    stack = saved!;
    // Not empty: the P2SH scriptPubKey would have failed on an empty stack.
    const redeemScript = stack.pop();
    r = evalScript(stack, redeemScript, flags, checker, limits, undefined, options);
    if (r !== ScriptError.OK) return r;
    if (stack.length === 0 || !castToBool(stack.top(-1))) return ScriptError.EVAL_FALSE;
  }

  // After P2SH: a P2SH spend leaves its inputs on the stack until the redeem script ran.
  if ((flags & ScriptFlag.CLEANSTACK) !== 0) {
    // CLEANSTACK without P2SH would make adding P2SH a hard fork.
    if ((flags & ScriptFlag.P2SH) === 0) return ScriptError.INVALID_FLAGS;
    if (enforceNonMalleability(flags, checker.txVersion) && stack.length !== 1) return ScriptError.CLEANSTACK;
  }
  return ScriptError.OK;
}
