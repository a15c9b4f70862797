import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, accountingSchema, loadConfig, minerSchema, stratumSchema } from '@metamorph/config';

function issues(fn: () => unknown): Record<string, string> {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return Object.fromEntries(e.issues.map((i) => [i.variable, i.message]));
  }
  assert.fail('expected a ConfigError');
}

test('stratum: regtest defaults need no environment', () => {
  const c = loadConfig(stratumSchema, {});
  assert.equal(c.STRATUM_PORT, 3333);
  assert.equal(c.STRATUM_NODE_RPC_URL, 'http://metamorph:metamorph@127.0.0.1:18332');
  assert.equal(c.STRATUM_POOL_ADDRESS, undefined, 'the stratum fills in its regtest address');
  assert.equal(c.STRATUM_DIFFICULTY, 0.0001);
  assert.equal(c.STRATUM_VARDIFF, true);
  assert.equal(c.STRATUM_INSTANCE_ID, 0);
  assert.equal(c.REDIS_PREFIX, 'mm:');
  assert.equal(c.STRATUM_PROCESSES, 1);
  assert.equal(c.STRATUM_VARDIFF_TARGET_SECONDS, 10);
  assert.equal(c.STRATUM_VERSION_MASK, 0x1fffe000);
  assert.equal(c.STRATUM_MAX_CONNECTIONS_PER_IP, 1000);
  assert.equal(c.tls, undefined);
  assert.equal(c.reconnectTo, undefined);
});

test('stratum: TLS needs a readable certificate and key; the reconnect target is host:port', () => {
  const byVar = issues(() => loadConfig(stratumSchema, { STRATUM_TLS_PORT: '3334', STRATUM_TLS_KEY_FILE: '/nonexistent/key.pem' }));
  assert.match(byVar.STRATUM_TLS_CERT_FILE, /is required when STRATUM_TLS_PORT is set/);
  assert.match(byVar.STRATUM_TLS_KEY_FILE, /"\/nonexistent\/key.pem" cannot be read \(ENOENT\)/);
  assert.match(issues(() => loadConfig(stratumSchema, { STRATUM_TLS_PORT: '3333' })).STRATUM_TLS_PORT, /is also STRATUM_PORT/);
  assert.deepEqual(loadConfig(stratumSchema, { STRATUM_RECONNECT_TO: 'pool2.example:3334' }).reconnectTo, { host: 'pool2.example', port: 3334 });
  assert.match(issues(() => loadConfig(stratumSchema, { STRATUM_RECONNECT_TO: 'pool2.example' })).STRATUM_RECONNECT_TO, /host:port/);
  assert.match(issues(() => loadConfig(stratumSchema, { STRATUM_VERSION_MASK: '1fffe00' })).STRATUM_VERSION_MASK, /8 hex digits/);
  assert.match(issues(() => loadConfig(stratumSchema, { STRATUM_PROCESSES: '17' })).STRATUM_PROCESSES, /from 1 to 16/);
});

test('stratum: the starting difficulty defaults per network and must sit within the bounds', () => {
  assert.equal(loadConfig(stratumSchema, { NETWORK: 'mainnet', STRATUM_POOL_ADDRESS: '1AGNa15ZQXAZUgFiqJ2i7Z2DPU2J6hW62i' }).STRATUM_DIFFICULTY, 65536);
  assert.equal(loadConfig(stratumSchema, { STRATUM_DIFFICULTY: '0.5' }).STRATUM_DIFFICULTY, 0.5);
  assert.match(issues(() => loadConfig(stratumSchema, { STRATUM_DIFFICULTY: '2', STRATUM_MAX_DIFFICULTY: '1' })).STRATUM_DIFFICULTY, /outside/);
  assert.match(issues(() => loadConfig(stratumSchema, { STRATUM_MIN_DIFFICULTY: '5', STRATUM_MAX_DIFFICULTY: '1' })).STRATUM_MIN_DIFFICULTY, /above STRATUM_MAX_DIFFICULTY/);
});

test('stratum: bad values are named; a pool address is required off regtest', () => {
  const byVar = issues(() =>
    loadConfig(stratumSchema, { STRATUM_PORT: '0', STRATUM_NODE_RPC_URL: 'ftp://x', STRATUM_POOL_TAG: 'é', STRATUM_INSTANCE_ID: '256', STRATUM_POLL_INTERVAL_MS: '5' }),
  );
  assert.deepEqual(Object.keys(byVar).sort(), ['STRATUM_INSTANCE_ID', 'STRATUM_NODE_RPC_URL', 'STRATUM_POLL_INTERVAL_MS', 'STRATUM_POOL_TAG', 'STRATUM_PORT']);
  assert.match(issues(() => loadConfig(stratumSchema, { NETWORK: 'testnet' })).STRATUM_POOL_ADDRESS, /is required on testnet/);
  assert.match(issues(() => loadConfig(stratumSchema, { STRATUM_POOL_ADDRESS: 'not an address' })).STRATUM_POOL_ADDRESS, /base58 P2PKH address/);
});

test('accounting: defaults and bounds', () => {
  const c = loadConfig(accountingSchema, {});
  assert.equal(c.ACCOUNTING_BATCH_SIZE, 2000);
  assert.equal(c.ACCOUNTING_BATCH_WAIT_MS, 200);
  assert.equal(c.ACCOUNTING_CLAIM_IDLE_MS, 30_000);
  assert.equal(c.ACCOUNTING_NODE_RPC_URL, 'http://metamorph:metamorph@127.0.0.1:18332');
  assert.equal(c.ACCOUNTING_BLOCK_CHECK_SECONDS, 30);
  assert.match(issues(() => loadConfig(accountingSchema, { ACCOUNTING_BATCH_SIZE: '0' })).ACCOUNTING_BATCH_SIZE, /from 1 to 50000/);
});

test('miner: regtest defaults; addresses required elsewhere; the URL needs a port', () => {
  const c = loadConfig(minerSchema, {});
  assert.equal(c.MINER_STRATUM_URL, 'stratum+tcp://127.0.0.1:3333');
  assert.equal(c.MINER_WORKERS, 4);
  assert.equal(c.MINER_CPU_PERCENT, 25);
  assert.equal(c.MINER_VERSION_ROLLING, true);
  assert.deepEqual(c.MINER_LOCAL_ADDRESSES, []);
  assert.deepEqual(loadConfig(minerSchema, { MINER_LOCAL_ADDRESSES: '127.0.0.2,127.0.0.3' }).MINER_LOCAL_ADDRESSES, ['127.0.0.2', '127.0.0.3']);
  assert.match(issues(() => loadConfig(minerSchema, { MINER_LOCAL_ADDRESSES: '127.0.0.300' })).MINER_LOCAL_ADDRESSES, /IP addresses/);
  assert.deepEqual(c.MINER_ADDRESSES, []);
  assert.deepEqual(loadConfig(minerSchema, { MINER_ADDRESSES: 'mg8Jz5776UdyiYcBb9Z873NTozEiADRW5H, mrzKXEpXfEDHk7vFS3LBXVXoa4YXFcCkje' }).MINER_ADDRESSES, [
    'mg8Jz5776UdyiYcBb9Z873NTozEiADRW5H',
    'mrzKXEpXfEDHk7vFS3LBXVXoa4YXFcCkje',
  ]);
  assert.match(issues(() => loadConfig(minerSchema, { NETWORK: 'mainnet' })).MINER_ADDRESSES, /is required on mainnet/);
  assert.match(issues(() => loadConfig(minerSchema, { MINER_STRATUM_URL: 'stratum+tcp://pool.example' })).MINER_STRATUM_URL, /needs a port/);
  assert.match(issues(() => loadConfig(minerSchema, { MINER_ADDRESSES: 'x0' })).MINER_ADDRESSES, /base58 P2PKH addresses/);
});
