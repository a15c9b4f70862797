import { verifyDerSignature, publicKeyLengthForHeader } from '../crypto/ecdsa.js';
import type { Transaction } from '../primitives/transaction.js';
import { SEQUENCE_FINAL } from '../primitives/transaction.js';
import type { SignatureChecker } from '../script/interpreter.js';
import { LOCKTIME_THRESHOLD } from '../script/script.js';
import { signatureHash, type PrecomputedTxData } from '../sighash/sighash.js';

/** BIP68 sequence bits. */
export const SEQUENCE_LOCKTIME_DISABLE_FLAG = 1 << 31;
export const SEQUENCE_LOCKTIME_TYPE_FLAG = 1 << 22;
export const SEQUENCE_LOCKTIME_MASK = 0x0000ffff;

/**
 * Checks signatures and lock times of one input of a transaction (the reference node's
 * `TransactionSignatureChecker`).
 */
export class TransactionSignatureChecker implements SignatureChecker {
  readonly txVersion: number;

  constructor(
    readonly tx: Transaction,
    readonly inputIndex: number,
    /** Value of the spent output, signed by FORKID signatures. */
    readonly amount: bigint,
    /** Shared per-transaction hashes for FORKID digests. */
    readonly txData?: PrecomputedTxData,
  ) {
    this.txVersion = tx.version | 0;
  }

  checkSig(sig: Uint8Array, pubkey: Uint8Array, scriptCode: Uint8Array, forkIdEnabled: boolean): boolean {
    if (pubkey.length === 0 || publicKeyLengthForHeader(pubkey[0]) !== pubkey.length) return false;
    if (sig.length === 0) return false;
    const type = sig[sig.length - 1];
    const hash = signatureHash(this.tx, this.inputIndex, scriptCode, this.amount, type, { forkIdEnabled, cache: this.txData });
    return verifyDerSignature(sig.subarray(0, sig.length - 1), hash, pubkey);
  }

  checkLockTime(lockTime: bigint): boolean {
    const txLockTime = BigInt(this.tx.lockTime >>> 0);
    const threshold = BigInt(LOCKTIME_THRESHOLD);
    // Heights compare with heights and times with times.
    if (!((txLockTime < threshold && lockTime < threshold) || (txLockTime >= threshold && lockTime >= threshold))) return false;
    if (lockTime > txLockTime) return false;
    // A final input would let the transaction in regardless of its lock time.
    return this.tx.inputs[this.inputIndex].sequence >>> 0 !== SEQUENCE_FINAL;
  }

  checkSequence(sequence: bigint): boolean {
    const txSequence = this.tx.inputs[this.inputIndex].sequence >>> 0;
    // BIP68 applies from version 2 (compared unsigned).
    if (this.tx.version >>> 0 < 2) return false;
    if ((txSequence & SEQUENCE_LOCKTIME_DISABLE_FLAG) !== 0) return false;
    const mask = SEQUENCE_LOCKTIME_TYPE_FLAG | SEQUENCE_LOCKTIME_MASK;
    const txMasked = BigInt(txSequence & mask);
    const masked = sequence & BigInt(mask);
    const type = BigInt(SEQUENCE_LOCKTIME_TYPE_FLAG);
    if (!((txMasked < type && masked < type) || (txMasked >= type && masked >= type))) return false;
    return masked <= txMasked;
  }
}
