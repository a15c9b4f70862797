import type { Transaction } from '@metamorph/bitcoin';

const OP_PUSHDATA1 = 0x4c;
const OP_PUSHDATA2 = 0x4d;
const OP_PUSHDATA4 = 0x4e;
const OP_CHECKSIG = 0xac;
const OP_CHECKSIGVERIFY = 0xad;
const OP_CHECKMULTISIG = 0xae;
const OP_CHECKMULTISIGVERIFY = 0xaf;
/** What a multisig counts for before Genesis, whatever its key count. */
const MAX_PUBKEYS_PER_MULTISIG_BEFORE_GENESIS = 20;

/**
 * Signature operations of one script counted the legacy (pre-Genesis, inaccurate) way:
 * CHECKSIG[VERIFY] = 1, CHECKMULTISIG[VERIFY] = 20. Counting stops at a truncated push,
 * as the reference node's instruction iterator does.
 */
export function legacySigOpCount(script: Uint8Array): number {
  let n = 0;
  let pc = 0;
  while (pc < script.length) {
    const op = script[pc++];
    if (op >= 0x01 && op <= OP_PUSHDATA4) {
      let len: number;
      if (op < OP_PUSHDATA1) len = op;
      else {
        const width = op === OP_PUSHDATA1 ? 1 : op === OP_PUSHDATA2 ? 2 : 4;
        if (pc + width > script.length) break;
        len = 0;
        for (let i = width - 1; i >= 0; i--) len = len * 256 + script[pc + i];
        pc += width;
      }
      if (pc + len > script.length) break;
      pc += len;
      continue;
    }
    if (op === OP_CHECKSIG || op === OP_CHECKSIGVERIFY) n += 1;
    else if (op === OP_CHECKMULTISIG || op === OP_CHECKMULTISIGVERIFY) n += MAX_PUBKEYS_PER_MULTISIG_BEFORE_GENESIS;
  }
  return n;
}

/** Legacy sigops of a transaction's input and output scripts (P2SH redeem scripts not included). */
export function transactionLegacySigOps(tx: Transaction): number {
  let n = 0;
  for (const input of tx.inputs) n += legacySigOpCount(input.script);
  for (const output of tx.outputs) n += legacySigOpCount(output.script);
  return n;
}
