import { EventEmitter } from 'node:events';
import {
  checkRegularTransaction,
  decodeTransaction,
  hashToHex,
  isGenesisActive,
  protocolEra,
  scriptErrorMessage,
  txidFromBytes,
  type ChainParams,
  type Hash32,
  type ProtocolEra,
  type Transaction,
} from '@metamorph/bitcoin';
import type { Logger, NodeConfig } from '@metamorph/config';
import type { ChainService } from '../chain/chain-service.js';
import { txOffsets } from '../chain/parsed-block.js';
import type { Clock } from '../clock.js';
import { checkTxInputs, sequenceLocksSatisfied, transactionSigOps } from '../chain/validation/inputs.js';
import { isFinalTx } from '../chain/validation/transaction.js';
import type { SerialLock } from '../sync/serial-lock.js';
import { coinKey, txidKey, type Coin, type OutPointRef } from '../utxo/coin.js';
import type { ChainStateListener, ChainStep } from '../utxo/utxo-connector.js';
import type { ScriptVerifier } from '../utxo/script-verifier.js';
import type { UtxoSet } from '../utxo/utxo-set.js';
import { rejection, type AcceptResult, type MempoolEntry, type TxRejection, type TxSource } from './entry.js';
import type { DoubleSpendRecord, MempoolStore } from './mempool-store.js';
import {
  MEMPOOL_FULL_FEE_INCREMENT,
  ROLLING_FEE_HALFLIFE,
  RejectCode,
  feeForSize,
  feeRate,
  inputsAreStandard,
  maxTxSigOpsPolicy,
  nonStandardReason,
} from './policy.js';

/** The mempool's admission and size policy: the node configuration's `mempool` section. */
export type MempoolPolicy = NodeConfig['mempool'];

export interface MempoolOptions {
  chain: ChainService;
  utxos: UtxoSet;
  verifier: ScriptVerifier;
  store: MempoolStore;
  lock: SerialLock;
  params: ChainParams;
  policy: MempoolPolicy;
  clock: Clock;
  log: Logger;
}

export interface TxSubmission {
  raw: Uint8Array;
  source: TxSource;
  /** Skip the absurd-fee check. */
  allowHighFees?: boolean;
  /** When the transaction first entered (reloaded after a restart). */
  time?: number;
}

export type RemovalReason = 'block' | 'conflict' | 'evicted' | 'expired' | 'reorg';

export interface MempoolEvents {
  /** A transaction entered the mempool. */
  accepted: [MempoolEntry, TxSource];
  /** Transactions left it for another reason than being mined (mined ones are announced by the chain). */
  removed: [MempoolEntry[], RemovalReason];
  /** A transaction spent an output another one already spends. */
  doubleSpend: [DoubleSpendRecord];
}

export interface MempoolInfo {
  size: number;
  bytes: number;
  /** Total fees, satoshis. */
  fees: bigint;
  maxBytes: number;
  /** Satoshis per 1,000 bytes needed to enter now. */
  minFeePerKb: bigint;
}

/** A transaction being checked, with what the checks found out. */
interface Candidate {
  index: number;
  tx: Transaction;
  raw: Uint8Array;
  txid: Hash32;
  key: string;
  source: TxSource;
  time: number;
  coins: Coin[];
  parents: Set<MempoolEntry | Candidate>;
  fee: bigint;
  sigOps: number;
  spendsCoinbase: boolean;
  depth: number;
  failed?: TxRejection;
}

/** Misbehaviour points of consensus failures (the reference node's DoS values); policy failures cost nothing. */
const BAN_SCORES: Record<string, number> = {
  'bad-txns-in-belowout': 100,
  'bad-txns-inputvalues-outofrange': 100,
  'bad-txns-fee-outofrange': 100,
};

/**
 * The mempool: unconfirmed transactions validated against the UTXO set and each other, in
 * memory (for templates and relay) and persisted to Postgres. First seen wins: a transaction
 * spending an output some mempool transaction already spends is refused
 * (`txn-mempool-conflict`) and recorded as a double-spend attempt; there is no replacement.
 * All changes run under the chain lock, so they never interleave with block connection.
 */
export class Mempool extends EventEmitter<MempoolEvents> implements ChainStateListener {
  private readonly entries = new Map<string, MempoolEntry>();
  /** Outpoint (coinKey) → the mempool transaction spending it. */
  private readonly spenders = new Map<string, MempoolEntry>();
  private totalBytes = 0;
  private totalFees = 0n;
  private nextSeq = 1;
  /** Bumped on every change (getblocktemplate long polling and the template cache). */
  private updated = 0;
  private rollingMinFee = 0n;
  private rollingUpdatedAt = 0;
  private expiryTimer: NodeJS.Timeout | null = null;
  private readonly o: MempoolOptions;

  constructor(opts: MempoolOptions) {
    super();
    this.o = opts;
  }

  /** Reload the persisted mempool, validating every transaction again; returns how many stayed. */
  async load(): Promise<{ loaded: number; dropped: number }> {
    const stored = await this.o.store.load();
    const maxSeq = stored.reduce((m, s) => (s.seq > m ? s.seq : m), 0n);
    this.nextSeq = Number(maxSeq) + 1;
    let loaded = 0;
    for (let i = 0; i < stored.length; i += 5000) {
      const part = stored.slice(i, i + 5000);
      const results = await this.acceptTransactions(part.map((s) => ({ raw: s.raw, source: 'restart' as const, allowHighFees: true, time: s.time })));
      for (const r of results) {
        if (r.accepted) loaded++;
        else this.o.store.removed(txidKey(r.txid), r.txid);
      }
    }
    return { loaded, dropped: stored.length - loaded };
  }

  /** Start expiring old transactions once a minute. */
  start(): void {
    this.expiryTimer = setInterval(() => void this.o.lock.run(() => this.expire()).catch(() => {}), 60_000);
    this.expiryTimer.unref();
  }

  /** Write pending mempool rows and double-spend records now. */
  flush(): Promise<void> {
    return this.o.store.flush();
  }

  async close(): Promise<void> {
    if (this.expiryTimer) clearInterval(this.expiryTimer);
    this.expiryTimer = null;
    await this.o.store.close();
  }

  // ───────────── reading ─────────────

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** Changes with every transaction added or removed. */
  get transactionsUpdated(): number {
    return this.updated;
  }

  get(txid: Uint8Array): MempoolEntry | undefined {
    return this.entries.get(txidKey(txid));
  }

  has(txid: Uint8Array): boolean {
    return this.entries.has(txidKey(txid));
  }

  txids(): Hash32[] {
    return [...this.entries.values()].map((e) => e.txid);
  }

  /** Entries in the order they entered. */
  all(): IterableIterator<MempoolEntry> {
    return this.entries.values();
  }

  /** The mempool transaction spending an outpoint, if any. */
  spenderOf(txid: Uint8Array, vout: number): MempoolEntry | undefined {
    return this.spenders.get(coinKey(txid, vout));
  }

  /** An output of a mempool transaction, as a coin of the next block's height. */
  outputCoin(txid: Uint8Array, vout: number): Coin | undefined {
    const e = this.get(txid);
    const out = e?.tx.outputs[vout];
    if (!out) return undefined;
    return { value: out.value, script: out.script, height: this.o.chain.tip().height + 1, coinbase: false };
  }

  info(): MempoolInfo {
    return { size: this.entries.size, bytes: this.totalBytes, fees: this.totalFees, maxBytes: this.o.policy.maxSizeBytes, minFeePerKb: this.currentMinFee() };
  }

  /** Every in-mempool ancestor of an entry. */
  ancestors(e: MempoolEntry): Set<MempoolEntry> {
    const out = new Set<MempoolEntry>();
    const stack = [...e.parents];
    while (stack.length) {
      const p = stack.pop()!;
      if (out.has(p)) continue;
      out.add(p);
      stack.push(...p.parents);
    }
    return out;
  }

  descendants(e: MempoolEntry): Set<MempoolEntry> {
    const out = new Set<MempoolEntry>();
    const stack = [...e.children];
    while (stack.length) {
      const c = stack.pop()!;
      if (out.has(c)) continue;
      out.add(c);
      stack.push(...c.children);
    }
    return out;
  }

  // ───────────── accepting ─────────────

  /** Validate one transaction and add it (sendrawtransaction, a peer's `tx`). */
  async acceptTransaction(raw: Uint8Array, source: TxSource, opts: { allowHighFees?: boolean } = {}): Promise<AcceptResult> {
    return (await this.acceptTransactions([{ raw, source, allowHighFees: opts.allowHighFees }]))[0];
  }

  /**
   * Validate a batch in order (parents before children) and add what passes. Scripts of the
   * whole batch are verified together, in parallel. Bytes that do not decode are refused
   * with `16: bad-txns-decode`.
   */
  acceptTransactions(items: readonly TxSubmission[]): Promise<AcceptResult[]> {
    return this.o.lock.run(() => this.acceptLocked(items));
  }

  /**
   * The acceptance pipeline, under the lock. `trusted` names transactions whose scripts were
   * already verified for this era (mempool transactions checked again after a reorg).
   */
  private async acceptLocked(items: readonly TxSubmission[], trusted?: ReadonlySet<string>): Promise<AcceptResult[]> {
    const tip = this.o.chain.tip();
    const height = tip.height + 1;
    const era = protocolEra(this.o.params, height);
    const now = this.o.clock();
    const prevMtp = this.o.chain.index.medianTimePast(tip);
    const results: AcceptResult[] = new Array(items.length);
    const candidates: Candidate[] = [];
    const byKey = new Map<string, Candidate>();
    const spentInBatch = new Map<string, Candidate>();

    // Decode; collect what the batch spends from outside the mempool, fetched in one go.
    const decoded: ({ tx: Transaction; txid: Hash32 } | null)[] = new Array(items.length).fill(null);
    const wanted: OutPointRef[] = [];
    for (let i = 0; i < items.length; i++) {
      const txid = txidFromBytes(items[i].raw);
      try {
        const tx = decodeTransaction(items[i].raw);
        decoded[i] = { tx, txid };
        for (const input of tx.inputs) if (!this.entries.has(txidKey(input.prevout.txid))) wanted.push(input.prevout);
      } catch (e) {
        results[i] = { txid, accepted: false, rejection: rejection(RejectCode.INVALID, 'bad-txns-decode', 100, (e as Error).message) };
      }
    }
    const utxoCoins = await this.o.utxos.getCoins(wanted);

    const missing: number[] = [];
    for (let i = 0; i < items.length; i++) {
      const d = decoded[i];
      if (!d) continue;
      const fail = (r: TxRejection) => {
        results[i] = { txid: d.txid, accepted: false, rejection: r };
        if (r.missingInputs) missing.push(i);
      };
      const c = this.precheck(i, d.tx, d.txid, items[i], { height, era, now, prevMtp, utxoCoins, byKey, spentInBatch }, fail);
      if (!c) continue;
      candidates.push(c);
      byKey.set(c.key, c);
      for (const input of d.tx.inputs) spentInBatch.set(coinKey(input.prevout.txid, input.prevout.vout), c);
    }

    // A transaction with missing inputs whose own outputs are unspent is already confirmed.
    if (missing.length) {
      const outs: OutPointRef[] = [];
      for (const i of missing) for (let n = 0; n < decoded[i]!.tx.outputs.length; n++) outs.push({ txid: decoded[i]!.txid, vout: n });
      const confirmed = await this.o.utxos.getCoins(outs);
      for (const i of missing) {
        const { tx, txid } = decoded[i]!;
        if (tx.outputs.some((_, n) => confirmed.has(coinKey(txid, n)))) {
          results[i] = { txid, accepted: false, rejection: rejection(RejectCode.ALREADY_KNOWN, 'txn-already-known') };
        }
      }
    }

    // Scripts of the whole batch at once. A failure also fails the batch transactions spending from it.
    const toVerify = candidates.filter((c) => !trusted?.has(c.key));
    if (toVerify.length) {
      const checked = await this.o.verifier.verify(
        toVerify.map((c) => ({ tx: c.tx, raw: c.raw, spent: c.coins })),
        { height, mode: 'mempool' },
      );
      for (let n = 0; n < toVerify.length; n++) {
        const c = toVerify[n];
        const r = checked[n];
        if (r.valid) continue;
        if ('canceled' in r) c.failed = rejection(RejectCode.NONSTANDARD, 'too-long-validation-time');
        else if (r.nonMandatory) c.failed = rejection(RejectCode.NONSTANDARD, `non-mandatory-script-verify-flag (${scriptErrorMessage(r.error)})`);
        else c.failed = rejection(RejectCode.INVALID, `mandatory-script-verify-flag-failed (${scriptErrorMessage(r.error)})`, 100);
      }
    }

    const added: { entry: MempoolEntry; index: number; source: TxSource }[] = [];
    const failedKeys = new Set<string>();
    for (const c of candidates) {
      if (!c.failed && [...c.parents].some((p) => failedKeys.has(p.key))) c.failed = { ...rejection(0, 'missing-inputs'), missingInputs: true };
      if (c.failed) {
        failedKeys.add(c.key);
        results[c.index] = { txid: c.txid, accepted: false, rejection: c.failed };
        continue;
      }
      const entry = this.addEntry(c, era);
      added.push({ entry, index: c.index, source: c.source });
      results[c.index] = { txid: c.txid, accepted: true, entry };
    }
    for (const a of added) this.safeEmit('accepted', a.entry, a.source);
    if (this.totalBytes > this.o.policy.maxSizeBytes) {
      const evicted = new Set(this.trim(now));
      for (const a of added) {
        if (evicted.has(a.entry)) results[a.index] = { txid: a.entry.txid, accepted: false, rejection: rejection(RejectCode.INSUFFICIENTFEE, 'mempool full') };
      }
    }
    this.logRejections(items, results);
    return results;
  }

  /** Everything short of scripts, in the reference node's order; null (and `fail` called) when refused. */
  private precheck(
    index: number,
    tx: Transaction,
    txid: Hash32,
    item: TxSubmission,
    ctx: {
      height: number;
      era: ProtocolEra;
      now: number;
      prevMtp: number;
      utxoCoins: Map<string, Coin>;
      byKey: Map<string, Candidate>;
      spentInBatch: Map<string, Candidate>;
    },
    fail: (r: TxRejection) => void,
  ): Candidate | null {
    const { params, policy } = this.o;
    const size = item.raw.length;
    const checked = checkRegularTransaction(tx, { era: ctx.era, size });
    if (!checked.valid) return void fail(rejection(RejectCode.INVALID, checked.reason, checked.dosScore)), null;

    const nonStandard = nonStandardReason(tx, size, params, ctx.height);
    if (nonStandard && policy.requireStandard && (!isGenesisActive(ctx.era) || nonStandard !== 'scriptpubkey')) {
      return void fail(rejection(RejectCode.NONSTANDARD, nonStandard)), null;
    }
    // Lock times against the next block; the median time past as the cutoff (BIP113).
    if (!isFinalTx(tx, ctx.height, ctx.prevMtp)) return void fail(rejection(RejectCode.NONSTANDARD, 'bad-txns-nonfinal', 0, 'non-final transaction')), null;

    const key = txidKey(txid);
    if (this.entries.has(key) || ctx.byKey.has(key)) return void fail(rejection(RejectCode.ALREADY_KNOWN, 'txn-already-in-mempool')), null;

    const conflicts: MempoolEntry[] = [];
    for (const input of tx.inputs) {
      const k = coinKey(input.prevout.txid, input.prevout.vout);
      const spender = this.spenders.get(k);
      if (spender) conflicts.push(spender);
      else if (ctx.spentInBatch.has(k)) {
        return void fail({ ...rejection(RejectCode.CONFLICT, 'txn-mempool-conflict'), conflicts: [ctx.spentInBatch.get(k)!.txid] }), null;
      }
    }
    if (conflicts.length) {
      const first = tx.inputs.find((i) => this.spenders.has(coinKey(i.prevout.txid, i.prevout.vout)))!;
      this.recordDoubleSpend({
        kind: 'MEMPOOL',
        txid,
        raw: item.raw,
        conflictTxid: conflicts[0].txid,
        prevTxid: first.prevout.txid,
        prevVout: first.prevout.vout,
        source: item.source,
      });
      return void fail({ ...rejection(RejectCode.CONFLICT, 'txn-mempool-conflict'), conflicts: conflicts.map((c) => c.txid) }), null;
    }

    // Inputs: outputs of mempool or earlier batch transactions, else the UTXO set.
    const coins: Coin[] = [];
    const parents = new Set<MempoolEntry | Candidate>();
    let missing = false;
    for (const input of tx.inputs) {
      const pk = txidKey(input.prevout.txid);
      const parent = this.entries.get(pk) ?? ctx.byKey.get(pk);
      if (parent) {
        const out = parent.tx.outputs[input.prevout.vout];
        if (!out) {
          missing = true;
          break;
        }
        coins.push({ value: out.value, script: out.script, height: ctx.height, coinbase: false });
        parents.add(parent);
        continue;
      }
      const coin = ctx.utxoCoins.get(coinKey(input.prevout.txid, input.prevout.vout));
      if (!coin) {
        missing = true;
        break;
      }
      coins.push(coin);
    }
    if (missing) {
      // Already confirmed (its own outputs are unspent)? Otherwise it is missing inputs.
      return void fail({ ...rejection(0, 'missing-inputs'), missingInputs: true }), null;
    }

    if (!isGenesisActive(protocolEra(params, ctx.height - 1))) {
      const tipEntry = this.o.chain.tip();
      const mtpAt = (h: number) => this.o.chain.index.medianTimePast(this.o.chain.index.ancestor(tipEntry, Math.min(h, tipEntry.height))!);
      if (!sequenceLocksSatisfied(tx, coins.map((c) => c.height), ctx.height, ctx.prevMtp, mtpAt)) {
        return void fail(rejection(RejectCode.NONSTANDARD, 'non-BIP68-final')), null;
      }
    }
    if (policy.requireStandard && !isGenesisActive(ctx.era) && !inputsAreStandard(tx, coins, params)) {
      return void fail(rejection(RejectCode.NONSTANDARD, 'bad-txns-nonstandard-inputs')), null;
    }
    const sigOps = transactionSigOps(tx, coins, ctx.era, true);
    if (sigOps === undefined || sigOps > maxTxSigOpsPolicy(ctx.era)) {
      return void fail(rejection(RejectCode.NONSTANDARD, 'bad-txns-too-many-sigops', 0, String(sigOps ?? 'uncountable'))), null;
    }

    let valueIn = 0n;
    for (const c of coins) valueIn += c.value;
    let valueOut = 0n;
    for (const o of tx.outputs) valueOut += o.value;
    const fee = valueIn - valueOut;
    if (!item.allowHighFees && policy.maxTxFee > 0n && fee > policy.maxTxFee) {
      return void fail(rejection(RejectCode.HIGHFEE, 'absurdly-high-fee', 0, `${fee} > ${policy.maxTxFee}`)), null;
    }
    const minFee = feeForSize(this.currentMinFee(), size);
    if (minFee > 0n && fee < minFee) {
      return void fail(rejection(RejectCode.INSUFFICIENTFEE, 'mempool min fee not met', 0, `${fee} < ${minFee}`)), null;
    }
    let depth = 0;
    for (const p of parents) depth = Math.max(depth, p.depth + 1);
    if (depth >= policy.ancestorLimit) {
      return void fail(rejection(RejectCode.NONSTANDARD, 'too-long-mempool-chain', 0, `too many unconfirmed parents, ${depth} [limit: ${policy.ancestorLimit}]`)), null;
    }
    const inputs = checkTxInputs(tx, coins, ctx.height);
    if (!inputs.ok) {
      const r = inputs.rejection;
      return void fail(rejection(RejectCode.INVALID, r.reason, BAN_SCORES[r.reason] ?? 0, r.debug)), null;
    }
    return {
      index,
      tx,
      raw: item.raw,
      txid,
      key,
      source: item.source,
      time: item.time ?? ctx.now,
      coins,
      parents,
      fee,
      sigOps,
      spendsCoinbase: coins.some((c) => c.coinbase),
      depth,
    };
  }

  private addEntry(c: Candidate, era: ProtocolEra): MempoolEntry {
    const parents = new Set<MempoolEntry>();
    for (const p of c.parents) {
      const e = this.entries.get(p.key);
      if (e) parents.add(e);
    }
    const entry: MempoolEntry = {
      txid: c.txid,
      key: c.key,
      tx: c.tx,
      raw: c.raw,
      size: c.raw.length,
      fee: c.fee,
      time: c.time,
      height: this.o.chain.tip().height,
      sigOps: c.sigOps,
      spendsCoinbase: c.spendsCoinbase,
      seq: this.nextSeq++,
      era,
      parents,
      children: new Set(),
      depth: c.depth,
    };
    this.entries.set(entry.key, entry);
    for (const p of parents) p.children.add(entry);
    for (const input of c.tx.inputs) this.spenders.set(coinKey(input.prevout.txid, input.prevout.vout), entry);
    this.totalBytes += entry.size;
    this.totalFees += entry.fee;
    this.updated++;
    this.o.store.added(entry);
    return entry;
  }

  // ───────────── removing ─────────────

  /** Take an entry out (its descendants stay; callers remove them when they must go too). */
  private removeEntry(e: MempoolEntry): void {
    if (!this.entries.delete(e.key)) return;
    for (const input of e.tx.inputs) {
      const k = coinKey(input.prevout.txid, input.prevout.vout);
      if (this.spenders.get(k) === e) this.spenders.delete(k);
    }
    for (const p of e.parents) p.children.delete(e);
    for (const c of e.children) c.parents.delete(e);
    this.totalBytes -= e.size;
    this.totalFees -= e.fee;
    this.updated++;
    this.o.store.removed(e.key, e.txid);
  }

  /** Remove entries with all their descendants; returns everything removed. */
  private removeWithDescendants(roots: Iterable<MempoolEntry>): MempoolEntry[] {
    const all = new Set<MempoolEntry>();
    for (const r of roots) {
      if (!this.entries.has(r.key) || all.has(r)) continue;
      all.add(r);
      for (const d of this.descendants(r)) all.add(d);
    }
    for (const e of all) this.removeEntry(e);
    return [...all];
  }

  /** Recompute `depth` below entries whose parents changed. */
  private refreshDepth(from: Iterable<MempoolEntry>): void {
    const queue = [...from];
    while (queue.length) {
      const e = queue.shift()!;
      let d = 0;
      for (const p of e.parents) d = Math.max(d, p.depth + 1);
      if (d !== e.depth) {
        e.depth = d;
        queue.push(...e.children);
      }
    }
  }

  /**
   * Follow a committed chain change (called under the chain lock): transactions of
   * disconnected blocks come back (checked again), those of connected blocks leave, and so do
   * mempool transactions that conflict with them or no longer have their inputs.
   */
  async chainStateChanged(steps: readonly ChainStep[]): Promise<void> {
    /** Transactions of disconnected blocks, by block (highest first, as disconnected). */
    const disconnected: { txid: Hash32; raw: Uint8Array }[][] = [];
    const minedAgain = new Set<string>();
    for (const step of steps) {
      const { block } = step;
      if (step.kind === 'disconnect') {
        const offsets = txOffsets(block);
        const txs: { txid: Hash32; raw: Uint8Array }[] = [];
        for (let i = 1; i < block.block.txs.length; i++) {
          txs.push({ txid: block.txids[i], raw: block.raw.slice(offsets[i], offsets[i] + block.txSizes[i]) });
        }
        disconnected.push(txs);
        continue;
      }
      for (let i = 1; i < block.txids.length; i++) minedAgain.add(txidKey(block.txids[i]));
      this.removeForBlock(step.entry.hash, block.block.txs, block.txids);
    }
    if (disconnected.length === 0) return;

    // Put back the transactions of disconnected blocks (lowest block first, so parents come
    // before children), ahead of what was waiting; then check the waiting ones again: their
    // inputs may be gone, or be immature coinbases now.
    const resurrect = disconnected
      .reverse()
      .flat()
      .filter((x) => !minedAgain.has(txidKey(x.txid)));
    const era = protocolEra(this.o.params, this.o.chain.tip().height + 1);
    const waiting = [...this.entries.values()];
    const trusted = new Set(waiting.filter((e) => e.era === era).map((e) => e.key));
    const removed = this.removeWithDescendants(waiting);
    this.updated++;
    const again = [
      ...resurrect.map((r) => ({ raw: r.raw, source: 'reorg' as const, allowHighFees: true })),
      ...waiting.map((w) => ({ raw: w.raw, source: 'reorg' as const, allowHighFees: true, time: w.time })),
    ];
    const results = await this.acceptLocked(again, trusted);
    const back = new Set(results.filter((r) => r.accepted).map((r) => txidKey(r.txid)));
    const lost = removed.filter((e) => !back.has(e.key));
    if (lost.length) this.safeEmit('removed', lost, 'reorg');
  }

  private removeForBlock(blockHash: Hash32, txs: readonly Transaction[], txids: readonly Hash32[]): void {
    const mined: MempoolEntry[] = [];
    for (let i = 1; i < txs.length; i++) {
      const e = this.entries.get(txidKey(txids[i]));
      if (e) mined.push(e);
    }
    const orphaned = new Set<MempoolEntry>();
    for (const e of mined) {
      for (const c of e.children) orphaned.add(c);
      this.removeEntry(e);
    }
    const conflicts: MempoolEntry[] = [];
    for (let i = 1; i < txs.length; i++) {
      for (const input of txs[i].inputs) {
        const spender = this.spenders.get(coinKey(input.prevout.txid, input.prevout.vout));
        if (!spender || spender.key === txidKey(txids[i])) continue;
        conflicts.push(spender);
        this.recordDoubleSpend({
          kind: 'BLOCK',
          txid: spender.txid,
          raw: spender.raw,
          conflictTxid: txids[i],
          prevTxid: input.prevout.txid,
          prevVout: input.prevout.vout,
          blockHash,
          source: 'block',
        });
      }
    }
    if (conflicts.length) this.safeEmit('removed', this.removeWithDescendants(conflicts), 'conflict');
    this.refreshDepth([...orphaned].filter((e) => this.entries.has(e.key)));
  }

  /** Drop transactions older than the expiry, with their descendants. */
  private async expire(): Promise<void> {
    const cutoff = this.o.clock() - this.o.policy.expirySeconds;
    const old = [...this.entries.values()].filter((e) => e.time < cutoff);
    if (old.length) this.safeEmit('removed', this.removeWithDescendants(old), 'expired');
  }

  /**
   * Over the size limit: evict the packages paying the least per byte (a transaction with its
   * descendants, scored by the better of its own rate and the package's), and raise the entry
   * fee to the evicted rate plus the increment.
   */
  private trim(now: number): MempoolEntry[] {
    const pkg = new Map<MempoolEntry, { fee: bigint; size: number }>();
    // Descendant totals, children before parents (totals are overestimated where descendants share children).
    const order = [...this.entries.values()].sort((a, b) => b.depth - a.depth);
    for (const e of order) {
      let fee = e.fee;
      let size = e.size;
      for (const c of e.children) {
        const t = pkg.get(c)!;
        fee += t.fee;
        size += t.size;
      }
      pkg.set(e, { fee, size });
    }
    const score = (e: MempoolEntry) => {
      const own = feeRate(e.fee, e.size);
      const p = pkg.get(e)!;
      const all = feeRate(p.fee, p.size);
      return own > all ? own : all;
    };
    const ranked = [...this.entries.values()].map((e) => ({ e, s: score(e) })).sort((a, b) => (a.s < b.s ? -1 : a.s > b.s ? 1 : b.e.seq - a.e.seq));
    const evicted: MempoolEntry[] = [];
    let maxEvictedRate = 0n;
    for (const { e, s } of ranked) {
      if (this.totalBytes <= this.o.policy.maxSizeBytes) break;
      if (!this.entries.has(e.key)) continue;
      evicted.push(...this.removeWithDescendants([e]));
      if (s > maxEvictedRate) maxEvictedRate = s;
    }
    if (evicted.length) {
      const fee = maxEvictedRate + MEMPOOL_FULL_FEE_INCREMENT;
      if (fee > this.currentMinFee()) {
        this.rollingMinFee = fee;
        this.rollingUpdatedAt = now;
      }
      this.o.log.info('mempool full: evicted transactions', { count: evicted.length, minFeePerKb: String(this.rollingMinFee) });
      this.safeEmit('removed', evicted, 'evicted');
    }
    return evicted;
  }

  /** The configured minimum, or the rolling minimum after evictions (halving every 12 hours), whichever is higher. */
  currentMinFee(): bigint {
    if (this.rollingMinFee > 0n) {
      const halvings = Math.floor((this.o.clock() - this.rollingUpdatedAt) / ROLLING_FEE_HALFLIFE);
      const decayed = halvings >= 64 ? 0n : this.rollingMinFee >> BigInt(halvings);
      // Below half the increment it is as good as gone.
      if (decayed < MEMPOOL_FULL_FEE_INCREMENT / 2n) this.rollingMinFee = 0n;
      else if (decayed > this.o.policy.minFeePerKb) return decayed;
    }
    return this.o.policy.minFeePerKb;
  }

  private recordDoubleSpend(r: DoubleSpendRecord): void {
    this.o.store.doubleSpend(r);
    this.o.log.warn('double-spend attempt', {
      kind: r.kind,
      txid: hashToHex(r.txid),
      conflictsWith: hashToHex(r.conflictTxid),
      outpoint: `${hashToHex(r.prevTxid)}:${r.prevVout}`,
      source: r.source,
    });
    this.safeEmit('doubleSpend', r);
  }

  private logRejections(items: readonly TxSubmission[], results: readonly AcceptResult[]): void {
    for (let i = 0; i < results.length; i++) {
      const r = results[i];
      if (r.accepted) continue;
      this.o.log.debug('transaction rejected', { txid: hashToHex(r.txid), source: items[i].source, reason: `${r.rejection.code}: ${r.rejection.reason}`, detail: r.rejection.debug });
    }
  }

  private safeEmit<K extends keyof MempoolEvents>(event: K, ...args: MempoolEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: MempoolEvents[K]) => boolean)(event, ...args);
    } catch (e) {
      this.o.log.error('a mempool event listener failed', { event, error: e as Error });
    }
  }
}
