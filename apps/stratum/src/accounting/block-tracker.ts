import { Redis } from 'ioredis';
import { hashToHex } from '@metamorph/bitcoin';
import type { Logger } from '@metamorph/config';
import type { PgPool } from '@metamorph/db';
import { Channel, channelKey, redisOptions } from '@metamorph/queue';
import { StratumAppError, StratumAppErrorCode } from '../errors.js';
import type { NodeRpc } from '../node-rpc.js';

/** Confirmations after which a coinbase may be spent: the block's reward is final. */
export const COINBASE_MATURITY = 100;
/** The reference node's "Block not found" (RPC_INVALID_ADDRESS_OR_KEY). */
const RPC_NOT_FOUND = -5;
/** Orphaned blocks are still watched this many blocks back (a reorg may bring them back). */
const ORPHAN_WATCH_DEPTH = 200;

export type TrackedStatus = 'SUBMITTED' | 'ACCEPTED' | 'REJECTED' | 'CONFIRMED' | 'ORPHANED';

export interface BlockTrackerOptions {
  pool: PgPool;
  rpc: NodeRpc;
  logger: Logger;
  /** A full check this often (and soon after every chain event). */
  intervalMs: number;
  /** Listen for the node's BlockConnected/BlockDisconnected here. */
  events?: { redisUrl: string; prefix: string };
  /** A SUBMITTED block the node does not know this long after it was found was never stored: REJECTED. */
  unknownGraceMs?: number;
}

export interface Transition {
  hash: string;
  height: number;
  from: TrackedStatus;
  to: TrackedStatus;
  confirmations: number;
}

interface Row {
  hash: Buffer;
  height: number;
  status: TrackedStatus;
  found_at: Date;
  confirmations: number;
}

/** What the node's chain says about one found block: the status it should have now. */
export function nextStatus(current: TrackedStatus, confirmations: number | 'unknown', tipHeight: number, height: number, unknownExpired: boolean): TrackedStatus {
  if (confirmations === 'unknown') {
    if (current === 'SUBMITTED') return unknownExpired ? 'REJECTED' : 'SUBMITTED';
    // A block the node had and no longer has (it was reset): off the chain.
    return 'ORPHANED';
  }
  if (confirmations >= COINBASE_MATURITY) return 'CONFIRMED';
  if (confirmations >= 1) return 'ACCEPTED';
  // Stored but not on the active chain: lost once another block holds its height.
  if (current === 'ACCEPTED') return 'ORPHANED';
  if (current === 'SUBMITTED') return tipHeight >= height ? 'ORPHANED' : 'SUBMITTED';
  return current;
}

/**
 * Follows every found block on the node's chain and moves it SUBMITTED → ACCEPTED → CONFIRMED (100
 * confirmations), to ORPHANED when it leaves (or never joins) the active chain, back to ACCEPTED if
 * a reorg brings it back, and to REJECTED when the node never stored it. Runs on the node's chain
 * events and on a timer; each update is conditional on the status it read, so several workers may
 * run it at once.
 */
export class BlockTracker {
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private subscriber: Redis | undefined;
  private running: Promise<Transition[]> | undefined;
  private again = false;
  private closed = false;
  private failing = false;

  constructor(private readonly options: BlockTrackerOptions) {}

  async start(): Promise<void> {
    this.timer = setInterval(() => this.schedule(0), this.options.intervalMs);
    if (this.options.events) {
      const ev = this.options.events;
      const channels = [channelKey(ev.prefix, Channel.BlockConnected), channelKey(ev.prefix, Channel.BlockDisconnected)];
      const sub = new Redis(redisOptions(ev.redisUrl, { lazyConnect: true }));
      this.subscriber = sub;
      sub.on('error', (e) => this.options.logger.debug('event subscription error', { error: e.message }));
      sub.on('message', () => this.schedule(100));
      await sub.connect();
      await sub.subscribe(...channels);
    }
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.closed || this.soon) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      void this.check();
    }, delayMs);
  }

  /** Compare every open found block with the node's chain now; calls during a check coalesce into one more. */
  check(): Promise<Transition[]> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      const all: Transition[] = [];
      do {
        this.again = false;
        try {
          all.push(...(await this.checkOnce()));
          if (this.failing) this.options.logger.info('following found blocks again');
          this.failing = false;
        } catch (e) {
          if (!this.failing) this.options.logger.warn('cannot follow found blocks on the node', { error: (e as Error).message });
          this.failing = true;
        }
      } while (this.again && !this.closed);
      return all;
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  private async checkOnce(): Promise<Transition[]> {
    const { pool, rpc, logger } = this.options;
    const tip = await rpc.call<number>('getblockcount', []);
    const { rows } = await pool.query<Row>(
      `SELECT hash, height, status, found_at, confirmations FROM found_block
       WHERE status IN ('SUBMITTED', 'ACCEPTED') OR (status = 'ORPHANED' AND height > $1)
       ORDER BY height`,
      [tip - ORPHAN_WATCH_DEPTH],
    );
    const out: Transition[] = [];
    const grace = this.options.unknownGraceMs ?? 120_000;
    for (const row of rows) {
      if (this.closed) break;
      const hex = hashToHex(new Uint8Array(row.hash));
      let confirmations: number | 'unknown';
      try {
        const header = await rpc.call<{ confirmations: number }>('getblockheader', [hex, true]);
        confirmations = header.confirmations;
      } catch (e) {
        const err = e as StratumAppError & { rpcCode?: number };
        if (err.code !== StratumAppErrorCode.RpcError || err.rpcCode !== RPC_NOT_FOUND) throw e;
        confirmations = 'unknown';
      }
      const expired = Date.now() - row.found_at.getTime() > grace;
      const to = nextStatus(row.status, confirmations, tip, row.height, expired);
      const conf = confirmations === 'unknown' ? -1 : confirmations;
      const r = await pool.query(
        `UPDATE found_block SET status = $2::found_block_status, confirmations = $3, checked_at = now(),
           submit_result = CASE WHEN $5::boolean AND submit_result IS NULL THEN 'not known to the node' ELSE submit_result END,
           updated_at = CASE WHEN status <> $2::found_block_status THEN now() ELSE updated_at END
         WHERE hash = $1 AND status = $4::found_block_status`,
        [row.hash, to, conf, row.status, to === 'REJECTED'],
      );
      if (to !== row.status && r.rowCount) {
        const t: Transition = { hash: hex, height: row.height, from: row.status, to, confirmations: conf };
        out.push(t);
        logger.info(`found block ${to.toLowerCase()}`, { hash: hex, height: row.height, from: row.status, confirmations: conf });
      }
    }
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.soon) clearTimeout(this.soon);
    this.subscriber?.disconnect();
    await this.running;
  }
}
