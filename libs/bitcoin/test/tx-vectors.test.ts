import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ProtocolEra,
  Reader,
  checkTransaction,
  transactionCodec,
  fromHex,
  hashFromHex,
  parseScriptAsm,
  parseScriptFlags,
  precomputeTxData,
  verifyInputsWithFlags,
  toHex,
  type Transaction,
} from '@metamorph/bitcoin';
import { loadVectors, summaryLine } from './helpers/vectors.js';

/** Cases we cannot pass, keyed by JSON text, with the reason. Empty: all pass. */
const KNOWN_FAILURES = new Map<string, string>();

interface Outcome {
  /** The transaction failed the context-free checks. */
  checkFailed: boolean;
  /** Per flag set: whether every input verified. */
  scriptsValid: boolean[];
}

/**
 * The reference harness (`transaction_tests.cpp` RunTests): CheckCoinbase or
 * CheckRegularTransaction with pre-Genesis consensus limits, then every input with each
 * flag set, amounts from the prevout list (0 when absent).
 */
function run(v: unknown[]): Outcome {
  const [inputs, rawTx, flagSpec] = v as [unknown[][], string, string | string[]];
  const prevouts = new Map<string, { script: Uint8Array; value: bigint }>();
  for (const input of inputs) {
    const [hash, n, script, value] = input as [string, number, string, number | undefined];
    const key = toHex(hashFromHex(hash)) + ':' + (n >>> 0);
    prevouts.set(key, { script: parseScriptAsm(script), value: value === undefined ? 0n : BigInt(value) });
  }
  // As the reference harness, read one transaction from the stream and ignore what follows
  // (two cases are segwit-serialized: they read as no inputs plus trailing bytes).
  const tx: Transaction = transactionCodec.decode(new Reader(fromHex(rawTx)));
  const check = checkTransaction(tx, { era: ProtocolEra.PreGenesis });
  if (!check.valid) return { checkFailed: true, scriptsValid: [] };

  const spent = tx.inputs.map((input) => {
    const p = prevouts.get(toHex(input.prevout.txid) + ':' + input.prevout.vout);
    if (!p) throw new Error(`bad test: no prevout for input ${toHex(input.prevout.txid)}:${input.prevout.vout}`);
    return p;
  });
  const txData = precomputeTxData(tx);
  const flagSets = (typeof flagSpec === 'string' ? [flagSpec] : flagSpec).map((f) => parseScriptFlags(f === 'NONE' ? '' : f));
  return {
    checkFailed: false,
    scriptsValid: flagSets.map((flags) => verifyInputsWithFlags(tx, spent, flags, { consensus: true, txData }).valid),
  };
}

function runFile(file: string, shouldBeValid: boolean): void {
  const vectors = loadVectors(`${file}.json`) as unknown[][];
  let passed = 0;
  let known = 0;
  const failures: string[] = [];
  for (const v of vectors) {
    if (!Array.isArray(v[0])) continue; // comment
    const label = JSON.stringify(v);
    const outcome = run(v);
    const ok = shouldBeValid
      ? !outcome.checkFailed && outcome.scriptsValid.every((x) => x)
      : outcome.checkFailed || outcome.scriptsValid.every((x) => !x);
    if (KNOWN_FAILURES.has(label)) {
      known++;
      assert.ok(!ok, `known failure now passes: ${label}`);
      continue;
    }
    if (ok) passed++;
    else failures.push(`${label}\n  ${JSON.stringify(outcome)}`);
  }
  console.log(summaryLine(file, passed, failures.length, known));
  assert.deepEqual(failures, []);
}

test('tx_valid.json: every transaction passes its checks and scripts under each flag set', () => {
  runFile('tx_valid', true);
});

test('tx_invalid.json: every transaction fails its checks or its scripts under each flag set', () => {
  runFile('tx_invalid', false);
});
