import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadApiConfig, loadWebConfig, WebConfigError } from '@metamorph/config';

test('api: regtest defaults need no environment', () => {
  const c = loadApiConfig({});
  assert.equal(c.API_HOST, '127.0.0.1');
  assert.equal(c.API_PORT, 4000);
  assert.deepEqual(c.API_CORS_ORIGINS, ['*']);
  assert.equal(c.API_HASHRATE_WINDOW_SECONDS, 600);
  assert.equal(c.API_MAX_PAGE_SIZE, 100);
  assert.equal(c.REDIS_PREFIX, 'mm:');
});

test('api: origins are normalised and checked', () => {
  assert.deepEqual(loadApiConfig({ API_CORS_ORIGINS: 'http://127.0.0.1:3000, https://pool.example' }).API_CORS_ORIGINS, ['http://127.0.0.1:3000', 'https://pool.example']);
  assert.throws(
    () => loadApiConfig({ API_CORS_ORIGINS: 'pool.example', API_HASHRATE_WINDOW_SECONDS: '5', API_HOST: 'bad host' }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.deepEqual(e.issues.map((i) => i.variable).sort(), ['API_CORS_ORIGINS', 'API_HASHRATE_WINDOW_SECONDS', 'API_HOST']);
      return true;
    },
  );
});

test('web: defaults, and the WebSocket URL derived from the API URL', () => {
  const c = loadWebConfig({});
  assert.equal(c.NEXT_PUBLIC_API_URL, 'http://127.0.0.1:4000/graphql');
  assert.equal(c.NEXT_PUBLIC_API_WS_URL, 'ws://127.0.0.1:4000/graphql');
  assert.equal(c.WEB_PORT, 3000);
  assert.equal(loadWebConfig({ NEXT_PUBLIC_API_URL: 'https://pool.example/graphql' }).NEXT_PUBLIC_API_WS_URL, 'wss://pool.example/graphql');
  assert.equal(loadWebConfig({ NEXT_PUBLIC_API_WS_URL: 'wss://live.example/graphql' }).NEXT_PUBLIC_API_WS_URL, 'wss://live.example/graphql');
});

test('web: every bad variable is named', () => {
  assert.throws(
    () => loadWebConfig({ WEB_PORT: '0', NEXT_PUBLIC_API_URL: 'ws://x', NEXT_PUBLIC_API_WS_URL: 'http://x' }),
    (e: unknown) => {
      assert.ok(e instanceof WebConfigError);
      const byVar = Object.fromEntries(e.issues.map((i) => [i.variable, i.message]));
      assert.match(byVar.WEB_PORT, /"0" is not a TCP port/);
      assert.match(byVar.NEXT_PUBLIC_API_URL, /http:\/\/ or https:\/\//);
      assert.match(byVar.NEXT_PUBLIC_API_WS_URL, /ws:\/\/ or wss:\/\//);
      return true;
    },
  );
});
