import { ScriptFlag, type ScriptFlags } from './script-flags.js';

/** The limits one script evaluation runs under (the reference node's eval/verify script params). */
export interface ScriptLimits {
  maxOpsPerScript: number;
  /** Longest number operand, in bytes. */
  maxScriptNumLength: number;
  maxScriptSize: number;
  maxPubKeysPerMultiSig: number;
  /** Bytes of stack and altstack, each item counted with 32 bytes of overhead. */
  maxStackMemoryUsage: number;
}

/** Node-configurable limits: policy values for mempool acceptance, and the consensus stack memory. */
export interface ScriptConfig {
  maxOpsPerScriptPolicy: number;
  maxScriptNumLengthPolicy: number;
  maxScriptSizePolicy: number;
  maxPubKeysPerMultiSigPolicy: number;
  maxStackMemoryUsagePolicy: number;
  /**
   * Consensus stack memory limit after Genesis. The reference node defaults to INT64_MAX
   * (unbounded, here Infinity); operators set it with `-maxstackmemoryusageconsensus`.
   */
  maxStackMemoryUsageConsensus: number;
}

const UINT32_MAX = 0xffffffff;

export const MAX_OPS_PER_SCRIPT_BEFORE_GENESIS = 500;
export const MAX_OPS_PER_SCRIPT_AFTER_GENESIS = UINT32_MAX;
export const MAX_PUBKEYS_PER_MULTISIG_AFTER_GENESIS = UINT32_MAX;
export const MAX_SCRIPT_SIZE_BEFORE_GENESIS = 10_000;
export const MAX_SCRIPT_SIZE_AFTER_GENESIS = UINT32_MAX;
export const MAX_SCRIPT_NUM_LENGTH_BEFORE_GENESIS = 4;
export const MAX_SCRIPT_NUM_LENGTH_AFTER_GENESIS = 750_000;
export const MAX_SCRIPT_NUM_LENGTH_AFTER_CHRONICLE = 32_000_000;

/** The reference node's defaults (`ConfigScriptPolicy::ResetDefault`). */
export const DEFAULT_SCRIPT_CONFIG: Readonly<ScriptConfig> = Object.freeze({
  maxOpsPerScriptPolicy: UINT32_MAX,
  maxScriptNumLengthPolicy: 10_000,
  maxScriptSizePolicy: 500_000,
  maxPubKeysPerMultiSigPolicy: UINT32_MAX,
  maxStackMemoryUsagePolicy: 100_000_000,
  maxStackMemoryUsageConsensus: Number.POSITIVE_INFINITY,
});

/**
 * Limits for a script evaluated with `flags` (the UTXO_AFTER_* bits choose the era), under
 * consensus rules (blocks) or policy (mempool), as `make_verify_script_params` does.
 */
export function scriptLimits(flags: ScriptFlags, consensus: boolean, config: ScriptConfig = DEFAULT_SCRIPT_CONFIG): ScriptLimits {
  const genesis = (flags & ScriptFlag.UTXO_AFTER_GENESIS) !== 0;
  const chronicle = (flags & ScriptFlag.UTXO_AFTER_CHRONICLE) !== 0;
  if (!genesis && !chronicle) {
    return {
      maxOpsPerScript: MAX_OPS_PER_SCRIPT_BEFORE_GENESIS,
      maxScriptNumLength: MAX_SCRIPT_NUM_LENGTH_BEFORE_GENESIS,
      maxScriptSize: MAX_SCRIPT_SIZE_BEFORE_GENESIS,
      maxPubKeysPerMultiSig: 20,
      maxStackMemoryUsage: Number.POSITIVE_INFINITY,
    };
  }
  const numLengthConsensus = chronicle ? MAX_SCRIPT_NUM_LENGTH_AFTER_CHRONICLE : MAX_SCRIPT_NUM_LENGTH_AFTER_GENESIS;
  if (consensus) {
    return {
      maxOpsPerScript: MAX_OPS_PER_SCRIPT_AFTER_GENESIS,
      maxScriptNumLength: numLengthConsensus,
      maxScriptSize: MAX_SCRIPT_SIZE_AFTER_GENESIS,
      maxPubKeysPerMultiSig: MAX_PUBKEYS_PER_MULTISIG_AFTER_GENESIS,
      maxStackMemoryUsage: config.maxStackMemoryUsageConsensus,
    };
  }
  return {
    maxOpsPerScript: config.maxOpsPerScriptPolicy,
    maxScriptNumLength: config.maxScriptNumLengthPolicy === 0 ? numLengthConsensus : config.maxScriptNumLengthPolicy,
    maxScriptSize: config.maxScriptSizePolicy,
    maxPubKeysPerMultiSig: config.maxPubKeysPerMultiSigPolicy,
    maxStackMemoryUsage: config.maxStackMemoryUsagePolicy,
  };
}
