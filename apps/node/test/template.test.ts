import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  blockHash,
  checkProofOfWork,
  coinbaseMerkleBranch,
  encodeBlock,
  encodeCoinbaseHeight,
  encodeTransaction,
  hashFromHex,
  merkleRootFromBranch,
  sha256d,
  toHex,
  type BlockHeader,
  type Hash32,
} from '@metamorph/bitcoin';
import { TestNode } from './helpers/node-harness.js';
import { blockHashHex, buildBlock, mine } from './helpers/blocks.js';

/**
 * Build a block from a getblocktemplate answer the way a Stratum pool and miner do: the
 * coinbase split around extranonce1/extranonce2, the merkle root folded from the branch,
 * the header from version/previousblockhash/curtime/bits, then nonces until the target is met.
 */
function blockFromTemplate(tpl: any, extranonce1: Uint8Array, extranonce2: Uint8Array, payTo = new Uint8Array([0x51])) {
  const heightPush = encodeCoinbaseHeight(tpl.height);
  const scriptSigLength = heightPush.length + extranonce1.length + extranonce2.length;
  // coinb1 | extranonce1 | extranonce2 | coinb2
  const coinb1 = new Uint8Array([
    ...[1, 0, 0, 0], // version
    1, // one input
    ...new Uint8Array(32),
    ...[0xff, 0xff, 0xff, 0xff],
    scriptSigLength,
    ...heightPush,
  ]);
  const value = new Uint8Array(8);
  new DataView(value.buffer).setBigUint64(0, BigInt(tpl.coinbasevalue), true);
  const coinb2 = new Uint8Array([...[0xff, 0xff, 0xff, 0xff], 1, ...value, payTo.length, ...payTo, 0, 0, 0, 0]);
  const coinbase = new Uint8Array([...coinb1, ...extranonce1, ...extranonce2, ...coinb2]);
  const others = tpl.transactions.map((tx: any) => hashFromHex(tx.txid));
  const merkleRoot = merkleRootFromBranch(sha256d(coinbase), coinbaseMerkleBranch(others));
  const header: BlockHeader = {
    version: tpl.version,
    prevHash: hashFromHex(tpl.previousblockhash),
    merkleRoot,
    time: tpl.curtime,
    bits: parseInt(tpl.bits, 16),
    nonce: 0,
  };
  const target = BigInt('0x' + tpl.target);
  while (!checkProofOfWork(blockHash(header), header.bits, target)) header.nonce++;
  const txCount = 1 + tpl.transactions.length;
  const hex =
    toHex(encodeBlock({ header, txs: [] }).subarray(0, 80)) +
    txCount.toString(16).padStart(2, '0') +
    toHex(coinbase) +
    tpl.transactions.map((tx: any) => tx.data).join('');
  return { hex, header, hash: Buffer.from(blockHash(header)).reverse().toString('hex') };
}

describe('getblocktemplate → block → submitblock', () => {
  let t: TestNode;
  before(async () => {
    t = await TestNode.start('node_template');
  });
  after(async () => {
    await t.close();
  });

  test('blocks built from templates as a pool builds them are accepted, across heights and a halving', async () => {
    const extranonce1 = new Uint8Array([0xde, 0xad, 0xbe, 0xef]);
    for (let i = 1; i <= 152; i++) {
      const tpl = await t.rpc('getblocktemplate');
      assert.equal(tpl.height, i);
      assert.equal(tpl.coinbasevalue, i < 150 ? 5_000_000_000 : 2_500_000_000, `subsidy at ${i}`);
      const extranonce2 = new Uint8Array([0, 0, 0, i & 0xff]);
      const block = blockFromTemplate(tpl, extranonce1, extranonce2);
      const result = await t.rpc('submitblock', block.hex);
      assert.equal(result, null, `height ${i}: ${result}`);
      assert.equal(await t.rpc('getbestblockhash'), block.hash);
    }
    assert.equal(await t.rpc('getblockcount'), 152);
  });

  test('a template carrying mempool transactions, built into a block as a pool builds it, is accepted', async () => {
    // Coinbases here pay OP_TRUE: an empty scriptSig spends them.
    const spend = (coinbaseTxid: string, fee: number) =>
      toHex(
        encodeTransaction({
          version: 1,
          inputs: [{ prevout: { txid: hashFromHex(coinbaseTxid), vout: 0 }, script: new Uint8Array(0), sequence: 0xffffffff }],
          outputs: [{ value: 5_000_000_000n - BigInt(fee), script: new Uint8Array([0x51]) }],
          lockTime: 0,
        }),
      );
    const txids: string[] = [];
    for (const [h, fee] of [[1, 300], [2, 700]] as const) {
      const cb = (await t.rpc('getblock', await t.rpc('getblockhash', h))).tx[0];
      txids.push(await t.rpc('sendrawtransaction', spend(cb, fee)));
    }
    const tpl = await t.rpc('getblocktemplate');
    assert.deepEqual(tpl.transactions.map((x: any) => x.txid).sort(), [...txids].sort());
    assert.equal(tpl.coinbasevalue, 2_500_000_000 + 1000);
    const block = blockFromTemplate(tpl, new Uint8Array([9, 9, 9, 9]), new Uint8Array([0, 0, 0, 9]));
    assert.equal(await t.rpc('submitblock', block.hex), null);
    assert.deepEqual(await t.rpc('getrawmempool'), []);
  });

  test('a template block claiming more than coinbasevalue is refused', async () => {
    const tpl = await t.rpc('getblocktemplate');
    const block = blockFromTemplate({ ...tpl, coinbasevalue: tpl.coinbasevalue + 1 }, new Uint8Array(4), new Uint8Array(4));
    assert.equal(await t.rpc('submitblock', block.hex), 'bad-cb-amount');
  });

  test('a template built on an old tip no longer connects', async () => {
    const stale = await t.rpc('getblocktemplate');
    assert.equal(await t.rpc('submitblock', blockFromTemplate(stale, new Uint8Array(4), new Uint8Array([1, 1, 1, 1])).hex), null);
    const late = blockFromTemplate(stale, new Uint8Array(4), new Uint8Array([2, 2, 2, 2]));
    assert.equal(await t.rpc('submitblock', late.hex), 'inconclusive');
  });

  test('proposals are checked without proof of work', async () => {
    const tpl = await t.rpc('getblocktemplate');
    const block = blockFromTemplate(tpl, new Uint8Array(4), new Uint8Array([3, 3, 3, 3]));
    // Change the nonce so the hash is arbitrary: proposals ignore proof of work.
    const unmined = block.hex.slice(0, 152) + 'ffffffff' + block.hex.slice(160);
    assert.equal(await t.rpc('getblocktemplate', { mode: 'proposal', data: unmined }), null);
    const badRoot = unmined.slice(0, 72) + '00'.repeat(32) + unmined.slice(136);
    assert.equal(await t.rpc('getblocktemplate', { mode: 'proposal', data: badRoot }), 'bad-txnmrklroot');
    const tooRich = blockFromTemplate({ ...tpl, coinbasevalue: tpl.coinbasevalue * 2 }, new Uint8Array(4), new Uint8Array(4));
    assert.equal(await t.rpc('getblocktemplate', { mode: 'proposal', data: tooRich.hex }), 'bad-cb-amount');
    const oldTime = blockFromTemplate({ ...tpl, curtime: tpl.mintime - 1 }, new Uint8Array(4), new Uint8Array(4));
    assert.equal(await t.rpc('getblocktemplate', { mode: 'proposal', data: oldTime.hex }), 'time-too-old');
    // Submitted for real, the same block is then a duplicate proposal.
    assert.equal(await t.rpc('submitblock', block.hex), null);
    assert.equal(await t.rpc('getblocktemplate', { mode: 'proposal', data: block.hex }), 'duplicate');
    assert.equal(await t.rpc('getblocktemplate', { mode: 'proposal', data: unmined }), 'inconclusive-not-best-prevblk');
    assert.deepEqual((await t.call('getblocktemplate', [{ mode: 'proposal' }])).error, { code: -3, message: 'Missing data String key for proposal' });
    assert.deepEqual((await t.call('getblocktemplate', [{ mode: 'proposal', data: 'abc' }])).error, { code: -22, message: 'Block decode failed' });
  });

  test('long polling answers when the tip changes', async () => {
    const tpl = await t.rpc('getblocktemplate');
    let answered = false;
    const poll = t.rpc('getblocktemplate', { longpollid: tpl.longpollid }).then((r) => {
      answered = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(answered, false, 'no answer while the tip is unchanged');
    const block = blockFromTemplate(tpl, new Uint8Array(4), new Uint8Array([4, 4, 4, 4]));
    assert.equal(await t.rpc('submitblock', block.hex), null);
    const next = await poll;
    assert.equal(next.previousblockhash, block.hash);
    assert.equal(next.height, tpl.height + 1);
    // A stale long-poll id answers at once.
    const immediate = await t.rpc('getblocktemplate', { longpollid: tpl.longpollid });
    assert.equal(immediate.previousblockhash, block.hash);
  });

  test('templates never carry a time the node would refuse', async () => {
    const tpl = await t.rpc('getblocktemplate');
    assert.ok(tpl.curtime >= tpl.mintime);
    const header = await t.rpc('getblockheader', tpl.previousblockhash);
    assert.equal(tpl.mintime, header.mediantime + 1);
  });
});

describe('templates when the clock is behind the chain', () => {
  let t: TestNode;
  let now = 0;
  before(async () => {
    t = await TestNode.start('node_template_clock', { clock: () => now });
    now = 1296688602 + 3600; // an hour after the genesis block
  });
  after(async () => {
    await t.close();
  });

  test('curtime never goes below mintime, and the block is accepted', async () => {
    // Blocks 10 minutes apart move the median time past ahead of the (stopped) clock.
    for (let i = 0; i < 12; i++) assert.equal((await t.mineBlock()).result, null);
    const tpl = await t.rpc('getblocktemplate');
    assert.ok(tpl.mintime > now, 'the chain is ahead of the clock');
    assert.equal(tpl.curtime, tpl.mintime);
    const tip = t.node.chain.tip();
    const block = mine(buildBlock({ prevHash: tip.hash as Hash32, height: tpl.height, time: tpl.curtime }));
    assert.equal(await t.rpc('submitblock', toHex(encodeBlock(block))), null);
    assert.equal(await t.rpc('getbestblockhash'), blockHashHex(block));
  });
});

// Keep the helper's coinbase layout honest: it must decode as the transaction it claims to be.
test('the pool-style coinbase serialises as a transaction', () => {
  const tpl = { height: 300, coinbasevalue: 625000000, transactions: [], version: 0x20000000, previousblockhash: '00'.repeat(32), curtime: 1, bits: '207fffff', target: '7fffff' + '00'.repeat(29) };
  const { hex } = blockFromTemplate(tpl, new Uint8Array(4), new Uint8Array(8));
  const raw = Buffer.from(hex, 'hex');
  const tx = raw.subarray(81);
  assert.equal(toHex(encodeTransaction({
    version: 1,
    inputs: [{ prevout: { txid: new Uint8Array(32) as Hash32, vout: 0xffffffff }, script: new Uint8Array([...encodeCoinbaseHeight(300), ...new Uint8Array(12)]), sequence: 0xffffffff }],
    outputs: [{ value: 625000000n, script: new Uint8Array([0x51]) }],
    lockTime: 0,
  })), toHex(tx));
});

describe('templates on mainnet and testnet (difficulty from libs/bitcoin)', () => {
  for (const network of ['mainnet', 'testnet'] as const) {
    test(`${network}: the block after genesis needs the minimum difficulty`, async () => {
      const t = await TestNode.start(`node_template_${network}`, {}, { network });
      try {
        const tpl = await t.rpc('getblocktemplate');
        assert.equal(tpl.height, 1);
        assert.equal(tpl.bits, '1d00ffff');
        assert.equal(tpl.target, '00000000ffff0000000000000000000000000000000000000000000000000000');
        assert.equal(tpl.coinbasevalue, 5_000_000_000);
        assert.equal((await t.rpc('getblockchaininfo')).chain, network === 'mainnet' ? 'main' : 'test');
      } finally {
        await t.close();
      }
    });
  }
});
