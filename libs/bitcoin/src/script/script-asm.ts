import { BitcoinError, BitcoinErrorCode } from '../errors.js';
import { Op, opcodeFromName } from './opcodes.js';
import { encodeScriptNum } from './script-num.js';
import { pushDataScript } from './script.js';

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/** CScript << int64: OP_0, OP_1NEGATE, OP_1..OP_16, otherwise a push of the script number. */
function pushInt(n: bigint): number[] {
  if (n === -1n || (n >= 1n && n <= 16n)) return [Number(n) + (Op.OP_1 - 1)];
  if (n === 0n) return [Op.OP_0];
  return Array.from(pushDataScript(encodeScriptNum(n)));
}

/**
 * Parse the script notation of the reference node's test vectors (`ParseScript`):
 * decimal numbers become minimal number pushes, `0x..` is inserted raw, `'text'` is
 * pushed, and opcodes are named with or without `OP_`. When raw hex follows a push
 * opcode, its length must match what the opcode announces.
 */
export function parseScriptAsm(text: string): Uint8Array {
  const out: number[] = [];
  let pushSize = 0;
  let nextPushSize = 0;
  let pushDataSize = 0;
  const fail = (msg: string): never => {
    throw new BitcoinError(BitcoinErrorCode.InvalidArgument, msg, 'script');
  };
  for (const w of text.split(/[ \t\n]+/)) {
    if (w === '') continue;
    const before = out.length;
    pushSize = nextPushSize;
    nextPushSize = 0;

    if (/^\d+$/.test(w) || /^-\d*$/.test(w)) {
      let n = w === '-' ? 0n : BigInt(w);
      // atoi64 saturates.
      if (n > INT64_MAX) n = INT64_MAX;
      if (n < INT64_MIN) n = INT64_MIN;
      out.push(...pushInt(n));
    } else if (w.startsWith('0x') && w.length > 2) {
      const hex = w.slice(2);
      if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(hex)) {
        fail(`hex "${w}" must be whole bytes of hex digits`);
      }
      out.push(...Buffer.from(hex, 'hex'));
    } else if (w.length >= 2 && w.startsWith("'") && w.endsWith("'")) {
      out.push(...pushDataScript(new TextEncoder().encode(w.slice(1, -1))));
    } else {
      const op = opcodeFromName(w);
      if (op === undefined) fail(`unknown word "${w}" in "${text}"`);
      out.push(op!);
    }

    const sizeChange = out.length - before;
    if (pushSize !== 0 && sizeChange !== pushSize) fail(`push announced ${pushSize} bytes but ${sizeChange} followed`);
    if (pushSize !== 0 && pushDataSize !== 0) {
      // The bytes just inserted are an OP_PUSHDATAn length: the data comes next.
      if (pushDataSize === 1) nextPushSize = out[before];
      else if (pushDataSize === 2) nextPushSize = out[before] | (out[before + 1] << 8);
      else nextPushSize = (out[before] | (out[before + 1] << 8) | (out[before + 2] << 16) | (out[before + 3] << 24)) >>> 0;
      pushDataSize = 0;
    }
    if (pushSize === 0 && sizeChange === 1) {
      const op = out[out.length - 1];
      if (op < Op.OP_PUSHDATA1) {
        nextPushSize = op;
        continue;
      }
      if (op === Op.OP_PUSHDATA1) pushDataSize = nextPushSize = 1;
      else if (op === Op.OP_PUSHDATA2) pushDataSize = nextPushSize = 2;
      else if (op === Op.OP_PUSHDATA4) pushDataSize = nextPushSize = 4;
    }
  }
  return Uint8Array.from(out);
}
