import { performance } from 'node:perf_hooks';
import {
  blockScriptFlags,
  blockSubsidy,
  isGenesisActive,
  isUnspendable,
  isZeroHash,
  hashToHex,
  p2pkhHash,
  protocolEra,
  ScriptFlag,
  scriptErrorMessage,
  type ChainParams,
  type VerifyItem,
} from '@metamorph/bitcoin';
import type { Logger } from '@metamorph/config';
import type { BlockConnector, ConnectContext } from '../chain/connector.js';
import type { IndexEntry } from '../chain/index-entry.js';
import { txOffsets, type ParsedBlock } from '../chain/parsed-block.js';
import { maxBlockSigOpsBeforeGenesis } from '../chain/validation/consensus.js';
import { checkTxInputs, sequenceLocksSatisfied, transactionSigOps } from '../chain/validation/inputs.js';
import { reject, type Rejection } from '../chain/validation/rejection.js';
import { MAX_TX_SIGOPS_COUNT_BEFORE_GENESIS } from '@metamorph/bitcoin';
import { NodeError, NodeErrorCode } from '../errors.js';
import { indexStore, type AddressRow, type BlockStatsRow, type TxLocation } from '../indexes/index-store.js';
import { coinKey, decodeUndo, encodeUndo, txidKey, type Coin, type OutPointRef } from './coin.js';
import type { ScriptVerifier } from './script-verifier.js';
import { utxoStore, type NewCoin, type Queryable } from './utxo-store.js';
import type { UtxoSet } from './utxo-set.js';

/** One step of a committed chain change, in the order it happened. */
export type ChainStep =
  | { kind: 'connect'; entry: IndexEntry; block: ParsedBlock; fees: bigint[] }
  | { kind: 'disconnect'; entry: IndexEntry; block: ParsedBlock };

/** Told about every committed chain change (the mempool), while the chain lock is held. */
export interface ChainStateListener {
  chainStateChanged(steps: readonly ChainStep[]): Promise<void>;
}

export interface UtxoConnectorOptions {
  params: ChainParams;
  utxos: UtxoSet;
  verifier: ScriptVerifier;
  log: Logger;
}

/** Flag telling sequence locks apply (`LOCKTIME_VERIFY_SEQUENCE`): from CSV's height until Genesis. */
function enforcesSequenceLocks(params: ChainParams, height: number): boolean {
  return height >= params.csvHeight && !isGenesisActive(protocolEra(params, height));
}

function percentile(sorted: readonly bigint[], q: number): bigint {
  if (sorted.length === 0) return 0n;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/**
 * Connects blocks to the UTXO set in Postgres (ConnectBlock / DisconnectBlock): every input
 * checked against the coins it spends (existence, no double spend inside the block,
 * maturity, amounts, BIP68 before Genesis, sigops before Genesis), scripts verified in
 * worker threads, the coinbase held to subsidy plus fees; then the spent coins are deleted,
 * the new ones inserted, the undo data, transaction index, address history and block
 * statistics written — all with bulk statements in the chain's transaction. The coin cache
 * and the mempool follow only after that transaction commits.
 */
export class UtxoConnector implements BlockConnector {
  private readonly params: ChainParams;
  private readonly utxos: UtxoSet;
  private readonly verifier: ScriptVerifier;
  private readonly log: Logger;
  /** Coin changes of the transaction in progress (null: spent), visible to later blocks of the same transaction. */
  private overlay = new Map<string, Coin | null>();
  private steps: ChainStep[] = [];
  private listener: ChainStateListener | null = null;

  constructor(opts: UtxoConnectorOptions) {
    this.params = opts.params;
    this.utxos = opts.utxos;
    this.verifier = opts.verifier;
    this.log = opts.log;
  }

  setListener(listener: ChainStateListener | null): void {
    this.listener = listener;
  }

  screen(): Rejection | null {
    return null;
  }

  async connect(ctx: ConnectContext, p: ParsedBlock, entry: IndexEntry): Promise<Rejection | null> {
    const { client } = ctx;
    const started = performance.now();
    const height = entry.height;
    const era = protocolEra(this.params, height);
    const txs = p.block.txs;
    const flags = blockScriptFlags(this.params, height);

    if (this.enforcesBip30(entry, ctx) && (await utxoStore.anyOutputOf(client, p.txids))) {
      return reject('bad-txns-BIP30', 'tried to overwrite transaction');
    }

    // Coins spent from outside the block: the transaction's own changes first, then the committed set.
    const blockTxids = new Set(p.txids.map(txidKey));
    const outside: OutPointRef[] = [];
    const outsideKeys = new Set<string>();
    for (let i = 1; i < txs.length; i++) {
      for (const input of txs[i].inputs) {
        if (blockTxids.has(txidKey(input.prevout.txid))) continue;
        const k = coinKey(input.prevout.txid, input.prevout.vout);
        if (this.overlay.has(k) || outsideKeys.has(k)) continue;
        outsideKeys.add(k);
        outside.push(input.prevout);
      }
    }
    const fetched = await this.utxos.getCoins(outside, client);
    const fetchedAt = performance.now();

    const created = new Map<string, NewCoin>();
    const spentKeys = new Set<string>();
    const removedOutside: OutPointRef[] = [];
    const undoCoins: Coin[] = [];
    const fees: bigint[] = [];
    const verify: VerifyItem[] = [];
    const sequenceLocks = enforcesSequenceLocks(this.params, height);
    const countSigOps = !isGenesisActive(era);
    const maxSigOps = maxBlockSigOpsBeforeGenesis(p.raw.length);
    const p2sh = (flags & ScriptFlag.P2SH) !== 0;
    let sigOps = 0;
    let totalFees = 0n;
    const prevMtp = entry.prev ? ctx.index.medianTimePast(entry.prev) : 0;
    const mtpAt = (h: number) => ctx.index.medianTimePast(ctx.index.ancestor(entry, h)!);
    const blockOffsets = txOffsets(p);

    for (let i = 0; i < txs.length; i++) {
      const tx = txs[i];
      let coins: Coin[] | null = null;
      if (i > 0) {
        coins = [];
        for (const input of tx.inputs) {
          const k = coinKey(input.prevout.txid, input.prevout.vout);
          const inBlock = created.get(k)?.coin;
          const coin = inBlock ?? (this.overlay.has(k) ? this.overlay.get(k) : fetched.get(k)) ?? undefined;
          if (!coin || spentKeys.has(k)) {
            return reject('bad-txns-inputs-missingorspent', `transaction ${i} spends ${hashToHex(input.prevout.txid)}:${input.prevout.vout}, which is missing or spent`);
          }
          spentKeys.add(k);
          coins.push(coin);
          if (!inBlock) removedOutside.push(input.prevout);
        }
        if (sequenceLocks && !sequenceLocksSatisfied(tx, coins.map((c) => c.height), height, prevMtp, mtpAt)) {
          return reject('bad-txns-nonfinal', `transaction ${i} is not BIP68-final`);
        }
      }
      if (countSigOps) {
        const n = transactionSigOps(tx, coins, era, p2sh);
        if (n === undefined || n > MAX_TX_SIGOPS_COUNT_BEFORE_GENESIS) return reject('bad-txn-sigops', `transaction ${i} has too many signature operations`);
        sigOps += n;
        if (sigOps > maxSigOps) return reject('bad-blk-sigops', `more than ${maxSigOps} signature operations`);
      }
      if (coins) {
        const checked = checkTxInputs(tx, coins, height);
        if (!checked.ok) return { ...checked.rejection, debug: `transaction ${i}: ${checked.rejection.debug}` };
        fees.push(checked.fee);
        totalFees += checked.fee;
        undoCoins.push(...coins);
        verify.push({ tx, spent: coins, raw: p.raw.subarray(blockOffsets[i], blockOffsets[i] + p.txSizes[i]) });
      }
      const coinbase = i === 0;
      for (let n = 0; n < tx.outputs.length; n++) {
        const o = tx.outputs[n];
        if (isUnspendable(o.script, era)) continue;
        created.set(coinKey(p.txids[i], n), { txid: p.txids[i], vout: n, coin: { value: o.value, script: o.script.slice(), height, coinbase } });
      }
    }

    const limit = totalFees + blockSubsidy(height, this.params);
    const paid = txs[0].outputs.reduce((sum, o) => sum + o.value, 0n);
    if (paid > limit) return reject('bad-cb-amount', `coinbase pays too much (actual=${paid} vs limit=${limit})`);

    const checkedAt = performance.now();
    // The writes go out while the scripts are verified; a savepoint takes them back if a script fails.
    const added: NewCoin[] = [];
    for (const [k, c] of created) if (!spentKeys.has(k)) added.push(c);
    await client.query('SAVEPOINT connect_block');
    const writes = (async () => {
      await utxoStore.remove(client, removedOutside);
      await utxoStore.add(client, added);
      await utxoStore.putUndo(client, p.hash, height, encodeUndo(undoCoins));
      await this.writeIndexes(ctx, p, entry, undoCoins, fees, blockOffsets);
      await client.query('DELETE FROM mempool_tx WHERE txid = ANY($1::bytea[])', [p.txids.slice(1).map((t) => Buffer.from(t))]);
      return performance.now();
    })();
    let scriptFailure: Rejection | null = null;
    try {
      if (verify.length && !this.scriptsAssumedValid(entry, ctx)) {
        const results = await this.verifier.verify(verify, { height, mode: 'block' });
        const bad = results.findIndex((r) => !r.valid);
        if (bad >= 0) {
          const r = results[bad];
          const why = 'error' in r ? `input ${r.inputIndex}: ${scriptErrorMessage(r.error)}` : 'verification was canceled';
          scriptFailure = reject('blk-bad-inputs', `transaction ${bad + 1} failed script verification (${why})`);
        }
      }
    } finally {
      // Never leave the client with a query in flight, whatever happened to the scripts.
      await writes.catch(() => {});
    }
    const verifiedAt = performance.now();
    const writtenAt = await writes;
    if (scriptFailure) {
      await client.query('ROLLBACK TO SAVEPOINT connect_block');
      return scriptFailure;
    }
    await client.query('RELEASE SAVEPOINT connect_block');

    for (const o of removedOutside) this.overlay.set(coinKey(o.txid, o.vout), null);
    for (const a of added) this.overlay.set(coinKey(a.txid, a.vout), a.coin);
    this.steps.push({ kind: 'connect', entry, block: p, fees });
    const ms = (a: number, b: number) => Math.round(b - a);
    this.log.debug('block connected', {
      height,
      txs: txs.length,
      fetchMs: ms(started, fetchedAt),
      checkMs: ms(fetchedAt, checkedAt),
      scriptMs: ms(checkedAt, verifiedAt),
      writeMs: ms(checkedAt, writtenAt),
    });
    return null;
  }

  async disconnect(ctx: ConnectContext, p: ParsedBlock, entry: IndexEntry): Promise<void> {
    const { client } = ctx;
    const undoBytes = await utxoStore.takeUndo(client, p.hash);
    if (!undoBytes) throw new NodeError(NodeErrorCode.ChainMismatch, `no undo data for block ${hashToHex(p.hash)} at height ${entry.height}`);
    const undo = decodeUndo(undoBytes);
    const txs = p.block.txs;
    const blockTxids = new Set(p.txids.map(txidKey));
    const removed: OutPointRef[] = [];
    for (let i = 0; i < txs.length; i++) {
      for (let n = 0; n < txs[i].outputs.length; n++) removed.push({ txid: p.txids[i], vout: n });
    }
    const restored: NewCoin[] = [];
    let u = 0;
    for (let i = 1; i < txs.length; i++) {
      for (const input of txs[i].inputs) {
        const coin = undo[u++];
        if (!coin) throw new NodeError(NodeErrorCode.ChainMismatch, `undo data of block ${hashToHex(p.hash)} is shorter than its inputs`);
        if (blockTxids.has(txidKey(input.prevout.txid))) continue;
        restored.push({ txid: input.prevout.txid, vout: input.prevout.vout, coin });
      }
    }
    if (u !== undo.length) throw new NodeError(NodeErrorCode.ChainMismatch, `undo data of block ${hashToHex(p.hash)} does not match its inputs`);
    await utxoStore.remove(client, removed);
    await utxoStore.add(client, restored);
    await indexStore.removeBlock(client, p.hash, entry.height);
    for (const o of removed) this.overlay.set(coinKey(o.txid, o.vout), null);
    for (const r of restored) this.overlay.set(coinKey(r.txid, r.vout), r.coin);
    this.steps.push({ kind: 'disconnect', entry, block: p });
  }

  /** The lowest height of the active chain whose block has no undo record (connected before the chain state existed), or null. */
  static async firstUnconnectedHeight(db: Queryable): Promise<number | null> {
    const { rows } = await db.query<{ height: number | null }>(
      'SELECT min(m.height) AS height FROM main_chain m LEFT JOIN block_undo u ON u.hash = m.hash WHERE m.height > 0 AND u.hash IS NULL',
    );
    return rows[0]?.height ?? null;
  }

  async committed(): Promise<void> {
    const overlay = this.overlay;
    const steps = this.steps;
    this.overlay = new Map();
    this.steps = [];
    if (overlay.size) this.utxos.applyCommitted(overlay);
    if (steps.length === 0 || !this.listener) return;
    try {
      await this.listener.chainStateChanged(steps);
    } catch (e) {
      this.log.error('updating the mempool after a chain change failed', { error: e as Error });
    }
  }

  rolledBack(): void {
    this.overlay = new Map();
    this.steps = [];
  }

  private async writeIndexes(ctx: ConnectContext, p: ParsedBlock, entry: IndexEntry, spent: readonly Coin[], fees: readonly bigint[], offsets: readonly number[]) {
    const { client } = ctx;
    const txs = p.block.txs;
    const locations: TxLocation[] = txs.map((_, i) => ({ txid: p.txids[i], position: i, offset: offsets[i], size: p.txSizes[i] }));
    await indexStore.addTxs(client, p.hash, entry.height, locations);

    const rows: AddressRow[] = [];
    let s = 0;
    for (let i = 0; i < txs.length; i++) {
      const tx = txs[i];
      if (i > 0) {
        for (let n = 0; n < tx.inputs.length; n++) {
          const coin = spent[s++];
          const h = p2pkhHash(coin.script);
          if (h) rows.push({ hash160: h, position: i, isSpend: true, n, txid: p.txids[i], value: -coin.value });
        }
      }
      for (let n = 0; n < tx.outputs.length; n++) {
        const h = p2pkhHash(tx.outputs[n].script);
        if (h) rows.push({ hash160: h, position: i, isSpend: false, n, txid: p.txids[i], value: tx.outputs[n].value });
      }
    }
    await indexStore.addAddressRows(client, entry.height, rows);

    const rates = fees.map((fee, i) => (fee * 1000n) / BigInt(p.txSizes[i + 1])).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const stats: BlockStatsRow = {
      txCount: txs.length,
      size: p.raw.length,
      totalFee: fees.reduce((a, b) => a + b, 0n),
      feeRates: { min: rates[0] ?? 0n, p10: percentile(rates, 0.1), median: percentile(rates, 0.5), p90: percentile(rates, 0.9) },
    };
    await indexStore.addBlockStats(client, p.hash, entry.height, stats);
  }

  /** BIP30 applies unless BIP34 is active on this chain (the reference node's shortcut). */
  private enforcesBip30(entry: IndexEntry, ctx: ConnectContext): boolean {
    const h = this.params.bip34Height;
    if (!this.params.bip34Hash || entry.height <= h) return true;
    const at = ctx.index.ancestor(entry, h);
    return !at || !Buffer.from(at.hash).equals(Buffer.from(this.params.bip34Hash));
  }

  /**
   * Scripts below the network's assumed-valid block are not re-verified (the reference
   * node's -assumevalid default): the block must be an ancestor of that block, which must be
   * on the best header chain.
   */
  private scriptsAssumedValid(entry: IndexEntry, ctx: ConnectContext): boolean {
    const av = this.params.defaultAssumeValid;
    if (isZeroHash(av)) return false;
    const avEntry = ctx.index.get(av);
    if (!avEntry || avEntry.height < entry.height) return false;
    if (ctx.index.ancestor(ctx.index.bestHeader(), avEntry.height) !== avEntry) return false;
    return ctx.index.ancestor(avEntry, entry.height) === entry;
  }
}
