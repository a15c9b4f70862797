import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  NATIVE_SECP256K1_AVAILABLE,
  NATIVE_SECP256K1_LOAD_ERROR,
  PrivateKey,
  PublicKey,
  SECP256K1_ORDER,
  encodeDerSignature,
  fromHex,
  isHighS,
  isLowSDer,
  isStrictDerSignature,
  parseDerLax,
  secp256k1Backend,
  sha256,
  toHex,
  useSecp256k1Backend,
  verifyDerSignature,
} from '@metamorph/bitcoin';

function bigTo32(n: bigint): Uint8Array {
  return fromHex(n.toString(16).padStart(64, '0'));
}

describe('secp256k1 backend', () => {
  after(() => useSecp256k1Backend('native'));

  test('the native libsecp256k1 addon is loaded, not the package\'s silent JS fallback', () => {
    assert.equal(NATIVE_SECP256K1_AVAILABLE, true, `native addon failed to load: ${NATIVE_SECP256K1_LOAD_ERROR}`);
    assert.equal(secp256k1Backend().name, 'native');
  });

  test('native and noble sign identically (RFC6979) and verify each other', () => {
    for (let i = 1; i <= 20; i++) {
      const key = PrivateKey.fromBytes(sha256(Uint8Array.of(i)), i % 2 === 0);
      const hash = sha256(Uint8Array.of(i, 0xaa));
      useSecp256k1Backend('native');
      const a = key.sign(hash);
      const pub = key.publicKey();
      useSecp256k1Backend('noble');
      const b = key.sign(hash);
      assert.equal(toHex(a), toHex(b));
      assert.equal(toHex(key.publicKey().bytes), toHex(pub.bytes));
      assert.ok(pub.verify(hash, a));
      useSecp256k1Backend('native');
      assert.ok(pub.verify(hash, b));
      assert.ok(isLowSDer(a));
    }
  });

  test('a known RFC6979 signature (private key 1, message sha256("Satoshi Nakamoto"))', () => {
    const key = PrivateKey.fromBytes(bigTo32(1n));
    const sig = key.signCompact(sha256(new TextEncoder().encode('Satoshi Nakamoto')));
    assert.equal(
      toHex(sig),
      '934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d8' + '2442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5',
    );
  });
});

describe('consensus signature verification', () => {
  const key = PrivateKey.fromBytes(sha256(Uint8Array.of(7)), false);
  const pub = key.publicKey();
  const hash = sha256(Uint8Array.of(1, 2, 3));
  const compact = key.signCompact(hash);

  test('high-S signatures verify (normalized), as the reference node does', () => {
    const s = BigInt('0x' + toHex(compact.subarray(32)));
    const high = Uint8Array.from(compact);
    high.set(bigTo32(SECP256K1_ORDER - s), 32);
    assert.ok(isHighS(high));
    const der = encodeDerSignature(high);
    assert.ok(!isLowSDer(der));
    assert.ok(verifyDerSignature(der, hash, pub.bytes));
  });

  test('lax DER: long-form lengths and padding are accepted, overflowing values never verify', () => {
    const r = compact.subarray(0, 32);
    const s = compact.subarray(32);
    // 0x30 0x81 <len> with R padded by extra zero bytes.
    const body = [0x02, 0x22, 0x00, 0x00, ...r, 0x02, 0x20, ...s];
    const lax = Uint8Array.from([0x30, 0x81, body.length, ...body]);
    assert.equal(isStrictDerSignature(Uint8Array.from([...lax, 0x01])), false);
    assert.equal(toHex(parseDerLax(lax)!), toHex(compact));
    assert.ok(verifyDerSignature(lax, hash, pub.bytes));

    const overflow = Uint8Array.from([0x30, 0x44, 0x02, 0x20, ...bigTo32(SECP256K1_ORDER), 0x02, 0x20, ...s]);
    assert.deepEqual(parseDerLax(overflow), new Uint8Array(64));
    assert.equal(verifyDerSignature(overflow, hash, pub.bytes), false);
    assert.equal(parseDerLax(Uint8Array.of(0x31, 0x00)), undefined);
  });

  test('hybrid public keys (06/07) verify when the tag matches y', () => {
    const hybrid = Uint8Array.from(pub.bytes);
    hybrid[0] = 6 | (pub.bytes[64] & 1);
    const der = key.sign(hash);
    assert.ok(verifyDerSignature(der, hash, hybrid));
    hybrid[0] ^= 1;
    assert.equal(verifyDerSignature(der, hash, hybrid), false);
  });

  test('malformed keys and signatures are false, never thrown', () => {
    const der = key.sign(hash);
    assert.equal(verifyDerSignature(der, hash, new Uint8Array(0)), false);
    assert.equal(verifyDerSignature(der, hash, pub.bytes.subarray(0, 64)), false);
    const offCurve = Uint8Array.from(pub.bytes);
    offCurve[64] ^= 1;
    assert.equal(verifyDerSignature(der, hash, offCurve), false);
    assert.equal(verifyDerSignature(new Uint8Array(0), hash, pub.bytes), false);
    assert.throws(() => PublicKey.fromBytes(offCurve), /not a point/);
    assert.throws(() => PrivateKey.fromBytes(new Uint8Array(32)), /not in \[1, n-1\]/);
  });
});
