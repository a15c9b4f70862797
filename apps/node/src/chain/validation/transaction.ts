import { MAX_MONEY, isCoinbase, type ChainParams, type Transaction } from '@metamorph/bitcoin';
import { reject, type Rejection } from './rejection.js';
import {
  LOCKTIME_THRESHOLD,
  MAX_COINBASE_SCRIPTSIG_SIZE,
  MAX_TX_SIGOPS_COUNT_BEFORE_GENESIS,
  MIN_COINBASE_SCRIPTSIG_SIZE,
  isGenesisActive,
  maxTxSizeConsensus,
} from './consensus.js';
import { transactionLegacySigOps } from './sigops.js';

/** OP_HASH160 <20 bytes> OP_EQUAL. */
export function isP2SH(script: Uint8Array): boolean {
  return script.length === 23 && script[0] === 0xa9 && script[1] === 0x14 && script[22] === 0x87;
}

/** Checks every transaction passes, independent of the chain (CheckTransactionCommon). */
export function checkTransactionCommon(tx: Transaction, size: number, params: ChainParams, height: number): Rejection | null {
  if (tx.inputs.length === 0) return reject('bad-txns-vin-empty', 'transaction has no inputs');
  if (tx.outputs.length === 0) return reject('bad-txns-vout-empty', 'transaction has no outputs');
  const maxSize = maxTxSizeConsensus(params, height);
  if (size > maxSize) return reject('bad-txns-oversize', `transaction is ${size} bytes, above ${maxSize}`);
  let total = 0n;
  for (const [i, out] of tx.outputs.entries()) {
    if (out.value < 0n) return reject('bad-txns-vout-negative', `output ${i} has a negative value`);
    if (out.value > MAX_MONEY) return reject('bad-txns-vout-toolarge', `output ${i} is worth more than all coins`);
    total += out.value;
    if (total > MAX_MONEY) return reject('bad-txns-txouttotal-toolarge', 'outputs together are worth more than all coins');
  }
  if (!isGenesisActive(params, height) && transactionLegacySigOps(tx) > MAX_TX_SIGOPS_COUNT_BEFORE_GENESIS) {
    return reject('bad-txn-sigops', `more than ${MAX_TX_SIGOPS_COUNT_BEFORE_GENESIS} signature operations`);
  }
  return null;
}

export function checkCoinbase(tx: Transaction, size: number, params: ChainParams, height: number): Rejection | null {
  if (!isCoinbase(tx)) return reject('bad-cb-missing', 'first transaction is not a coinbase');
  const common = checkTransactionCommon(tx, size, params, height);
  if (common) return common;
  const len = tx.inputs[0].script.length;
  if (len < MIN_COINBASE_SCRIPTSIG_SIZE || len > MAX_COINBASE_SCRIPTSIG_SIZE) {
    return reject('bad-cb-length', `coinbase scriptSig is ${len} bytes, outside ${MIN_COINBASE_SCRIPTSIG_SIZE}-${MAX_COINBASE_SCRIPTSIG_SIZE}`);
  }
  return null;
}

export function checkRegularTransaction(tx: Transaction, size: number, params: ChainParams, height: number): Rejection | null {
  if (isCoinbase(tx)) return reject('bad-tx-coinbase', 'a coinbase after the first transaction');
  const common = checkTransactionCommon(tx, size, params, height);
  if (common) return common;
  if (isGenesisActive(params, height) && tx.outputs.some((o) => isP2SH(o.script))) {
    return reject('bad-txns-vout-p2sh', 'new P2SH outputs are not allowed after Genesis');
  }
  const seen = new Set<string>();
  for (const [i, input] of tx.inputs.entries()) {
    const { txid, vout } = input.prevout;
    if (vout === 0xffffffff && txid.every((b) => b === 0)) return reject('bad-txns-prevout-null', `input ${i} spends the null outpoint`);
    const key = `${Buffer.from(txid).toString('hex')}:${vout}`;
    if (seen.has(key)) return reject('bad-txns-inputs-duplicate', `input ${i} spends an outpoint twice`);
    seen.add(key);
  }
  return null;
}

/** IsFinalTx: lock time reached at this height/time cutoff, or every input final. */
export function isFinalTx(tx: Transaction, height: number, lockTimeCutoff: number): boolean {
  if (tx.lockTime === 0) return true;
  if (tx.lockTime < (tx.lockTime < LOCKTIME_THRESHOLD ? height : lockTimeCutoff)) return true;
  return tx.inputs.every((i) => i.sequence === 0xffffffff);
}
