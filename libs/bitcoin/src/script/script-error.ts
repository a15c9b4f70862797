/**
 * Why a script failed. The values are the names the reference node's test vectors use
 * (`script_tests.json`), e.g. "EVAL_FALSE", "SIG_DER", "OPERAND_SIZE", "NULLFAIL".
 */
export enum ScriptError {
  OK = 'OK',
  UNKNOWN_ERROR = 'UNKNOWN_ERROR',
  EVAL_FALSE = 'EVAL_FALSE',
  OP_RETURN = 'OP_RETURN',

  SCRIPT_SIZE = 'SCRIPT_SIZE',
  PUSH_SIZE = 'PUSH_SIZE',
  OP_COUNT = 'OP_COUNT',
  STACK_SIZE = 'STACK_SIZE',
  SIG_COUNT = 'SIG_COUNT',
  PUBKEY_COUNT = 'PUBKEY_COUNT',

  INVALID_OPERAND_SIZE = 'OPERAND_SIZE',
  INVALID_NUMBER_RANGE = 'INVALID_NUMBER_RANGE',
  IMPOSSIBLE_ENCODING = 'IMPOSSIBLE_ENCODING',
  INVALID_SPLIT_RANGE = 'SPLIT_RANGE',
  SCRIPTNUM_OVERFLOW = 'SCRIPTNUM_OVERFLOW',
  SCRIPTNUM_MINENCODE = 'SCRIPTNUM_MINENCODE',

  VERIFY = 'VERIFY',
  EQUALVERIFY = 'EQUALVERIFY',
  CHECKMULTISIGVERIFY = 'CHECKMULTISIGVERIFY',
  CHECKSIGVERIFY = 'CHECKSIGVERIFY',
  NUMEQUALVERIFY = 'NUMEQUALVERIFY',

  BAD_OPCODE = 'BAD_OPCODE',
  DISABLED_OPCODE = 'DISABLED_OPCODE',
  INVALID_STACK_OPERATION = 'INVALID_STACK_OPERATION',
  INVALID_ALTSTACK_OPERATION = 'INVALID_ALTSTACK_OPERATION',
  UNBALANCED_CONDITIONAL = 'UNBALANCED_CONDITIONAL',

  DIV_BY_ZERO = 'DIV_BY_ZERO',
  MOD_BY_ZERO = 'MOD_BY_ZERO',

  NEGATIVE_LOCKTIME = 'NEGATIVE_LOCKTIME',
  UNSATISFIED_LOCKTIME = 'UNSATISFIED_LOCKTIME',

  SIG_HASHTYPE = 'SIG_HASHTYPE',
  SIG_DER = 'SIG_DER',
  MINIMALDATA = 'MINIMALDATA',
  SIG_PUSHONLY = 'SIG_PUSHONLY',
  SIG_HIGH_S = 'SIG_HIGH_S',
  SIG_NULLDUMMY = 'SIG_NULLDUMMY',
  PUBKEYTYPE = 'PUBKEYTYPE',
  CLEANSTACK = 'CLEANSTACK',
  MINIMALIF = 'MINIMALIF',
  SIG_NULLFAIL = 'NULLFAIL',

  DISCOURAGE_UPGRADABLE_NOPS = 'DISCOURAGE_UPGRADABLE_NOPS',
  NONCOMPRESSED_PUBKEY = 'NONCOMPRESSED_PUBKEY',

  ILLEGAL_FORKID = 'ILLEGAL_FORKID',
  MUST_USE_FORKID = 'MISSING_FORKID',
  ILLEGAL_CHRONICLE = 'ILLEGAL_CHRONICLE',

  /** A big-number operation the reference node refuses (e.g. a right shift by more than 2^31-1 bits). */
  BIG_INT = 'BIG_INT',
  INVALID_FLAGS = 'INVALID_FLAGS',
}

const DESCRIPTIONS: Record<ScriptError, string> = {
  [ScriptError.OK]: 'No error',
  [ScriptError.UNKNOWN_ERROR]: 'unknown error',
  [ScriptError.EVAL_FALSE]: 'Script evaluated without error but finished with a false/empty top stack element',
  [ScriptError.OP_RETURN]: 'OP_RETURN was encountered',
  [ScriptError.SCRIPT_SIZE]: 'Script is too big',
  [ScriptError.PUSH_SIZE]: 'Push value size limit exceeded',
  [ScriptError.OP_COUNT]: 'Operation limit exceeded',
  [ScriptError.STACK_SIZE]: 'Stack size limit exceeded',
  [ScriptError.SIG_COUNT]: 'Signature count negative or greater than pubkey count',
  [ScriptError.PUBKEY_COUNT]: 'Pubkey count negative or limit exceeded',
  [ScriptError.INVALID_OPERAND_SIZE]: 'Invalid operand size',
  [ScriptError.INVALID_NUMBER_RANGE]: 'Given operand is not a number within the valid range [-2^31...2^31]',
  [ScriptError.IMPOSSIBLE_ENCODING]: 'The requested encoding is impossible to satisfy',
  [ScriptError.INVALID_SPLIT_RANGE]: 'Invalid OP_SPLIT range',
  [ScriptError.SCRIPTNUM_OVERFLOW]: 'Script number overflow',
  [ScriptError.SCRIPTNUM_MINENCODE]: 'Non-minimally encoded script number',
  [ScriptError.VERIFY]: 'Script failed an OP_VERIFY operation',
  [ScriptError.EQUALVERIFY]: 'Script failed an OP_EQUALVERIFY operation',
  [ScriptError.CHECKMULTISIGVERIFY]: 'Script failed an OP_CHECKMULTISIGVERIFY operation',
  [ScriptError.CHECKSIGVERIFY]: 'Script failed an OP_CHECKSIGVERIFY operation',
  [ScriptError.NUMEQUALVERIFY]: 'Script failed an OP_NUMEQUALVERIFY operation',
  [ScriptError.BAD_OPCODE]: 'Opcode missing or not understood',
  [ScriptError.DISABLED_OPCODE]: 'Attempted to use a disabled opcode',
  [ScriptError.INVALID_STACK_OPERATION]: 'Operation not valid with the current stack size',
  [ScriptError.INVALID_ALTSTACK_OPERATION]: 'Operation not valid with the current altstack size',
  [ScriptError.UNBALANCED_CONDITIONAL]: 'Invalid OP_IF construction',
  [ScriptError.DIV_BY_ZERO]: 'Division by zero error',
  [ScriptError.MOD_BY_ZERO]: 'Modulo by zero error',
  [ScriptError.NEGATIVE_LOCKTIME]: 'Negative locktime',
  [ScriptError.UNSATISFIED_LOCKTIME]: 'Locktime requirement not satisfied',
  [ScriptError.SIG_HASHTYPE]: 'Signature hash type missing or not understood',
  [ScriptError.SIG_DER]: 'Non-canonical DER signature',
  [ScriptError.MINIMALDATA]: 'Data push larger than necessary',
  [ScriptError.SIG_PUSHONLY]: 'Only non-push operators allowed in signatures',
  [ScriptError.SIG_HIGH_S]: 'Non-canonical signature: S value is unnecessarily high',
  [ScriptError.SIG_NULLDUMMY]: 'Dummy CHECKMULTISIG argument must be zero',
  [ScriptError.PUBKEYTYPE]: 'Public key is neither compressed or uncompressed',
  [ScriptError.CLEANSTACK]: 'Script did not clean its stack',
  [ScriptError.MINIMALIF]: 'OP_IF/NOTIF argument must be minimal',
  [ScriptError.SIG_NULLFAIL]: 'Signature must be zero for failed CHECK(MULTI)SIG operation',
  [ScriptError.DISCOURAGE_UPGRADABLE_NOPS]: 'NOPx reserved for soft-fork upgrades',
  [ScriptError.NONCOMPRESSED_PUBKEY]: 'Using non-compressed public key',
  [ScriptError.ILLEGAL_FORKID]: 'Illegal use of SIGHASH_FORKID',
  [ScriptError.MUST_USE_FORKID]: 'Signature must use SIGHASH_FORKID',
  [ScriptError.ILLEGAL_CHRONICLE]: 'Illegal use of SIGHASH_CHRONICLE',
  [ScriptError.BIG_INT]: 'Big integer OpenSSL error',
  [ScriptError.INVALID_FLAGS]: 'Invalid script verification flag combination',
};

/** The reference node's human-readable text for an error (`ScriptErrorString`). */
export function scriptErrorMessage(error: ScriptError): string {
  return DESCRIPTIONS[error] ?? 'unknown error';
}

const BY_NAME = new Map<string, ScriptError>(Object.values(ScriptError).map((v) => [v, v]));

/** The error named as in the vector files, or undefined for an unknown name. */
export function scriptErrorFromName(name: string): ScriptError | undefined {
  return BY_NAME.get(name);
}
