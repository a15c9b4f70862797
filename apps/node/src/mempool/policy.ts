import {
  countSigOps,
  isChronicleActive,
  isGenesisActive,
  isPushOnly,
  isUnspendable,
  protocolEra,
  solveScript,
  ProtocolEra,
  type ChainParams,
  type Transaction,
} from '@metamorph/bitcoin';
import type { Coin } from '../utxo/coin.js';

/** Reject codes of the reference node (consensus/validation.h, validation.h). */
export const RejectCode = {
  INVALID: 0x10,
  DUPLICATE: 0x12,
  NONSTANDARD: 0x40,
  INSUFFICIENTFEE: 0x42,
  HIGHFEE: 0x100,
  ALREADY_KNOWN: 0x101,
  CONFLICT: 0x102,
  MEMPOOL_FULL: 0x103,
} as const;

/** Largest standard transaction before Genesis (`MAX_TX_SIZE_POLICY_BEFORE_GENESIS`) and the default after it. */
export const MAX_TX_SIZE_POLICY_BEFORE_GENESIS = 100_000 - 1;
export const DEFAULT_MAX_TX_SIZE_POLICY_AFTER_GENESIS = 10_000_000;
/** Policy sigop limit per transaction before Genesis: a fifth of the consensus 20,000. */
export const MAX_TX_SIGOPS_COUNT_POLICY_BEFORE_GENESIS = 4_000;
/** Most sigops a P2SH redeem script may have in a standard spend. */
export const MAX_P2SH_SIGOPS = 15;
/** A mempool full of transactions raises the entry fee to the evicted rate plus this, per 1,000 bytes. */
export const MEMPOOL_FULL_FEE_INCREMENT = 1_000n;
/** The rolling minimum fee halves every this many seconds once the mempool has room again. */
export const ROLLING_FEE_HALFLIFE = 60 * 60 * 12;

export function maxTxSizePolicy(era: ProtocolEra): number {
  return isGenesisActive(era) ? DEFAULT_MAX_TX_SIZE_POLICY_AFTER_GENESIS : MAX_TX_SIZE_POLICY_BEFORE_GENESIS;
}

export function maxTxSigOpsPolicy(era: ProtocolEra): number {
  return isGenesisActive(era) ? 0xffffffff : MAX_TX_SIGOPS_COUNT_POLICY_BEFORE_GENESIS;
}

/** Fee for `size` bytes at `perKb` satoshis per 1,000 bytes, at least 1 satoshi for a non-zero rate (`CFeeRate::GetFee`). */
export function feeForSize(perKb: bigint, size: number): bigint {
  const fee = (perKb * BigInt(size)) / 1000n;
  return fee === 0n && size !== 0 && perKb > 0n ? 1n : fee;
}

/** Satoshis per 1,000 bytes paid by `fee` over `size` bytes. */
export function feeRate(fee: bigint, size: number): bigint {
  return size > 0 ? (fee * 1000n) / BigInt(size) : 0n;
}

/**
 * Why a transaction is not standard for the next block at `height`, or null (`IsStandardTx`):
 * version before Chronicle, size, scriptSig size and push-only before Genesis/Chronicle, output
 * forms, dust (1 satoshi, 0 for unspendable outputs).
 */
export function nonStandardReason(tx: Transaction, size: number, params: ChainParams, height: number): string | null {
  const era = protocolEra(params, height);
  if (!isChronicleActive(era) && (tx.version < 1 || tx.version > 2)) return 'version';
  if (size > maxTxSizePolicy(era)) return 'tx-size';
  for (const input of tx.inputs) {
    if (!isGenesisActive(era) && input.script.length > 1650) return 'scriptsig-size';
    if (!isChronicleActive(era) && !isPushOnly(input.script)) return 'scriptsig-not-pushonly';
  }
  let scriptpubkey = false;
  for (const out of tx.outputs) {
    const solved = solveScript(out.script, era);
    if (!solved.ok || solved.type === 'nonstandard') scriptpubkey = true;
    else if (solved.type === 'multisig' && !isStandardMultisig(solved.solutions)) scriptpubkey = true;
    if (solved.type === 'nulldata') continue;
    const dust = isUnspendable(out.script, era) ? 0n : 1n;
    if (out.value < dust) return 'dust';
  }
  return scriptpubkey ? 'scriptpubkey' : null;
}

function isStandardMultisig(solutions: readonly Uint8Array[]): boolean {
  const m = solutions[0][0] ?? 0;
  const n = solutions[solutions.length - 1][0] ?? 0;
  return n >= 1 && n <= 3 && m >= 1 && m <= n;
}

/**
 * Before Genesis, whether every spent output is of a standard form and P2SH redeem scripts stay
 * within 15 sigops (`AreInputsStandard`).
 */
export function inputsAreStandard(tx: Transaction, coins: readonly Coin[], params: ChainParams): boolean {
  for (let i = 0; i < tx.inputs.length; i++) {
    const era = protocolEra(params, coins[i].height);
    const solved = solveScript(coins[i].script, era);
    if (!solved.ok) return false;
    if (solved.type === 'scripthash') {
      const pushes = pushedData(tx.inputs[i].script);
      if (!pushes || pushes.length === 0) return false;
      const c = countSigOps(pushes[pushes.length - 1], true, ProtocolEra.PreGenesis);
      if (c.error || c.count > MAX_P2SH_SIGOPS) return false;
    }
  }
  return true;
}

/** The data a push-only script pushes, or null if it is not push-only. */
function pushedData(script: Uint8Array): Uint8Array[] | null {
  const out: Uint8Array[] = [];
  let pc = 0;
  while (pc < script.length) {
    const op = script[pc++];
    let len: number;
    if (op === 0) len = 0;
    else if (op < 0x4c) len = op;
    else if (op === 0x4c) len = script[pc++];
    else if (op === 0x4d) {
      len = script[pc] | (script[pc + 1] << 8);
      pc += 2;
    } else if (op === 0x4e) {
      len = (script[pc] | (script[pc + 1] << 8) | (script[pc + 2] << 16) | (script[pc + 3] << 24)) >>> 0;
      pc += 4;
    } else if (op <= 0x60) {
      out.push(op === 0x4f ? Uint8Array.of(0x81) : op === 0x50 ? new Uint8Array(0) : Uint8Array.of(op - 0x50));
      continue;
    } else return null;
    if (pc + len > script.length) return null;
    out.push(script.subarray(pc, pc + len));
    pc += len;
  }
  return out;
}
