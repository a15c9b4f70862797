import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ProtocolEra,
  checkRegularTransaction,
  decodeTransaction,
  fromHex,
  hashToHex,
  hasChronicle,
  hasForkId,
  sigHashLegacy,
  signatureHash,
} from '@metamorph/bitcoin';
import { loadVectors, summaryLine } from './helpers/vectors.js';

/** Cases of sighash.json we cannot pass, keyed by JSON text, with the reason. Empty: all pass. */
const KNOWN_FAILURES = new Map<string, string>();

test('sighash.json: FORKID-aware and original digests match the reference node', () => {
  const vectors = loadVectors('sighash.json') as unknown[][];
  let passed = 0;
  let known = 0;
  let forkIdCases = 0;
  const failures: string[] = [];
  for (const v of vectors) {
    if (v.length === 1) continue; // comment
    const [rawTx, rawScript, nIn, hashType, regular, original] = v as [string, string, number, number, string, string];
    const label = JSON.stringify(v);
    const tx = decodeTransaction(fromHex(rawTx));
    const script = fromHex(rawScript);
    // The reference test also requires each transaction to pass CheckRegularTransaction.
    const check = checkRegularTransaction(tx, { era: ProtocolEra.PreGenesis });
    const type = hashType >>> 0;
    if (hasForkId(type) && !hasChronicle(type)) forkIdCases++;
    // The reference signs with amount 0 and FORKID enabled.
    const gotRegular = hashToHex(signatureHash(tx, nIn, script, 0n, type));
    const gotOriginal = hashToHex(sigHashLegacy(tx, nIn, script, type));
    const ok = check.valid && gotRegular === regular && gotOriginal === original;
    if (KNOWN_FAILURES.has(label)) {
      known++;
      assert.ok(!ok, `known failure now passes: ${label}`);
      continue;
    }
    if (ok) passed++;
    else failures.push(`${label}\n  check ${JSON.stringify(check)} regular ${gotRegular} original ${gotOriginal}`);
  }
  console.log(summaryLine('sighash', passed, failures.length, known));
  assert.deepEqual(failures, []);
  // The file mixes both algorithms: make sure the FORKID digest was exercised.
  assert.equal(forkIdCases, 254);
});
