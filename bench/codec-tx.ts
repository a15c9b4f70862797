// Transaction decode/encode throughput on realistic P2PKH transactions.
// Run: node --import tsx bench/codec-tx.ts [count]
import { randomBytes } from 'node:crypto';
import {
  blockSize,
  decodeBlock,
  decodeBlockWithRaw,
  decodeTransaction,
  encodeBlock,
  encodeTransaction,
  mainnet,
  txidFromBytes,
  type Block,
  type Hash32,
  type Transaction,
} from '../libs/bitcoin/src/index.js';

const count = Number(process.argv[2] ?? 20_000);

/** A spend of 1–3 P2PKH outputs to two P2PKH outputs, sized like real ones (~226–520 bytes). */
function p2pkhTx(i: number): Transaction {
  const inputs = 1 + (i % 3);
  return {
    version: 1,
    inputs: Array.from({ length: inputs }, (_, k) => ({
      prevout: { txid: randomBytes(32) as unknown as Hash32, vout: k },
      // <72-byte DER signature + sighash> <33-byte compressed public key>
      script: new Uint8Array([0x48, ...randomBytes(72), 0x21, 0x02, ...randomBytes(32)]),
      sequence: 0xffffffff,
    })),
    outputs: [0, 1].map((k) => ({
      value: BigInt(1000 + i * 7 + k),
      script: new Uint8Array([0x76, 0xa9, 0x14, ...randomBytes(20), 0x88, 0xac]),
    })),
    lockTime: 0,
  };
}

function time<T>(label: string, bytes: number, fn: () => T): T {
  fn(); // warm up
  const rounds = 5;
  let best = Infinity;
  let out!: T;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    out = fn();
    best = Math.min(best, performance.now() - t0);
  }
  const mb = bytes / 1e6;
  console.log(`${label.padEnd(34)} ${best.toFixed(1).padStart(8)} ms  ${(mb / (best / 1000)).toFixed(1).padStart(7)} MB/s`);
  return out;
}

const txs = Array.from({ length: count }, (_, i) => p2pkhTx(i));
const raws = txs.map(encodeTransaction);
const total = raws.reduce((n, r) => n + r.length, 0);
console.log(`${count} P2PKH transactions, ${(total / 1e6).toFixed(2)} MB, average ${(total / count).toFixed(0)} bytes; node ${process.version}, ${process.arch}`);

time('encode', total, () => txs.map(encodeTransaction));
time('decode', total, () => raws.map((r) => decodeTransaction(r)));
time('decode + encode', total, () => raws.map((r) => encodeTransaction(decodeTransaction(r))));
time('txid (sha256d of raw bytes)', total, () => raws.map(txidFromBytes));

const block: Block = { header: mainnet.genesis.header, txs };
const rawBlock = encodeBlock(block);
console.log(`block of ${count} transactions: ${(blockSize(block) / 1e6).toFixed(2)} MB`);
time('block decode', rawBlock.length, () => decodeBlock(rawBlock));
time('block decode with raw tx views', rawBlock.length, () => decodeBlockWithRaw(rawBlock));
time('block encode', rawBlock.length, () => encodeBlock(block));
