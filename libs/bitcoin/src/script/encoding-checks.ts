import { isLowSDer, isStrictDerSignature } from '../crypto/der.js';
import { hasChronicle, hasForkId, isDefinedSigHashType } from '../sighash/sighash-type.js';
import { ScriptError } from './script-error.js';
import { ScriptFlag, type ScriptFlags } from './script-flags.js';

/**
 * After Chronicle, transactions with version above 1 opt out of the malleability rules
 * (LOW_S, MINIMALDATA, MINIMALIF, NULLFAIL, NULLDUMMY, CLEANSTACK, SIGPUSHONLY).
 */
export function isMalleableTxVersion(version: number): boolean {
  return (version | 0) > 1;
}

export function enforceNonMalleability(flags: ScriptFlags, txVersion: number): boolean {
  return !((flags & ScriptFlag.CHRONICLE) !== 0 && isMalleableTxVersion(txVersion));
}

/** The sighash byte of a signature pushed for CHECKSIG (0 for an empty one). */
export function sigHashTypeOf(sig: Uint8Array): number {
  return sig.length === 0 ? 0 : sig[sig.length - 1];
}

/**
 * Flag-dependent checks on a CHECKSIG signature (`CheckSignatureEncoding`): strict DER,
 * low S, defined sighash type and the FORKID/CHRONICLE bits. An empty signature passes.
 */
export function checkSignatureEncoding(sig: Uint8Array, flags: ScriptFlags, txVersion: number): ScriptError {
  if (sig.length === 0) return ScriptError.OK;
  if ((flags & (ScriptFlag.DERSIG | ScriptFlag.LOW_S | ScriptFlag.STRICTENC)) !== 0 && !isStrictDerSignature(sig)) {
    return ScriptError.SIG_DER;
  }
  if ((flags & ScriptFlag.LOW_S) !== 0 && !isLowSDer(sig.subarray(0, sig.length - 1))) {
    if (enforceNonMalleability(flags, txVersion)) return ScriptError.SIG_HIGH_S;
  }
  if ((flags & ScriptFlag.STRICTENC) !== 0) {
    const type = sigHashTypeOf(sig);
    if (!isDefinedSigHashType(type)) return ScriptError.SIG_HASHTYPE;
    const usesChronicle = hasChronicle(type);
    const usesForkId = hasForkId(type);
    const chronicleEnabled = (flags & ScriptFlag.CHRONICLE) !== 0;
    const forkIdEnabled = (flags & ScriptFlag.SIGHASH_FORKID) !== 0;
    if (!forkIdEnabled && usesForkId) return ScriptError.ILLEGAL_FORKID;
    if (!chronicleEnabled && usesChronicle) return ScriptError.ILLEGAL_CHRONICLE;
    if (forkIdEnabled && !usesForkId) return ScriptError.MUST_USE_FORKID;
  }
  return ScriptError.OK;
}

/** 33 bytes starting 02/03, or 65 bytes starting 04. */
export function isCompressedOrUncompressedPubKey(key: Uint8Array): boolean {
  if (key.length < 33) return false;
  if (key[0] === 0x04) return key.length === 65;
  if (key[0] === 0x02 || key[0] === 0x03) return key.length === 33;
  return false;
}

export function isCompressedPubKey(key: Uint8Array): boolean {
  return key.length === 33 && (key[0] === 0x02 || key[0] === 0x03);
}

/** Flag-dependent checks on a CHECKSIG public key (`CheckPubKeyEncoding`). */
export function checkPubKeyEncoding(key: Uint8Array, flags: ScriptFlags): ScriptError {
  if ((flags & ScriptFlag.STRICTENC) !== 0 && !isCompressedOrUncompressedPubKey(key)) return ScriptError.PUBKEYTYPE;
  if ((flags & ScriptFlag.COMPRESSED_PUBKEYTYPE) !== 0 && !isCompressedPubKey(key)) return ScriptError.NONCOMPRESSED_PUBKEY;
  return ScriptError.OK;
}
