import { makeAddress, type Address } from '../encoding/address.js';
import type { NetworkLike } from '../encoding/network.js';
import { hash160 } from '../hash.js';
import { Op, decodeOpN } from './opcodes.js';
import { ProtocolEra, isGenesisActive } from './protocol-era.js';
import { decodeScriptNumUnchecked, isMinimallyEncoded, SCRIPT_NUM_DEFAULT_MAX_LENGTH } from './script-num.js';
import { isP2SH, isPushOnly, newInstruction, readInstruction, type Instruction } from './script.js';

/** Output script kinds with the reference node's names (`GetTxnOutputType`). */
export type OutputType = 'nonstandard' | 'pubkey' | 'pubkeyhash' | 'scripthash' | 'multisig' | 'nulldata';

export interface SolvedScript {
  type: OutputType;
  /** Whether the script is fully one of the standard forms (Solver's return value). */
  ok: boolean;
  /** pubkey: [key]; pubkeyhash/scripthash: [hash]; multisig: [m, key…, n] (m and n as pushed bytes). */
  solutions: Uint8Array[];
}

const NONSTANDARD: SolvedScript = Object.freeze({ type: 'nonstandard', ok: false, solutions: [] }) as SolvedScript;

/** Placeholders in the templates below. */
const T_PUBKEY = -1;
const T_PUBKEYHASH = -2;
const T_SMALLINTEGER = -3;
const T_PUBKEYS = -4;

const TEMPLATES: readonly [OutputType, readonly number[]][] = [
  ['pubkey', [T_PUBKEY, Op.OP_CHECKSIG]],
  ['pubkeyhash', [Op.OP_DUP, Op.OP_HASH160, T_PUBKEYHASH, Op.OP_EQUALVERIFY, Op.OP_CHECKSIG]],
  ['multisig', [T_SMALLINTEGER, T_PUBKEYS, T_SMALLINTEGER, Op.OP_CHECKMULTISIG]],
];

/** The instruction at `pc` as (opcode, data); false when the script ends or a push is truncated. */
function op(script: Uint8Array, pc: number, ins: Instruction): boolean {
  return pc < script.length && readInstruction(script, pc, ins);
}

function matchTemplate(script: Uint8Array, template: readonly number[], era: ProtocolEra): Uint8Array[] | null {
  const ins = newInstruction();
  const solutions: Uint8Array[] = [];
  let pc = 0;
  let t = 0;
  let have = op(script, pc, ins);
  const data = () => script.subarray(ins.dataStart, ins.dataEnd);
  const advance = () => {
    pc = ins.next;
    have = op(script, pc, ins);
  };
  for (;;) {
    if (pc >= script.length && t >= template.length) return solutions;
    if (!have || t >= template.length) return null;
    let want = template[t];
    if (want === T_PUBKEYS) {
      while (have && ins.opcode <= Op.OP_PUSHDATA4 && data().length >= 33 && data().length <= 65) {
        solutions.push(data());
        advance();
      }
      t++;
      if (t >= template.length) return null;
      want = template[t];
      if (!have) {
        // The script ended inside the key list: nothing left to match the next placeholder.
        return null;
      }
    }
    const isPush = ins.opcode <= Op.OP_PUSHDATA4;
    const bytes = isPush ? data() : new Uint8Array(0);
    if (want === T_PUBKEY) {
      if (bytes.length < 33 || bytes.length > 65) return null;
      solutions.push(bytes);
    } else if (want === T_PUBKEYHASH) {
      if (bytes.length !== 20) return null;
      solutions.push(bytes);
    } else if (want === T_SMALLINTEGER) {
      if (ins.opcode === Op.OP_0 || (isGenesisActive(era) && bytes.length > 0)) {
        if (bytes.length > SCRIPT_NUM_DEFAULT_MAX_LENGTH) return null;
        solutions.push(bytes);
      } else if (ins.opcode >= Op.OP_1 && ins.opcode <= Op.OP_16) {
        solutions.push(Uint8Array.of(decodeOpN(ins.opcode)));
      } else {
        return null;
      }
    } else if (ins.opcode !== want || bytes.length !== 0) {
      return null;
    }
    t++;
    advance();
  }
}

/**
 * Classify an output script as the reference node's `Solver` does for the era the output
 * was created in: P2SH only before Genesis, `OP_RETURN …` data only before Genesis,
 * `OP_FALSE OP_RETURN …` always, then the pay-to-pubkey, pay-to-pubkey-hash and bare
 * multisig templates.
 */
export function solveScript(script: Uint8Array, era: ProtocolEra): SolvedScript {
  if (isP2SH(script)) {
    if (isGenesisActive(era)) return NONSTANDARD;
    return { type: 'scripthash', ok: true, solutions: [script.subarray(2, 22)] };
  }
  let offset = -1;
  if (!isGenesisActive(era) && script.length > 0 && script[0] === Op.OP_RETURN) offset = 1;
  else if (script.length > 1 && script[0] === Op.OP_0 && script[1] === Op.OP_RETURN) offset = 2;
  if (offset >= 0 && isPushOnly(script.subarray(offset))) return { type: 'nulldata', ok: true, solutions: [] };

  for (const [type, template] of TEMPLATES) {
    const solutions = matchTemplate(script, template, era);
    if (!solutions) continue;
    if (type === 'multisig') {
      const first = solutions[0];
      const last = solutions[solutions.length - 1];
      if (!isMinimallyEncoded(first, SCRIPT_NUM_DEFAULT_MAX_LENGTH) || !isMinimallyEncoded(last, SCRIPT_NUM_DEFAULT_MAX_LENGTH)) return NONSTANDARD;
      const m = Number(decodeScriptNumUnchecked(first));
      const n = Number(decodeScriptNumUnchecked(last));
      if (m < 1 || n < 1 || m > n || solutions.length < 2 || solutions.length - 2 !== n) return { type, ok: false, solutions };
    }
    return { type, ok: true, solutions };
  }
  return NONSTANDARD;
}

/** Length a public key must have for its first byte (`CPubKey::GetLen`); 0 for an unknown prefix. */
function pubKeyLength(first: number): number {
  if (first === 2 || first === 3) return 33;
  if (first === 4 || first === 6 || first === 7) return 65;
  return 0;
}

function isSizedPubKey(key: Uint8Array): boolean {
  return key.length > 0 && pubKeyLength(key[0]) === key.length;
}

export interface ScriptDestinations {
  type: OutputType;
  /** Signatures needed (only when addresses were found). */
  reqSigs?: number;
  /** The addresses paid (pay-to-pubkey shows as its key's P2PKH address), when any. */
  addresses?: Address[];
}

/**
 * The type and addresses of an output script, as the reference node's RPC shows them
 * (`ExtractDestinations`): data outputs and unsolvable scripts carry only a type.
 */
export function extractDestinations(script: Uint8Array, era: ProtocolEra, network: NetworkLike): ScriptDestinations {
  const s = solveScript(script, era);
  if (!s.ok || s.type === 'nulldata') return { type: s.type };
  if (s.type === 'multisig') {
    const addresses = s.solutions
      .slice(1, -1)
      .filter(isSizedPubKey)
      .map((k) => makeAddress(network, 'p2pkh', hash160(k)));
    if (addresses.length === 0) return { type: s.type };
    return { type: s.type, reqSigs: s.solutions[0][0] ?? 0, addresses };
  }
  if (s.type === 'pubkey') {
    if (!isSizedPubKey(s.solutions[0])) return { type: s.type };
    return { type: s.type, reqSigs: 1, addresses: [makeAddress(network, 'p2pkh', hash160(s.solutions[0]))] };
  }
  const kind = s.type === 'pubkeyhash' ? 'p2pkh' : 'p2sh';
  return { type: s.type, reqSigs: 1, addresses: [makeAddress(network, kind, s.solutions[0])] };
}

/**
 * Provably unspendable outputs never enter the UTXO set (`CScript::IsUnspendable` for the era
 * of the block that created them): after Genesis `OP_FALSE OP_RETURN …`; before it also a
 * leading `OP_RETURN` and scripts over 10,000 bytes.
 */
export function isUnspendable(script: Uint8Array, era: ProtocolEra): boolean {
  const falseReturn = script.length > 1 && script[0] === Op.OP_0 && script[1] === Op.OP_RETURN;
  if (isGenesisActive(era)) return falseReturn;
  return (script.length > 0 && script[0] === Op.OP_RETURN) || falseReturn || script.length > 10_000;
}
