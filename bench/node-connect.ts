// Connecting blocks of 10,000 P2PKH transactions (real keys and FORKID signatures) to the UTXO
// set in Postgres: validation, script verification in worker threads, and the block's writes
// (UTXO deletes/inserts, undo data, tx index, address history) in one transaction.
// Usage: node --import tsx bench/node-connect.ts [txsPerBlock=10000] [blocks=3] [threads=2]
import { performance } from 'node:perf_hooks';
import { blockSubsidy, encodeBlock, regtest, type Block } from '@metamorph/bitcoin';
import { createLogger, loadNodeConfig } from '@metamorph/config';
import { createTestDatabase, clearRedisPrefix, testRedisPrefix, TEST_REDIS_URL } from '@metamorph/testing';
import { startNode, type RunningNode } from '../apps/node/src/node.js';
import { parseBlock } from '../apps/node/src/chain/parsed-block.js';
import { buildBlock, coinbaseTx, mine } from '../apps/node/test/helpers/blocks.js';
import { TestWallet, coinbaseUtxo, type BuiltTx, type Utxo } from '../apps/node/test/helpers/wallet.js';

const perBlock = Number(process.argv[2] ?? 10_000);
const blockCount = Number(process.argv[3] ?? 3);
const threads = Number(process.argv[4] ?? 2);

const db = await createTestDatabase('bench_node_connect');
const prefix = testRedisPrefix('bench_node_connect');
const base = loadNodeConfig({ DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, NODE_SCRIPT_THREADS: String(threads) });
const config = { ...base, rpc: { ...base.rpc, port: 0 } };
const logger = createLogger('bench', process.env.BENCH_LOG === 'debug' ? 'debug' : 'error');
const wallet = new TestWallet('bench');

let node: RunningNode = await startNode(config, { logger });
const auth = `Basic ${Buffer.from('metamorph:metamorph').toString('base64')}`;
const call = async (method: string, params: unknown[] = []) => {
  const res = await fetch(`http://127.0.0.1:${node.rpcAddress.port}/`, { method: 'POST', headers: { authorization: auth }, body: JSON.stringify({ method, params, id: 1 }) });
  const body = (await res.json()) as { result: any; error: any };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
};

async function nextBlock(txs: BuiltTx[], fees: bigint): Promise<Block> {
  const tip = node.chain.tip();
  const height = tip.height + 1;
  return mine(
    buildBlock({
      prevHash: tip.hash,
      height,
      time: tip.header.time + 1,
      coinbase: coinbaseTx({ height, value: blockSubsidy(height, regtest) + fees }),
      txs: txs.map((t) => t.tx),
    }),
  );
}

async function connect(block: Block): Promise<number> {
  const p = parseBlock(encodeBlock(block).slice());
  const t0 = performance.now();
  const r = await node.chain.acceptBlock(p, 'peer');
  const ms = performance.now() - t0;
  if (r.outcome !== 'connected') throw new Error(`block not connected: ${r.outcome} ${r.rejection?.reason} ${r.rejection?.debug}`);
  return ms;
}

// Funding: one coinbase per measured block, each split into `perBlock` outputs in one block.
const hashes: string[] = await call('generatetoaddress', [100 + blockCount, wallet.address]);
const funding: BuiltTx[] = [];
for (const h of hashes.slice(0, blockCount)) {
  const cb: Utxo = coinbaseUtxo(await call('getblock', [h, 2]));
  funding.push(wallet.split(cb, perBlock, 10_000n));
}
await connect(await nextBlock(funding, BigInt(blockCount) * 10_000n));

const t0 = performance.now();
const spends: BuiltTx[][] = funding.map((f) => f.outputs.map((u) => wallet.spend([u], [{ value: u.value - 200n }])));
const signMs = performance.now() - t0;
const results: { ms: number; cache: string }[] = [];
for (let i = 0; i < blockCount; i++) {
  if (i === blockCount - 1 && blockCount > 1) {
    // The last block after a restart: its coins come from Postgres, not the cache.
    await node.stop();
    node = await startNode(config, { logger });
  }
  const block = await nextBlock(spends[i], BigInt(perBlock) * 200n);
  const ms = await connect(block);
  results.push({ ms, cache: i === blockCount - 1 && blockCount > 1 ? 'cold (after restart)' : 'warm' });
}
const sizeMb = (encodeBlock(await nextBlock(spends[0], 0n)).length / 1e6).toFixed(2);
await node.stop();
await clearRedisPrefix(prefix);
await db.close();

console.log(`blocks of ${perBlock} one-input one-output P2PKH transactions (${sizeMb} MB), script threads: ${threads}`);
console.log(`signing ${perBlock * blockCount} transactions: ${signMs.toFixed(0)} ms`);
for (const [i, r] of results.entries()) {
  const txs = perBlock / (r.ms / 1000);
  const ops = (2 * perBlock) / (r.ms / 1000);
  console.log(`block ${i + 1} (${r.cache}): ${r.ms.toFixed(0)} ms — ${txs.toFixed(0)} tx/s validated and written, ${ops.toFixed(0)} UTXO ops/s (spent + created)`);
}
