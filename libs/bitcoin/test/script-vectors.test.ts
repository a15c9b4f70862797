import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ScriptFlag,
  TransactionSignatureChecker,
  parseScriptAsm,
  parseScriptFlags,
  scriptErrorFromName,
  scriptLimits,
  txid,
  verifyScript,
  COIN,
  type Hash32,
  type Transaction,
} from '@metamorph/bitcoin';
import { loadVectors, summaryLine } from './helpers/vectors.js';

/**
 * Cases of script_tests.json we cannot pass, each with the reason. Keyed by the case's
 * JSON text. Empty: every case passes.
 */
const KNOWN_FAILURES = new Map<string, string>();

/** The reference harness: a coinbase-like crediting tx with one output, spent by a one-input tx. */
function buildTransactions(scriptSig: Uint8Array, scriptPubKey: Uint8Array, amount: bigint, version: number) {
  const credit: Transaction = {
    version: 1,
    inputs: [{ prevout: { txid: new Uint8Array(32) as Hash32, vout: 0xffffffff }, script: Uint8Array.of(0x00, 0x00), sequence: 0xffffffff }],
    outputs: [{ value: amount, script: scriptPubKey }],
    lockTime: 0,
  };
  const spend: Transaction = {
    version,
    inputs: [{ prevout: { txid: txid(credit), vout: 0 }, script: scriptSig, sequence: 0xffffffff }],
    outputs: [{ value: amount, script: new Uint8Array(0) }],
    lockTime: 0,
  };
  return { credit, spend };
}

test('script_tests.json: every case gives the reference node\'s result', () => {
  const vectors = loadVectors('script_tests.json') as unknown[][];
  let passed = 0;
  let known = 0;
  const failures: string[] = [];
  for (const v of vectors) {
    let pos = 0;
    let amount = 0n;
    if (Array.isArray(v[0])) {
      // Amounts are in coins, as AmountFromValue reads them.
      amount = BigInt(Math.round((v[0] as number[])[0] * Number(COIN)));
      pos++;
    }
    if (v.length < 4 + pos) continue; // comment
    const label = JSON.stringify(v);
    const version = Number.parseInt(v[pos++] as string, 10);
    const scriptSig = parseScriptAsm(v[pos++] as string);
    const scriptPubKey = parseScriptAsm(v[pos++] as string);
    let flags = parseScriptFlags(v[pos++] as string);
    const expectedName = v[pos++] as string;
    const expected = scriptErrorFromName(expectedName);
    assert.ok(expected !== undefined, `unknown error name ${expectedName}`);
    if (flags & ScriptFlag.CLEANSTACK) flags |= ScriptFlag.P2SH;

    const { spend } = buildTransactions(scriptSig, scriptPubKey, amount, version);
    const checker = new TransactionSignatureChecker(spend, 0, amount);
    const result = verifyScript(scriptSig, scriptPubKey, flags, checker, scriptLimits(flags, true));
    const ok = result === expected;
    if (KNOWN_FAILURES.has(label)) {
      known++;
      assert.ok(!ok, `known failure now passes, remove it from the list: ${label}`);
      continue;
    }
    if (ok) passed++;
    else failures.push(`${label}\n  got ${result}`);
  }
  console.log(summaryLine('script_tests', passed, failures.length, known));
  assert.deepEqual(failures, []);
});
