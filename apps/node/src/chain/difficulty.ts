import { encodeCompact, type ChainParams } from '@metamorph/bitcoin';
import { NodeError, NodeErrorCode } from '../errors.js';
import type { IndexEntry } from './index-entry.js';

/** nBits of the easiest block the network allows. */
export function powLimitBits(params: ChainParams): number {
  return encodeCompact(params.powLimit);
}

/**
 * nBits required of a block with header time `blockTime` built on `prev` (GetNextWorkRequired).
 * Regtest never retargets: the parent's bits. The mainnet/testnet rules (legacy retarget, EDA,
 * the 144-block DAA) arrive with libs/bitcoin's difficulty module; until then those networks
 * cannot validate or template beyond their genesis block.
 */
export function nextWorkRequired(prev: IndexEntry | null, _blockTime: number, params: ChainParams): number {
  if (prev === null) return powLimitBits(params);
  if (params.powNoRetargeting) return prev.header.bits;
  throw new NodeError(NodeErrorCode.NotSupported, `difficulty adjustment for ${params.name} is not implemented yet`);
}
