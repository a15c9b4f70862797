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

export interface ChannelPayloads {
  [Channel.BlockConnected]: BlockConnectedEvent;
  [Channel.BlockDisconnected]: BlockDisconnectedEvent;
  [Channel.TemplateChanged]: TemplateChangedEvent;
}

/** The Redis channel name for `channel` under a deployment's key prefix (e.g. `mm:`). */
export function channelKey(prefix: string, channel: Channel): string {
  return `${prefix}${channel}`;
}
