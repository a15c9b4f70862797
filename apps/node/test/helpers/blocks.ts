import {
  COIN,
  encodeCoinbaseHeight,
  blockHash,
  checkProofOfWork,
  encodeBlock,
  merkleRoot,
  regtest,
  txid,
  type Block,
  type BlockHeader,
  type Hash32,
  type Transaction,
} from '@metamorph/bitcoin';

/** OP_TRUE: anyone can spend; good enough for test coinbases. */
export const OP_TRUE_SCRIPT = new Uint8Array([0x51]);
export const REGTEST_BITS = 0x207fffff;

export interface CoinbaseOptions {
  height: number;
  value?: bigint;
  /** Bytes after the height push (extranonce, tag). */
  extra?: Uint8Array;
  /** Replace the whole scriptSig. */
  scriptSig?: Uint8Array;
  outputScript?: Uint8Array;
  lockTime?: number;
}

export function coinbaseTx(o: CoinbaseOptions): Transaction {
  const extra = o.extra ?? new Uint8Array([0x08, 0, 0, 0, 0, 0, 0, 0, 0]);
  const scriptSig = o.scriptSig ?? new Uint8Array([...encodeCoinbaseHeight(o.height), ...extra]);
  return {
    version: 1,
    inputs: [{ prevout: { txid: new Uint8Array(32) as Hash32, vout: 0xffffffff }, script: scriptSig, sequence: 0xffffffff }],
    outputs: [{ value: o.value ?? 50n * COIN, script: o.outputScript ?? OP_TRUE_SCRIPT }],
    lockTime: o.lockTime ?? 0,
  };
}

export interface BlockOptions extends Partial<Omit<CoinbaseOptions, 'height'>> {
  prevHash: Hash32;
  height: number;
  time: number;
  bits?: number;
  version?: number;
  /** Transactions after the coinbase. */
  txs?: Transaction[];
  /** Use this coinbase instead of building one. */
  coinbase?: Transaction;
}

/** An unmined block (nonce 0) with a correct merkle root. */
export function buildBlock(o: BlockOptions): Block {
  const coinbase = o.coinbase ?? coinbaseTx({ ...o, height: o.height });
  const txs = [coinbase, ...(o.txs ?? [])];
  const header: BlockHeader = {
    version: o.version ?? 0x20000000,
    prevHash: o.prevHash,
    merkleRoot: merkleRoot(txs.map(txid)),
    time: o.time,
    bits: o.bits ?? REGTEST_BITS,
    nonce: 0,
  };
  return { header, txs };
}

/** Find a nonce meeting the header's target (regtest: about two tries). */
export function mine(block: Block, powLimit = regtest.powLimit): Block {
  const header = { ...block.header };
  while (!checkProofOfWork(blockHash(header), header.bits, powLimit)) header.nonce++;
  return { ...block, header };
}

/** Find a nonce that misses the header's target. */
export function mineFailing(block: Block, powLimit = regtest.powLimit): Block {
  const header = { ...block.header };
  while (checkProofOfWork(blockHash(header), header.bits, powLimit)) header.nonce++;
  return { ...block, header };
}

export function blockHex(block: Block): string {
  return Buffer.from(encodeBlock(block)).toString('hex');
}

/** Display-order hex of a block's hash. */
export function blockHashHex(block: Block): string {
  return Buffer.from(blockHash(block.header)).reverse().toString('hex');
}
