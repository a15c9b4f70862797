/**
 * Signature hash type: the byte after a signature (and the 32-bit value hashed with the
 * transaction). Low 5 bits are the base type; the rest are modifier bits.
 */
export type SigHashType = number;

export const SigHash = {
  ALL: 0x01,
  NONE: 0x02,
  SINGLE: 0x03,
  /** Chronicle: sign with the original (pre-fork) algorithm even with FORKID set. */
  CHRONICLE: 0x20,
  FORKID: 0x40,
  ANYONECANPAY: 0x80,
} as const;

/** ALL|FORKID, what BSV wallets sign with. */
export const SIGHASH_ALL_FORKID: SigHashType = SigHash.ALL | SigHash.FORKID;

const BASE_MASK = 0x1f;

/** Base type (ALL=1, NONE=2, SINGLE=3; anything else is unsupported but hashable). */
export function sigHashBaseType(t: SigHashType): number {
  return t & BASE_MASK;
}

export function hasForkId(t: SigHashType): boolean {
  return (t & SigHash.FORKID) !== 0;
}

export function hasAnyoneCanPay(t: SigHashType): boolean {
  return (t & SigHash.ANYONECANPAY) !== 0;
}

export function hasChronicle(t: SigHashType): boolean {
  return (t & SigHash.CHRONICLE) !== 0;
}

/** A defined type (STRICTENC): ALL, NONE or SINGLE with any of CHRONICLE, FORKID, ANYONECANPAY. */
export function isDefinedSigHashType(t: SigHashType): boolean {
  // The reference node narrows to its 8-bit base-type enum.
  const base = t & ~(SigHash.CHRONICLE | SigHash.FORKID | SigHash.ANYONECANPAY) & 0xff;
  return base >= SigHash.ALL && base <= SigHash.SINGLE;
}
