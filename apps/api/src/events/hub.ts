import type { BlockConnectedEvent, BlockDisconnectedEvent } from '@metamorph/queue';
import { PushIterator } from './push-iterator.js';

export type ChainEvent =
  | { kind: 'connected'; block: BlockConnectedEvent }
  | { kind: 'disconnected'; block: BlockDisconnectedEvent };

/** Fans chain events out to this process's subscriptions. */
export class EventHub {
  private readonly subscribers = new Map<PushIterator<ChainEvent>, ReadonlySet<ChainEvent['kind']>>();

  subscribe(kinds: readonly ChainEvent['kind'][]): AsyncIterableIterator<ChainEvent> {
    const it: PushIterator<ChainEvent> = new PushIterator(() => this.subscribers.delete(it));
    this.subscribers.set(it, new Set(kinds));
    return it;
  }

  publish(event: ChainEvent): void {
    for (const [it, kinds] of this.subscribers) if (kinds.has(event.kind)) it.push(event);
  }

  get size(): number {
    return this.subscribers.size;
  }

  /** End every subscription (server shutdown). */
  closeAll(): void {
    for (const it of [...this.subscribers.keys()]) it.close();
  }
}
