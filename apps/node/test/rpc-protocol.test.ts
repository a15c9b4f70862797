import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { waitFor } from '@metamorph/testing';
import { GENESIS_HEX, TestNode } from './helpers/node-harness.js';

const MAX_BODY = 64 * 1024;

describe('RPC over HTTP: protocol, auth and errors', () => {
  let t: TestNode;
  before(async () => {
    t = await TestNode.start('node_rpc_protocol', {}, { rpc: { maxBodyBytes: MAX_BODY, workQueue: 4 } as never });
  });
  after(async () => {
    await t.close();
  });

  test('no credentials: 401 with a Basic challenge', async () => {
    const r = await t.post('{"method":"getblockcount"}', {}, null);
    assert.equal(r.status, 401);
    assert.equal(r.headers.get('www-authenticate'), 'Basic realm="jsonrpc"');
    assert.equal(r.text, '');
  });

  test('wrong credentials: 401 after a delay', async () => {
    for (const auth of ['metamorph:wrong', 'nobody:metamorph', 'metamorph', '']) {
      const started = Date.now();
      const r = await t.post('{"method":"getblockcount"}', {}, auth);
      assert.equal(r.status, 401, auth);
      assert.ok(Date.now() - started >= 200, 'failed logins are slowed down');
    }
    const r = await t.post('{"method":"getblockcount"}', { authorization: 'Bearer abc' }, null);
    assert.equal(r.status, 401);
  });

  test('only POST to / is served', async () => {
    const get = await fetch(t.url, { headers: { authorization: `Basic ${Buffer.from('metamorph:metamorph').toString('base64')}` } });
    assert.equal(get.status, 405);
    assert.equal(await get.text(), 'JSONRPC server handles only POST requests');
    const other = await fetch(t.url + 'rest/chaininfo.json', { method: 'POST', body: '{}' });
    assert.equal(other.status, 404);
  });

  test('a JSON-RPC 1.0 call: result, error and id', async () => {
    const r = await t.post('{"jsonrpc":"1.0","id":"curltest","method":"getblockcount","params":[]}');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/json');
    assert.equal(r.text, '{"result":0,"error":null,"id":"curltest"}\n');
  });

  test('a JSON-RPC 2.0 call gets the same reply shape; params may be omitted', async () => {
    const r = await t.post('{"jsonrpc":"2.0","id":7,"method":"getbestblockhash"}');
    assert.deepEqual(r.json, { result: GENESIS_HEX, error: null, id: 7 });
    const noId = await t.post('{"method":"getblockcount"}');
    assert.deepEqual(noId.json, { result: 0, error: null, id: null });
  });

  test('parse errors: HTTP 500 with -32700', async () => {
    for (const body of ['{', 'not json', '', '\u0000\u0001\u0002', '[1,2', '{"method": "getblockcount",}']) {
      const r = await t.post(body);
      assert.equal(r.status, 500, JSON.stringify(body));
      assert.deepEqual(r.json, { result: null, error: { code: -32700, message: 'Parse error' }, id: null });
    }
    for (const body of ['5', '"getblockcount"', 'null', 'true']) {
      const r = await t.post(body);
      assert.equal(r.status, 500);
      assert.deepEqual(r.json.error, { code: -32700, message: 'Top-level object parse error' });
    }
  });

  test('invalid requests: HTTP 400 with -32600, keeping the id', async () => {
    const cases: [unknown, string][] = [
      [{ id: 1 }, 'Missing method'],
      [{ id: 2, method: null }, 'Missing method'],
      [{ id: 3, method: 42 }, 'Method must be a string'],
      [{ id: 4, method: 'getblockcount', params: 'x' }, 'Params must be an array or object'],
      [{ id: 5, method: 'getblockcount', params: 3 }, 'Params must be an array or object'],
    ];
    for (const [body, message] of cases) {
      const r = await t.post(JSON.stringify(body));
      assert.equal(r.status, 400, message);
      assert.deepEqual(r.json, { result: null, error: { code: -32600, message }, id: (body as { id: number }).id });
    }
  });

  test('unknown method: HTTP 404 with -32601', async () => {
    const r = await t.post('{"id":"x","method":"getwalletinfo","params":[]}');
    assert.equal(r.status, 404);
    assert.deepEqual(r.json, { result: null, error: { code: -32601, message: 'Method not found' }, id: 'x' });
  });

  test('bad parameters as the reference node reports them', async () => {
    const err = async (method: string, params: unknown) => {
      const r = await t.call(method, params);
      assert.equal(r.status, 500);
      return r.error;
    };
    assert.deepEqual(await err('getblockhash', ['0']), { code: -1, message: 'JSON value is not an integer as expected' });
    assert.deepEqual(await err('getblockhash', [1.5]), { code: -1, message: 'JSON integer out of range' });
    assert.deepEqual(await err('getblockhash', [2 ** 40]), { code: -1, message: 'JSON integer out of range' });
    assert.deepEqual(await err('getblockhash', [-1]), { code: -8, message: 'Block height out of range' });
    assert.deepEqual(await err('getblockhash', [1]), { code: -8, message: 'Block height out of range' });
    assert.deepEqual(await err('getblockheader', [GENESIS_HEX, 5]), { code: -8, message: 'Verbosity value out of range' });
    assert.deepEqual(await err('getblockheader', [GENESIS_HEX, 'loud']), { code: -8, message: 'Verbosity value not recognized' });
    assert.deepEqual(await err('getblockheader', [GENESIS_HEX, null]), { code: -8, message: 'Invalid verbosity input type' });
    assert.deepEqual(await err('getblockheader', ['00'.repeat(32)]), { code: -5, message: 'Block not found' });
    assert.deepEqual(await err('getblockheader', ['xyz']), { code: -5, message: 'Block not found' });
    assert.deepEqual(await err('getblockheader', [7]), { code: -1, message: 'JSON value is not a string as expected' });
    assert.deepEqual(await err('getblocktemplate', ['template']), { code: -1, message: 'JSON value is not an object as expected' });
    assert.deepEqual(await err('getblocktemplate', [{ mode: 'bogus' }]), { code: -8, message: 'Invalid mode' });
    assert.deepEqual(await err('getblocktemplate', [{ mode: 5 }]), { code: -8, message: 'Invalid mode' });
  });

  test('a wrong number of parameters answers with the method help (-1)', async () => {
    const few = await t.call('getblockhash', []);
    assert.equal(few.error.code, -1);
    assert.match(few.error.message, /^getblockhash height\n/);
    const many = await t.call('getblockcount', [1]);
    assert.equal(many.error.code, -1);
    assert.match(many.error.message, /^getblockcount\n/);
  });

  test('named parameters map to positions; unknown names are refused', async () => {
    assert.equal((await t.call('getblockhash', { height: 0 })).result, GENESIS_HEX);
    assert.equal(typeof (await t.call('getblockheader', { blockhash: GENESIS_HEX, verbose: false })).result, 'string');
    const r = await t.call('getblockhash', { height: 0, foo: 1 });
    assert.deepEqual(r.error, { code: -8, message: 'Unknown named parameter foo' });
  });

  test('batches: HTTP 200 with one reply per entry, errors inline', async () => {
    const r = await t.post(
      JSON.stringify([
        { id: 1, method: 'getblockcount' },
        { id: 2, method: 'nosuchmethod' },
        7,
        { id: 4, method: 'getblockhash', params: [99] },
        { id: 5, method: 'getbestblockhash', jsonrpc: '2.0' },
      ]),
    );
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, [
      { result: 0, error: null, id: 1 },
      { result: null, error: { code: -32601, message: 'Method not found' }, id: 2 },
      { result: null, error: { code: -32600, message: 'Invalid Request object' }, id: null },
      { result: null, error: { code: -8, message: 'Block height out of range' }, id: 4 },
      { result: GENESIS_HEX, error: null, id: 5 },
    ]);
    const empty = await t.post('[]');
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.json, []);
  });

  test('oversized bodies are refused with 413', async () => {
    const big = JSON.stringify({ method: 'submitblock', params: ['00'.repeat(MAX_BODY)] });
    const r = await t.post(big);
    assert.equal(r.status, 413);
    // Refused from the declared length too, before reading anything.
    const declared = await rawRequest(t.node.rpcAddress.port, `POST / HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${Buffer.from('metamorph:metamorph').toString('base64')}\r\nContent-Length: ${MAX_BODY * 10}\r\n\r\n`);
    assert.match(declared, /^HTTP\/1\.1 413 /);
    assert.equal(await t.rpc('getblockcount'), 0);
  });

  test('malformed and hostile bodies never take the server down', async () => {
    const hostile = [
      '['.repeat(60_000),
      '{"method":"getblockcount","params":' + '['.repeat(30_000) + ']'.repeat(30_000) + '}',
      '{"method":"submitblock","params":["' + 'g'.repeat(1000) + '"]}',
      '{"method":"submitblock","params":[{"a":1}]}',
      '{"method":"getblock","params":[[], {}]}',
      '{"method":"__proto__","params":[]}',
      '{"method":"toString","params":[]}',
      '{"method":"constructor","params":{}}',
      '{"method":"getblockhash","params":{"__proto__":1}}',
      '{"method":"help","params":[{"x":1}]}',
      '1e999999',
      '{"id":' + '9'.repeat(5000) + ',"method":"getblockcount"}',
    ];
    for (const body of hostile) {
      const r = await t.post(body);
      assert.ok([200, 400, 404, 500].includes(r.status), `status ${r.status} for ${body.slice(0, 40)}`);
      assert.ok(r.json === undefined || 'error' in r.json || Array.isArray(r.json), body.slice(0, 40));
    }
    const raw = await rawRequest(t.node.rpcAddress.port, 'GARBAGE\r\n\r\n\x00\xff');
    assert.match(raw, /^HTTP\/1\.1 400 |^$/);
    assert.equal(await t.rpc('getblockcount'), 0, 'the server still answers');
  });

  test('more requests in progress than the work queue allows get HTTP 500', async () => {
    const longPolls = Array.from({ length: 4 }, () =>
      t.call('getblocktemplate', [{ longpollid: `${GENESIS_HEX}0` }]).catch(() => undefined),
    );
    // Once all four long polls are held, the next request is turned away.
    const r = await waitFor('the work queue to be full', async () => {
      const probe = await t.post('{"method":"getblockcount"}');
      return probe.status === 500 && probe;
    });
    assert.equal(r.status, 500);
    assert.equal(r.text, 'Work queue depth exceeded');
    // A new block releases the long polls, and the queue drains.
    await t.node.chain.acceptBlock(await nextBlockBytes(t), 'rpc');
    const answers = await Promise.all(longPolls);
    for (const a of answers) assert.equal(a?.result?.height, 2);
    assert.equal(await t.rpc('getblockcount'), 1);
  });
});

function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(text, 'latin1'));
    let out = '';
    s.setEncoding('latin1');
    s.on('data', (d) => (out += d));
    s.on('close', () => resolve(out));
    s.on('error', () => resolve(out));
    setTimeout(() => s.destroy(), 2000);
  });
}

async function nextBlockBytes(t: TestNode): Promise<Uint8Array> {
  const { buildBlock, mine } = await import('./helpers/blocks.js');
  const { encodeBlock } = await import('@metamorph/bitcoin');
  const tip = t.node.chain.tip();
  return encodeBlock(mine(buildBlock({ prevHash: tip.hash, height: tip.height + 1, time: tip.header.time + 600 }))).slice();
}
