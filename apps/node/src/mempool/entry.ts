import type { Hash32, ProtocolEra, Transaction } from '@metamorph/bitcoin';

/** Where a transaction came from. */
export type TxSource = 'rpc' | 'p2p' | 'reorg' | 'restart';

/** A transaction in the mempool (the reference node's CTxMemPoolEntry). */
export interface MempoolEntry {
  readonly txid: Hash32;
  /** txidKey(txid). */
  readonly key: string;
  readonly tx: Transaction;
  /** Its exact wire bytes. */
  readonly raw: Uint8Array;
  readonly size: number;
  /** Satoshis. */
  readonly fee: bigint;
  /** When it entered, seconds since the epoch. */
  readonly time: number;
  /** Chain height when it entered. */
  readonly height: number;
  /** Signature operations as block validation counts them before Genesis (legacy plus P2SH). */
  readonly sigOps: number;
  readonly spendsCoinbase: boolean;
  /** Order of entry. */
  readonly seq: number;
  /** The era its scripts were verified for. */
  readonly era: ProtocolEra;
  /** In-mempool transactions it spends from. */
  readonly parents: Set<MempoolEntry>;
  /** In-mempool transactions spending from it. */
  readonly children: Set<MempoolEntry>;
  /**
   * Longest chain of unconfirmed ancestors (0 with none in the mempool): the reference node's
   * `ancestorsCount`, which -limitancestorcount bounds.
   */
  depth: number;
}

/** Why a transaction was refused, as the reference node reports it. */
export interface TxRejection {
  /** Reject code (16 invalid, 64 non-standard, 66 insufficient fee, 256+ internal). */
  code: number;
  /** e.g. `txn-mempool-conflict`, `bad-txns-in-belowout`, `mandatory-script-verify-flag-failed (…)`. */
  reason: string;
  debug?: string;
  /** Some input is neither unspent nor in the mempool (an orphan, or a spend of spent coins). */
  missingInputs?: boolean;
  /** Misbehaviour points a peer sending it earns. */
  banScore: number;
  /** Mempool transactions it conflicts with. */
  conflicts?: Hash32[];
}

export type AcceptResult = { txid: Hash32; accepted: true; entry: MempoolEntry } | { txid: Hash32; accepted: false; rejection: TxRejection };

export function rejection(code: number, reason: string, banScore = 0, debug?: string): TxRejection {
  return debug === undefined ? { code, reason, banScore } : { code, reason, banScore, debug };
}
