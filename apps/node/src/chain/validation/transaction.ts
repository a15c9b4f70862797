import { LOCKTIME_THRESHOLD, type Transaction, type TxCheckResult } from '@metamorph/bitcoin';
import { reject, type Rejection } from './rejection.js';

/** A libs/bitcoin transaction check as a block rejection naming the transaction. */
export function txRejection(result: TxCheckResult, index: number): Rejection | null {
  if (result.valid) return null;
  return reject(result.reason, `transaction ${index} failed ${result.reason}`);
}

/** IsFinalTx: lock time reached at this height/time cutoff, or every input final. */
export function isFinalTx(tx: Transaction, height: number, lockTimeCutoff: number): boolean {
  if (tx.lockTime === 0) return true;
  if (tx.lockTime < (tx.lockTime < LOCKTIME_THRESHOLD ? height : lockTimeCutoff)) return true;
  return tx.inputs.every((i) => i.sequence === 0xffffffff);
}
