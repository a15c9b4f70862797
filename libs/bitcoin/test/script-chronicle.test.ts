/**
 * Chronicle rules that need real signatures, after the reference node's
 * chronicle_scriptsig_checksig and malleability tests: a CHECKSIG in the scriptSig signs the
 * scriptPubKey too, and transactions of version > 1 are exempt from the malleability rules.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Op,
  ProtocolEra,
  SECP256K1_ORDER,
  ScriptError,
  ScriptFlag,
  SIGHASH_ALL_FORKID,
  TransactionSignatureChecker,
  concatBytes,
  encodeDerSignature,
  fromHex,
  inputScriptFlags,
  parseDerLax,
  pushDataScript,
  regtest,
  scriptLimits,
  signatureHash,
  signTransactionInput,
  standardScriptFlags,
  toHex,
  verifyScript,
  type Hash32,
  type Transaction,
} from '@metamorph/bitcoin';
import { keyFromSeed } from './helpers/p2pkh.js';

const keys = [keyFromSeed(100), keyFromSeed(101), keyFromSeed(102)];
const pubs = keys.map((k) => k.publicKey().bytes);

/** Standard flags of an era, spending an output of the same era (as the reference test builds them). */
function flagsFor(era: ProtocolEra): number {
  const height = era === ProtocolEra.PreGenesis ? 500 : era === ProtocolEra.PostGenesis ? 12_000 : 16_000;
  return standardScriptFlags(era) | inputScriptFlags(regtest, height, height);
}

function spendingTx(version: number): Transaction {
  return {
    version,
    inputs: [{ prevout: { txid: new Uint8Array(32).fill(3) as Hash32, vout: 0 }, script: new Uint8Array(0), sequence: 0xffffffff }],
    outputs: [{ value: 0n, script: new Uint8Array(0) }],
    lockTime: 0,
  };
}

function run(tx: Transaction, scriptSig: Uint8Array, scriptPubKey: Uint8Array, flags: number): ScriptError | undefined {
  tx.inputs[0].script = scriptSig;
  return verifyScript(scriptSig, scriptPubKey, flags, new TransactionSignatureChecker(tx, 0, 0n), scriptLimits(flags, false));
}

const checksig = (pub: Uint8Array, op = Op.OP_CHECKSIG) => concatBytes(pushDataScript(pub), Uint8Array.of(op));

describe('CHECKSIG in the scriptSig', () => {
  const scriptPubKey = checksig(pubs[0]);
  const inner = checksig(pubs[1], Op.OP_CHECKSIGVERIFY);
  const sigFor = (tx: Transaction, key: number, scriptCode: Uint8Array) => signTransactionInput(tx, 0, scriptCode, 0n, keys[key]);

  /** Sig0 Sig1 OP_CODESEPARATOR <pk1> OP_CHECKSIGVERIFY, Sig1 signing `sig1Code`. */
  function scriptSig(tx: Transaction, sig1Code: Uint8Array, innerScript = inner): Uint8Array {
    return concatBytes(
      pushDataScript(sigFor(tx, 0, scriptPubKey)),
      pushDataScript(sigFor(tx, 1, sig1Code)),
      Uint8Array.of(Op.OP_CODESEPARATOR),
      innerScript,
    );
  }

  test('after Chronicle it signs the rest of the scriptSig and the scriptPubKey', () => {
    const tx = spendingTx(2);
    assert.equal(run(tx, scriptSig(tx, concatBytes(inner, scriptPubKey)), scriptPubKey, flagsFor(ProtocolEra.PostChronicle)), ScriptError.OK);
    // Signing the scriptSig part alone (the pre-Chronicle scriptCode) no longer verifies.
    assert.equal(run(tx, scriptSig(tx, inner), scriptPubKey, flagsFor(ProtocolEra.PostChronicle)), ScriptError.CHECKSIGVERIFY);
  });

  test('between Genesis and Chronicle the scriptSig must be push-only', () => {
    const tx = spendingTx(2);
    assert.equal(run(tx, scriptSig(tx, concatBytes(inner, scriptPubKey)), scriptPubKey, flagsFor(ProtocolEra.PostGenesis)), ScriptError.SIG_PUSHONLY);
  });

  test('before Genesis the scriptSig CHECKSIG signs only the scriptSig', () => {
    const tx = spendingTx(2);
    assert.equal(run(tx, scriptSig(tx, inner), scriptPubKey, flagsFor(ProtocolEra.PreGenesis)), ScriptError.OK);
    assert.equal(run(tx, scriptSig(tx, concatBytes(inner, scriptPubKey)), scriptPubKey, flagsFor(ProtocolEra.PreGenesis)), ScriptError.SIG_NULLFAIL);
  });

  test('a version 1 transaction after Chronicle keeps the push-only rule', () => {
    const tx = spendingTx(1);
    assert.equal(run(tx, scriptSig(tx, concatBytes(inner, scriptPubKey)), scriptPubKey, flagsFor(ProtocolEra.PostChronicle)), ScriptError.SIG_PUSHONLY);
  });

  test('CHECKMULTISIG in the scriptSig after Chronicle', () => {
    const tx = spendingTx(2);
    const multisig = Uint8Array.from([Op.OP_2, ...pushDataScript(pubs[0]), ...pushDataScript(pubs[1]), ...pushDataScript(pubs[2]), Op.OP_3, Op.OP_CHECKMULTISIGVERIFY]);
    const code = concatBytes(multisig, scriptPubKey);
    const sig = concatBytes(
      pushDataScript(sigFor(tx, 0, scriptPubKey)),
      Uint8Array.of(Op.OP_0),
      pushDataScript(sigFor(tx, 1, code)),
      pushDataScript(sigFor(tx, 2, code)),
      Uint8Array.of(Op.OP_CODESEPARATOR),
      multisig,
    );
    assert.equal(run(tx, sig, scriptPubKey, flagsFor(ProtocolEra.PostChronicle)), ScriptError.OK);
    assert.equal(run(tx, sig, scriptPubKey, flagsFor(ProtocolEra.PostGenesis)), ScriptError.SIG_PUSHONLY);
  });
});

describe('malleability rules after Chronicle', () => {
  const scriptPubKey = checksig(pubs[0]);

  function highS(tx: Transaction): Uint8Array {
    const hash = signatureHash(tx, 0, scriptPubKey, 0n, SIGHASH_ALL_FORKID);
    const compact = parseDerLax(keys[0].sign(hash))!;
    const s = BigInt('0x' + toHex(compact.subarray(32)));
    compact.set(fromHex((SECP256K1_ORDER - s).toString(16).padStart(64, '0')), 32);
    return Uint8Array.from([...encodeDerSignature(compact), SIGHASH_ALL_FORKID]);
  }

  test('LOW_S: a high-S signature passes only for version > 1 after Chronicle', () => {
    for (const [version, era, expected] of [
      [2, ProtocolEra.PostChronicle, ScriptError.OK],
      [1, ProtocolEra.PostChronicle, ScriptError.SIG_HIGH_S],
      [2, ProtocolEra.PostGenesis, ScriptError.SIG_HIGH_S],
    ] as const) {
      const tx = spendingTx(version);
      assert.equal(run(tx, pushDataScript(highS(tx)), scriptPubKey, flagsFor(era)), expected, `version ${version} era ${era}`);
    }
  });

  test('MINIMALDATA, MINIMALIF, NULLFAIL, CLEANSTACK: enforced for version 1, relaxed for version 2', () => {
    // MINIMALIF is not among the standard flags; the case adds it.
    const cases: [string, Uint8Array, Uint8Array, ScriptError, number][] = [
      ['non-minimal push', Uint8Array.of(Op.OP_PUSHDATA1, 1, 7), Uint8Array.of(Op.OP_7, Op.OP_EQUAL), ScriptError.MINIMALDATA, 0],
      ['non-minimal IF argument', Uint8Array.of(2, 1, 1), Uint8Array.of(Op.OP_IF, Op.OP_1, Op.OP_ENDIF), ScriptError.MINIMALIF, ScriptFlag.MINIMALIF],
      ['failed CHECKSIG with a signature', pushDataScript(Uint8Array.of(0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x41)), concatBytes(checksig(pubs[0]), Uint8Array.of(Op.OP_NOT)), ScriptError.SIG_NULLFAIL, 0],
      ['two items left', Uint8Array.of(Op.OP_1, Op.OP_1), new Uint8Array(0), ScriptError.CLEANSTACK, 0],
    ];
    for (const [label, sig, pubkeyScript, error, extra] of cases) {
      assert.equal(run(spendingTx(1), sig, pubkeyScript, flagsFor(ProtocolEra.PostChronicle) | extra), error, `${label}, version 1`);
      assert.equal(run(spendingTx(2), sig, pubkeyScript, flagsFor(ProtocolEra.PostChronicle) | extra), ScriptError.OK, `${label}, version 2`);
      assert.equal(run(spendingTx(2), sig, pubkeyScript, flagsFor(ProtocolEra.PostGenesis) | extra), error, `${label}, version 2 before Chronicle`);
    }
  });
});
