import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  NO_SIGNATURE_CHECKER,
  Op,
  ProtocolEra,
  ScriptStack,
  countP2SHSigOps,
  countSigOps,
  evalScript,
  hash160,
  parseScriptAsm,
  pushDataScript,
  regtest,
  scriptLimits,
  verifyScript,
  verifyTransactionScripts,
} from '@metamorph/bitcoin';
import { p2pkhSpend } from './helpers/p2pkh.js';

test('sigops: legacy counting charges 20 per CHECKMULTISIG, accurate counting reads the key count', () => {
  const multisig = parseScriptAsm('2 0x21 0x' + '02'.repeat(33) + ' 0x21 0x' + '03'.repeat(33) + ' 2 CHECKMULTISIG CHECKSIG');
  assert.deepEqual(countSigOps(multisig, false, ProtocolEra.PreGenesis), { count: 21, error: false });
  assert.deepEqual(countSigOps(multisig, true, ProtocolEra.PreGenesis), { count: 3, error: false });
  assert.deepEqual(countSigOps(multisig, false, ProtocolEra.PostGenesis), { count: 3, error: false });
  // After Genesis: code after a top-level OP_RETURN does not count; an unbalanced ENDIF is an error.
  assert.deepEqual(countSigOps(parseScriptAsm('CHECKSIG RETURN CHECKSIG'), false, ProtocolEra.PostGenesis), { count: 1, error: false });
  assert.deepEqual(countSigOps(parseScriptAsm('ENDIF CHECKSIG'), false, ProtocolEra.PostGenesis), { count: 0, error: true });
  // After Genesis a key count pushed as data must be a minimal 4-byte number.
  assert.deepEqual(countSigOps(parseScriptAsm('0x01 0x11 CHECKMULTISIG'), false, ProtocolEra.PostGenesis), { count: 17, error: false });
  assert.deepEqual(countSigOps(parseScriptAsm('0x02 0x1100 CHECKMULTISIG'), false, ProtocolEra.PostGenesis), { count: 0, error: true });
  assert.deepEqual(countSigOps(parseScriptAsm('0x05 0x0100000000 CHECKMULTISIG'), false, ProtocolEra.PostGenesis), { count: 0, error: true });
});

test('sigops: a P2SH spend counts its redeem script before Genesis only', () => {
  const redeem = parseScriptAsm('CHECKSIG CHECKSIG');
  const p2sh = Uint8Array.from([Op.OP_HASH160, 0x14, ...hash160(redeem), Op.OP_EQUAL]);
  const scriptSig = Uint8Array.from([Op.OP_0, ...pushDataScript(redeem)]);
  assert.deepEqual(countP2SHSigOps(p2sh, scriptSig, ProtocolEra.PreGenesis), { count: 2, error: false });
  assert.deepEqual(countP2SHSigOps(p2sh, scriptSig, ProtocolEra.PostGenesis), { count: 0, error: false });
  assert.deepEqual(countP2SHSigOps(p2sh, Uint8Array.of(Op.OP_DUP), ProtocolEra.PreGenesis), { count: 0, error: false });
});

test('cancellation stops evaluation with no result', () => {
  const script = new Uint8Array(1000).fill(Op.OP_NOP);
  let polls = 0;
  const isCanceled = () => ++polls > 10;
  const r = evalScript(ScriptStack.withLimit(Infinity), script, 0, NO_SIGNATURE_CHECKER, scriptLimits(0, true), undefined, { isCanceled });
  assert.equal(r, undefined);
  assert.equal(polls, 11);
  assert.equal(verifyScript(new Uint8Array(0), script, 0, NO_SIGNATURE_CHECKER, scriptLimits(0, true), { isCanceled: () => true }), undefined);
  const { tx, spent } = p2pkhSpend(77);
  assert.deepEqual(verifyTransactionScripts(tx, spent, { params: regtest, height: 500, isCanceled: () => true }), { valid: false, canceled: true });
});
