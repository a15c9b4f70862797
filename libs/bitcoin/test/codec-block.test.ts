import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  BitcoinErrorCode as C,
  HEADER_SIZE,
  NETWORKS,
  Reader,
  blockHash,
  blockHashFromBytes,
  blockHeaderCodec,
  blockSize,
  checkProofOfWork,
  decodeBlock,
  decodeBlockHeader,
  decodeBlockPrefix,
  decodeBlockWithRaw,
  decodeCoinbaseHeight,
  encodeBlock,
  encodeBlockHeader,
  fromHex,
  hashEquals,
  hashToHex,
  merkleRoot,
  regtest,
  toHex,
  transactionCodec,
  txid,
  txidFromBytes,
  type Block,
  type BlockHeader,
} from '../src/index.js';
import { arbBlock, arbHeader, readVectorJson, throwsCode, VECTOR_SHA256 } from './codec-support.js';

interface Capture {
  messages: { conn: number; from: string; command: string; payload: string }[];
}
const capture = () => readVectorJson<Capture>('p2p_regtest_capture.json', VECTOR_SHA256.p2p_regtest_capture);

test('headers: decode(encode(x)) == x, encode(decode(b)) == b, every truncation refused (property)', () => {
  fc.assert(
    fc.property(arbHeader, (h) => {
      const bytes = encodeBlockHeader(h);
      assert.equal(bytes.length, HEADER_SIZE);
      assert.deepEqual(decodeBlockHeader(bytes), h);
      assert.deepEqual(encodeBlockHeader(decodeBlockHeader(bytes)), bytes);
      assert.deepEqual(blockHashFromBytes(bytes), blockHash(h));
      for (let len = 0; len < HEADER_SIZE; len++) throwsCode(() => decodeBlockHeader(bytes.subarray(0, len)), C.Truncated);
      throwsCode(() => decodeBlockHeader(new Uint8Array([...bytes, 0])), C.TrailingBytes, 'header');
    }),
  );
});

test('blocks: round trips, raw transaction views, prefix decoding (property)', () => {
  fc.assert(
    fc.property(arbBlock(), (b) => {
      const bytes = encodeBlock(b);
      assert.equal(bytes.length, blockSize(b));
      assert.deepEqual(decodeBlock(bytes), b);
      assert.deepEqual(encodeBlock(decodeBlock(bytes)), bytes);
      const { block, rawTxs } = decodeBlockWithRaw(bytes);
      assert.deepEqual(block, b);
      rawTxs.forEach((raw, i) => assert.deepEqual(txidFromBytes(raw), txid(b.txs[i])));
      const prefix = decodeBlockPrefix(bytes);
      assert.deepEqual(prefix.header, b.header);
      assert.equal(prefix.txCount, b.txs.length);
      assert.deepEqual(prefix.hash, blockHash(b.header));
      throwsCode(() => decodeBlock(new Uint8Array([...bytes, 0])), C.TrailingBytes, 'block');
      throwsCode(() => decodeBlockWithRaw(new Uint8Array([...bytes, 0])), C.TrailingBytes, 'block');
    }),
    { numRuns: 80 },
  );
});

test('blocks: every truncation is refused as truncated by both decoders (property)', () => {
  fc.assert(
    fc.property(arbBlock(2), (b) => {
      const bytes = encodeBlock(b);
      for (let len = 0; len < bytes.length; len++) {
        throwsCode(() => decodeBlock(bytes.subarray(0, len)), C.Truncated);
        throwsCode(() => decodeBlockWithRaw(bytes.subarray(0, len)), C.Truncated);
      }
    }),
    { numRuns: 25 },
  );
});

test('blocks: errors name the transaction and field', () => {
  const b: Block = {
    header: regtest.genesis.header,
    txs: [regtest.genesis.txs[0], { version: 1, inputs: [], outputs: [{ value: 5n, script: new Uint8Array(30) }], lockTime: 0 }],
  };
  const bytes = encodeBlock(b);
  throwsCode(() => decodeBlock(bytes.subarray(0, bytes.length - 10)), C.Truncated, 'block.txs[1].outputs[0].script');
  throwsCode(() => decodeBlockWithRaw(bytes.subarray(0, bytes.length - 10)), C.Truncated, 'block.txs[1].outputs[0].script');
  throwsCode(() => decodeBlockPrefix(bytes.subarray(0, 50)), C.Truncated, 'block.header.merkleRoot');
  throwsCode(() => decodeBlockPrefix(bytes.subarray(0, 80)), C.Truncated, 'block.txs');
  const nonMinimal = new Uint8Array([...bytes.subarray(0, 80), 0xfd, 0x02, 0x00, ...bytes.subarray(81)]);
  throwsCode(() => decodeBlock(nonMinimal), C.NonMinimalCompactSize, 'block.txs');
  throwsCode(() => decodeBlockWithRaw(nonMinimal), C.NonMinimalCompactSize, 'block.txs');
  throwsCode(() => blockHashFromBytes(new Uint8Array(79)), C.Truncated, 'header');
});

test('genesis blocks of every network encode to their known hashes and sizes', () => {
  const expected: Record<string, string> = {
    mainnet: '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
    testnet: '000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943',
    regtest: '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206',
  };
  for (const [name, p] of Object.entries(NETWORKS)) {
    const bytes = encodeBlock(p.genesis);
    assert.equal(bytes.length, 285);
    assert.equal(hashToHex(blockHashFromBytes(bytes)), expected[name]);
    assert.deepEqual(decodeBlock(bytes), p.genesis);
    assert.ok(checkProofOfWork(p.genesisHash, p.genesis.header.bits, p.powLimit));
  }
  assert.equal(
    toHex(encodeBlockHeader(NETWORKS.mainnet.genesis.header)),
    '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c',
  );
});

test('real regtest blocks from SV Node: decode, merkle root, hash, coinbase height, re-encode', () => {
  const blocks = capture().messages.filter((m) => m.command === 'block');
  assert.equal(blocks.length, 6);
  const heights: number[] = [];
  for (const m of blocks) {
    const raw = fromHex(m.payload);
    const { block, rawTxs } = decodeBlockWithRaw(raw);
    assert.deepEqual(encodeBlock(block), raw);
    assert.ok(hashEquals(merkleRoot(rawTxs.map(txidFromBytes)), block.header.merkleRoot));
    assert.ok(checkProofOfWork(blockHashFromBytes(raw), block.header.bits, regtest.powLimit));
    heights.push(decodeCoinbaseHeight(block.txs[0].inputs[0].script).height);
  }
  assert.deepEqual(heights, [1, 2, 3, 63, 64, 65]);
});

test('a real regtest block rebuilt from cmpctblock + blocktxn has the merkle root its header commits to', () => {
  const msgs = capture().messages;
  const cmpct = fromHex(msgs.find((m) => m.command === 'cmpctblock')!.payload);
  const txn = fromHex(msgs.find((m) => m.command === 'blocktxn')!.payload);
  // cmpctblock: header, nonce, short ids, prefilled transactions (here only the coinbase).
  const r = new Reader(cmpct);
  const header: BlockHeader = blockHeaderCodec.decode(r);
  r.u64le();
  r.skip(6 * r.compactSize());
  assert.equal(r.compactSize(), 1);
  assert.equal(r.compactSize(), 0);
  const coinbase = transactionCodec.decode(r);
  r.end();
  // blocktxn: block hash, then the missing transactions.
  const t = new Reader(txn);
  assert.deepEqual(t.bytes_(32), blockHash(header));
  assert.equal(t.compactSize(), 1);
  const fanOut = transactionCodec.decode(t);
  t.end();
  const block: Block = { header, txs: [coinbase, fanOut] };
  assert.ok(hashEquals(merkleRoot(block.txs.map(txid)), header.merkleRoot));
  assert.equal(fanOut.outputs.length, 20);
  assert.equal(decodeCoinbaseHeight(coinbase.inputs[0].script).height, 113);
  assert.deepEqual(decodeBlock(encodeBlock(block)), block);
  assert.equal(hashToHex(blockHash(header)), '1692546400b94b2b03bd4e2c0babf800901cb25253605aea359c0339f3c1e4df');
});
