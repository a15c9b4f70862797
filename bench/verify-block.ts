/**
 * Full script verification of a 10,000-transaction block of P2PKH spends (real keys,
 * FORKID signatures) on the calling thread, then on a pool of 1 and 2 worker threads.
 * Run: node --import tsx bench/verify-block.ts [transactions]
 */
import {
  Op,
  PrivateKey,
  VerifyPool,
  concatBytes,
  encodeTransaction,
  hash160,
  pushDataScript,
  regtest,
  sha256,
  signTransactionInput,
  type Hash32,
  type Transaction,
  type VerifyItem,
} from '@metamorph/bitcoin';

const TXS = Number(process.argv[2] ?? 10_000);
const HEIGHT = 20_000; // regtest, after Genesis and Chronicle
const KEYS = 200;

function p2pkh(pubkeyHash: Uint8Array): Uint8Array {
  return Uint8Array.from([Op.OP_DUP, Op.OP_HASH160, 0x14, ...pubkeyHash, Op.OP_EQUALVERIFY, Op.OP_CHECKSIG]);
}

console.log(`building a block of ${TXS} P2PKH transactions (1 input, 2 outputs each)...`);
let t0 = performance.now();
const keys = Array.from({ length: KEYS }, (_, i) => {
  const key = PrivateKey.fromBytes(sha256(Uint8Array.of(i & 0xff, i >> 8, 0x42)));
  const pub = key.publicKey().bytes;
  return { key, pub, script: p2pkh(hash160(pub)) };
});
const items: VerifyItem[] = [];
for (let i = 0; i < TXS; i++) {
  const from = keys[i % KEYS];
  const to = keys[(i * 7 + 3) % KEYS];
  const value = 1_000_000n + BigInt(i);
  const tx: Transaction = {
    version: 1,
    inputs: [{ prevout: { txid: sha256(Uint8Array.of(i & 0xff, (i >> 8) & 0xff, i >> 16)) as Hash32, vout: i % 2 }, script: new Uint8Array(0), sequence: 0xffffffff }],
    outputs: [
      { value: value / 2n, script: to.script },
      { value: value / 2n - 200n, script: from.script },
    ],
    lockTime: 0,
  };
  const sig = signTransactionInput(tx, 0, from.script, value, from.key);
  tx.inputs[0].script = concatBytes(pushDataScript(sig), pushDataScript(from.pub));
  items.push({ tx, spent: [{ value, script: from.script, height: HEIGHT - 10 - (i % 50) }], raw: encodeTransaction(tx) });
}
console.log(`built in ${(performance.now() - t0).toFixed(0)} ms`);

async function run(threads: number, rounds = 5): Promise<void> {
  t0 = performance.now();
  const pool = await VerifyPool.create({ threads, params: regtest });
  const startup = performance.now() - t0;
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    const results = await pool.verify(items, { height: HEIGHT });
    const ms = performance.now() - start;
    if (!results.every((x) => x.valid)) throw new Error('a transaction failed verification');
    best = Math.min(best, ms);
  }
  await pool.close();
  const label = threads === 0 ? 'calling thread (no workers)' : `${threads} worker thread${threads > 1 ? 's' : ''}`;
  console.log(
    `${label.padEnd(28)} best of ${rounds}: ${best.toFixed(0).padStart(5)} ms per block = ${Math.round((TXS / best) * 1000).toLocaleString('en-US')} tx/s` +
      (threads > 0 ? `  (pool start ${startup.toFixed(0)} ms)` : ''),
  );
}

await run(0);
await run(1);
await run(2);
