import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeBlock, encodeBlockHeader, regtest, toHex } from '@metamorph/bitcoin';
import { GENESIS_HEX, TestNode } from './helpers/node-harness.js';
import { blockHashHex, buildBlock, mine } from './helpers/blocks.js';

/**
 * Field sets of the reference node's answers (bitcoin-sv v1.2.2 rpc/blockchain.cpp and
 * rpc/mining.cpp), in its order. Conditional fields are listed separately.
 */
const REFERENCE = {
  getblockchaininfo: ['chain', 'blocks', 'headers', 'bestblockhash', 'difficulty', 'mediantime', 'verificationprogress', 'chainwork', 'pruned', 'softforks'],
  softfork: ['id', 'version', 'reject'],
  /** blockheaderToJSON; `size` and `num_tx` need the body, `previousblockhash` a parent, `nextblockhash` a successor. */
  header: ['hash', 'confirmations', 'size', 'height', 'version', 'versionHex', 'merkleroot', 'num_tx', 'time', 'mediantime', 'nonce', 'bits', 'difficulty', 'chainwork', 'previousblockhash', 'nextblockhash', 'status'],
  status: ['validity', 'data', 'undo', 'failed', 'parent failed', 'disk meta', 'soft reject', 'double spend', 'soft consensus frozen'],
  getblocktemplate: ['capabilities', 'version', 'previousblockhash', 'transactions', 'coinbaseaux', 'coinbasevalue', 'longpollid', 'target', 'mintime', 'mutable', 'noncerange', 'sizelimit', 'curtime', 'bits', 'height'],
  getmininginfo: ['blocks', 'currentblocksize', 'currentblocktx', 'difficulty', 'errors', 'networkhashps', 'pooledtx', 'chain'],
  getchaintips: ['height', 'hash', 'branchlen', 'status'],
};

const without = (keys: string[], ...drop: string[]) => keys.filter((k) => !drop.includes(k));

describe('RPC methods: result shapes and values', () => {
  let t: TestNode;
  let stopRequests = 0;
  const blocks: string[] = [];

  before(async () => {
    t = await TestNode.start('node_rpc_methods', { onStopRequested: () => stopRequests++ });
    for (let i = 0; i < 3; i++) blocks.push(blockHashHex((await t.mineBlock()).block));
  });
  after(async () => {
    await t.close();
  });

  test('getblockchaininfo', async () => {
    const info = await t.rpc('getblockchaininfo');
    assert.deepEqual(Object.keys(info), REFERENCE.getblockchaininfo);
    assert.equal(info.chain, 'regtest');
    assert.equal(info.blocks, 3);
    assert.equal(info.headers, 3);
    assert.equal(info.bestblockhash, blocks[2]);
    assert.equal(info.difficulty, 4.656542373906925e-10);
    assert.equal(info.verificationprogress, 1);
    assert.equal(info.chainwork, '0000000000000000000000000000000000000000000000000000000000000008');
    assert.equal(info.pruned, false);
    assert.deepEqual(info.softforks.map((f: any) => [...Object.keys(f), f.id, f.version, f.reject.status]), [
      [...REFERENCE.softfork, 'bip34', 2, false],
      [...REFERENCE.softfork, 'bip66', 3, false],
      [...REFERENCE.softfork, 'bip65', 4, false],
      [...REFERENCE.softfork, 'csv', 5, false],
    ]);
  });

  test('getbestblockhash, getblockcount, getblockhash, getdifficulty', async () => {
    assert.equal(await t.rpc('getbestblockhash'), blocks[2]);
    assert.equal(await t.rpc('getblockcount'), 3);
    assert.equal(await t.rpc('getblockhash', 0), GENESIS_HEX);
    assert.equal(await t.rpc('getblockhash', 2), blocks[1]);
    assert.equal(await t.rpc('getdifficulty'), 4.656542373906925e-10);
  });

  test('getblockheader: the genesis block, verbose', async () => {
    const h = await t.rpc('getblockheader', GENESIS_HEX);
    assert.deepEqual(Object.keys(h), without(REFERENCE.header, 'previousblockhash'));
    assert.deepEqual(Object.keys(h.status), REFERENCE.status);
    assert.deepEqual(h, {
      hash: GENESIS_HEX,
      confirmations: 4,
      size: 285,
      height: 0,
      version: 1,
      versionHex: '00000001',
      merkleroot: '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b',
      num_tx: 1,
      time: 1296688602,
      mediantime: 1296688602,
      nonce: 2,
      bits: '207fffff',
      difficulty: 4.656542373906925e-10,
      chainwork: '0000000000000000000000000000000000000000000000000000000000000002',
      nextblockhash: blocks[0],
      status: {
        validity: 'scripts',
        data: true,
        undo: false,
        failed: false,
        'parent failed': false,
        'disk meta': true,
        'soft reject': false,
        'double spend': false,
        'soft consensus frozen': false,
      },
    });
  });

  test('getblockheader: the tip has a parent and no successor', async () => {
    const h = await t.rpc('getblockheader', blocks[2]);
    assert.deepEqual(Object.keys(h), without(REFERENCE.header, 'nextblockhash'));
    assert.equal(h.previousblockhash, blocks[1]);
    assert.equal(h.confirmations, 1);
    assert.equal(h.versionHex, '20000000');
    assert.equal(h.status.undo, true);
  });

  test('getblockheader verbosity forms', async () => {
    const raw = toHex(encodeBlockHeader(regtest.genesis.header));
    for (const v of [false, 0, '0', 'false', 'FALSE', 'RAW_HEADER', 'raw_header']) assert.equal(await t.rpc('getblockheader', GENESIS_HEX, v), raw, String(v));
    for (const v of [true, 1, '1', 'TRUE', 'DECODE_HEADER']) assert.equal((await t.rpc('getblockheader', GENESIS_HEX, v)).hash, GENESIS_HEX, String(v));
  });

  test('getblockheader of a header whose body is not stored', async () => {
    const tip = t.node.chain.tip();
    const block = mine(buildBlock({ prevHash: tip.hash, height: tip.height + 1, time: tip.header.time + 600, extra: new Uint8Array([7]) }));
    const result = await t.node.chain.acceptHeaders([block.header]);
    assert.equal(result.failed, undefined);
    const h = await t.rpc('getblockheader', blockHashHex(block));
    assert.deepEqual(Object.keys(h), without(REFERENCE.header, 'size', 'num_tx', 'nextblockhash'));
    assert.equal(h.confirmations, -1);
    assert.equal(h.status.validity, 'tree');
    assert.equal(h.status.data, false);
    assert.equal((await t.rpc('getblockchaininfo')).headers, 4);
    assert.deepEqual((await t.call('getblock', [blockHashHex(block), 0])).error, { code: -1, message: `${blockHashHex(block)} not found on disk` });
    assert.deepEqual((await t.call('getblock', [blockHashHex(block)])).error, { code: -1, message: `Block file ${blockHashHex(block)} not available.` });
    const tips = await t.rpc('getchaintips');
    assert.deepEqual(tips[0], { height: 4, hash: blockHashHex(block), branchlen: 1, status: 'headers-only' });
    // Its body arrives later: the reference node answers "duplicate" for a header it already had.
    const { blockHex } = await import('./helpers/blocks.js');
    assert.equal(await t.rpc('submitblock', blockHex(block)), 'duplicate');
    assert.equal(await t.rpc('getbestblockhash'), blockHashHex(block));
    blocks.push(blockHashHex(block));
  });

  test('getblock verbosity 0 to 3', async () => {
    assert.equal(await t.rpc('getblock', GENESIS_HEX, 0), toHex(encodeBlock(regtest.genesis)));
    const b = await t.rpc('getblock', blocks[1]);
    assert.deepEqual(Object.keys(b), ['tx', ...REFERENCE.header]);
    assert.equal(b.tx.length, 1);
    assert.equal(b.hash, blocks[1]);
    assert.equal(b.num_tx, 1);
    const genesis = await t.rpc('getblock', GENESIS_HEX, 'DECODE_HEADER');
    assert.deepEqual(genesis.tx, ['4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b']);
    const decoded = await t.rpc('getblock', blocks[1], 2);
    assert.deepEqual(Object.keys(decoded), ['tx', ...REFERENCE.header]);
    assert.deepEqual(Object.keys(decoded.tx[0]), ['txid', 'hash', 'version', 'size', 'locktime', 'vin', 'vout', 'hex']);
    assert.deepEqual(Object.keys(decoded.tx[0].vin[0]), ['coinbase', 'sequence']);
    assert.equal(decoded.tx[0].txid, b.tx[0]);
    assert.deepEqual(decoded.tx[0].vout[0].scriptPubKey, { asm: '1', hex: '51', type: 'nonstandard' });
    assert.deepEqual(await t.rpc('getblock', blocks[1], 'DECODE_HEADER_AND_COINBASE'), decoded);
    assert.deepEqual((await t.call('getblock', [GENESIS_HEX, 4])).error, { code: -8, message: 'Verbosity value out of range' });
    assert.deepEqual((await t.call('getblock', ['ff'.repeat(32)])).error, { code: -5, message: 'Block not found' });
  });

  test('getblocktemplate', async () => {
    const tpl = await t.rpc('getblocktemplate');
    assert.deepEqual(Object.keys(tpl), REFERENCE.getblocktemplate);
    assert.equal('rules' in tpl, false);
    const tip = await t.rpc('getblockheader', await t.rpc('getbestblockhash'));
    assert.deepEqual(tpl.capabilities, ['proposal']);
    assert.equal(tpl.version, 0x20000000);
    assert.equal(tpl.previousblockhash, tip.hash);
    assert.deepEqual(tpl.transactions, []);
    assert.deepEqual(tpl.coinbaseaux, { flags: '' });
    assert.equal(tpl.coinbasevalue, 5_000_000_000);
    assert.equal(tpl.longpollid, `${tip.hash}0`);
    assert.equal(tpl.target, '7fffff0000000000000000000000000000000000000000000000000000000000');
    assert.equal(tpl.mintime, tip.mediantime + 1);
    assert.deepEqual(tpl.mutable, ['time', 'transactions', 'prevblock']);
    assert.equal(tpl.noncerange, '00000000ffffffff');
    assert.equal(tpl.sizelimit, 128_000_000);
    assert.ok(Math.abs(tpl.curtime - Date.now() / 1000) < 60);
    assert.equal(tpl.bits, '207fffff');
    assert.equal(tpl.height, tip.height + 1);
  });

  test('getmininginfo and getnetworkhashps', async () => {
    const info = await t.rpc('getmininginfo');
    assert.deepEqual(Object.keys(info), REFERENCE.getmininginfo);
    assert.equal(info.blocks, 4);
    assert.equal(info.currentblocktx, 0);
    assert.equal(info.errors, '');
    assert.equal(info.pooledtx, 0);
    assert.equal(info.chain, 'regtest');
    // 4 blocks of work 2 each, 600 s apart (genesis → block 1 is years): positive, finite.
    assert.ok(info.networkhashps > 0 && Number.isFinite(info.networkhashps));
    assert.equal(await t.rpc('getnetworkhashps', 2), Number(((2 * 2) / 1200).toPrecision(16)));
    assert.equal(await t.rpc('getnetworkhashps', 1, 0), 0);
  });

  test('getchaintips', async () => {
    const tips = await t.rpc('getchaintips');
    for (const tip of tips) assert.deepEqual(Object.keys(tip), REFERENCE.getchaintips);
    assert.deepEqual(tips[0], { height: 4, hash: blocks[3], branchlen: 0, status: 'active' });
  });

  test('help, uptime, stop', async () => {
    const help: string = await t.rpc('help');
    assert.match(help, /^== Blockchain ==\n/);
    for (const m of ['getblockchaininfo', 'getbestblockhash', 'getblockcount', 'getblockhash', 'getblockheader', 'getblock', 'getdifficulty', 'getchaintips', 'getblocktemplate', 'submitblock', 'getmininginfo', 'getnetworkhashps', 'help', 'uptime', 'stop']) {
      assert.match(help, new RegExp(`^${m}\\b`, 'm'), m);
    }
    assert.match(await t.rpc('help', 'submitblock'), /^submitblock "hexdata" \( "parameters" \)\n/);
    assert.equal(await t.rpc('help', 'nosuch'), 'help: unknown command: nosuch');
    const up = await t.rpc('uptime');
    assert.ok(Number.isInteger(up) && up >= 0);
    assert.equal(await t.rpc('stop'), 'Metamorph node stopping');
    await new Promise((r) => setImmediate(r));
    assert.equal(stopRequests, 1);
  });
});
