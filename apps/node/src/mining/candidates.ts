import {
  Op,
  encodeTransaction,
  merkleRoot,
  txid as txidOf,
  type Block,
  type BlockHeader,
  type Hash32,
  type Transaction,
} from '@metamorph/bitcoin';
import type { BlockTemplate, TemplateBuilder } from './template.js';

/** A block handed out by getminingcandidate, waiting for its proof of work. */
export interface MiningCandidate {
  id: number;
  template: BlockTemplate;
  coinbase: Transaction;
  /** Every transaction after the coinbase, in block order. */
  txs: Transaction[];
  txRaws: Uint8Array[];
  /** The header time the candidate was built with. */
  time: number;
  createdAt: number;
}

/** What a miner sends back (submitminingsolution). */
export interface MiningSolution {
  nonce: number;
  time?: number;
  version?: number;
  coinbase?: Transaction;
}

/** Candidates older than the tip by more than this are forgotten when the next one is made. */
const KEEP_BEHIND = 1;
/** At most this many candidates are kept. */
const MAX_CANDIDATES = 1000;

/**
 * SV's mining-candidate protocol (getminingcandidate / submitminingsolution): the node keeps
 * the full block and hands out only the header fields and the coinbase's merkle branch.
 */
export class MiningCandidates {
  private readonly candidates = new Map<number, MiningCandidate>();
  private nextId = 1;

  constructor(private readonly templates: TemplateBuilder) {}

  create(now: number): MiningCandidate {
    const template = this.templates.build();
    // Without a wallet the candidate pays OP_TRUE, as the reference node's dummy script; miners send their own coinbase.
    const coinbase = this.templates.coinbase(template, Uint8Array.of(Op.OP_1));
    const candidate: MiningCandidate = {
      id: this.nextId++,
      template,
      coinbase,
      txs: template.entries.map((e) => e.tx),
      txRaws: template.entries.map((e) => e.raw),
      time: template.curTime,
      createdAt: now,
    };
    this.forgetOld(template.height);
    this.candidates.set(candidate.id, candidate);
    return candidate;
  }

  get(id: number): MiningCandidate | undefined {
    return this.candidates.get(id);
  }

  /** The coinbase's merkle branch (`merkleProof`). */
  merkleProof(c: MiningCandidate): Hash32[] {
    return c.template.coinbaseBranch();
  }

  /** The candidate's block with the miner's nonce (and optionally time, version, coinbase). */
  solve(c: MiningCandidate, s: MiningSolution): Block {
    const coinbase = s.coinbase ?? c.coinbase;
    const txids = [txidOf(coinbase), ...c.template.entries.map((e) => e.txid)];
    const header: BlockHeader = {
      version: s.version ?? c.template.version,
      prevHash: c.template.prevHash,
      merkleRoot: merkleRoot(txids),
      time: s.time ?? c.time,
      bits: c.template.bits,
      nonce: s.nonce >>> 0,
    };
    return { header, txs: [coinbase, ...c.txs] };
  }

  /** The 80-byte header plus every transaction but the coinbase (the reference node's `GetSizeWithoutCoinbase`, which leaves out the count). */
  sizeWithoutCoinbase(c: MiningCandidate): number {
    return 80 + c.template.txBytes;
  }

  coinbaseBytes(c: MiningCandidate): Uint8Array {
    return encodeTransaction(c.coinbase);
  }

  private forgetOld(height: number): void {
    for (const [id, c] of this.candidates) {
      if (c.template.height < height - KEEP_BEHIND) this.candidates.delete(id);
    }
    while (this.candidates.size >= MAX_CANDIDATES) this.candidates.delete(this.candidates.keys().next().value!);
  }
}
