/**
 * ECDSA verifications per second on one thread: native libsecp256k1 (the `secp256k1`
 * addon) against pure-JS @noble/curves, through the consensus path (lax DER parse, S
 * normalization, verify) and the bare backend call.
 * Run: node --import tsx bench/ecdsa-verify.ts
 */
import {
  NATIVE_SECP256K1_AVAILABLE,
  PrivateKey,
  parseDerLax,
  secp256k1Backend,
  sha256,
  useSecp256k1Backend,
  verifyDerSignature,
} from '@metamorph/bitcoin';

if (!NATIVE_SECP256K1_AVAILABLE) throw new Error('native secp256k1 did not load');

const N = 1000;
const cases = Array.from({ length: N }, (_, i) => {
  const key = PrivateKey.fromBytes(sha256(Uint8Array.of(i & 0xff, i >> 8, 3)), i % 4 !== 0);
  const hash = sha256(Uint8Array.of(i & 0xff, i >> 8, 4));
  const der = key.sign(hash);
  return { hash, der, compact: parseDerLax(der)!, pub: key.publicKey().bytes };
});

function measure(label: string, count: number, fn: (i: number) => boolean): number {
  for (let i = 0; i < Math.min(count, 100); i++) if (!fn(i)) throw new Error('verification failed');
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) if (!fn(i % N)) throw new Error('verification failed');
  const ns = Number(process.hrtime.bigint() - start);
  const perSecond = (count / ns) * 1e9;
  console.log(`${label.padEnd(44)} ${Math.round(perSecond).toLocaleString('en-US').padStart(8)} /s  (${count} verifies)`);
  return perSecond;
}

const results: Record<string, number> = {};
for (const backend of ['native', 'noble'] as const) {
  useSecp256k1Backend(backend);
  const count = backend === 'native' ? 20_000 : 2_000;
  results[`${backend} consensus`] = measure(`${backend}: verifyDerSignature (consensus path)`, count, (i) =>
    verifyDerSignature(cases[i].der, cases[i].hash, cases[i].pub),
  );
  const b = secp256k1Backend();
  results[`${backend} bare`] = measure(`${backend}: backend.verify(r||s)`, count, (i) => b.verify(cases[i].compact, cases[i].hash, cases[i].pub));
}
useSecp256k1Backend('native');
console.log(`native is ${(results['native consensus'] / results['noble consensus']).toFixed(1)}x noble on the consensus path`);
