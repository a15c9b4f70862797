import type { ChainParams } from '@metamorph/bitcoin';

/** Consensus constants of the reference node (consensus/consensus.h), in bytes unless named otherwise. */
export const ONE_MEGABYTE = 1_000_000;
export const MAX_TX_SIZE_CONSENSUS_BEFORE_GENESIS = ONE_MEGABYTE;
export const MAX_TX_SIZE_CONSENSUS_AFTER_GENESIS = 1_000_000_000;
export const MAX_TX_SIGOPS_COUNT_BEFORE_GENESIS = 20_000;
export const MAX_BLOCK_SIGOPS_PER_MB_BEFORE_GENESIS = 20_000;
export const MIN_COINBASE_SCRIPTSIG_SIZE = 2;
export const MAX_COINBASE_SCRIPTSIG_SIZE = 100;
/** Serialized size of an empty transaction: the floor used to bound a block's transaction count. */
export const MIN_TRANSACTION_SIZE = 10;
/** A block may be at most this far ahead of the node's clock. */
export const MAX_FUTURE_BLOCK_TIME = 2 * 60 * 60;
/** Below this, nLockTime is a height; from it on, a time. */
export const LOCKTIME_THRESHOLD = 500_000_000;
export const MEDIAN_TIME_SPAN = 11;

/** Rules of the Genesis upgrade (no sigop limits, no new P2SH outputs, 1 GB transactions) apply from its height. */
export function isGenesisActive(params: ChainParams, height: number): boolean {
  return height >= params.genesisHeight;
}

export function maxTxSizeConsensus(params: ChainParams, height: number): number {
  return isGenesisActive(params, height) ? MAX_TX_SIZE_CONSENSUS_AFTER_GENESIS : MAX_TX_SIZE_CONSENSUS_BEFORE_GENESIS;
}

/** Block sigop limit before Genesis: 20,000 per started megabyte of block size. */
export function maxBlockSigOpsBeforeGenesis(blockSize: number): number {
  return (1 + Math.floor((blockSize - 1) / ONE_MEGABYTE)) * MAX_BLOCK_SIGOPS_PER_MB_BEFORE_GENESIS;
}
