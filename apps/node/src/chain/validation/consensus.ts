/** Consensus constants of the reference node used by block validation (the transaction ones live in libs/bitcoin). */
export const ONE_MEGABYTE = 1_000_000;
export const MAX_BLOCK_SIGOPS_PER_MB_BEFORE_GENESIS = 20_000;
/** Serialized size of an empty transaction: the floor used to bound a block's transaction count. */
export const MIN_TRANSACTION_SIZE = 10;
/** A block may be at most this far ahead of the node's clock. */
export const MAX_FUTURE_BLOCK_TIME = 2 * 60 * 60;

/** Block sigop limit before Genesis: 20,000 per started megabyte of block size. */
export function maxBlockSigOpsBeforeGenesis(blockSize: number): number {
  return (1 + Math.floor((blockSize - 1) / ONE_MEGABYTE)) * MAX_BLOCK_SIGOPS_PER_MB_BEFORE_GENESIS;
}
