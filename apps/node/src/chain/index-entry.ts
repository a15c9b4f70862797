import { bigIntToBytesLE, bytesToBigIntLE, reverseBytes, toHex, type BlockHeader, type Hash32 } from '@metamorph/bitcoin';

/** As stored in `block_index.status`. */
export type BlockStatus = 'HEADER' | 'DATA' | 'VALID' | 'INVALID';

/** One header the node knows, on any branch (the reference node's CBlockIndex). */
export interface IndexEntry {
  readonly hash: Hash32;
  /** Map key: the hash in internal byte order as hex. */
  readonly key: string;
  readonly header: BlockHeader;
  readonly height: number;
  readonly prev: IndexEntry | null;
  /** Total work of the chain up to and including this block. */
  readonly chainWork: bigint;
  status: BlockStatus;
  /** An ancestor is invalid (never persisted: derived from the ancestors' status). */
  failedParent: boolean;
  /** Set once the body is stored. */
  txCount: number | null;
  size: number | null;
  /** This block and every ancestor have their bodies stored, so the chain up to here can be connected. */
  chainData: boolean;
  /**
   * Order in which the block's body arrived (NO_SEQ while only the header is known): between
   * chains of equal work, the one whose tip arrived first wins (the reference node's nSequenceId).
   */
  seq: number;
  readonly children: IndexEntry[];
  /** Cached median time past. */
  mtp?: number;
}

export const NO_SEQ = Number.MAX_SAFE_INTEGER;

/** `a` is a better tip than `b`: more work, or equal work and its body arrived first. */
export function betterTip(a: IndexEntry, b: IndexEntry): boolean {
  return a.chainWork > b.chainWork || (a.chainWork === b.chainWork && a.seq < b.seq);
}

export function keyOf(hash: Uint8Array): string {
  return toHex(hash);
}

export function hasData(e: IndexEntry): boolean {
  return e.txCount !== null;
}

export function isInvalid(e: IndexEntry): boolean {
  return e.status === 'INVALID' || e.failedParent;
}

/** Chainwork as stored: 32 bytes big-endian, so bytea order is numeric order. */
export function workToBytes(work: bigint): Uint8Array {
  return reverseBytes(bigIntToBytesLE(work, 32));
}

export function workFromBytes(bytes: Uint8Array): bigint {
  return bytesToBigIntLE(reverseBytes(bytes));
}

/** Chainwork as the reference node prints it: 64 hex digits. */
export function workToHex(work: bigint): string {
  return work.toString(16).padStart(64, '0');
}
