import {
  encodeAddress,
  extractDestinations,
  hashToHex,
  isCoinbase,
  scriptToAsm,
  toHex,
  type ChainParams,
  type ProtocolEra,
  type Transaction,
} from '@metamorph/bitcoin';
import { formatMoney } from './json-number.js';

/** The `scriptPubKey` object (ScriptPubKeyToUniv): asm, hex, then type, with reqSigs and addresses when it has any. */
export function scriptPubKeyJson(script: Uint8Array, era: ProtocolEra, params: ChainParams, includeHex = true): Record<string, unknown> {
  const out: Record<string, unknown> = { asm: scriptToAsm(script) };
  if (includeHex) out.hex = toHex(script);
  const d = extractDestinations(script, era, params);
  if (!d.addresses) {
    out.type = d.type;
    return out;
  }
  out.reqSigs = d.reqSigs;
  out.type = d.type;
  out.addresses = d.addresses.map(encodeAddress);
  return out;
}

export interface TxBlockInfo {
  blockHash: Uint8Array;
  /** Absent when the block is not on the active chain (confirmations 0, no times). */
  confirmations: number;
  time?: number;
  height?: number;
}

/**
 * A transaction as the reference node's TxToJSON writes it: txid, hash, version, size,
 * locktime, vin (coinbase or txid/vout/scriptSig), sequence, vout (value, n, scriptPubKey),
 * then block details when known, then hex.
 */
export function txToJson(tx: Transaction, raw: Uint8Array, txid: Uint8Array, era: ProtocolEra, params: ChainParams, block?: TxBlockInfo): Record<string, unknown> {
  const coinbase = isCoinbase(tx);
  const out: Record<string, unknown> = {
    txid: hashToHex(txid),
    hash: hashToHex(txid),
    version: tx.version,
    size: raw.length,
    locktime: tx.lockTime,
    vin: tx.inputs.map((i) =>
      coinbase
        ? { coinbase: toHex(i.script), sequence: i.sequence }
        : {
            txid: hashToHex(i.prevout.txid),
            vout: i.prevout.vout,
            scriptSig: { asm: scriptToAsm(i.script, { txVersion: tx.version, attemptSighashDecode: true }), hex: toHex(i.script) },
            sequence: i.sequence,
          },
    ),
    vout: tx.outputs.map((o, n) => ({ value: formatMoney(o.value), n, scriptPubKey: scriptPubKeyJson(o.script, era, params) })),
  };
  if (block) {
    out.blockhash = hashToHex(block.blockHash);
    out.confirmations = block.confirmations;
    if (block.time !== undefined) {
      out.time = block.time;
      out.blocktime = block.time;
      out.blockheight = block.height;
    }
  }
  out.hex = toHex(raw);
  return out;
}
