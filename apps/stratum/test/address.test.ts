import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { fromHex, hash160, mainnet, regtest, testnet, toHex } from '@metamorph/bitcoin';
import { base58Decode, base58Encode, decodeP2pkhAddress, encodeP2pkhAddress } from '../src/address.js';
import { StratumAppError } from '../src/errors.js';
import { REGTEST_POOL_ADDRESS, REGTEST_POOL_PRIVATE_KEY } from '../src/regtest-pool-key.js';

const VECTORS = '/work/shared/vectors';
function vector(name: string, sha256: string): any {
  const text = readFileSync(`${VECTORS}/${name}`);
  assert.equal(createHash('sha256').update(text).digest('hex'), sha256, `${name} changed`);
  return JSON.parse(text.toString('utf8'));
}

test('base58 encodes and decodes the reference vectors', () => {
  const cases: [string, string][] = vector('base58_encode_decode.json', '2c56f0292ffe76083430557700a095e72e1e0483343667159700e6942795810f');
  for (const [hex, b58] of cases) {
    assert.equal(base58Encode(fromHex(hex)), b58);
    assert.equal(toHex(base58Decode(b58)), hex);
  }
  assert.throws(() => base58Decode('0OIl'), /not a base58 character/);
});

test('P2PKH addresses of the reference vectors decode for their network; scripts and keys are refused', () => {
  const cases: [string, string, { addrType?: string; isPrivkey: boolean; isTestnet: boolean }][] = vector(
    'base58_keys_valid.json',
    'b0531bd28c931a105539d1cc26b9b8d0a866c91fe24bb46c96ac13149aa4ae78',
  );
  let pubkeys = 0;
  for (const [address, payload, meta] of cases) {
    const params = meta.isTestnet ? testnet : mainnet;
    if (!meta.isPrivkey && meta.addrType === 'pubkey') {
      assert.equal(toHex(decodeP2pkhAddress(address, params)), payload);
      assert.equal(encodeP2pkhAddress(fromHex(payload), params), address);
      assert.throws(() => decodeP2pkhAddress(address, meta.isTestnet ? mainnet : testnet), /is not a (mainnet|testnet) address/);
      pubkeys++;
    } else {
      assert.throws(() => decodeP2pkhAddress(address, params), StratumAppError, address);
    }
  }
  assert.ok(pubkeys >= 4);
});

test('invalid base58 strings are refused', () => {
  const cases: [string][] = vector('base58_keys_invalid.json', '5e49887829b551d20190154695579c4c23e62fbd2c1de069a2299161daa8eeae');
  for (const [s] of cases) {
    assert.throws(() => decodeP2pkhAddress(s, mainnet), StratumAppError, s);
    assert.throws(() => decodeP2pkhAddress(s, testnet), StratumAppError, s);
  }
});

test('the regtest pool address is P2PKH of the compressed public key of test key 1', () => {
  const priv = new Uint8Array(32);
  priv[31] = Number(REGTEST_POOL_PRIVATE_KEY);
  const pkh = hash160(secp256k1.getPublicKey(priv, true));
  assert.equal(encodeP2pkhAddress(pkh, regtest), REGTEST_POOL_ADDRESS);
  assert.equal(toHex(decodeP2pkhAddress(REGTEST_POOL_ADDRESS, regtest)), toHex(pkh));
});
