// Block templates with a full mempool: fill it with independent P2PKH transactions (real
// signatures, varied fees) through the mempool's batch acceptance, then time the template
// build, getblocktemplate and getminingcandidate over HTTP, and how soon TemplateChanged
// reaches Redis after a new tip.
// Usage: node --import tsx bench/node-template.ts [mempoolTxs=100000] [threads=2]
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { blockSubsidy, encodeBlock, regtest, type Block } from '@metamorph/bitcoin';
import { createLogger, loadNodeConfig } from '@metamorph/config';
import { Channel, channelKey } from '@metamorph/queue';
import { createTestDatabase, clearRedisPrefix, testRedisPrefix, TEST_REDIS_URL } from '@metamorph/testing';
import { startNode } from '../apps/node/src/node.js';
import { parseBlock } from '../apps/node/src/chain/parsed-block.js';
import { buildBlock, coinbaseTx, mine } from '../apps/node/test/helpers/blocks.js';
import { TestWallet, coinbaseUtxo, type BuiltTx } from '../apps/node/test/helpers/wallet.js';

const total = Number(process.argv[2] ?? 100_000);
const threads = Number(process.argv[3] ?? 2);
const PER_FUNDING = 5000;
const fundingCount = Math.ceil(total / PER_FUNDING);

const db = await createTestDatabase('bench_node_template');
const prefix = testRedisPrefix('bench_node_template');
await clearRedisPrefix(prefix);
const base = loadNodeConfig({ DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, NODE_SCRIPT_THREADS: String(threads) });
const config = { ...base, rpc: { ...base.rpc, port: 0, maxBodyBytes: 2 ** 31 - 1 } };
const node = await startNode(config, { logger: createLogger('bench', 'error') });
const wallet = new TestWallet('bench');
const auth = `Basic ${Buffer.from('metamorph:metamorph').toString('base64')}`;
const call = async (method: string, params: unknown[] = []) => {
  const res = await fetch(`http://127.0.0.1:${node.rpcAddress.port}/`, { method: 'POST', headers: { authorization: auth }, body: JSON.stringify({ method, params, id: 1 }) });
  const text = await res.text();
  const body = JSON.parse(text) as { result: any; error: any };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return { result: body.result, bytes: text.length };
};

async function connectBlock(txs: BuiltTx[], fees: bigint): Promise<Block> {
  const tip = node.chain.tip();
  const height = tip.height + 1;
  const block = mine(
    buildBlock({ prevHash: tip.hash, height, time: tip.header.time + 1, coinbase: coinbaseTx({ height, value: blockSubsidy(height, regtest) + fees }), txs: txs.map((t) => t.tx) }),
  );
  const r = await node.chain.acceptBlock(parseBlock(encodeBlock(block).slice()), 'peer');
  if (r.outcome !== 'connected') throw new Error(`funding block: ${r.rejection?.reason}`);
  return block;
}

// Funding: coinbases split into 5,000 outputs each, three splits per block (15,000 sigops before Genesis).
const { result: hashes } = await call('generatetoaddress', [100 + fundingCount, wallet.address]);
const funding: BuiltTx[] = [];
for (const h of (hashes as string[]).slice(0, fundingCount)) funding.push(wallet.split(coinbaseUtxo((await call('getblock', [h, 2])).result), PER_FUNDING, 10_000n));
for (let i = 0; i < funding.length; i += 3) await connectBlock(funding.slice(i, i + 3), BigInt(funding.slice(i, i + 3).length) * 10_000n);

let t0 = performance.now();
const txs: BuiltTx[] = [];
for (const f of funding) for (const u of f.outputs) if (txs.length < total) txs.push(wallet.spend([u], [{ value: u.value - 200n - BigInt(txs.length % 997) }]));
const signMs = performance.now() - t0;

t0 = performance.now();
for (let i = 0; i < txs.length; i += 5000) {
  const results = await node.mempool.acceptTransactions(txs.slice(i, i + 5000).map((t) => ({ raw: t.raw, source: 'rpc' as const })));
  const refused = results.find((r) => !r.accepted);
  if (refused && !refused.accepted) throw new Error(`refused: ${refused.rejection.reason}`);
}
const acceptMs = performance.now() - t0;

t0 = performance.now();
const built = node.templates.build();
const buildMs = performance.now() - t0;
t0 = performance.now();
node.templates.build();
const cachedMs = performance.now() - t0;

// Timed to the reply's last byte; reading the 50 MB of JSON is the client's business.
const gbt: number[] = [];
let gbtBytes = 0;
for (let i = 0; i < 3; i++) {
  t0 = performance.now();
  const res = await fetch(`http://127.0.0.1:${node.rpcAddress.port}/`, { method: 'POST', headers: { authorization: auth }, body: '{"method":"getblocktemplate","params":[],"id":1}' });
  gbtBytes = (await res.arrayBuffer()).byteLength;
  gbt.push(performance.now() - t0);
}
const gmc: number[] = [];
for (let i = 0; i < 5; i++) {
  t0 = performance.now();
  await call('getminingcandidate');
  gmc.push(performance.now() - t0);
}

// TemplateChanged after a new tip: an empty block, then one taking 10,000 mempool transactions.
const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });
await redis.connect();
const arrivals: number[] = [];
redis.on('message', () => arrivals.push(performance.now()));
await redis.subscribe(channelKey(prefix, Channel.TemplateChanged));
let tipAt = 0;
node.chain.on('tip', () => (tipAt = performance.now()));
// How long the mempool takes to follow a new block (it runs between the commit and the tip event).
let followMs = 0;
const follow = node.mempool.chainStateChanged.bind(node.mempool);
node.mempool.chainStateChanged = async (steps) => {
  const s0 = performance.now();
  await follow(steps);
  followMs = performance.now() - s0;
};
const latency: { what: string; submitToEvent: number; tipToEvent: number; followMs: number }[] = [];
for (const [what, take] of [
  ['empty block', 0],
  ['block with 10,000 mempool transactions', 10_000],
] as const) {
  const before = arrivals.length;
  t0 = performance.now();
  const chosen = txs.slice(txs.length - take);
  await connectBlock(chosen, chosen.reduce((s, t) => s + (t.tx.inputs.length ? 200n : 0n), 0n) + chosen.reduce((s, _t, i) => s + BigInt((txs.length - take + i) % 997), 0n));
  while (arrivals.length === before) await new Promise((r) => setTimeout(r, 1));
  latency.push({ what, submitToEvent: arrivals[before] - t0, tipToEvent: arrivals[before] - tipAt, followMs });
}
await redis.quit();
const mempoolLeft = node.mempool.size;
await node.stop();
await clearRedisPrefix(prefix);
await db.close();

const fmt = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)} ms`;
console.log(`mempool: ${total} one-input one-output P2PKH transactions, script threads: ${threads}`);
console.log(`signing: ${signMs.toFixed(0)} ms; mempool acceptance (batches of 5,000): ${acceptMs.toFixed(0)} ms, ${(total / (acceptMs / 1000)).toFixed(0)} tx/s`);
console.log(`template build (package selection over ${total}): ${buildMs.toFixed(0)} ms, ${built.transactions.length} transactions chosen; cached: ${cachedMs.toFixed(2)} ms`);
console.log(`getblocktemplate over HTTP: ${fmt(gbt)} (${(gbtBytes / 1e6).toFixed(1)} MB of JSON)`);
console.log(`getminingcandidate over HTTP: ${fmt(gmc)}`);
for (const l of latency) {
  console.log(
    `TemplateChanged after a new tip (${l.what}): ${(l.followMs + l.tipToEvent).toFixed(1)} ms after the commit (mempool update ${l.followMs.toFixed(1)} ms), ${l.submitToEvent.toFixed(0)} ms after the block was handed in`,
  );
}
console.log(`mempool after the blocks: ${mempoolLeft}`);
