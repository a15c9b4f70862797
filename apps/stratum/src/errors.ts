/** Failures inside the stratum app (not miner-facing protocol errors: see protocol.ts). */
export enum StratumAppErrorCode {
  InvalidAddress = 'INVALID_ADDRESS',
  InvalidTemplate = 'INVALID_TEMPLATE',
  RpcTransport = 'RPC_TRANSPORT',
  RpcHttp = 'RPC_HTTP',
  RpcAuth = 'RPC_AUTH',
  RpcError = 'RPC_ERROR',
  RpcBadResponse = 'RPC_BAD_RESPONSE',
  InvalidArgument = 'INVALID_ARGUMENT',
  /** Too many shares wait to be stored (the share store is down or slow). */
  SinkFull = 'SINK_FULL',
}

export class StratumAppError extends Error {
  override readonly name = 'StratumAppError';
  constructor(
    readonly code: StratumAppErrorCode,
    message: string,
    /** The field or argument at fault, e.g. `template.transactions[3].txid`. */
    readonly field?: string,
    override readonly cause?: unknown,
  ) {
    super(field ? `${field}: ${message}` : message);
  }
}
