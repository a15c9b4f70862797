import { BitcoinError, BitcoinErrorCode } from '../errors.js';

/** Script verification flags, with the reference node's bit positions and vector-file names. */
export const ScriptFlag = {
  NONE: 0,
  /** Evaluate P2SH redeem scripts (BIP16); only for outputs created before Genesis. */
  P2SH: 1 << 0,
  /** Strict DER signatures, defined sighash types and well-formed public keys. */
  STRICTENC: 1 << 1,
  /** Strict DER signatures (BIP66). */
  DERSIG: 1 << 2,
  /** S no larger than half the group order. */
  LOW_S: 1 << 3,
  /** The extra CHECKMULTISIG item must be empty. */
  NULLDUMMY: 1 << 4,
  /** scriptSig holds pushes only. */
  SIGPUSHONLY: 1 << 5,
  /** Minimal pushes and minimally encoded numbers. */
  MINIMALDATA: 1 << 6,
  /** Executing NOP1, NOP4-10 (and Chronicle opcodes on older outputs) fails. */
  DISCOURAGE_UPGRADABLE_NOPS: 1 << 7,
  /** Exactly one item must remain. */
  CLEANSTACK: 1 << 8,
  CHECKLOCKTIMEVERIFY: 1 << 9,
  CHECKSEQUENCEVERIFY: 1 << 10,
  /** OP_IF/OP_NOTIF arguments must be empty or exactly 0x01. */
  MINIMALIF: 1 << 13,
  /** A failed CHECK(MULTI)SIG must have had empty signatures. */
  NULLFAIL: 1 << 14,
  COMPRESSED_PUBKEYTYPE: 1 << 15,
  /** Accept (and, with STRICTENC, require) SIGHASH_FORKID signatures. */
  SIGHASH_FORKID: 1 << 16,
  /** The spending transaction is in a block under Genesis rules. */
  GENESIS: 1 << 18,
  /** The spent output was created after Genesis (per input). */
  UTXO_AFTER_GENESIS: 1 << 19,
  /** The spending transaction is in a block under Chronicle rules. */
  CHRONICLE: 1 << 20,
  /** The spent output was created after Chronicle (per input; requires UTXO_AFTER_GENESIS). */
  UTXO_AFTER_CHRONICLE: 1 << 21,
} as const;

export type ScriptFlagName = keyof typeof ScriptFlag;

/** A set of ScriptFlag bits. */
export type ScriptFlags = number;

const NAMES = Object.keys(ScriptFlag) as ScriptFlagName[];

/**
 * Parse a comma-separated list of flag names as the vector files write them
 * ("P2SH,STRICTENC"; "" and "NONE" are no flags). Unknown names are refused.
 */
export function parseScriptFlags(text: string): ScriptFlags {
  if (text === '') return 0;
  let flags = 0;
  for (const word of text.split(',')) {
    if (!Object.hasOwn(ScriptFlag, word)) {
      throw new BitcoinError(BitcoinErrorCode.InvalidArgument, `unknown script flag "${word}"`, 'flags');
    }
    flags |= ScriptFlag[word as ScriptFlagName];
  }
  return flags >>> 0;
}

/** Flag names in the reference node's order (alphabetical), comma-separated. */
export function formatScriptFlags(flags: ScriptFlags): string {
  return NAMES.filter((n) => n !== 'NONE' && (flags & ScriptFlag[n]) !== 0)
    .sort()
    .join(',');
}

export function hasFlag(flags: ScriptFlags, flag: number): boolean {
  return (flags & flag) !== 0;
}
