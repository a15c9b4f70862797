import { fromHex } from './bytes.js';
import { hashFromHex, type Hash32 } from './hash.js';
import { blockHash, type Block } from './primitives/block.js';
import { merkleRoot } from './primitives/merkle.js';
import { txid, type Transaction } from './primitives/transaction.js';
import { BitcoinError, BitcoinErrorCode } from './errors.js';

export type NetworkName = 'mainnet' | 'testnet' | 'regtest';
export const NETWORK_NAMES: readonly NetworkName[] = ['mainnet', 'testnet', 'regtest'];

export const COIN = 100_000_000n;
export const MAX_MONEY = 21_000_000n * COIN;
export const COINBASE_MATURITY = 100;

export interface ChainParams {
  name: NetworkName;
  /** The name the reference node uses in RPC (`getblockchaininfo.chain`). */
  rpcName: 'main' | 'test' | 'regtest';
  netMagic: Uint8Array;
  defaultPort: number;
  rpcPort: number;
  dnsSeeds: readonly string[];
  genesis: Block;
  genesisHash: Hash32;
  powLimit: bigint;
  /** Regtest never retargets. */
  powNoRetargeting: boolean;
  /** Testnet: a block more than 20 minutes after its parent may use the minimum difficulty. */
  powAllowMinDifficultyBlocks: boolean;
  powTargetSpacing: number;
  powTargetTimespan: number;
  subsidyHalvingInterval: number;
  bip34Height: number;
  bip65Height: number;
  bip66Height: number;
  csvHeight: number;
  p2shHeight: number;
  /** UAHF (August 2017): SIGHASH_FORKID required from this height. */
  uahfHeight: number;
  /** The 144-block chainwork difficulty adjustment applies from this height. */
  daaHeight: number;
  genesisHeight: number;
  chronicleHeight: number;
  base58: { pubkeyHash: number; scriptHash: number; secretKey: number };
}

const GENESIS_TIMESTAMP = new TextEncoder().encode(
  'The Times 03/Jan/2009 Chancellor on brink of second bailout for banks',
);
const GENESIS_PUBKEY = fromHex(
  '04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5f',
);

function genesisBlock(time: number, nonce: number, bits: number): Block {
  // scriptSig: push(486604799 as 4 bytes) push(4) push(timestamp)
  const scriptSig = new Uint8Array([0x04, 0xff, 0xff, 0x00, 0x1d, 0x01, 0x04, 0x45, ...GENESIS_TIMESTAMP]);
  const coinbase: Transaction = {
    version: 1,
    inputs: [{ prevout: { txid: new Uint8Array(32) as Hash32, vout: 0xffffffff }, script: scriptSig, sequence: 0xffffffff }],
    outputs: [{ value: 50n * COIN, script: new Uint8Array([0x41, ...GENESIS_PUBKEY, 0xac]) }],
    lockTime: 0,
  };
  return {
    header: { version: 1, prevHash: new Uint8Array(32) as Hash32, merkleRoot: merkleRoot([txid(coinbase)]), time, bits, nonce },
    txs: [coinbase],
  };
}

function withGenesis(p: Omit<ChainParams, 'genesisHash'>, expectedHash: string): ChainParams {
  const hash = blockHash(p.genesis.header);
  const expected = hashFromHex(expectedHash);
  if (!hash.every((b, i) => b === expected[i])) throw new Error(`${p.name} genesis does not hash to ${expectedHash}`);
  return Object.freeze({ ...p, genesisHash: hash });
}

const MAIN_POW_LIMIT = (1n << 224n) - 1n;

export const mainnet: ChainParams = withGenesis(
  {
    name: 'mainnet',
    rpcName: 'main',
    netMagic: new Uint8Array([0xe3, 0xe1, 0xf3, 0xe8]),
    defaultPort: 8333,
    rpcPort: 8332,
    dnsSeeds: ['seed.bitcoinsv.io', 'seed.satoshisvision.network', 'seed.bitcoinseed.directory'],
    genesis: genesisBlock(1231006505, 2083236893, 0x1d00ffff),
    powLimit: MAIN_POW_LIMIT,
    powNoRetargeting: false,
    powAllowMinDifficultyBlocks: false,
    powTargetSpacing: 600,
    powTargetTimespan: 14 * 24 * 60 * 60,
    subsidyHalvingInterval: 210_000,
    bip34Height: 227_931,
    bip65Height: 388_381,
    bip66Height: 363_725,
    csvHeight: 419_328,
    p2shHeight: 173_805,
    uahfHeight: 478_558,
    daaHeight: 504_031,
    genesisHeight: 620_538,
    chronicleHeight: 943_816,
    base58: { pubkeyHash: 0x00, scriptHash: 0x05, secretKey: 0x80 },
  },
  '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
);

export const testnet: ChainParams = withGenesis(
  {
    name: 'testnet',
    rpcName: 'test',
    netMagic: new Uint8Array([0xf4, 0xe5, 0xf3, 0xf4]),
    defaultPort: 18333,
    rpcPort: 18332,
    dnsSeeds: ['testnet-seed.bitcoinsv.io', 'testnet-seed.bitcoincloud.net', 'testnet-seed.bitcoinseed.directory'],
    genesis: genesisBlock(1296688602, 414098458, 0x1d00ffff),
    powLimit: MAIN_POW_LIMIT,
    powNoRetargeting: false,
    powAllowMinDifficultyBlocks: true,
    powTargetSpacing: 600,
    powTargetTimespan: 14 * 24 * 60 * 60,
    subsidyHalvingInterval: 210_000,
    bip34Height: 21_111,
    bip65Height: 581_885,
    bip66Height: 330_776,
    csvHeight: 770_112,
    p2shHeight: 519,
    uahfHeight: 1_155_875,
    daaHeight: 1_188_697,
    genesisHeight: 1_344_302,
    chronicleHeight: 1_713_168,
    base58: { pubkeyHash: 0x6f, scriptHash: 0xc4, secretKey: 0xef },
  },
  '000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943',
);

export const regtest: ChainParams = withGenesis(
  {
    name: 'regtest',
    rpcName: 'regtest',
    netMagic: new Uint8Array([0xda, 0xb5, 0xbf, 0xfa]),
    defaultPort: 18444,
    rpcPort: 18332,
    dnsSeeds: [],
    genesis: genesisBlock(1296688602, 2, 0x207fffff),
    powLimit: (1n << 255n) - 1n,
    powNoRetargeting: true,
    powAllowMinDifficultyBlocks: true,
    powTargetSpacing: 600,
    powTargetTimespan: 14 * 24 * 60 * 60,
    subsidyHalvingInterval: 150,
    bip34Height: 100_000_000,
    bip65Height: 1351,
    bip66Height: 1251,
    csvHeight: 576,
    p2shHeight: 1,
    uahfHeight: 0,
    daaHeight: 0,
    genesisHeight: 10_000,
    chronicleHeight: 15_000,
    base58: { pubkeyHash: 0x6f, scriptHash: 0xc4, secretKey: 0xef },
  },
  '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206',
);

export const NETWORKS: Readonly<Record<NetworkName, ChainParams>> = { mainnet, testnet, regtest };

export function chainParams(name: string): ChainParams {
  const p = (NETWORKS as Record<string, ChainParams>)[name];
  if (!p) throw new BitcoinError(BitcoinErrorCode.InvalidArgument, `unknown network "${name}"; expected one of ${NETWORK_NAMES.join(', ')}`, 'network');
  return p;
}

/** Block subsidy at `height`: 50 coins halved every interval, zero after 64 halvings. */
export function blockSubsidy(height: number, params: ChainParams): bigint {
  const halvings = Math.floor(height / params.subsidyHalvingInterval);
  if (halvings >= 64) return 0n;
  return (50n * COIN) >> BigInt(halvings);
}
