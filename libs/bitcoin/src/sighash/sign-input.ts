import type { PrivateKey } from '../crypto/keys.js';
import type { Transaction } from '../primitives/transaction.js';
import { signatureHash, type PrecomputedTxData } from './sighash.js';
import { SIGHASH_ALL_FORKID, type SigHashType } from './sighash-type.js';

/**
 * The signature a scriptSig pushes for input `inputIndex`: DER (RFC6979, low S) followed
 * by the sighash byte. `scriptCode` is the spent output's script (for P2PKH, the locking
 * script); `amount` its value, which FORKID signatures commit to.
 */
export function signTransactionInput(
  tx: Transaction,
  inputIndex: number,
  scriptCode: Uint8Array,
  amount: bigint,
  key: PrivateKey,
  type: SigHashType = SIGHASH_ALL_FORKID,
  cache?: PrecomputedTxData,
): Uint8Array {
  const hash = signatureHash(tx, inputIndex, scriptCode, amount, type, { cache });
  const der = key.sign(hash);
  const out = new Uint8Array(der.length + 1);
  out.set(der);
  out[der.length] = type & 0xff;
  return out;
}
