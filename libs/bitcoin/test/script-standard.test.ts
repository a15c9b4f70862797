import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Op,
  ProtocolEra,
  encodeAddress,
  extractDestinations,
  fromHex,
  hash160,
  isUnspendable,
  p2pkhHash,
  parseScriptAsm,
  pushDataScript,
  scriptToAsm,
  solveScript,
  concatBytes,
  toHex,
} from '@metamorph/bitcoin';

// The reference node's script_GetScriptAsm case (script_tests.cpp); the address below was
// computed independently (SHA-256, RIPEMD-160, base58check with the regtest prefix 0x6f).
const DER_SIG =
  '304502207fa7a6d1e0ee81132a269ad84e68d695483745cde8b541e3bf630749894e342a022100c1f7ab20e13e22fb95281a870f3dcf38d782e53023ee313d741ad0cfbc0c5090';
const PUBKEY = '03b0da749730dc9b4b1f4a14d6902877a92541f5368778853d9c4a0cb7802dcfb2';

function sigScript(sighashByte: string): Uint8Array {
  return concatBytes(pushDataScript(fromHex(DER_SIG + sighashByte)), pushDataScript(fromHex(PUBKEY)));
}

test('asm: opcodes by name, CLTV under its Genesis-era name', () => {
  assert.equal(scriptToAsm(Uint8Array.of(Op.OP_CHECKLOCKTIMEVERIFY), { attemptSighashDecode: true }), 'OP_CHECKLOCKTIMEVERIFY');
  assert.equal(scriptToAsm(Uint8Array.of(Op.OP_CHECKLOCKTIMEVERIFY)), 'OP_CHECKLOCKTIMEVERIFY');
});

test('asm: signatures decode their sighash type only when asked and only for defined types', () => {
  const cases: [string, string][] = [
    ['00', '00'],
    ['80', '80'],
    ['01', '[ALL]'],
    ['81', '[ALL|ANYONECANPAY]'],
    ['41', '[ALL|FORKID]'],
    ['c1', '[ALL|FORKID|ANYONECANPAY]'],
    ['02', '[NONE]'],
    ['82', '[NONE|ANYONECANPAY]'],
    ['42', '[NONE|FORKID]'],
    ['c2', '[NONE|FORKID|ANYONECANPAY]'],
    ['03', '[SINGLE]'],
    ['83', '[SINGLE|ANYONECANPAY]'],
    ['43', '[SINGLE|FORKID]'],
    ['c3', '[SINGLE|FORKID|ANYONECANPAY]'],
  ];
  for (const [byte, shown] of cases) {
    assert.equal(scriptToAsm(sigScript(byte), { txVersion: 1, attemptSighashDecode: true }), `${DER_SIG}${shown} ${PUBKEY}`, byte);
    assert.equal(scriptToAsm(sigScript(byte)), `${DER_SIG}${byte} ${PUBKEY}`, byte);
  }
});

test('asm: short pushes are numbers, OP_n are digits, truncated pushes end in [error]', () => {
  assert.equal(scriptToAsm(parseScriptAsm('0 1 16 -1 0x01 0x80 0x02 0xe803 0x04 0xffffffff')), '0 1 16 -1 0 1000 -2147483647');
  assert.equal(scriptToAsm(Uint8Array.of(0x05, 1, 2)), '[error]');
  assert.equal(scriptToAsm(Uint8Array.of(Op.OP_DUP, 0x4c)), 'OP_DUP [error]');
  assert.equal(scriptToAsm(new Uint8Array(0)), '');
  // Data after OP_RETURN is never read as a signature.
  const opReturn = concatBytes(Uint8Array.of(Op.OP_0, Op.OP_RETURN), pushDataScript(fromHex(DER_SIG + '41')));
  assert.equal(scriptToAsm(opReturn, { attemptSighashDecode: true }), `0 OP_RETURN ${DER_SIG}41`);
});

test('solver: the standard output forms by era', () => {
  const h = hash160(fromHex(PUBKEY));
  const p2pkh = parseScriptAsm(`DUP HASH160 0x14 0x${toHex(h)} EQUALVERIFY CHECKSIG`);
  assert.deepEqual(solveScript(p2pkh, ProtocolEra.PreGenesis), { type: 'pubkeyhash', ok: true, solutions: [h] });
  assert.deepEqual(p2pkhHash(p2pkh), h);
  assert.equal(solveScript(parseScriptAsm(`0x21 0x${PUBKEY} CHECKSIG`), ProtocolEra.PostGenesis).type, 'pubkey');
  const p2sh = parseScriptAsm(`HASH160 0x14 0x${toHex(h)} EQUAL`);
  assert.equal(solveScript(p2sh, ProtocolEra.PreGenesis).type, 'scripthash');
  assert.equal(solveScript(p2sh, ProtocolEra.PostGenesis).type, 'nonstandard');
  assert.equal(solveScript(parseScriptAsm("RETURN 'hello'"), ProtocolEra.PreGenesis).type, 'nulldata');
  assert.equal(solveScript(parseScriptAsm("RETURN 'hello'"), ProtocolEra.PostGenesis).type, 'nonstandard');
  assert.equal(solveScript(parseScriptAsm("0 RETURN 'hello'"), ProtocolEra.PostGenesis).type, 'nulldata');
  const multisig = parseScriptAsm(`1 0x21 0x${PUBKEY} 0x21 0x${PUBKEY} 2 CHECKMULTISIG`);
  const m = solveScript(multisig, ProtocolEra.PreGenesis);
  assert.equal(m.type, 'multisig');
  assert.equal(m.ok, true);
  assert.equal(m.solutions.length, 4);
  // m > n: the reference node keeps the type but reports the script as unsolved.
  assert.deepEqual(
    (({ type, ok }) => ({ type, ok }))(solveScript(parseScriptAsm(`3 0x21 0x${PUBKEY} 1 CHECKMULTISIG`), ProtocolEra.PreGenesis)),
    { type: 'multisig', ok: false },
  );
  assert.equal(solveScript(Uint8Array.of(Op.OP_1), ProtocolEra.PreGenesis).type, 'nonstandard');
  assert.equal(solveScript(concatBytes(p2pkh, Uint8Array.of(Op.OP_NOP)), ProtocolEra.PreGenesis).type, 'nonstandard');
});

test('destinations: addresses for pubkey, pubkeyhash and multisig outputs', () => {
  const h = hash160(fromHex(PUBKEY));
  const p2pkh = parseScriptAsm(`DUP HASH160 0x14 0x${toHex(h)} EQUALVERIFY CHECKSIG`);
  const d = extractDestinations(p2pkh, ProtocolEra.PreGenesis, 'regtest');
  assert.equal(d.type, 'pubkeyhash');
  assert.equal(d.reqSigs, 1);
  assert.deepEqual(d.addresses!.map(encodeAddress), ['mp52VuXfTKhzYpuR3jLvPEYYUCWt84J7D5']);
  const pk = extractDestinations(parseScriptAsm(`0x21 0x${PUBKEY} CHECKSIG`), ProtocolEra.PreGenesis, 'regtest');
  assert.deepEqual(pk.addresses!.map(encodeAddress), d.addresses!.map(encodeAddress));
  const ms = extractDestinations(parseScriptAsm(`1 0x21 0x${PUBKEY} 1 CHECKMULTISIG`), ProtocolEra.PreGenesis, 'regtest');
  assert.equal(ms.reqSigs, 1);
  assert.equal(ms.addresses!.length, 1);
  assert.deepEqual(extractDestinations(parseScriptAsm("0 RETURN 'x'"), ProtocolEra.PreGenesis, 'regtest'), { type: 'nulldata' });
  assert.deepEqual(extractDestinations(Uint8Array.of(Op.OP_1), ProtocolEra.PreGenesis, 'regtest'), { type: 'nonstandard' });
});

test('unspendable outputs as the UTXO set skips them', () => {
  assert.equal(isUnspendable(parseScriptAsm("RETURN 'x'"), ProtocolEra.PreGenesis), true);
  assert.equal(isUnspendable(parseScriptAsm("RETURN 'x'"), ProtocolEra.PostGenesis), false);
  assert.equal(isUnspendable(parseScriptAsm("0 RETURN 'x'"), ProtocolEra.PostGenesis), true);
  assert.equal(isUnspendable(new Uint8Array(10_001), ProtocolEra.PreGenesis), true);
  assert.equal(isUnspendable(new Uint8Array(10_001), ProtocolEra.PostGenesis), false);
  assert.equal(isUnspendable(Uint8Array.of(Op.OP_1), ProtocolEra.PreGenesis), false);
});
