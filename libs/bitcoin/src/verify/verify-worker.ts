/**
 * Worker thread entry of VerifyPool: verifies packed batches with the chain heights and
 * script config it was started with.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { secp256k1Backend } from '../crypto/secp256k1.js';
import type { ScriptConfig } from '../script/script-limits.js';
import { runPackedBatch, type PackedBatch } from './verify-batch.js';
import type { VerifyParams } from './verify-transaction.js';

interface WorkerInit {
  params: VerifyParams;
  config?: ScriptConfig;
}

const { params, config } = workerData as WorkerInit;
const port = parentPort!;

port.postMessage({ type: 'ready', backend: secp256k1Backend().name });

port.on('message', (msg: { id: number; batch: PackedBatch }) => {
  try {
    port.postMessage({ type: 'result', id: msg.id, results: runPackedBatch(msg.batch, params, config) });
  } catch (e) {
    port.postMessage({ type: 'error', id: msg.id, message: e instanceof Error ? e.message : String(e) });
  }
});
