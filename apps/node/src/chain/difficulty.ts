import { getNextWorkRequired, type ChainParams, type ChainView, type HeaderInfo } from '@metamorph/bitcoin';
import type { BlockIndex } from './block-index.js';
import type { IndexEntry } from './index-entry.js';

function headerInfo(e: IndexEntry): HeaderInfo {
  return { height: e.height, time: e.header.time, bits: e.header.bits, chainWork: e.chainWork };
}

/**
 * nBits required of a block with header time `blockTime` built on `prev` (GetNextWorkRequired
 * from libs/bitcoin, reading `prev`'s ancestors from the index): regtest never retargets;
 * mainnet and testnet follow the legacy retarget, the EDA and the 144-block DAA.
 */
export function nextWorkRequired(index: BlockIndex, prev: IndexEntry | null, blockTime: number, params: ChainParams): number {
  if (prev === null) return params.powLimitBits;
  const view: ChainView = {
    at: (height) => {
      const e = index.ancestor(prev, height);
      return e && headerInfo(e);
    },
  };
  return getNextWorkRequired(headerInfo(prev), blockTime, view, params);
}
