import type { ChainParams } from '../params.js';
import { ProtocolEra, isChronicleActive, isGenesisActive, protocolEra } from '../script/protocol-era.js';
import { ScriptFlag, type ScriptFlags } from '../script/script-flags.js';

type FlagHeights = Pick<
  ChainParams,
  'p2shHeight' | 'bip66Height' | 'bip65Height' | 'csvHeight' | 'uahfHeight' | 'daaHeight' | 'genesisHeight' | 'chronicleHeight'
>;

/**
 * Consensus script flags for the transactions of a block at `height`
 * (the reference node's `GetBlockScriptFlags` with the block's parent at height - 1).
 */
export function blockScriptFlags(params: FlagHeights, height: number): ScriptFlags {
  const prev = height - 1;
  let flags = 0;
  if (prev >= params.p2shHeight) flags |= ScriptFlag.P2SH;
  if (height >= params.bip66Height) flags |= ScriptFlag.DERSIG;
  if (height >= params.bip65Height) flags |= ScriptFlag.CHECKLOCKTIMEVERIFY;
  if (height >= params.csvHeight) flags |= ScriptFlag.CHECKSEQUENCEVERIFY;
  // UAHF: replay-protected (FORKID) signatures.
  if (prev >= params.uahfHeight) flags |= ScriptFlag.STRICTENC | ScriptFlag.SIGHASH_FORKID;
  // DAA hard fork: low S and null failing signatures.
  if (prev >= params.daaHeight) flags |= ScriptFlag.LOW_S | ScriptFlag.NULLFAIL;
  const era = protocolEra(params, height);
  if (isGenesisActive(era)) flags |= ScriptFlag.GENESIS | ScriptFlag.SIGPUSHONLY;
  if (isChronicleActive(era)) flags |= ScriptFlag.CHRONICLE;
  return flags >>> 0;
}

/**
 * Per-input flags (`InputScriptVerifyFlags`): SIGPUSHONLY from Genesis, and the era in which
 * the spent output was created. `coinHeight` is the spent output's block height (for an
 * output still in the mempool, the height of the next block).
 */
export function inputScriptFlags(params: Pick<ChainParams, 'genesisHeight' | 'chronicleHeight'>, spendHeight: number, coinHeight: number): ScriptFlags {
  let flags = 0;
  if (isGenesisActive(protocolEra(params, spendHeight))) flags |= ScriptFlag.SIGPUSHONLY;
  const utxoEra = protocolEra(params, coinHeight);
  if (isGenesisActive(utxoEra)) flags |= ScriptFlag.UTXO_AFTER_GENESIS;
  if (isChronicleActive(utxoEra)) flags |= ScriptFlag.UTXO_AFTER_CHRONICLE;
  return flags;
}

/** Flags every block transaction must satisfy from the UAHF on (`*_MANDATORY_SCRIPT_VERIFY_FLAGS`). */
export function mandatoryScriptFlags(era: ProtocolEra): ScriptFlags {
  let flags = ScriptFlag.P2SH | ScriptFlag.STRICTENC | ScriptFlag.SIGHASH_FORKID | ScriptFlag.NULLFAIL | ScriptFlag.LOW_S;
  if (isChronicleActive(era)) flags |= ScriptFlag.CHRONICLE;
  return flags;
}

/**
 * Mempool (policy) flags for a transaction entering the next block's era
 * (`StandardScriptVerifyFlags`); combine with `inputScriptFlags` per input.
 */
export function standardScriptFlags(era: ProtocolEra): ScriptFlags {
  let flags =
    mandatoryScriptFlags(era) |
    ScriptFlag.DERSIG |
    ScriptFlag.NULLDUMMY |
    ScriptFlag.DISCOURAGE_UPGRADABLE_NOPS |
    ScriptFlag.CHECKLOCKTIMEVERIFY |
    ScriptFlag.CHECKSEQUENCEVERIFY |
    ScriptFlag.CLEANSTACK |
    ScriptFlag.MINIMALDATA;
  if (isGenesisActive(era)) flags |= ScriptFlag.GENESIS;
  return flags;
}

/** Standard flags that are not mandatory (`StandardNotMandatoryScriptVerifyFlags`): failing only these is non-standard, not invalid. */
export function standardNotMandatoryScriptFlags(era: ProtocolEra): ScriptFlags {
  return standardScriptFlags(era) & ~mandatoryScriptFlags(era) & ~ScriptFlag.GENESIS;
}
