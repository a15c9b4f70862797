/** Every BullMQ queue the platform uses. */
export enum QueueName {
  /** Accepted shares from stratum instances, consumed by the share accounting worker. */
  Shares = 'shares',
}

/** Redis pub/sub channels (events between apps). Prefixed with the deployment's key prefix. */
export enum Channel {
  /** apps/node: the active chain gained a block. Payload: BlockConnectedEvent. */
  BlockConnected = 'events:block-connected',
  /** apps/node: a block left the active chain (reorg). Payload: BlockDisconnectedEvent. */
  BlockDisconnected = 'events:block-disconnected',
  /** apps/node: a new block template is available (new tip or new transactions). */
  TemplateChanged = 'events:template-changed',
  /** apps/node: a transaction tried to spend an output another one already spends. Payload: DoubleSpendEvent. */
  DoubleSpend = 'events:double-spend',
}
