import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadNodeConfig } from '@metamorph/config';
import { envFromArgs } from '../src/cli-args.js';

describe('node command-line arguments', () => {
  it('--connect / -connect / --addnode add up; values become NODE_* variables', () => {
    const env = envFromArgs(['--connect=127.0.0.1:18444', '-connect=[::1]:18445', '--addnode=10.0.0.2', '--port=18500', '--listen=0', '--whitelist=127.0.0.0/8']);
    assert.deepEqual(env, {
      NODE_P2P_CONNECT: '127.0.0.1:18444,[::1]:18445',
      NODE_P2P_ADDNODE: '10.0.0.2',
      NODE_P2P_PORT: '18500',
      NODE_P2P_LISTEN: '0',
      NODE_P2P_WHITELIST: '127.0.0.0/8',
    });
    const config = loadNodeConfig(env);
    assert.deepEqual(config.p2p.connect, [{ host: '127.0.0.1', port: 18444 }, { host: '::1', port: 18445 }]);
    assert.deepEqual(config.p2p.addNode, [{ host: '10.0.0.2', port: 18444 }]);
    assert.equal(config.p2p.port, 18500);
    assert.equal(config.p2p.listen, false);
    assert.deepEqual(config.p2p.whitelist, ['127.0.0.0/8']);
  });

  it('the reference node\'s chain-state flags: block sizes, fees, stack memory, mempool limits', () => {
    const env = envFromArgs(['-excessiveblocksize=1000000000', '-maxstackmemoryusageconsensus=100000000', '-minminingtxfee=0.00000001', '--maxmempool=300', '--limitancestorcount=25']);
    const config = loadNodeConfig(env);
    assert.equal(config.maxBlockSize, 1_000_000_000);
    assert.equal(config.chainState.maxStackMemoryUsageConsensus, 100_000_000);
    assert.equal(config.mining.minMiningTxFeePerKb, 1n);
    assert.equal(config.mempool.maxSizeBytes, 300_000_000);
    assert.equal(config.mempool.ancestorLimit, 25);
  });

  it('refuses unknown arguments, naming them', () => {
    assert.throws(() => envFromArgs(['--conect=1.2.3.4']), (e: ConfigError) => e.issues[0].variable === '--conect=1.2.3.4' && /not a known argument/.test(e.issues[0].message));
  });
});
