import { BitcoinError, BitcoinErrorCode } from '../errors.js';
import { blockProof } from '../primitives/target.js';
import type { BlockHeader } from '../primitives/block.js';

/** What the difficulty rules read of a block: the reference node's CBlockIndex fields. */
export interface HeaderInfo {
  height: number;
  /** Header nTime, seconds. */
  time: number;
  bits: number;
  /** Total work of the chain up to and including this block. Only differences are ever used. */
  chainWork: bigint;
}

/**
 * The chain being extended, as seen from its tip: `at(h)` is the ancestor at height h
 * of the block the next one builds on (undefined if not known). A node backs it with
 * its header index; synchronous because the rules read at most a few dozen headers
 * (up to one 2016-block interval on testnet), which an index keeps in memory.
 */
export interface ChainView {
  at(height: number): HeaderInfo | undefined;
}

/** The ancestor at `height`, or a MissingAncestor error naming it. */
export function ancestor(chain: ChainView, height: number): HeaderInfo {
  const h = chain.at(height);
  if (!h) throw new BitcoinError(BitcoinErrorCode.MissingAncestor, `no header at height ${height}`, `chain.at(${height})`);
  if (h.height !== height) {
    throw new BitcoinError(BitcoinErrorCode.InvalidArgument, `returned the header of height ${h.height}`, `chain.at(${height})`);
  }
  return h;
}

/** Blocks in the median-time-past window. */
export const MEDIAN_TIME_SPAN = 11;

/**
 * Median time past of the block at `height`: the median of its own time and up to ten
 * ancestors' (fewer near genesis), as CBlockIndex::GetMedianTimePast.
 */
export function medianTimePast(chain: ChainView, height: number): number {
  const times: number[] = [];
  for (let h = height; h >= 0 && times.length < MEDIAN_TIME_SPAN; h--) times.push(ancestor(chain, h).time);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/**
 * HeaderInfo for consecutive headers starting at `firstHeight`, accumulating chainwork
 * from `workBefore` (the chainwork of the block below the first; any base works for the
 * difficulty rules, which only use differences).
 */
export function headerInfos(headers: readonly BlockHeader[], firstHeight: number, workBefore = 0n): HeaderInfo[] {
  let work = workBefore;
  return headers.map((h, i) => {
    work += blockProof(h.bits);
    return { height: firstHeight + i, time: h.time, bits: h.bits, chainWork: work };
  });
}

/** A ChainView over an array of consecutive HeaderInfo (e.g. from `headerInfos`). */
export function arrayChainView(infos: readonly HeaderInfo[]): ChainView {
  const first = infos.length > 0 ? infos[0].height : 0;
  return { at: (height) => infos[height - first] };
}
