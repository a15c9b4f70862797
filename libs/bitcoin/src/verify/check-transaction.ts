import { MAX_MONEY } from '../params.js';
import { encodeTransaction, isCoinbase, type Transaction } from '../primitives/transaction.js';
import { ProtocolEra, isGenesisActive } from '../script/protocol-era.js';
import { isP2SH } from '../script/script.js';
import { countSigOps } from '../script/sigops.js';

/** Reject reasons, worded as the reference node reports them (P2P reject messages, RPC errors). */
export enum TxRejectReason {
  VinEmpty = 'bad-txns-vin-empty',
  VoutEmpty = 'bad-txns-vout-empty',
  Oversize = 'bad-txns-oversize',
  VoutNegative = 'bad-txns-vout-negative',
  VoutTooLarge = 'bad-txns-vout-toolarge',
  TxoutTotalTooLarge = 'bad-txns-txouttotal-toolarge',
  SigOps = 'bad-txn-sigops',
  CoinbaseMissing = 'bad-cb-missing',
  CoinbaseLength = 'bad-cb-length',
  UnexpectedCoinbase = 'bad-tx-coinbase',
  VoutP2SH = 'bad-txns-vout-p2sh',
  PrevoutNull = 'bad-txns-prevout-null',
  InputsDuplicate = 'bad-txns-inputs-duplicate',
}

export type TxCheckResult = { valid: true } | { valid: false; reason: TxRejectReason; /** The ban score the reference node adds. */ dosScore: number };

export const MAX_TX_SIZE_CONSENSUS_BEFORE_GENESIS = 1_000_000;
export const MAX_TX_SIZE_CONSENSUS_AFTER_GENESIS = 1_000_000_000;
export const MAX_TX_SIGOPS_COUNT_BEFORE_GENESIS = 20_000;
export const MAX_COINBASE_SCRIPTSIG_SIZE = 100;

export interface TxCheckOptions {
  /** Era of the block (or next block) the transaction is checked for. */
  era: ProtocolEra;
  /** Defaults to the consensus limit of the era. */
  maxTxSize?: number;
  /** Sigop limit before Genesis; defaults to 20,000. */
  maxTxSigOpsBeforeGenesis?: number;
  /** Serialized size when the caller already knows it (saves re-encoding). */
  size?: number;
}

const VALID: TxCheckResult = { valid: true };

function reject(reason: TxRejectReason, dosScore: number): TxCheckResult {
  return { valid: false, reason, dosScore };
}

/** Checks every transaction gets, independent of the chain (`CheckTransactionCommon`). */
function checkCommon(tx: Transaction, opts: TxCheckOptions): TxCheckResult {
  if (tx.inputs.length === 0) return reject(TxRejectReason.VinEmpty, 10);
  if (tx.outputs.length === 0) return reject(TxRejectReason.VoutEmpty, 10);
  const genesis = isGenesisActive(opts.era);
  const maxSize = opts.maxTxSize ?? (genesis ? MAX_TX_SIZE_CONSENSUS_AFTER_GENESIS : MAX_TX_SIZE_CONSENSUS_BEFORE_GENESIS);
  const size = opts.size ?? encodeTransaction(tx).length;
  if (size > maxSize) return reject(TxRejectReason.Oversize, 100);

  let total = 0n;
  for (const out of tx.outputs) {
    if (out.value < 0n) return reject(TxRejectReason.VoutNegative, 100);
    if (out.value > MAX_MONEY) return reject(TxRejectReason.VoutTooLarge, 100);
    total += out.value;
    if (total < 0n || total > MAX_MONEY) return reject(TxRejectReason.TxoutTotalTooLarge, 100);
  }

  // Sigops are unlimited after Genesis.
  if (!genesis) {
    let sigops = 0;
    for (const input of tx.inputs) {
      const c = countSigOps(input.script, false, opts.era);
      if (c.error) return reject(TxRejectReason.SigOps, 100);
      sigops += c.count;
    }
    for (const out of tx.outputs) {
      const c = countSigOps(out.script, false, opts.era);
      if (c.error) return reject(TxRejectReason.SigOps, 100);
      sigops += c.count;
    }
    if (sigops > (opts.maxTxSigOpsBeforeGenesis ?? MAX_TX_SIGOPS_COUNT_BEFORE_GENESIS)) return reject(TxRejectReason.SigOps, 100);
  }
  return VALID;
}

/** Context-free checks of a coinbase transaction (`CheckCoinbase`). */
export function checkCoinbase(tx: Transaction, opts: TxCheckOptions): TxCheckResult {
  if (!isCoinbase(tx)) return reject(TxRejectReason.CoinbaseMissing, 100);
  const common = checkCommon(tx, opts);
  if (!common.valid) return common;
  const len = tx.inputs[0].script.length;
  if (len < 2 || len > MAX_COINBASE_SCRIPTSIG_SIZE) return reject(TxRejectReason.CoinbaseLength, 100);
  return VALID;
}

/**
 * Context-free checks of a non-coinbase transaction (`CheckRegularTransaction`): inputs
 * and outputs present, size, output amounts, pre-Genesis sigops, no P2SH outputs after
 * Genesis, no null or duplicate inputs.
 */
export function checkRegularTransaction(tx: Transaction, opts: TxCheckOptions): TxCheckResult {
  if (isCoinbase(tx)) return reject(TxRejectReason.UnexpectedCoinbase, 100);
  const common = checkCommon(tx, opts);
  if (!common.valid) return common;
  if (isGenesisActive(opts.era) && tx.outputs.some((o) => isP2SH(o.script))) return reject(TxRejectReason.VoutP2SH, 100);

  const seen = new Set<string>();
  for (const input of tx.inputs) {
    const { txid, vout } = input.prevout;
    if (vout === 0xffffffff && txid.every((b) => b === 0)) return reject(TxRejectReason.PrevoutNull, 10);
    const key = Buffer.from(txid.buffer, txid.byteOffset, 32).toString('latin1') + vout;
    if (seen.has(key)) return reject(TxRejectReason.InputsDuplicate, 100);
    seen.add(key);
  }
  return VALID;
}

/** `checkCoinbase` or `checkRegularTransaction`, whichever the transaction is. */
export function checkTransaction(tx: Transaction, opts: TxCheckOptions): TxCheckResult {
  return isCoinbase(tx) ? checkCoinbase(tx, opts) : checkRegularTransaction(tx, opts);
}
