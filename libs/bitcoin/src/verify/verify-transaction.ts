import { BitcoinError, BitcoinErrorCode } from '../errors.js';
import type { ChainParams } from '../params.js';
import type { Transaction } from '../primitives/transaction.js';
import { verifyScript } from '../script/interpreter.js';
import { protocolEra } from '../script/protocol-era.js';
import { ScriptError } from '../script/script-error.js';
import type { ScriptFlags } from '../script/script-flags.js';
import { DEFAULT_SCRIPT_CONFIG, scriptLimits, type ScriptConfig } from '../script/script-limits.js';
import { precomputeTxData, type PrecomputedTxData } from '../sighash/sighash.js';
import { blockScriptFlags, inputScriptFlags, standardNotMandatoryScriptFlags, standardScriptFlags } from './flags-for-height.js';
import { TransactionSignatureChecker } from './tx-signature-checker.js';

/** The output an input spends, as the UTXO set holds it. */
export interface SpentOutput {
  value: bigint;
  script: Uint8Array;
  /** Height of the block that created it (for an unconfirmed output, the next block's height). */
  height: number;
}

/** Chain heights the flags depend on (a subset of ChainParams). */
export type VerifyParams = Pick<
  ChainParams,
  'p2shHeight' | 'bip66Height' | 'bip65Height' | 'csvHeight' | 'uahfHeight' | 'daaHeight' | 'genesisHeight' | 'chronicleHeight'
>;

export interface VerifyContext {
  params: VerifyParams;
  /** Height of the block the transaction is in (mempool: the next block's height). */
  height: number;
  /**
   * `block`: consensus flags and limits of that height. `mempool`: standard (policy) flags
   * and policy limits; a failure is re-checked with mandatory flags to tell non-standard
   * from invalid.
   */
  mode?: 'block' | 'mempool';
  config?: ScriptConfig;
  isCanceled?: () => boolean;
}

export type TxScriptsResult =
  | { valid: true }
  | {
      valid: false;
      inputIndex: number;
      error: ScriptError;
      /** Mempool mode: the input passes the mandatory rules, so it is only non-standard. */
      nonMandatory: boolean;
    }
  | { valid: false; canceled: true };

const VALID: TxScriptsResult = { valid: true };

function checkSpent(tx: Transaction, spent: readonly SpentOutput[]): void {
  if (spent.length !== tx.inputs.length) {
    throw new BitcoinError(
      BitcoinErrorCode.InvalidArgument,
      `${spent.length} spent outputs for ${tx.inputs.length} inputs`,
      'spentOutputs',
    );
  }
}

/**
 * Run every input's scripts with explicit flags (one value for all inputs, or one per
 * input) and consensus or policy limits. Stops at the first failing input.
 */
export function verifyInputsWithFlags(
  tx: Transaction,
  spent: readonly Pick<SpentOutput, 'value' | 'script'>[],
  flags: ScriptFlags | readonly ScriptFlags[],
  options: { consensus?: boolean; config?: ScriptConfig; isCanceled?: () => boolean; txData?: PrecomputedTxData } = {},
): TxScriptsResult {
  checkSpent(tx, spent as SpentOutput[]);
  const consensus = options.consensus ?? true;
  const config = options.config ?? DEFAULT_SCRIPT_CONFIG;
  const txData = options.txData ?? (tx.inputs.length > 1 ? precomputeTxData(tx) : undefined);
  for (let i = 0; i < tx.inputs.length; i++) {
    const f = typeof flags === 'number' ? flags : flags[i];
    const checker = new TransactionSignatureChecker(tx, i, spent[i].value, txData);
    const r = verifyScript(tx.inputs[i].script, spent[i].script, f, checker, scriptLimits(f, consensus, config), {
      isCanceled: options.isCanceled,
    });
    if (r === undefined) return { valid: false, canceled: true };
    if (r !== ScriptError.OK) return { valid: false, inputIndex: i, error: r, nonMandatory: false };
  }
  return VALID;
}

/**
 * Verify every input of a non-coinbase transaction against the outputs it spends, with
 * the flags the reference node uses at `ctx.height` (block: `GetBlockScriptFlags` plus
 * per-input flags; mempool: standard flags and policy limits).
 */
export function verifyTransactionScripts(tx: Transaction, spent: readonly SpentOutput[], ctx: VerifyContext): TxScriptsResult {
  checkSpent(tx, spent);
  const mode = ctx.mode ?? 'block';
  const config = ctx.config ?? DEFAULT_SCRIPT_CONFIG;
  const era = protocolEra(ctx.params, ctx.height);
  const base = mode === 'block' ? blockScriptFlags(ctx.params, ctx.height) : standardScriptFlags(era);
  const perInput = spent.map((s) => (base | inputScriptFlags(ctx.params, ctx.height, s.height)) >>> 0);
  const txData = tx.inputs.length > 1 ? precomputeTxData(tx) : undefined;
  const r = verifyInputsWithFlags(tx, spent, perInput, { consensus: mode === 'block', config, isCanceled: ctx.isCanceled, txData });
  if (r.valid || mode === 'block' || 'canceled' in r) return r;

  // Mempool: does the failing input pass with only the mandatory flags and consensus limits?
  const i = r.inputIndex;
  const f = (perInput[i] & ~standardNotMandatoryScriptFlags(era)) >>> 0;
  const checker = new TransactionSignatureChecker(tx, i, spent[i].value, txData);
  const again = verifyScript(tx.inputs[i].script, spent[i].script, f, checker, scriptLimits(f, true, config), { isCanceled: ctx.isCanceled });
  if (again === undefined) return { valid: false, canceled: true };
  return { ...r, nonMandatory: again === ScriptError.OK };
}
