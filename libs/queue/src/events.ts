import type { Channel } from './names.js';

/** Hashes in events are display-order hex: events cross process boundaries as JSON. */
export interface BlockConnectedEvent {
  hash: string;
  height: number;
  prevHash: string;
  time: number;
}

export interface BlockDisconnectedEvent {
  hash: string;
  height: number;
}

export interface TemplateChangedEvent {
  /** The tip the new template builds on. */
  prevHash: string;
  height: number;
  reason: 'new-tip' | 'new-transactions';
}

/**
 * A double-spend attempt: `txid` spent the output `prevTxid:prevVout` that `conflictTxid`
 * already spends. MEMPOOL: refused at the mempool (first seen wins); BLOCK: dropped from the
 * mempool because block `blockHash` confirmed the other spend.
 */
export interface DoubleSpendEvent {
  kind: 'MEMPOOL' | 'BLOCK';
  txid: string;
  conflictTxid: string;
  prevTxid: string;
  prevVout: number;
  blockHash?: string;
}

export interface ChannelPayloads {
  [Channel.BlockConnected]: BlockConnectedEvent;
  [Channel.BlockDisconnected]: BlockDisconnectedEvent;
  [Channel.TemplateChanged]: TemplateChangedEvent;
  [Channel.DoubleSpend]: DoubleSpendEvent;
}

/** The Redis channel name for `channel` under a deployment's key prefix (e.g. `mm:`). */
export function channelKey(prefix: string, channel: Channel): string {
  return `${prefix}${channel}`;
}
