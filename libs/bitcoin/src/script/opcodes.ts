import { BitcoinError, BitcoinErrorCode } from '../errors.js';

/** Script opcodes, numbered as on the wire. Aliases (OP_FALSE, OP_NOP2, ...) share a value. */
export enum Op {
  OP_0 = 0x00,
  OP_PUSHDATA1 = 0x4c,
  OP_PUSHDATA2 = 0x4d,
  OP_PUSHDATA4 = 0x4e,
  OP_1NEGATE = 0x4f,
  OP_RESERVED = 0x50,
  OP_1 = 0x51,
  OP_2 = 0x52,
  OP_3 = 0x53,
  OP_4 = 0x54,
  OP_5 = 0x55,
  OP_6 = 0x56,
  OP_7 = 0x57,
  OP_8 = 0x58,
  OP_9 = 0x59,
  OP_10 = 0x5a,
  OP_11 = 0x5b,
  OP_12 = 0x5c,
  OP_13 = 0x5d,
  OP_14 = 0x5e,
  OP_15 = 0x5f,
  OP_16 = 0x60,

  OP_NOP = 0x61,
  /** Pushes the transaction version after Chronicle; a bad opcode before. */
  OP_VER = 0x62,
  OP_IF = 0x63,
  OP_NOTIF = 0x64,
  /** Compares the top item with the transaction version after Chronicle. */
  OP_VERIF = 0x65,
  OP_VERNOTIF = 0x66,
  OP_ELSE = 0x67,
  OP_ENDIF = 0x68,
  OP_VERIFY = 0x69,
  OP_RETURN = 0x6a,

  OP_TOALTSTACK = 0x6b,
  OP_FROMALTSTACK = 0x6c,
  OP_2DROP = 0x6d,
  OP_2DUP = 0x6e,
  OP_3DUP = 0x6f,
  OP_2OVER = 0x70,
  OP_2ROT = 0x71,
  OP_2SWAP = 0x72,
  OP_IFDUP = 0x73,
  OP_DEPTH = 0x74,
  OP_DROP = 0x75,
  OP_DUP = 0x76,
  OP_NIP = 0x77,
  OP_OVER = 0x78,
  OP_PICK = 0x79,
  OP_ROLL = 0x7a,
  OP_ROT = 0x7b,
  OP_SWAP = 0x7c,
  OP_TUCK = 0x7d,

  OP_CAT = 0x7e,
  OP_SPLIT = 0x7f,
  OP_NUM2BIN = 0x80,
  OP_BIN2NUM = 0x81,
  OP_SIZE = 0x82,

  OP_INVERT = 0x83,
  OP_AND = 0x84,
  OP_OR = 0x85,
  OP_XOR = 0x86,
  OP_EQUAL = 0x87,
  OP_EQUALVERIFY = 0x88,
  OP_RESERVED1 = 0x89,
  OP_RESERVED2 = 0x8a,

  OP_1ADD = 0x8b,
  OP_1SUB = 0x8c,
  /** Disabled before Chronicle (even unexecuted, for pre-Genesis outputs). */
  OP_2MUL = 0x8d,
  OP_2DIV = 0x8e,
  OP_NEGATE = 0x8f,
  OP_ABS = 0x90,
  OP_NOT = 0x91,
  OP_0NOTEQUAL = 0x92,

  OP_ADD = 0x93,
  OP_SUB = 0x94,
  OP_MUL = 0x95,
  OP_DIV = 0x96,
  OP_MOD = 0x97,
  OP_LSHIFT = 0x98,
  OP_RSHIFT = 0x99,

  OP_BOOLAND = 0x9a,
  OP_BOOLOR = 0x9b,
  OP_NUMEQUAL = 0x9c,
  OP_NUMEQUALVERIFY = 0x9d,
  OP_NUMNOTEQUAL = 0x9e,
  OP_LESSTHAN = 0x9f,
  OP_GREATERTHAN = 0xa0,
  OP_LESSTHANOREQUAL = 0xa1,
  OP_GREATERTHANOREQUAL = 0xa2,
  OP_MIN = 0xa3,
  OP_MAX = 0xa4,

  OP_WITHIN = 0xa5,

  OP_RIPEMD160 = 0xa6,
  OP_SHA1 = 0xa7,
  OP_SHA256 = 0xa8,
  OP_HASH160 = 0xa9,
  OP_HASH256 = 0xaa,
  OP_CODESEPARATOR = 0xab,
  OP_CHECKSIG = 0xac,
  OP_CHECKSIGVERIFY = 0xad,
  OP_CHECKMULTISIG = 0xae,
  OP_CHECKMULTISIGVERIFY = 0xaf,

  OP_NOP1 = 0xb0,
  OP_CHECKLOCKTIMEVERIFY = 0xb1,
  OP_CHECKSEQUENCEVERIFY = 0xb2,
  /** NOP4 before Chronicle. */
  OP_SUBSTR = 0xb3,
  /** NOP5 before Chronicle. */
  OP_LEFT = 0xb4,
  /** NOP6 before Chronicle. */
  OP_RIGHT = 0xb5,
  /** NOP7 before Chronicle. */
  OP_LSHIFTNUM = 0xb6,
  /** NOP8 before Chronicle. */
  OP_RSHIFTNUM = 0xb7,
  OP_NOP9 = 0xb8,
  OP_NOP10 = 0xb9,

  OP_INVALIDOPCODE = 0xff,
}

export const OP_FALSE = Op.OP_0;
export const OP_TRUE = Op.OP_1;
export const OP_NOP2 = Op.OP_CHECKLOCKTIMEVERIFY;
export const OP_NOP3 = Op.OP_CHECKSEQUENCEVERIFY;
/** The first byte value that is not a defined opcode. */
export const FIRST_UNDEFINED_OP_VALUE = 0xba;

/**
 * The reference node's display name of an opcode (`GetOpName`): small numbers print as
 * "0", "1".."16", "-1"; undefined values as "OP_UNKNOWN".
 */
export function opcodeName(op: number): string {
  if (op === Op.OP_0) return '0';
  if (op === Op.OP_1NEGATE) return '-1';
  if (op >= Op.OP_1 && op <= Op.OP_16) return String(op - Op.OP_1 + 1);
  if (op === Op.OP_INVALIDOPCODE) return 'OP_INVALIDOPCODE';
  if ((op > 0 && op < Op.OP_PUSHDATA1) || op >= FIRST_UNDEFINED_OP_VALUE) return 'OP_UNKNOWN';
  return Op[op] ?? 'OP_UNKNOWN';
}

let nameTable: Map<string, number> | undefined;

/**
 * Opcode by name, as the reference node's script parser accepts them: the `GetOpName`
 * names of OP_PUSHDATA1 and above, with or without the `OP_` prefix (`ADD`, `OP_ADD`).
 */
export function opcodeFromName(name: string): number | undefined {
  if (!nameTable) {
    nameTable = new Map();
    for (let op = Op.OP_PUSHDATA1; op < FIRST_UNDEFINED_OP_VALUE; op++) {
      const n = opcodeName(op);
      if (n === 'OP_UNKNOWN') continue;
      nameTable.set(n, op);
      nameTable.set(n.startsWith('OP_') ? n.slice(3) : n, op);
    }
  }
  return nameTable.get(name);
}

/** OP_0 for 0, OP_1..OP_16 for 1..16. */
export function encodeOpN(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 16) {
    throw new BitcoinError(BitcoinErrorCode.InvalidArgument, `${n} is not in 0..16`, 'n');
  }
  return n === 0 ? Op.OP_0 : Op.OP_1 + n - 1;
}

/** Inverse of encodeOpN. */
export function decodeOpN(op: number): number {
  return op === Op.OP_0 ? 0 : op - (Op.OP_1 - 1);
}
