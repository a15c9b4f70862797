import {
  PrivateKey,
  addressFromPublicKey,
  addressToScript,
  blockHash,
  checkProofOfWork,
  encodeBlockHeader,
  encodeTransaction,
  merkleRoot,
  sha256,
  txidFromBytes,
  Writer,
  type BlockHeader,
  type Hash32,
} from '@metamorph/bitcoin';
import type { ChainService } from '../chain/chain-service.js';
import { parseBlock } from '../chain/parsed-block.js';
import type { TemplateBuilder } from './template.js';

/** Nonces tried per template before the extranonce changes (the reference node's inner loop). */
const NONCES_PER_TEMPLATE = 0x100000;

/**
 * The key `generate` pays to on regtest (there is no wallet): SHA-256 of the text
 * "metamorph regtest generate". Its WIF is in apps/node/README.md so the coins can be spent
 * with signrawtransaction. Never use it off regtest.
 */
export function generateKey(): PrivateKey {
  return PrivateKey.fromBytes(sha256(new TextEncoder().encode('metamorph regtest generate')));
}

export function generateScript(network: 'regtest' | 'testnet' | 'mainnet'): Uint8Array {
  return addressToScript(addressFromPublicKey(network, generateKey().publicKey().bytes));
}

export type GenerateResult = { hashes: Hash32[] } | { hashes: Hash32[]; failed: string };

/**
 * Mine `count` blocks on the node's own templates, paying `script` (generatetoaddress): each
 * block is built from the mempool, its nonce searched here, and it is submitted like a
 * miner's block. Stops early when `maxTries` nonces are used up, as the reference node does.
 */
export async function generateBlocks(chain: ChainService, templates: TemplateBuilder, count: number, script: Uint8Array, maxTries: number): Promise<GenerateResult> {
  const hashes: Hash32[] = [];
  let tries = maxTries;
  let extraNonce = 0;
  while (hashes.length < count) {
    const t = templates.build();
    const extra = new Uint8Array(8);
    new DataView(extra.buffer).setUint32(0, ++extraNonce, true);
    const coinbase = templates.coinbase(t, script, extra);
    const coinbaseRaw = encodeTransaction(coinbase);
    const txids = [txidFromBytes(coinbaseRaw), ...t.entries.map((e) => e.txid)];
    const header: BlockHeader = { version: t.version, prevHash: t.prevHash, merkleRoot: merkleRoot(txids), time: t.curTime, bits: t.bits, nonce: 0 };
    while (tries > 0 && header.nonce < NONCES_PER_TEMPLATE && !checkProofOfWork(blockHash(header), header.bits, chain.params.powLimit)) {
      header.nonce++;
      tries--;
    }
    if (tries === 0) break;
    if (header.nonce === NONCES_PER_TEMPLATE) continue;
    const w = new Writer(80 + 9 + coinbaseRaw.length + t.txBytes);
    w.bytes(encodeBlockHeader(header)).compactSize(txids.length).bytes(coinbaseRaw);
    for (const e of t.entries) w.bytes(e.raw);
    const result = await chain.acceptBlock(parseBlock(w.finish().slice()), 'rpc');
    if (result.outcome !== 'connected') return { hashes, failed: result.rejection?.reason ?? result.outcome };
    hashes.push(result.hash);
  }
  return { hashes };
}
