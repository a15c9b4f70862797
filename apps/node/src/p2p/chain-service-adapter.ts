import { blockProof, decodeBlockHeader, HEADER_SIZE, type BlockHeader, type Hash32 } from '@metamorph/bitcoin';
import type { ChainService, TipChange } from '../chain/chain-service.js';
import { hasData, isInvalid, type IndexEntry } from '../chain/index-entry.js';
import type {
  AcceptBlockResult,
  AcceptHeadersResult,
  AcceptTxResult,
  ChainBlock,
  ChainEvent,
  P2PChain,
} from './chain.js';

/**
 * Misbehaviour points for a refused header or block, by the reference node's reject
 * reason (its state.DoS values). Reasons a good peer can run into — time limits, a block
 * we already hold invalid, rules this node does not implement yet — cost nothing.
 */
const BAN_SCORES: Record<string, number> = {
  'high-hash': 50,
  'bad-diffbits': 100,
  'bad-prevblk': 100,
  'prev-blk-not-found': 10,
  'checkpoint mismatch': 100,
  'bad-fork-prior-to-checkpoint': 100,
  'bad-txnmrklroot': 100,
  'bad-txns-duplicate': 100,
  'bad-blk-length': 100,
  'bad-cb-missing': 100,
  'bad-cb-multiple': 100,
  'bad-cb-amount': 100,
  'bad-cb-height': 100,
  'bad-blk-sigops': 100,
  'bad-txns-nonfinal': 10,
  // Script failures in a block (the reference node's parallel checks report no script error).
  'blk-bad-inputs': 100,
};
const FREE_REASONS = new Set(['time-too-old', 'time-too-new', 'duplicate', 'bad-version', 'bad-txns-unsupported']);

export function banScoreFor(reason: string): number {
  if (FREE_REASONS.has(reason)) return 0;
  return BAN_SCORES[reason] ?? (reason.startsWith('bad-') ? 100 : 0);
}

/** Blocks more than this far past the tip are not kept unless requested (MIN_BLOCKS_TO_KEEP). */
const MIN_BLOCKS_TO_KEEP = 288;

const ZERO = (h: Uint8Array) => h.every((b) => b === 0);

function toChainBlock(e: IndexEntry): ChainBlock {
  const status = isInvalid(e) ? 'invalid' : e.status === 'VALID' ? 'valid' : hasData(e) ? 'data' : 'header';
  return { hash: e.hash, height: e.height, header: e.header, chainWork: e.chainWork, status };
}

/** What the P2P layer needs of a mempool; the node passes one once it has it. */
export type P2PMempool = Pick<P2PChain, 'hasTransaction' | 'getTransactionRaw' | 'acceptTransaction' | 'mempoolTxids' | 'minFeeRate'> & {
  /** Called for every transaction that enters the mempool, from any source, with its fee when known. */
  onTransaction(listener: (txid: Hash32, raw: Uint8Array, fee?: bigint) => void): () => void;
};

/**
 * The node's ChainService seen through the P2P layer's `P2PChain` interface. Reads come
 * from the in-memory block index; writes go through the service, which serialises them
 * and commits each in one Postgres transaction. Without a mempool the transaction methods
 * report that nothing is known and nothing is accepted (the node then runs blocks-only).
 */
export class ChainServiceP2P implements P2PChain {
  private segment: { target: IndexEntry; entries: IndexEntry[] } | undefined;

  constructor(
    private readonly chain: ChainService,
    private readonly mempool?: P2PMempool,
  ) {}

  minFeeRate(): bigint | undefined {
    return this.mempool?.minFeeRate?.();
  }

  get params() {
    return this.chain.params;
  }

  tip(): ChainBlock {
    return toChainBlock(this.chain.tip());
  }

  bestHeader(): ChainBlock {
    return toChainBlock(this.chain.index.bestHeader());
  }

  async getBlock(hash: Hash32): Promise<ChainBlock | undefined> {
    const e = this.chain.getEntry(hash);
    return e ? toChainBlock(e) : undefined;
  }

  async getAncestor(hash: Hash32, height: number): Promise<ChainBlock | undefined> {
    const e = this.chain.getEntry(hash);
    const a = e ? this.chain.index.ancestor(e, height) : undefined;
    return a ? toChainBlock(a) : undefined;
  }

  async locator(from?: Hash32): Promise<Hash32[]> {
    const index = this.chain.index;
    let e: IndexEntry | undefined = from ? this.chain.getEntry(from) : this.chain.tip();
    const out: Hash32[] = [];
    let step = 1;
    while (e) {
      out.push(e.hash);
      if (e.height === 0) break;
      e = index.ancestor(e, Math.max(e.height - step, 0));
      if (out.length > 10) step *= 2;
    }
    return out;
  }

  async headersAfter(locator: Hash32[], hashStop: Hash32, max: number): Promise<BlockHeader[] | undefined> {
    const stop = ZERO(hashStop) ? null : hashStop;
    const entries = this.chain.getHeaders(locator, stop, max);
    if (locator.length === 0 && entries.length === 0) return undefined;
    return entries.map((e) => e.header);
  }

  async hashesAfter(locator: Hash32[], hashStop: Hash32, max: number): Promise<Hash32[]> {
    const stopKey = ZERO(hashStop) ? undefined : this.chain.getEntry(hashStop)?.key;
    const out: Hash32[] = [];
    for (const e of this.chain.getHeaders(locator.length ? locator : [this.chain.params.genesisHash], null, max)) {
      if (e.key === stopKey) break;
      out.push(e.hash);
    }
    return out;
  }

  async getBlockRaw(hash: Hash32): Promise<Uint8Array | undefined> {
    return (await this.chain.getBlock(hash)) ?? undefined;
  }

  /**
   * The branch from the active chain up to `target`, kept between calls: each new target
   * usually extends the last one, so the walk back only covers the new headers.
   */
  private branchTo(target: IndexEntry): IndexEntry[] {
    const index = this.chain.index;
    const fresh: IndexEntry[] = [];
    let base: IndexEntry[] = [];
    for (let e: IndexEntry | null = target; e && !index.contains(e); e = e.prev) {
      if (this.segment && e === this.segment.target) {
        base = this.segment.entries;
        break;
      }
      fresh.push(e);
    }
    fresh.reverse();
    let entries = base.length ? base.concat(fresh) : fresh;
    let skip = 0;
    while (skip < entries.length && index.contains(entries[skip])) skip++;
    if (skip) entries = entries.slice(skip);
    this.segment = { target, entries };
    return entries;
  }

  async missingBlocks(target: Hash32, maxHeight: number, limit: number): Promise<ChainBlock[]> {
    const t = this.chain.getEntry(target);
    if (!t || isInvalid(t)) return [];
    const out: ChainBlock[] = [];
    for (const e of this.branchTo(t)) {
      if (e.height > maxHeight || out.length >= limit) break;
      if (isInvalid(e)) break;
      if (!hasData(e)) out.push(toChainBlock(e));
    }
    return out;
  }

  async acceptHeaders(headers: BlockHeader[]): Promise<AcceptHeadersResult> {
    const sizeBefore = this.chain.index.size;
    const r = await this.chain.acceptHeaders(headers);
    const last = r.entries.length ? toChainBlock(r.entries[r.entries.length - 1]) : undefined;
    const added = Math.max(0, this.chain.index.size - sizeBefore);
    if (!r.failed) return { last, added };
    const reason = r.failed.rejection.reason;
    return { last, added, rejected: { hash: r.failed.hash, reason, banScore: banScoreFor(reason) } };
  }

  async acceptBlock(raw: Uint8Array, hash: Hash32, requested: boolean): Promise<AcceptBlockResult> {
    if (!requested) {
      // AcceptBlock's rule for unrequested blocks: only ones that could become the tip, not too far ahead.
      const known = this.chain.getEntry(hash);
      if (known && hasData(known)) return { status: 'duplicate' };
      const header = decodeBlockHeader(raw.subarray(0, HEADER_SIZE));
      const parent = known?.prev ?? this.chain.getEntry(header.prevHash);
      const tip = this.chain.tip();
      if (parent) {
        const work = parent.chainWork + blockProof(header.bits);
        if (work <= tip.chainWork || parent.height + 1 > tip.height + MIN_BLOCKS_TO_KEEP) return { status: 'ignored' };
      }
    }
    let r: Awaited<ReturnType<ChainService['acceptBlock']>>;
    try {
      r = await this.chain.acceptBlock(raw, 'peer');
    } catch (e) {
      if ((e as { name?: string }).name === 'BitcoinError') return { status: 'invalid', reason: 'bad-blk-length', banScore: 100 };
      throw e;
    }
    const reason = r.rejection?.reason;
    switch (r.outcome) {
      case 'connected':
        return { status: 'connected' };
      case 'stored':
        return { status: 'stored' };
      case 'already-have':
        return { status: 'duplicate' };
      case 'known-invalid':
        return { status: 'invalid', reason: 'duplicate', banScore: 0 };
      case 'orphan':
        return { status: 'invalid', reason: reason ?? 'prev-blk-not-found', banScore: banScoreFor(reason ?? 'prev-blk-not-found') };
      default:
        return { status: 'invalid', reason: reason ?? 'invalid', banScore: r.rejection?.corruptionPossible ? 0 : banScoreFor(reason ?? '') };
    }
  }

  async hasTransaction(txid: Hash32): Promise<boolean> {
    return this.mempool ? this.mempool.hasTransaction(txid) : false;
  }

  async getTransactionRaw(txid: Hash32): Promise<Uint8Array | undefined> {
    return this.mempool?.getTransactionRaw(txid);
  }

  async acceptTransaction(raw: Uint8Array, txid: Hash32): Promise<AcceptTxResult> {
    return this.mempool ? this.mempool.acceptTransaction(raw, txid) : { accepted: false, reason: 'no mempool' };
  }

  async mempoolTxids(): Promise<Hash32[]> {
    return this.mempool ? this.mempool.mempoolTxids() : [];
  }

  subscribe(listener: (event: ChainEvent) => void): () => void {
    const onTip = (c: TipChange) =>
      listener({ type: 'tip', tip: toChainBlock(c.tip), connected: c.connected.map(toChainBlock), disconnected: c.disconnected.map(toChainBlock) });
    this.chain.on('tip', onTip);
    const offTx = this.mempool?.onTransaction((txid, raw, fee) => listener({ type: 'tx', txid, raw, fee }));
    return () => {
      this.chain.off('tip', onTip);
      offTx?.();
    };
  }
}
