/** JSON-RPC error codes as the reference node uses them (rpc/protocol.h). */
export enum RpcErrorCode {
  InvalidRequest = -32600,
  MethodNotFound = -32601,
  InvalidParams = -32602,
  InternalError = -32603,
  ParseError = -32700,
  MiscError = -1,
  TypeError = -3,
  InvalidAddressOrKey = -5,
  OutOfMemory = -7,
  InvalidParameter = -8,
  ClientNotConnected = -9,
  ClientInInitialDownload = -10,
  DatabaseError = -20,
  ClientNodeAlreadyAdded = -23,
  ClientNodeNotAdded = -24,
  ClientNodeNotConnected = -29,
  ClientInvalidIpOrSubnet = -30,
  ClientP2PDisabled = -31,
  DeserializationError = -22,
  VerifyError = -25,
  VerifyRejected = -26,
  VerifyAlreadyInChain = -27,
  InWarmup = -28,
}

/** An RPC failure: becomes the reply's `error` object. */
export class RpcError extends Error {
  override readonly name = 'RpcError';
  constructor(
    readonly code: RpcErrorCode,
    message: string,
  ) {
    super(message);
  }

  toJSON(): { code: number; message: string } {
    return { code: this.code, message: this.message };
  }
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface RpcReply {
  result: unknown;
  error: { code: number; message: string } | null;
  id: unknown;
}

/** Bitcoind's reply shape whatever the request's JSON-RPC version: result, error and id, always all three. */
export function reply(result: unknown, error: RpcError | null, id: unknown): RpcReply {
  return { result: error ? null : result, error: error ? error.toJSON() : null, id: id === undefined ? null : id };
}

/** HTTP status for a failed single request, as bitcoind's JSONErrorReply. */
export function httpStatusFor(code: number): number {
  if (code === RpcErrorCode.InvalidRequest) return 400;
  if (code === RpcErrorCode.MethodNotFound) return 404;
  return 500;
}
