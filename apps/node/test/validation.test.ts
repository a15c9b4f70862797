import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Hash32, hex32, regtest, type Transaction } from '@metamorph/bitcoin';
import { checkSubmittedBlockPolicy, leadingHeight } from '../src/chain/validation/policy.js';
import { isFinalTx } from '../src/chain/validation/transaction.js';
import { contextualCheckBlockHeader } from '../src/chain/validation/header.js';
import { checkBlock } from '../src/chain/validation/block.js';
import { maxBlockSigOpsBeforeGenesis } from '../src/chain/validation/consensus.js';
import { parsedFromBlock } from '../src/chain/parsed-block.js';
import { BlockIndex } from '../src/chain/block-index.js';
import { buildBlock, coinbaseTx, mine } from './helpers/blocks.js';

describe('our coinbase height policy for submitted blocks', () => {
  test('reads the leading height push, minimal or not, and ignores anything else', () => {
    assert.equal(leadingHeight(Buffer.from('035b7a03abcdef', 'hex')), 227931);
    assert.equal(leadingHeight(Buffer.from('51', 'hex')), 1);
    assert.equal(leadingHeight(Buffer.from('03010000', 'hex')), 1, 'non-minimal push of 1');
    assert.equal(leadingHeight(Buffer.from('4c0101', 'hex')), undefined, 'PUSHDATA1 is not a height push');
    assert.equal(leadingHeight(Buffer.from('0181', 'hex')), undefined, 'negative');
    assert.equal(leadingHeight(Buffer.from('0301', 'hex')), undefined, 'truncated');
    assert.equal(leadingHeight(Buffer.from('06010203040506', 'hex')), undefined, 'too long for a height');
    assert.equal(leadingHeight(Buffer.from('ac', 'hex')), undefined);
  });
  test('a height push must match the block; no push is fine', () => {
    const block = (scriptSig: Uint8Array) =>
      parsedFromBlock(buildBlock({ prevHash: new Uint8Array(32) as Hash32, height: 20, time: 1, coinbase: coinbaseTx({ height: 20, scriptSig }) }));
    assert.equal(checkSubmittedBlockPolicy(block(Buffer.from('0114ff', 'hex')), 20), null);
    assert.equal(checkSubmittedBlockPolicy(block(Buffer.from('03140000', 'hex')), 20), null);
    assert.equal(checkSubmittedBlockPolicy(block(Buffer.from('0115ff', 'hex')), 20)?.reason, 'bad-cb-height');
    assert.equal(checkSubmittedBlockPolicy(block(Buffer.from('4c0114', 'hex')), 20), null);
  });
});

describe('transaction finality', () => {
  const tx = (lockTime: number, sequence = 0): Transaction => ({
    version: 1,
    inputs: [{ prevout: { txid: new Uint8Array(32).fill(1) as Hash32, vout: 0 }, script: new Uint8Array(), sequence }],
    outputs: [{ value: 1n, script: new Uint8Array([0x51]) }],
    lockTime,
  });
  test('IsFinalTx', () => {
    assert.ok(isFinalTx(tx(0), 10, 1000));
    assert.ok(isFinalTx(tx(9), 10, 1000), 'height lock below the block height');
    assert.ok(!isFinalTx(tx(10), 10, 1000), 'height lock at the block height');
    assert.ok(isFinalTx(tx(10, 0xffffffff), 10, 1000), 'all inputs final');
    assert.ok(isFinalTx(tx(500_000_000), 10, 500_000_001), 'time lock before the cutoff');
    assert.ok(!isFinalTx(tx(500_000_001), 10, 500_000_001));
  });
});

describe('header and block checks', () => {
  const ctx = { height: 5, prevMedianTimePast: 1000, expectedBits: 0x207fffff, adjustedTime: 2000 };
  const header = { version: 0x20000000, prevHash: new Uint8Array(32) as Hash32, merkleRoot: new Uint8Array(32) as Hash32, time: 1500, bits: 0x207fffff, nonce: 0 };

  test('contextual header rules and their reasons', () => {
    assert.equal(contextualCheckBlockHeader(header, ctx, regtest), null);
    assert.equal(contextualCheckBlockHeader({ ...header, bits: 0x1d00ffff }, ctx, regtest)?.reason, 'bad-diffbits');
    assert.equal(contextualCheckBlockHeader({ ...header, time: 1000 }, ctx, regtest)?.reason, 'time-too-old');
    assert.equal(contextualCheckBlockHeader({ ...header, time: 2000 + 7200 }, ctx, regtest), null, 'exactly two hours ahead is fine');
    assert.equal(contextualCheckBlockHeader({ ...header, time: 2000 + 7201 }, ctx, regtest)?.reason, 'time-too-new');
    assert.equal(contextualCheckBlockHeader({ ...header, version: 2 }, { ...ctx, height: regtest.bip66Height }, regtest)?.reason, 'bad-version(0x00000002)');
    assert.equal(contextualCheckBlockHeader({ ...header, version: 3 }, { ...ctx, height: regtest.bip65Height }, regtest)?.reason, 'bad-version(0x00000003)');
    assert.equal(contextualCheckBlockHeader({ ...header, version: 3 }, { ...ctx, height: regtest.bip65Height - 1 }, regtest), null);
    assert.equal(hex32(-1), 'ffffffff');
  });

  test('size, sigop and coinbase rules', () => {
    const at = (height: number, opts: Parameters<typeof coinbaseTx>[0]) =>
      parsedFromBlock(mine(buildBlock({ prevHash: new Uint8Array(32) as Hash32, height, time: 1, coinbase: coinbaseTx(opts) })));
    const opts = (height: number) => ({ height, maxBlockSize: 1_000_000, checkPoW: true });
    assert.equal(checkBlock(at(5, { height: 5 }), regtest, opts(5)), null);
    assert.equal(checkBlock(at(5, { height: 5 }), regtest, { ...opts(5), maxBlockSize: 100 })?.reason, 'bad-blk-length');
    const manySigOps = { height: 5, outputScript: new Uint8Array(20_001).fill(0xac) };
    assert.equal(checkBlock(at(5, manySigOps), regtest, opts(5))?.reason, 'bad-txn-sigops');
    // After Genesis, sigops are not limited.
    assert.equal(checkBlock(at(regtest.genesisHeight, { ...manySigOps, height: regtest.genesisHeight }), regtest, opts(regtest.genesisHeight)), null);
    assert.equal(checkBlock(at(5, { height: 5, value: -1n }), regtest, opts(5))?.reason, 'bad-txns-vout-negative');
    assert.equal(checkBlock(at(5, { height: 5, value: 21_000_001n * 100_000_000n }), regtest, opts(5))?.reason, 'bad-txns-vout-toolarge');
    assert.equal(checkBlock(at(5, { height: 5, scriptSig: new Uint8Array(101) }), regtest, opts(5))?.reason, 'bad-cb-length');
    assert.equal(maxBlockSigOpsBeforeGenesis(1), 20_000);
    assert.equal(maxBlockSigOpsBeforeGenesis(1_000_001), 40_000);
  });
});

describe('block index bookkeeping', () => {
  test('best candidate, invalidation and undo', () => {
    const index = new BlockIndex();
    const g = regtest.genesis;
    const { entry: genesis } = index.add({ hash: regtest.genesisHash, header: g.header, status: 'VALID', txCount: 1, size: 285 }, null);
    index.pushActive(genesis);
    const block = (prev: typeof genesis, tag: number, withData = true) => {
      const b = mine(buildBlock({ prevHash: prev.hash, height: prev.height + 1, time: prev.header.time + 600, extra: new Uint8Array([tag]) }));
      const p = parsedFromBlock(b);
      return index.add({ hash: p.hash, header: b.header, status: withData ? 'DATA' : 'HEADER', txCount: withData ? 1 : null, size: withData ? p.raw.length : null }, prev).entry;
    };
    const a1 = block(genesis, 1);
    const b1 = block(genesis, 2);
    assert.equal(index.bestCandidate(), a1, 'equal work: the first body to arrive wins');
    const a2 = block(a1, 3, false);
    assert.equal(index.bestCandidate(), a1, 'a header without body is not connectable');
    const a3 = block(a2, 4);
    assert.equal(a3.chainData, false);
    const undoData = index.setData(a2, 1, 100);
    assert.equal(a3.chainData, true);
    assert.equal(index.bestCandidate(), a3);
    assert.equal(index.bestHeader(), a3);
    const undoInvalid = index.markInvalid(a2);
    assert.equal(a3.failedParent, true);
    assert.equal(index.bestCandidate(), a1);
    assert.equal(index.bestHeader().height, 1, 'invalid headers no longer count as the best header');
    undoInvalid();
    assert.equal(index.bestHeader(), a3);
    assert.equal(a3.failedParent, false);
    assert.equal(index.bestCandidate(), a3);
    undoData();
    assert.equal(a3.chainData, false);
    assert.equal(index.bestCandidate(), a1);
    assert.equal(index.findFork(b1), genesis);
    assert.equal(index.ancestor(a3, 1), a1);
  });
});
