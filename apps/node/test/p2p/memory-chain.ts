import {
  blockHash,
  blockProof,
  checkProofOfWork,
  decodeBlock,
  decodeTransaction,
  encodeBlock,
  encodeTransaction,
  isCoinbase,
  merkleRootWithMutation,
  regtest,
  sha256d,
  toHex,
  txid,
  type Block,
  type BlockHeader,
  type ChainParams,
  type Hash32,
  type Transaction,
} from '@metamorph/bitcoin';
import type {
  AcceptBlockResult,
  AcceptHeadersResult,
  AcceptTxResult,
  ChainBlock,
  ChainEvent,
  HeaderRejection,
  P2PChain,
} from '../../src/p2p/chain.js';

interface Entry {
  block: ChainBlock;
  prev?: Entry;
  raw?: Uint8Array;
}

const key = (h: Uint8Array) => toHex(h);

/**
 * A chain held in memory, built from real regtest headers and blocks: the P2P layer's
 * test fixture. It checks what the protocol layer relies on (links, proof of work,
 * constant regtest difficulty, median time, merkle roots) and follows the most-work
 * chain with stored bodies, but validates no scripts or UTXOs.
 */
export class MemoryChain implements P2PChain {
  readonly params: ChainParams;
  private readonly index = new Map<string, Entry>();
  private active: Entry[] = [];
  private best: Entry;
  private readonly listeners = new Set<(e: ChainEvent) => void>();
  readonly mempool = new Map<string, Uint8Array>();
  private readonly now: () => number;
  private extraNonce = 0;
  /** Serialises block acceptance, as a real chain does. */
  private lock: Promise<unknown> = Promise.resolve();
  /** Every acceptBlock call, for assertions. */
  readonly received: { hash: string; requested: boolean; status: string }[] = [];

  constructor(opts: { params?: ChainParams; now?: () => number; tag?: number } = {}) {
    this.params = opts.params ?? regtest;
    this.now = opts.now ?? Date.now;
    this.extraNonce = (opts.tag ?? 0) * 1_000_000;
    const g = this.params.genesis;
    const genesis: Entry = {
      block: { hash: this.params.genesisHash, height: 0, header: g.header, chainWork: blockProof(g.header.bits), status: 'valid' },
      raw: encodeBlock(g),
    };
    this.index.set(key(genesis.block.hash), genesis);
    this.active = [genesis];
    this.best = genesis;
  }

  tip(): ChainBlock {
    return this.active[this.active.length - 1].block;
  }

  bestHeader(): ChainBlock {
    return this.best.block;
  }

  get height(): number {
    return this.active.length - 1;
  }

  async getBlock(hash: Hash32): Promise<ChainBlock | undefined> {
    return this.index.get(key(hash))?.block;
  }

  private ancestor(e: Entry, height: number): Entry | undefined {
    if (height > e.block.height || height < 0) return undefined;
    if (this.active[e.block.height] === e) return this.active[height];
    let cur: Entry | undefined = e;
    while (cur && cur.block.height > height) {
      cur = cur.prev;
      if (cur && this.active[cur.block.height] === cur) return this.active[height];
    }
    return cur;
  }

  async getAncestor(hash: Hash32, height: number): Promise<ChainBlock | undefined> {
    const e = this.index.get(key(hash));
    return e ? this.ancestor(e, height)?.block : undefined;
  }

  async locator(from?: Hash32): Promise<Hash32[]> {
    let e: Entry | undefined = from ? this.index.get(key(from)) : this.active[this.active.length - 1];
    const out: Hash32[] = [];
    let step = 1;
    while (e) {
      out.push(e.block.hash);
      if (e.block.height === 0) break;
      e = this.ancestor(e, Math.max(e.block.height - step, 0));
      if (out.length > 10) step *= 2;
    }
    return out;
  }

  private forkPoint(locator: Hash32[]): Entry {
    for (const h of locator) {
      const e = this.index.get(key(h));
      if (e && this.active[e.block.height] === e) return e;
    }
    return this.active[0];
  }

  async headersAfter(locator: Hash32[], hashStop: Hash32, max: number): Promise<BlockHeader[] | undefined> {
    if (locator.length === 0) {
      const e = this.index.get(key(hashStop));
      return e ? [e.block.header] : undefined;
    }
    const out: BlockHeader[] = [];
    const stop = key(hashStop);
    for (let h = this.forkPoint(locator).block.height + 1; h < this.active.length && out.length < max; h++) {
      out.push(this.active[h].block.header);
      if (key(this.active[h].block.hash) === stop) break;
    }
    return out;
  }

  async hashesAfter(locator: Hash32[], hashStop: Hash32, max: number): Promise<Hash32[]> {
    const out: Hash32[] = [];
    const stop = key(hashStop);
    for (let h = this.forkPoint(locator).block.height + 1; h < this.active.length && out.length < max; h++) {
      if (key(this.active[h].block.hash) === stop) break;
      out.push(this.active[h].block.hash);
    }
    return out;
  }

  async getBlockRaw(hash: Hash32): Promise<Uint8Array | undefined> {
    return this.index.get(key(hash))?.raw;
  }

  async missingBlocks(target: Hash32, maxHeight: number, limit: number): Promise<ChainBlock[]> {
    const out: ChainBlock[] = [];
    let e = this.index.get(key(target));
    while (e && this.active[e.block.height] !== e) {
      if (!e.raw && e.block.status !== 'invalid' && e.block.height <= maxHeight) out.push(e.block);
      e = e.prev;
    }
    out.reverse();
    return out.slice(0, limit);
  }

  private medianTimePast(e: Entry): number {
    const times: number[] = [];
    for (let cur: Entry | undefined = e; cur && times.length < 11; cur = cur.prev) times.push(cur.block.header.time);
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)];
  }

  /** Contextual header checks; returns the new or existing entry, or a rejection. */
  private acceptHeader(header: BlockHeader, hash = blockHash(header)): Entry | HeaderRejection {
    const known = this.index.get(key(hash));
    if (known) return known.block.status === 'invalid' ? { hash, reason: 'duplicate-invalid', banScore: 100 } : known;
    if (!checkProofOfWork(hash, header.bits, this.params.powLimit)) return { hash, reason: 'high-hash', banScore: 50 };
    const prev = this.index.get(key(header.prevHash));
    if (!prev) return { hash, reason: 'prev-blk-not-found', banScore: 10 };
    if (prev.block.status === 'invalid') return { hash, reason: 'bad-prevblk', banScore: 100 };
    if (this.params.powNoRetargeting && header.bits !== prev.block.header.bits) return { hash, reason: 'bad-diffbits', banScore: 100 };
    if (header.time <= this.medianTimePast(prev)) return { hash, reason: 'time-too-old', banScore: 0 };
    if (header.time > Math.floor(this.now() / 1000) + 2 * 60 * 60) return { hash, reason: 'time-too-new', banScore: 0 };
    const entry: Entry = {
      block: { hash, height: prev.block.height + 1, header, chainWork: prev.block.chainWork + blockProof(header.bits), status: 'header' },
      prev,
    };
    this.index.set(key(hash), entry);
    if (entry.block.chainWork > this.best.block.chainWork) this.best = entry;
    return entry;
  }

  async acceptHeaders(headers: BlockHeader[]): Promise<AcceptHeadersResult> {
    let last: ChainBlock | undefined;
    let added = 0;
    for (const h of headers) {
      const hash = blockHash(h);
      const before = this.index.has(key(hash));
      const r = this.acceptHeader(h, hash);
      if ('reason' in r) return { last, added, rejected: r };
      if (!before) added++;
      last = r.block;
    }
    return { last, added };
  }

  acceptBlock(raw: Uint8Array, hash: Hash32, requested: boolean): Promise<AcceptBlockResult> {
    const run = this.lock.then(() => this.acceptBlockNow(raw, hash, requested));
    this.lock = run.catch(() => {});
    return run.then((r) => {
      this.received.push({ hash: key(hash), requested, status: r.status });
      return r;
    });
  }

  private acceptBlockNow(raw: Uint8Array, hash: Hash32, requested: boolean): AcceptBlockResult {
    let block: Block;
    try {
      block = decodeBlock(raw);
    } catch (e) {
      return { status: 'invalid', reason: 'bad-blk-length', banScore: 100 };
    }
    const existing = this.index.get(key(hash));
    if (existing?.raw) return { status: 'duplicate' };
    const r = this.acceptHeader(block.header, hash);
    if ('reason' in r) return { status: 'invalid', reason: r.reason, banScore: r.banScore };
    const entry = r;
    if (!requested && entry.block.chainWork <= this.tip().chainWork) return { status: 'ignored' };
    const ids = block.txs.map(txid);
    const { root, mutated } = merkleRootWithMutation(ids);
    if (mutated) return { status: 'invalid', reason: 'bad-txns-duplicate', banScore: 0 };
    if (key(root) !== key(block.header.merkleRoot)) return { status: 'invalid', reason: 'bad-txnmrklroot', banScore: 100 };
    if (block.txs.length === 0 || !isCoinbase(block.txs[0])) return { status: 'invalid', reason: 'bad-cb-missing', banScore: 100 };
    entry.raw = raw;
    entry.block.status = 'data';
    const moved = this.activateBestChain();
    return { status: moved && this.active[entry.block.height] === entry ? 'connected' : 'stored' };
  }

  /** Move the active chain to the most-work chain whose bodies are all stored. */
  private activateBestChain(): boolean {
    const tip = this.active[this.active.length - 1];
    let candidate: Entry | undefined;
    for (const e of this.index.values()) {
      if (e.block.status !== 'data' || e.block.chainWork <= tip.block.chainWork) continue;
      if (candidate && e.block.chainWork <= candidate.block.chainWork) continue;
      let ok = true;
      for (let cur: Entry | undefined = e; cur && this.active[cur.block.height] !== cur; cur = cur.prev) {
        if (!cur.raw || cur.block.status === 'invalid') {
          ok = false;
          break;
        }
      }
      if (ok) candidate = e;
    }
    if (!candidate) return false;
    const path: Entry[] = [];
    let fork: Entry | undefined = candidate;
    while (fork && this.active[fork.block.height] !== fork) {
      path.push(fork);
      fork = fork.prev;
    }
    path.reverse();
    const disconnected = this.active.slice(fork!.block.height + 1).reverse().map((e) => e.block);
    this.active = this.active.slice(0, fork!.block.height + 1);
    for (const b of disconnected) for (const tx of decodeBlock(this.index.get(key(b.hash))!.raw!).txs.slice(1)) this.mempool.set(key(txid(tx)), encodeTransaction(tx));
    for (const e of path) {
      e.block.status = 'valid';
      this.active.push(e);
      for (const tx of decodeBlock(e.raw!).txs) this.mempool.delete(key(txid(tx)));
    }
    this.emit({ type: 'tip', tip: this.tip(), connected: path.map((e) => e.block), disconnected });
    return true;
  }

  async hasTransaction(id: Hash32): Promise<boolean> {
    return this.mempool.has(key(id));
  }

  async getTransactionRaw(id: Hash32): Promise<Uint8Array | undefined> {
    return this.mempool.get(key(id));
  }

  async acceptTransaction(raw: Uint8Array, id: Hash32): Promise<AcceptTxResult> {
    let tx: Transaction;
    try {
      tx = decodeTransaction(raw);
    } catch {
      return { accepted: false, reason: 'bad-txns-malformed', banScore: 100 };
    }
    if (isCoinbase(tx)) return { accepted: false, reason: 'coinbase', banScore: 100 };
    if (this.mempool.has(key(id))) return { accepted: false, reason: 'txn-already-known' };
    this.mempool.set(key(id), raw);
    this.emit({ type: 'tx', txid: id, raw });
    return { accepted: true };
  }

  async mempoolTxids(): Promise<Hash32[]> {
    return [...this.mempool.values()].map((raw) => sha256d(raw));
  }

  subscribe(listener: (event: ChainEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: ChainEvent): void {
    for (const l of this.listeners) l(e);
  }

  // ───────────── building test chains ─────────────

  /** A regtest block on `prev` (default: the tip) with a unique coinbase and the given transactions. */
  buildBlock(opts: { prev?: ChainBlock; txs?: Transaction[]; time?: number } = {}): Block {
    const prev = opts.prev ?? this.tip();
    const height = prev.height + 1;
    const extra = ++this.extraNonce;
    const coinbase: Transaction = {
      version: 1,
      inputs: [
        {
          prevout: { txid: new Uint8Array(32) as Hash32, vout: 0xffffffff },
          script: new Uint8Array([4, height & 0xff, (height >> 8) & 0xff, (height >> 16) & 0xff, height >>> 24, 4, extra & 0xff, (extra >> 8) & 0xff, (extra >> 16) & 0xff, extra >>> 24]),
          sequence: 0xffffffff,
        },
      ],
      outputs: [{ value: 50_00000000n >> BigInt(Math.floor(height / this.params.subsidyHalvingInterval)), script: new Uint8Array([0x51]) }],
      lockTime: 0,
    };
    const txs = [coinbase, ...(opts.txs ?? [])];
    const time = opts.time ?? Math.max(prev.header.time + 1, Math.floor(this.now() / 1000));
    const header: BlockHeader = {
      version: 0x20000000,
      prevHash: prev.hash,
      merkleRoot: merkleRootWithMutation(txs.map(txid)).root,
      time,
      bits: prev.header.bits,
      nonce: 0,
    };
    while (!checkProofOfWork(blockHash(header), header.bits, this.params.powLimit)) header.nonce++;
    return { header, txs };
  }

  /** Mine `count` blocks on the tip; each gets `txsPerBlock` transactions from `makeTxs`. */
  async mine(count: number, makeTxs?: (height: number) => Transaction[]): Promise<Block[]> {
    const out: Block[] = [];
    for (let i = 0; i < count; i++) {
      const block = this.buildBlock({ txs: makeTxs?.(this.height + 1) });
      const r = await this.acceptBlock(encodeBlock(block), blockHash(block.header), true);
      if (r.status !== 'connected') throw new Error(`mined block not connected: ${r.status} ${r.reason ?? ''}`);
      out.push(block);
    }
    return out;
  }

  /** A transaction spending nothing real (this chain checks no inputs), unique per call. */
  static dummyTx(seed: number, outputs = 1): Transaction {
    const prev = sha256d(new Uint8Array([seed & 0xff, (seed >> 8) & 0xff, (seed >> 16) & 0xff, seed >>> 24]));
    return {
      version: 1,
      inputs: [{ prevout: { txid: prev, vout: 0 }, script: new Uint8Array(107).fill(0x51), sequence: 0xffffffff }],
      outputs: Array.from({ length: outputs }, (_, i) => ({ value: 1000n + BigInt(i), script: new Uint8Array(25).fill(0x76) })),
      lockTime: 0,
    };
  }
}
