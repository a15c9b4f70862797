import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadNodeConfig } from '@metamorph/config';

test('regtest defaults need no variables at all', () => {
  const c = loadNodeConfig({});
  assert.equal(c.network, 'regtest');
  assert.deepEqual(c.rpc, { bind: '127.0.0.1', port: 18332, user: 'metamorph', password: 'metamorph', maxBodyBytes: 0x02000000 + 2 * 128_000_000, workQueue: 64 });
  assert.deepEqual(c.p2p, { bind: '0.0.0.0', port: 18444, listen: true, connect: [], addNode: [], maxPeers: 125, dnsSeed: false, whitelist: [] });
  assert.equal(c.maxBlockSize, 128_000_000);
  assert.equal(c.redisPrefix, 'mm:');
});

test('ports and DNS seeding follow the network', () => {
  const main = loadNodeConfig({ NETWORK: 'mainnet', NODE_RPC_USER: 'u', NODE_RPC_PASSWORD: 'p' });
  assert.equal(main.rpc.port, 8332);
  assert.equal(main.p2p.port, 8333);
  assert.equal(main.p2p.dnsSeed, true);
  const test = loadNodeConfig({ NETWORK: 'testnet', NODE_RPC_USER: 'u', NODE_RPC_PASSWORD: 'p', NODE_P2P_DNS_SEED: 'no' });
  assert.equal(test.rpc.port, 18332);
  assert.equal(test.p2p.port, 18333);
  assert.equal(test.p2p.dnsSeed, false);
});

test('explicit values are parsed into types; peers get the network port when none is given', () => {
  const c = loadNodeConfig({
    NODE_RPC_BIND: '0.0.0.0',
    NODE_RPC_PORT: '28332',
    NODE_RPC_USER: 'pool',
    NODE_RPC_PASSWORD: 's3cret!',
    NODE_RPC_MAX_BODY_BYTES: '1048576',
    NODE_RPC_WORK_QUEUE: '8',
    NODE_P2P_PORT: '28444',
    NODE_P2P_LISTEN: 'false',
    NODE_P2P_CONNECT: '10.0.0.1, [::1]:19000, seed.example',
    NODE_P2P_ADDNODE: '10.0.0.2:18444',
    NODE_P2P_MAX_PEERS: '8',
    NODE_MAX_BLOCK_SIZE: '2000000',
  });
  assert.deepEqual(c.rpc, { bind: '0.0.0.0', port: 28332, user: 'pool', password: 's3cret!', maxBodyBytes: 1_048_576, workQueue: 8 });
  assert.deepEqual(c.p2p.connect, [
    { host: '10.0.0.1', port: 18444 },
    { host: '::1', port: 19000 },
    { host: 'seed.example', port: 18444 },
  ]);
  assert.deepEqual(c.p2p.addNode, [{ host: '10.0.0.2', port: 18444 }]);
  assert.equal(c.p2p.listen, false);
  assert.equal(c.p2p.port, 28444);
  assert.equal(c.p2p.maxPeers, 8);
  assert.equal(c.maxBlockSize, 2_000_000);
  assert.equal(c.rpc.maxBodyBytes, 1_048_576);
});

test('every bad variable is reported at once, by name', () => {
  assert.throws(
    () =>
      loadNodeConfig({
        NETWORK: 'mainnet',
        NODE_RPC_PORT: '0',
        NODE_RPC_USER: 'a:b',
        NODE_P2P_CONNECT: 'not a host',
        NODE_P2P_LISTEN: 'perhaps',
        NODE_MAX_BLOCK_SIZE: '10',
      }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      const byVar = Object.fromEntries(e.issues.map((i) => [i.variable, i.message]));
      assert.deepEqual(Object.keys(byVar).sort(), ['NODE_MAX_BLOCK_SIZE', 'NODE_P2P_CONNECT', 'NODE_P2P_LISTEN', 'NODE_RPC_PASSWORD', 'NODE_RPC_PORT', 'NODE_RPC_USER']);
      assert.match(byVar.NODE_RPC_PORT, /"0" is not a TCP port/);
      assert.match(byVar.NODE_RPC_USER, /without ":"/);
      assert.match(byVar.NODE_RPC_PASSWORD, /is required on mainnet/);
      assert.match(byVar.NODE_MAX_BLOCK_SIZE, /from 1000000/);
      return true;
    },
  );
});

test('mainnet and testnet require RPC credentials', () => {
  assert.throws(() => loadNodeConfig({ NETWORK: 'testnet' }), /NODE_RPC_USER: is required on testnet.*NODE_RPC_PASSWORD: is required on testnet/);
});

test('NODE_P2P_CONNECT turns listening off unless NODE_P2P_LISTEN says otherwise (as -connect implies -listen=0)', () => {
  assert.equal(loadNodeConfig({ NODE_P2P_CONNECT: '127.0.0.1:18444' }).p2p.listen, false);
  assert.equal(loadNodeConfig({ NODE_P2P_CONNECT: '127.0.0.1:18444', NODE_P2P_LISTEN: '1' }).p2p.listen, true);
  assert.equal(loadNodeConfig({ NODE_P2P_ADDNODE: '127.0.0.1:18444' }).p2p.listen, true);
});

test('chain state, mempool and mining settings: defaults by network, fees in BSV parsed exactly', () => {
  const reg = loadNodeConfig({});
  assert.equal(reg.mining.minMiningTxFeePerKb, 1n);
  assert.equal(reg.mining.blockMaxSize, 128_000_000);
  assert.equal(reg.mempool.requireStandard, false);
  assert.equal(reg.mempool.minFeePerKb, 0n);
  assert.equal(reg.mempool.maxTxFee, 10_000_000n);
  assert.equal(reg.mempool.maxSizeBytes, 1_000_000_000);
  assert.equal(reg.mempool.ancestorLimit, 10_000);
  assert.equal(reg.chainState.maxStackMemoryUsageConsensus, 100_000_000);
  const main = loadNodeConfig({ NETWORK: 'mainnet', NODE_RPC_USER: 'u', NODE_RPC_PASSWORD: 'p' });
  assert.equal(main.mining.minMiningTxFeePerKb, 500n);
  assert.equal(main.mempool.requireStandard, true);
  const set = loadNodeConfig({
    NODE_MIN_MINING_TX_FEE: '0.00000250',
    NODE_MEMPOOL_MIN_FEE: '0.0000001',
    NODE_MAX_MEMPOOL: '300',
    NODE_BLOCK_MAX_SIZE: '2000000',
    NODE_MAX_BLOCK_SIZE: '1000000',
    NODE_SCRIPT_THREADS: '0',
    NODE_REQUIRE_STANDARD: 'yes',
  });
  assert.equal(set.mining.minMiningTxFeePerKb, 250n);
  assert.equal(set.mempool.minFeePerKb, 10n);
  assert.equal(set.mempool.maxSizeBytes, 300_000_000);
  assert.equal(set.mining.blockMaxSize, 1_000_000, 'templates never exceed the accepted block size');
  assert.equal(set.chainState.scriptThreads, 0);
  assert.equal(set.mempool.requireStandard, true);
  assert.throws(() => loadNodeConfig({ NODE_MIN_MINING_TX_FEE: '0.000000001' }), /NODE_MIN_MINING_TX_FEE: "0.000000001" is not an amount in BSV with at most 8 decimals/);
  assert.throws(() => loadNodeConfig({ NODE_MAX_TX_FEE: '-1' }), /NODE_MAX_TX_FEE/);
});
