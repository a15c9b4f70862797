import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BitcoinErrorCode as C,
  COIN,
  NETWORKS,
  blockHash,
  blockSubsidy,
  chainParams,
  difficultyAdjustmentInterval,
  hashToHex,
  isMoneyRange,
  MAX_MONEY,
  mainnet,
  merkleRoot,
  regtest,
  testnet,
  toHex,
  txid,
} from '../src/index.js';
import { throwsCode } from './codec-support.js';

test('chain parameters match the reference node (chainparams.cpp, chainparamsbase.cpp)', () => {
  const expect = {
    mainnet: { rpcName: 'main', magic: 'e3e1f3e8', disk: 'f9beb4d9', port: 8333, rpc: 8332, bits: 0x1d00ffff, prefixes: [0, 5, 128], uahf: 478558, daa: 504031, genesis: 620538, chronicle: 943816, bip34: 227931, bip65: 388381, bip66: 363725, csv: 419328, p2sh: 173805, halving: 210000 },
    testnet: { rpcName: 'test', magic: 'f4e5f3f4', disk: '0b110907', port: 18333, rpc: 18332, bits: 0x1d00ffff, prefixes: [111, 196, 239], uahf: 1155875, daa: 1188697, genesis: 1344302, chronicle: 1713168, bip34: 21111, bip65: 581885, bip66: 330776, csv: 770112, p2sh: 519, halving: 210000 },
    regtest: { rpcName: 'regtest', magic: 'dab5bffa', disk: 'fabfb5da', port: 18444, rpc: 18332, bits: 0x207fffff, prefixes: [111, 196, 239], uahf: 0, daa: 0, genesis: 10000, chronicle: 15000, bip34: 100000000, bip65: 1351, bip66: 1251, csv: 576, p2sh: 1, halving: 150 },
  } as const;
  for (const [name, e] of Object.entries(expect)) {
    const p = chainParams(name);
    assert.equal(p.name, name);
    assert.equal(p.rpcName, e.rpcName);
    assert.equal(toHex(p.netMagic), e.magic);
    assert.equal(toHex(p.diskMagic), e.disk);
    assert.equal(p.defaultPort, e.port);
    assert.equal(p.rpcPort, e.rpc);
    assert.equal(p.powLimitBits, e.bits);
    assert.deepEqual([p.base58.pubkeyHash, p.base58.scriptHash, p.base58.secretKey], e.prefixes);
    assert.deepEqual(
      [p.uahfHeight, p.daaHeight, p.genesisHeight, p.chronicleHeight, p.bip34Height, p.bip65Height, p.bip66Height, p.csvHeight, p.p2shHeight, p.subsidyHalvingInterval],
      [e.uahf, e.daa, e.genesis, e.chronicle, e.bip34, e.bip65, e.bip66, e.csv, e.p2sh, e.halving],
    );
    assert.equal(p.powTargetSpacing, 600);
    assert.equal(difficultyAdjustmentInterval(p), 2016);
    assert.ok(Object.isFrozen(p));
  }
  assert.deepEqual([mainnet.powNoRetargeting, testnet.powNoRetargeting, regtest.powNoRetargeting], [false, false, true]);
  assert.deepEqual([mainnet.powAllowMinDifficultyBlocks, testnet.powAllowMinDifficultyBlocks, regtest.powAllowMinDifficultyBlocks], [false, true, true]);
  assert.equal(mainnet.powLimit, (1n << 224n) - 1n);
  assert.equal(regtest.powLimit, (1n << 255n) - 1n);
  assert.equal(mainnet.minimumChainWork, 0xa0f3064330647e2f6c4828n);
  assert.equal(hashToHex(mainnet.bip34Hash!), '000000000000024b89b42a942fe0d9fea3bb44ab7bd1b19115dd6a759c0808b8');
  assert.equal(regtest.bip34Hash, undefined);
});

test('genesis blocks hash to the reference values and their merkle roots check', () => {
  const hashes = {
    mainnet: '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
    testnet: '000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943',
    regtest: '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206',
  };
  for (const [name, p] of Object.entries(NETWORKS)) {
    assert.equal(hashToHex(blockHash(p.genesis.header)), hashes[name as keyof typeof hashes]);
    assert.deepEqual(p.genesisHash, blockHash(p.genesis.header));
    assert.deepEqual(merkleRoot(p.genesis.txs.map(txid)), p.genesis.header.merkleRoot);
    assert.equal(hashToHex(p.genesis.header.merkleRoot), '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b');
  }
});

test('checkpoints are ascending and include the fork blocks', () => {
  for (const p of Object.values(NETWORKS)) {
    for (let i = 1; i < p.checkpoints.length; i++) assert.ok(p.checkpoints[i].height > p.checkpoints[i - 1].height);
  }
  const at = (h: number) => hashToHex(mainnet.checkpoints.find((c) => c.height === h)!.hash);
  assert.equal(at(504031), '0000000000000000011ebf65b60d0a3de80b8175be709d653b4c1a1beeb6ab9c');
  assert.equal(at(478558), '0000000000000000011865af4122fe3b144e2cbeea86142e8ff2fb4107352d43');
  assert.deepEqual(regtest.checkpoints[0].hash, regtest.genesisHash);
});

test('block subsidy halves on schedule and ends after 64 halvings', () => {
  assert.equal(blockSubsidy(0, mainnet), 50n * COIN);
  assert.equal(blockSubsidy(209_999, mainnet), 50n * COIN);
  assert.equal(blockSubsidy(210_000, mainnet), 25n * COIN);
  assert.equal(blockSubsidy(630_000, mainnet), 625_000_000n);
  assert.equal(blockSubsidy(149, regtest), 50n * COIN);
  assert.equal(blockSubsidy(150, regtest), 25n * COIN);
  assert.equal(blockSubsidy(64 * 210_000 - 1, mainnet), 0n);
  assert.equal(blockSubsidy(64 * 210_000, mainnet), 0n);
  let total = 0n;
  for (let era = 0; era < 64; era++) total += blockSubsidy(era * 210_000, mainnet) * 210_000n;
  assert.equal(total, 2_099_999_997_690_000n);
  throwsCode(() => blockSubsidy(-1, mainnet), C.OutOfRange, 'height');
});

test('money range is 0 … 21 million coins', () => {
  assert.equal(MAX_MONEY, 2_100_000_000_000_000n);
  assert.ok(isMoneyRange(0n) && isMoneyRange(MAX_MONEY));
  assert.ok(!isMoneyRange(-1n) && !isMoneyRange(MAX_MONEY + 1n));
});

test('unknown networks are refused, naming the choices', () => {
  const e = throwsCode(() => chainParams('main'), C.InvalidArgument, 'network');
  assert.match(e.message, /mainnet, testnet, regtest/);
});
