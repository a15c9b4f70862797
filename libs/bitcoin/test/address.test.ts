import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  BitcoinError,
  BitcoinErrorCode as C,
  addressFromPublicKey,
  addressFromScript,
  addressToScript,
  base58CheckEncode,
  encodeAddress,
  encodeWif,
  fromHex,
  isValidAddress,
  makeAddress,
  makeWifKey,
  parseAddress,
  parseWif,
  toHex,
  type NetworkName,
} from '../src/index.js';
import { readVectorJson, summary, throwsCode, VECTOR_SHA256 } from './codec-support.js';

type Meta = { isPrivkey: boolean; isTestnet?: boolean; chain?: 'main' | 'test' | 'regtest'; addrType?: 'pubkey' | 'script'; isCompressed?: boolean };

/**
 * The networks a vector belongs to. v1.2.2's files mark them with `isTestnet`; newer
 * ones with `chain` (main/test/regtest). Testnet and regtest share their prefixes, so a
 * test-network vector must hold on both.
 */
function networksOf(meta: Meta): NetworkName[] {
  const chain = meta.chain ?? (meta.isTestnet ? 'test' : 'main');
  return chain === 'main' ? ['mainnet'] : ['testnet', 'regtest'];
}

const ALL: NetworkName[] = ['mainnet', 'testnet', 'regtest'];

test('base58_keys_valid.json: addresses and WIF keys parse and encode on their networks only', () => {
  const vectors = readVectorJson<[string, string, Meta][]>('base58_keys_valid.json', VECTOR_SHA256.base58_keys_valid);
  let passed = 0;
  const failures: string[] = [];
  for (const [text, payloadHex, meta] of vectors) {
    try {
      const mine = networksOf(meta);
      for (const net of mine) {
        if (meta.isPrivkey) {
          const key = parseWif(text, net);
          assert.equal(toHex(key.secret), payloadHex);
          assert.equal(key.compressed, meta.isCompressed);
          assert.equal(key.network, net);
          assert.equal(encodeWif(makeWifKey(net, fromHex(payloadHex), meta.isCompressed)), text);
          // A private key is not an address.
          throwsCode(() => parseAddress(text, net), C.InvalidLength);
        } else {
          const a = parseAddress(text, net);
          assert.equal(a.kind, meta.addrType === 'script' ? 'p2sh' : 'p2pkh');
          assert.equal(toHex(a.hash160), payloadHex);
          assert.equal(encodeAddress(makeAddress(net, a.kind, fromHex(payloadHex))), text);
          assert.deepEqual(addressFromScript(addressToScript(a), net), a);
          throwsCode(() => parseWif(text, net), C.InvalidLength);
        }
      }
      for (const net of ALL.filter((n) => !mine.includes(n))) {
        throwsCode(() => (meta.isPrivkey ? parseWif(text, net) : parseAddress(text, net)), C.WrongNetwork);
      }
      passed++;
    } catch (e) {
      failures.push(`${text}: ${(e as Error).message}`);
    }
  }
  summary('base58_keys_valid', passed, failures.length);
  assert.deepEqual(failures, []);
  assert.equal(passed, 50);
});

test('base58_keys_invalid.json: nothing parses as an address or a key on any network', () => {
  const vectors = readVectorJson<[string][]>('base58_keys_invalid.json', VECTOR_SHA256.base58_keys_invalid);
  let passed = 0;
  const failures: string[] = [];
  for (const [text] of vectors) {
    let ok = true;
    for (const net of ALL) {
      for (const parse of [parseAddress, parseWif]) {
        try {
          parse(text, net);
          ok = false;
        } catch (e) {
          if (!(e instanceof BitcoinError)) ok = false;
        }
      }
    }
    if (ok) passed++;
    else failures.push(text);
  }
  summary('base58_keys_invalid', passed, failures.length);
  assert.deepEqual(failures, []);
  assert.equal(passed, 50);
});

test('address errors are specific', () => {
  const main = '1AGNa15ZQXAZUgFiqJ2i7Z2DPU2J6hW62i';
  const e = throwsCode(() => parseAddress(main, 'testnet'), C.WrongNetwork, 'address');
  assert.match(e.message, /0x00 is a mainnet address, expected testnet/);
  throwsCode(() => parseAddress('mo9ncXisMeAoXwqcV5EWuyncbmCcQN4rVs', 'mainnet'), C.WrongNetwork);
  throwsCode(() => parseAddress(main.slice(0, -1) + '3', 'mainnet'), C.InvalidChecksum, 'address');
  throwsCode(() => parseAddress(main.replace('A', '0'), 'mainnet'), C.InvalidCharacter, 'address');
  throwsCode(() => parseAddress(base58CheckEncode(new Uint8Array(20)), 'mainnet'), C.InvalidLength, 'address');
  throwsCode(() => parseAddress(base58CheckEncode(new Uint8Array([0x30, ...new Uint8Array(20)])), 'mainnet'), C.UnknownPrefix, 'address');
  throwsCode(() => parseAddress(main, 'litecoin' as NetworkName), C.InvalidArgument, 'network');
  const w = throwsCode(() => parseAddress('5Kd3NBUAdUnhyzenEwVLy9pBKxSwXvE9FMPyR4UKZvpe6E3AgLr', 'mainnet'), C.InvalidLength);
  assert.match(w.message, /a private key, not an address/);
  assert.ok(isValidAddress(main, 'mainnet'));
  assert.ok(!isValidAddress(main, 'regtest'));
  throwsCode(() => makeAddress('mainnet', 'p2pkh', new Uint8Array(19)), C.InvalidLength, 'hash160');
  throwsCode(() => makeAddress('mainnet', 'p2wpkh' as never, new Uint8Array(20)), C.InvalidArgument, 'kind');
});

test('WIF errors are specific', () => {
  const wif = 'Kz6UJmQACJmLtaQj5A3JAge4kVTNQ8gbvXuwbmCj7bsaabudb3RD';
  throwsCode(() => parseWif(wif, 'regtest'), C.WrongNetwork, 'wif');
  const secret = fromHex('55c9bccb9ed68446d1b75273bbce89d7fe013a8acd1625514420fb2aca1a21c4');
  throwsCode(() => parseWif(base58CheckEncode(new Uint8Array([0x80, ...secret, 0x02])), 'mainnet'), C.InvalidEncoding, 'wif');
  throwsCode(() => parseWif(base58CheckEncode(new Uint8Array([0x80, ...new Uint8Array(32)])), 'mainnet'), C.OutOfRange, 'wif');
  throwsCode(() => parseWif(base58CheckEncode(new Uint8Array([0x80, ...new Uint8Array(32).fill(0xff)])), 'mainnet'), C.OutOfRange);
  throwsCode(() => parseWif(base58CheckEncode(new Uint8Array([0x81, ...secret])), 'mainnet'), C.UnknownPrefix);
  const a = throwsCode(() => parseWif('1AGNa15ZQXAZUgFiqJ2i7Z2DPU2J6hW62i', 'mainnet'), C.InvalidLength);
  assert.match(a.message, /an address, not a private key/);
});

test('addresses and keys round-trip on every network (property)', () => {
  const net = fc.constantFrom<NetworkName>('mainnet', 'testnet', 'regtest');
  fc.assert(
    fc.property(net, fc.constantFrom('p2pkh' as const, 'p2sh' as const), fc.uint8Array({ minLength: 20, maxLength: 20 }), (n, kind, h) => {
      const a = makeAddress(n, kind, h);
      const text = encodeAddress(a);
      assert.deepEqual(parseAddress(text, n), a);
      assert.deepEqual(addressFromScript(addressToScript(a), n), a);
    }),
  );
  fc.assert(
    fc.property(net, fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.boolean(), (n, secret, compressed) => {
      if (secret.every((b) => b === 0) || secret[0] === 0xff) return;
      const k = makeWifKey(n, secret, compressed);
      assert.deepEqual(parseWif(encodeWif(k), n), k);
    }),
  );
});

test('output scripts: P2PKH and P2SH templates, nothing else', () => {
  const a = parseAddress('1AGNa15ZQXAZUgFiqJ2i7Z2DPU2J6hW62i', 'mainnet');
  assert.equal(toHex(addressToScript(a)), '76a91465a16059864a2fdbc7c99a4723a8395bc6f188eb88ac');
  const s = parseAddress('3CMNFxN1oHBc4R1EpboAL5yzHGgE611Xou', 'mainnet');
  assert.equal(toHex(addressToScript(s)), 'a91474f209f6ea907e2ea48f74fae05782ae8a66525787');
  assert.equal(addressFromScript(fromHex('76a91465a16059864a2fdbc7c99a4723a8395bc6f188eb88ad'), 'mainnet'), null);
  assert.equal(addressFromScript(fromHex('6a0401020304'), 'mainnet'), null);
  // The genesis output's public key, hashed: Satoshi's well-known address.
  const pub = fromHex(
    '04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5f',
  );
  assert.equal(encodeAddress(addressFromPublicKey('mainnet', pub)), '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa');
  throwsCode(() => addressFromPublicKey('mainnet', new Uint8Array(32)), C.InvalidLength, 'publicKey');
});
