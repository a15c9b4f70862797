// Node chain figures: getblocktemplate latency, submitblock throughput over HTTP, and start-up
// (index load) time, on a scratch database. Usage: node --import tsx bench/node-chain.ts [blocks=500]
import { performance } from 'node:perf_hooks';
import { blockHash, checkProofOfWork, encodeBlock, hashFromHex, regtest, toHex } from '@metamorph/bitcoin';
import { createLogger, loadNodeConfig } from '@metamorph/config';
import { createTestDatabase, clearRedisPrefix, testRedisPrefix, TEST_REDIS_URL } from '@metamorph/testing';
import { startNode } from '../apps/node/src/node.js';
import { buildBlock } from '../apps/node/test/helpers/blocks.js';

const blocks = Number(process.argv[2] ?? 500);
const db = await createTestDatabase('bench_node_chain');
const prefix = testRedisPrefix('bench_node_chain');
const base = loadNodeConfig({ DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix });
const config = { ...base, rpc: { ...base.rpc, port: 0 } };
const logger = createLogger('bench', 'error');

let node = await startNode(config, { logger });
const auth = `Basic ${Buffer.from('metamorph:metamorph').toString('base64')}`;
const call = async (method: string, params: unknown[] = []) => {
  const res = await fetch(`http://127.0.0.1:${node.rpcAddress.port}/`, { method: 'POST', headers: { authorization: auth }, body: JSON.stringify({ method, params, id: 1 }) });
  const body = (await res.json()) as { result: any; error: any };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
};

const templateMs: number[] = [];
const submitMs: number[] = [];
for (let i = 0; i < blocks; i++) {
  let t0 = performance.now();
  const tpl = await call('getblocktemplate');
  templateMs.push(performance.now() - t0);
  const block = buildBlock({ prevHash: hashFromHex(tpl.previousblockhash), height: tpl.height, time: tpl.curtime, value: BigInt(tpl.coinbasevalue) });
  while (!checkProofOfWork(blockHash(block.header), block.header.bits, regtest.powLimit)) block.header.nonce++;
  const hex = toHex(encodeBlock(block));
  t0 = performance.now();
  const result = await call('submitblock', [hex]);
  submitMs.push(performance.now() - t0);
  if (result !== null) throw new Error(`block ${tpl.height}: ${result}`);
}
await node.stop();
const t0 = performance.now();
node = await startNode(config, { logger });
const loadMs = performance.now() - t0;
await node.stop();
await clearRedisPrefix(prefix);
await db.close();

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))].toFixed(2);
const total = submitMs.reduce((a, b) => a + b, 0);
console.log(`blocks: ${blocks}`);
console.log(`getblocktemplate ms: p50 ${pct(templateMs, 50)}  p99 ${pct(templateMs, 99)}`);
console.log(`submitblock ms:      p50 ${pct(submitMs, 50)}  p99 ${pct(submitMs, 99)}  (${(blocks / (total / 1000)).toFixed(0)} blocks/s)`);
console.log(`restart with ${blocks + 1} blocks: ${loadMs.toFixed(0)} ms`);
