import { fromHex } from './bytes.js';
import { hashFromHex, type Hash32 } from './hash.js';
import { blockHash, type Block } from './primitives/block.js';
import { merkleRoot } from './primitives/merkle.js';
import { encodeCompact } from './primitives/target.js';
import { txid, type Transaction } from './primitives/transaction.js';
import { BitcoinError, BitcoinErrorCode } from './errors.js';

export type NetworkName = 'mainnet' | 'testnet' | 'regtest';
export const NETWORK_NAMES: readonly NetworkName[] = ['mainnet', 'testnet', 'regtest'];

export const COIN = 100_000_000n;
export const MAX_MONEY = 21_000_000n * COIN;
export const COINBASE_MATURITY = 100;

/** An amount consensus accepts for an output or a sum of outputs: 0 … MAX_MONEY satoshis (amount.h MoneyRange). */
export function isMoneyRange(value: bigint): boolean {
  return value >= 0n && value <= MAX_MONEY;
}

export interface Checkpoint {
  height: number;
  hash: Hash32;
}

export interface ChainParams {
  name: NetworkName;
  /** The name the reference node uses in RPC (`getblockchaininfo.chain`). */
  rpcName: 'main' | 'test' | 'regtest';
  netMagic: Uint8Array;
  /** The magic that starts each block in the reference node's blk*.dat files. */
  diskMagic: Uint8Array;
  defaultPort: number;
  rpcPort: number;
  dnsSeeds: readonly string[];
  genesis: Block;
  genesisHash: Hash32;
  powLimit: bigint;
  /** `powLimit` as nBits (the minimum difficulty). */
  powLimitBits: number;
  /** Regtest never retargets. */
  powNoRetargeting: boolean;
  /** Testnet: a block more than 20 minutes after its parent may use the minimum difficulty. */
  powAllowMinDifficultyBlocks: boolean;
  powTargetSpacing: number;
  powTargetTimespan: number;
  subsidyHalvingInterval: number;
  bip34Height: number;
  /** Hash of the block at bip34Height (absent on regtest, where BIP34 never activates). */
  bip34Hash?: Hash32;
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
  /** Block hashes the reference node pins (chainparams.cpp `checkpointData`), ascending by height. */
  checkpoints: readonly Checkpoint[];
  /** A chain with less work than this is not trusted as the best chain (`nMinimumChainWork`). */
  minimumChainWork: bigint;
  /** Signatures below this block are assumed valid by default (`defaultAssumeValid`); zero on regtest. */
  defaultAssumeValid: Hash32;
}

/** Blocks between legacy retargets: timespan / spacing (2016 on every network). */
export function difficultyAdjustmentInterval(p: ChainParams): number {
  return Math.floor(p.powTargetTimespan / p.powTargetSpacing);
}

function checkpoints(list: ReadonlyArray<[number, string]>): readonly Checkpoint[] {
  return Object.freeze(list.map(([height, hex]) => Object.freeze({ height, hash: hashFromHex(hex) })));
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

const GENESIS_MERKLE_ROOT = hashFromHex('4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b');

function withGenesis(p: Omit<ChainParams, 'genesisHash' | 'powLimitBits'>, expectedHash: string): ChainParams {
  const hash = blockHash(p.genesis.header);
  const expected = hashFromHex(expectedHash);
  if (!hash.every((b, i) => b === expected[i])) throw new Error(`${p.name} genesis does not hash to ${expectedHash}`);
  if (!p.genesis.header.merkleRoot.every((b, i) => b === GENESIS_MERKLE_ROOT[i])) {
    throw new Error(`${p.name} genesis merkle root differs from the reference`);
  }
  return Object.freeze({ ...p, genesisHash: hash, powLimitBits: encodeCompact(p.powLimit) });
}

const MAIN_POW_LIMIT = (1n << 224n) - 1n;

export const mainnet: ChainParams = withGenesis(
  {
    name: 'mainnet',
    rpcName: 'main',
    netMagic: new Uint8Array([0xe3, 0xe1, 0xf3, 0xe8]),
    diskMagic: new Uint8Array([0xf9, 0xbe, 0xb4, 0xd9]),
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
    bip34Hash: hashFromHex('000000000000024b89b42a942fe0d9fea3bb44ab7bd1b19115dd6a759c0808b8'),
    bip65Height: 388_381,
    bip66Height: 363_725,
    csvHeight: 419_328,
    p2shHeight: 173_805,
    uahfHeight: 478_558,
    daaHeight: 504_031,
    genesisHeight: 620_538,
    chronicleHeight: 943_816,
    base58: { pubkeyHash: 0x00, scriptHash: 0x05, secretKey: 0x80 },
    checkpoints: checkpoints([
      [11111, '0000000069e244f73d78e8fd29ba2fd2ed618bd6fa2ee92559f542fdb26e7c1d'],
      [33333, '000000002dd5588a74784eaa7ab0507a18ad16a236e7b1ce69f00d7ddfb5d0a6'],
      [74000, '0000000000573993a3c9e41ce34471c079dcf5f52a0e824a81e7f953b8661a20'],
      [105000, '00000000000291ce28027faea320c8d2b054b2e0fe44a773f3eefb151d6bdc97'],
      [134444, '00000000000005b12ffd4cd315cd34ffd4a594f430ac814c91184a0d42d2b0fe'],
      [168000, '000000000000099e61ea72015e79632f216fe6cb33d7899acb35b75c8303b763'],
      [193000, '000000000000059f452a5f7340de6682a977387c17010ff6e6c3bd83ca8b1317'],
      [210000, '000000000000048b95347e83192f69cf0366076336c639f9b7228e9ba171342e'],
      [216116, '00000000000001b4f4b433e81ee46494af945cf96014816a4e2370f11b23df4e'],
      [225430, '00000000000001c108384350f74090433e7fcf79a606b8e797f065b130575932'],
      [250000, '000000000000003887df1f29024b06fc2200b55f8af8f35453d7be294df2d214'],
      [279000, '0000000000000001ae8c72a0b0c301f67e3afca10e819efa9041e458e9bd7e40'],
      [295000, '00000000000000004d9b4ef50f0f9d686fd69db2e03af35a100370c64632a983'],
      [478558, '0000000000000000011865af4122fe3b144e2cbeea86142e8ff2fb4107352d43'],
      [504031, '0000000000000000011ebf65b60d0a3de80b8175be709d653b4c1a1beeb6ab9c'],
      [530359, '0000000000000000011ada8bd08f46074f44a8f155396f43e38acf9501c49103'],
    ]),
    minimumChainWork: 0xa0f3064330647e2f6c4828n,
    defaultAssumeValid: hashFromHex('000000000000000000e45ad2fbcc5ff3e85f0868dd8f00ad4e92dffabe28f8d2'),
  },
  '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
);

export const testnet: ChainParams = withGenesis(
  {
    name: 'testnet',
    rpcName: 'test',
    netMagic: new Uint8Array([0xf4, 0xe5, 0xf3, 0xf4]),
    diskMagic: new Uint8Array([0x0b, 0x11, 0x09, 0x07]),
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
    bip34Hash: hashFromHex('0000000023b3a96d3484e5abb3755c413e7d41500f8e2a5c3f0dd01299cd8ef8'),
    bip65Height: 581_885,
    bip66Height: 330_776,
    csvHeight: 770_112,
    p2shHeight: 519,
    uahfHeight: 1_155_875,
    daaHeight: 1_188_697,
    genesisHeight: 1_344_302,
    chronicleHeight: 1_713_168,
    base58: { pubkeyHash: 0x6f, scriptHash: 0xc4, secretKey: 0xef },
    checkpoints: checkpoints([
      [546, '000000002a936ca763904c3c35fce2f3556c559c0214345d31b1bcebf76acb70'],
      [1155875, '00000000f17c850672894b9a75b63a1e72830bbd5f4c8889b5c1a80e7faef138'],
      [1188697, '0000000000170ed0918077bde7b4d36cc4c91be69fa09211f748240dabe047fb'],
    ]),
    minimumChainWork: 0x2a650f6ff7649485dan,
    defaultAssumeValid: hashFromHex('0000000000327972b8470c11755adf8f4319796bafae01f5a6650490b98a17db'),
  },
  '000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943',
);

export const regtest: ChainParams = withGenesis(
  {
    name: 'regtest',
    rpcName: 'regtest',
    netMagic: new Uint8Array([0xda, 0xb5, 0xbf, 0xfa]),
    diskMagic: new Uint8Array([0xfa, 0xbf, 0xb5, 0xda]),
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
    checkpoints: checkpoints([[0, '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206']]),
    minimumChainWork: 0n,
    defaultAssumeValid: new Uint8Array(32) as Hash32,
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
  if (!Number.isInteger(height) || height < 0) {
    throw new BitcoinError(BitcoinErrorCode.OutOfRange, `height must be a non-negative integer, got ${height}`, 'height');
  }
  const halvings = Math.floor(height / params.subsidyHalvingInterval);
  if (halvings >= 64) return 0n;
  return (50n * COIN) >> BigInt(halvings);
}
