import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { ConfigError, envBool, envInt, envList, envPort, envUrl, loadConfig, parseHostPort, sharedEnv } from '@metamorph/config';

const schema = z.object({
  ...sharedEnv,
  APP_PORT: envPort(3000),
  APP_WORKERS: envInt(4, 1, 64),
  APP_TLS: envBool(false),
  APP_PEERS: envList('host:port', (s) => parseHostPort(s, 18444)),
  APP_SECRET: envUrl(['http:']),
});

test('defaults apply when variables are absent or empty', () => {
  const c = loadConfig(schema, { APP_PORT: '', APP_SECRET: 'http://x' });
  assert.equal(c.APP_PORT, 3000);
  assert.equal(c.NETWORK, 'regtest');
  assert.equal(c.APP_WORKERS, 4);
  assert.deepEqual(c.APP_PEERS, []);
});

test('values are parsed once into types', () => {
  const c = loadConfig(schema, { APP_PORT: '8080', APP_WORKERS: '8', APP_TLS: 'yes', APP_PEERS: '127.0.0.1:1, [::1], node.example', APP_SECRET: 'http://x' });
  assert.equal(c.APP_PORT, 8080);
  assert.equal(c.APP_TLS, true);
  assert.deepEqual(c.APP_PEERS, [{ host: '127.0.0.1', port: 1 }, { host: '::1', port: 18444 }, { host: 'node.example', port: 18444 }]);
});

test('every bad variable is named with what was expected', () => {
  assert.throws(
    () => loadConfig(schema, { APP_PORT: '70000', APP_WORKERS: 'two', NETWORK: 'bitcoin', DATABASE_URL: 'mysql://x' }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      const byVar = Object.fromEntries(e.issues.map((i) => [i.variable, i.message]));
      assert.match(byVar.APP_PORT, /"70000" is not a TCP port/);
      assert.match(byVar.APP_WORKERS, /"two" is not an integer from 1 to 64/);
      assert.match(byVar.NETWORK, /one of mainnet, testnet, regtest/);
      assert.match(byVar.DATABASE_URL, /postgresql:\/\//);
      assert.match(byVar.APP_SECRET, /is required/);
      return true;
    },
  );
});
