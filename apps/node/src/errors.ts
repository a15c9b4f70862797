/** Failures of the node's own machinery (not block or RPC rejections, which have their own types). */
export enum NodeErrorCode {
  /** The database holds a chain of another network, or its chain rows are inconsistent. */
  ChainMismatch = 'CHAIN_MISMATCH',
  /** Another node process already writes to this database. */
  DatabaseLocked = 'DATABASE_LOCKED',
  /** Reading or writing the chain tables failed. */
  Storage = 'STORAGE',
  /** A block body the index says is stored could not be read back. */
  MissingBlockData = 'MISSING_BLOCK_DATA',
  /** A block hash the index does not hold. */
  UnknownBlock = 'UNKNOWN_BLOCK',
  /** Asked for something this build does not do yet. */
  NotSupported = 'NOT_SUPPORTED',
  /** The node is shutting down. */
  ShuttingDown = 'SHUTTING_DOWN',
}

export class NodeError extends Error {
  override readonly name = 'NodeError';
  constructor(
    readonly code: NodeErrorCode,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}
