import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PrivateKey, addressFromPublicKey, encodeAddress, encodeWif, makeWifKey, mainnet, regtest, testnet, toHex } from '@metamorph/bitcoin';
import { parseP2pkhAddress } from '../src/address.js';
import { StratumAppError } from '../src/errors.js';
import { REGTEST_POOL_ADDRESS, REGTEST_POOL_PRIVATE_KEY } from '../src/regtest-pool-key.js';

/** The reference node's test vectors, beside the repository (../shared/vectors). */
const VECTORS = new URL('../../../../shared/vectors/', import.meta.url);

function vector(name: string, sha256: string): any {
  const text = readFileSync(new URL(name, VECTORS));
  assert.equal(createHash('sha256').update(text).digest('hex'), sha256, `${name} changed`);
  return JSON.parse(text.toString('utf8'));
}

test('pool and miner addresses: P2PKH of the network only; P2SH, keys and other networks are refused', () => {
  const cases: [string, string, { addrType?: string; isPrivkey: boolean; isTestnet: boolean }][] = vector(
    'base58_keys_valid.json',
    'b0531bd28c931a105539d1cc26b9b8d0a866c91fe24bb46c96ac13149aa4ae78',
  );
  let p2pkh = 0;
  for (const [text, payload, meta] of cases) {
    const network = meta.isTestnet ? testnet : mainnet;
    if (!meta.isPrivkey && meta.addrType === 'pubkey') {
      const a = parseP2pkhAddress(text, network);
      assert.equal(toHex(a.hash160), payload);
      assert.equal(toHex(a.script), `76a914${payload}88ac`);
      assert.throws(() => parseP2pkhAddress(text, meta.isTestnet ? mainnet : testnet), /is not a (mainnet|testnet) address/);
      p2pkh++;
    } else if (!meta.isPrivkey) {
      assert.throws(() => parseP2pkhAddress(text, network), /P2SH address; only P2PKH/);
    } else {
      assert.throws(() => parseP2pkhAddress(text, network), StratumAppError);
    }
  }
  assert.ok(p2pkh >= 4);
  assert.throws(() => parseP2pkhAddress('mg8Jz5776UdyiYcBb9Z873NTozEiADRW5x', regtest, 'username'), /username: .*checksum/);
  assert.throws(() => parseP2pkhAddress('0OIl', regtest), /not a base58 character/);
});

test('the regtest pool address is P2PKH of the compressed public key of test key 1, whose WIF is documented', () => {
  const secret = new Uint8Array(32);
  secret[31] = Number(REGTEST_POOL_PRIVATE_KEY);
  const key = PrivateKey.fromBytes(secret, true);
  assert.equal(encodeAddress(addressFromPublicKey(regtest, key.publicKey().bytes)), REGTEST_POOL_ADDRESS);
  assert.equal(encodeWif(makeWifKey(regtest, secret, true)), 'cMahea7zqjxrtgAbB7LSGbcQUr1uX1ojuat9jZodMN87JcbXMTcA');
});
