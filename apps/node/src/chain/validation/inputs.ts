import {
  COINBASE_MATURITY,
  countP2SHSigOps,
  countSigOps,
  isMoneyRange,
  isP2SH,
  type ProtocolEra,
  type Transaction,
} from '@metamorph/bitcoin';
import type { Coin } from '../../utxo/coin.js';
import { reject, type Rejection } from './rejection.js';

/** nSequence bits of BIP68 relative lock times. */
const SEQUENCE_LOCKTIME_DISABLE_FLAG = 0x80000000;
const SEQUENCE_LOCKTIME_TYPE_FLAG = 0x00400000;
const SEQUENCE_LOCKTIME_MASK = 0x0000ffff;
const SEQUENCE_LOCKTIME_GRANULARITY = 9;

export type InputsResult = { ok: true; fee: bigint; valueIn: bigint } | { ok: false; rejection: Rejection };

/**
 * Checks of a transaction against the coins it spends (`Consensus::CheckTxInputs`): coinbase
 * maturity, amounts in range, inputs covering outputs. `coins` are in input order.
 */
export function checkTxInputs(tx: Transaction, coins: readonly Coin[], spendHeight: number): InputsResult {
  let valueIn = 0n;
  for (const coin of coins) {
    if (coin.coinbase && spendHeight - coin.height < COINBASE_MATURITY) {
      return {
        ok: false,
        rejection: reject('bad-txns-premature-spend-of-coinbase', `tried to spend coinbase at depth ${spendHeight - coin.height}`),
      };
    }
    valueIn += coin.value;
    if (!isMoneyRange(coin.value) || !isMoneyRange(valueIn)) return { ok: false, rejection: reject('bad-txns-inputvalues-outofrange', 'input values out of range') };
  }
  let valueOut = 0n;
  for (const o of tx.outputs) valueOut += o.value;
  if (valueIn < valueOut) {
    return { ok: false, rejection: reject('bad-txns-in-belowout', `value in (${formatCoins(valueIn)}) < value out (${formatCoins(valueOut)})`) };
  }
  const fee = valueIn - valueOut;
  if (!isMoneyRange(fee)) return { ok: false, rejection: reject('bad-txns-fee-outofrange', 'fee out of range') };
  return { ok: true, fee, valueIn };
}

/** Satoshis as the reference node's FormatMoney writes them in messages (at least two decimals). */
export function formatCoins(sats: bigint): string {
  const neg = sats < 0n;
  const abs = neg ? -sats : sats;
  let s = `${abs / 100_000_000n}.${(abs % 100_000_000n).toString().padStart(8, '0')}`;
  s = s.replace(/(\.\d\d\d*?)0+$/, '$1');
  return neg ? `-${s}` : s;
}

/**
 * Signature operations of a transaction as block validation counts them before Genesis
 * (`GetTransactionSigOpCount`): legacy counting of every script, plus the redeem scripts of
 * P2SH spends when P2SH is active. Undefined when a script cannot be counted.
 */
export function transactionSigOps(tx: Transaction, coins: readonly Coin[] | null, era: ProtocolEra, p2sh: boolean): number | undefined {
  let n = 0;
  for (const i of tx.inputs) {
    const c = countSigOps(i.script, false, era);
    if (c.error) return undefined;
    n += c.count;
  }
  for (const o of tx.outputs) {
    const c = countSigOps(o.script, false, era);
    if (c.error) return undefined;
    n += c.count;
  }
  if (p2sh && coins) {
    for (let i = 0; i < tx.inputs.length; i++) {
      if (!isP2SH(coins[i].script)) continue;
      const c = countP2SHSigOps(coins[i].script, tx.inputs[i].script, era);
      if (c.error) return undefined;
      n += c.count;
    }
  }
  return n;
}

/**
 * BIP68: whether the transaction's relative lock times allow it in a block at `height` whose
 * parent has median time past `prevMtp` (`SequenceLocks`). `coinHeights` are the spent
 * outputs' heights; `mtpAt(h)` the median time past of the block at height h on this chain.
 */
export function sequenceLocksSatisfied(
  tx: Transaction,
  coinHeights: readonly number[],
  height: number,
  prevMtp: number,
  mtpAt: (height: number) => number,
): boolean {
  if (tx.version >>> 0 < 2) return true;
  let minHeight = -1;
  let minTime = -1;
  for (let i = 0; i < tx.inputs.length; i++) {
    const seq = tx.inputs[i].sequence >>> 0;
    if (seq & SEQUENCE_LOCKTIME_DISABLE_FLAG) continue;
    const coinHeight = coinHeights[i];
    if (seq & SEQUENCE_LOCKTIME_TYPE_FLAG) {
      const coinTime = mtpAt(Math.max(coinHeight - 1, 0));
      minTime = Math.max(minTime, coinTime + (seq & SEQUENCE_LOCKTIME_MASK) * 2 ** SEQUENCE_LOCKTIME_GRANULARITY - 1);
    } else {
      minHeight = Math.max(minHeight, coinHeight + (seq & SEQUENCE_LOCKTIME_MASK) - 1);
    }
  }
  return !(minHeight >= height || minTime >= prevMtp);
}
