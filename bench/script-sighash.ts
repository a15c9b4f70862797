/**
 * Signature hashes per second: the original algorithm and the FORKID digest (with and
 * without the per-transaction cache), on a 1-input and a 10-input transaction.
 * Run: node --import tsx bench/script-sighash.ts
 */
import {
  SigHash,
  precomputeTxData,
  sha256,
  sigHashForkId,
  sigHashLegacy,
  type Hash32,
  type Transaction,
} from '@metamorph/bitcoin';

function p2pkh(seed: number): Uint8Array {
  return Uint8Array.from([0x76, 0xa9, 0x14, ...sha256(Uint8Array.of(seed)).subarray(0, 20), 0x88, 0xac]);
}

function makeTx(inputs: number): Transaction {
  return {
    version: 1,
    inputs: Array.from({ length: inputs }, (_, i) => ({
      prevout: { txid: sha256(Uint8Array.of(i, 1)) as Hash32, vout: i },
      script: new Uint8Array(107).fill(i),
      sequence: 0xffffffff,
    })),
    outputs: [
      { value: 50_000n, script: p2pkh(1) },
      { value: 49_000n, script: p2pkh(2) },
    ],
    lockTime: 0,
  };
}

function rate(label: string, fn: (i: number) => void, seconds = 1): number {
  for (let i = 0; i < 2000; i++) fn(i); // warm up
  let n = 0;
  const start = process.hrtime.bigint();
  const limit = BigInt(Math.round(seconds * 1e9));
  let elapsed = 0n;
  while (elapsed < limit) {
    for (let i = 0; i < 1000; i++) fn(n + i);
    n += 1000;
    elapsed = process.hrtime.bigint() - start;
  }
  const perSecond = (n / Number(elapsed)) * 1e9;
  console.log(`${label.padEnd(52)} ${Math.round(perSecond).toLocaleString('en-US').padStart(10)} /s`);
  return perSecond;
}

const scriptCode = p2pkh(9);
for (const inputs of [1, 10]) {
  const tx = makeTx(inputs);
  const cache = precomputeTxData(tx);
  console.log(`transaction with ${inputs} input(s), 2 outputs`);
  rate('  legacy (original) ALL', (i) => sigHashLegacy(tx, i % inputs, scriptCode, SigHash.ALL));
  rate('  FORKID ALL, per-transaction hashes cached', (i) => sigHashForkId(tx, i % inputs, scriptCode, 100_000n, SigHash.ALL | SigHash.FORKID, cache));
  rate('  FORKID ALL, no cache', (i) => sigHashForkId(tx, i % inputs, scriptCode, 100_000n, SigHash.ALL | SigHash.FORKID));
}
