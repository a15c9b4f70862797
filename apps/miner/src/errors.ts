export enum MinerErrorCode {
  BadNotify = 'BAD_NOTIFY',
  BadReply = 'BAD_REPLY',
  Disconnected = 'DISCONNECTED',
  Refused = 'REFUSED',
}

export class MinerError extends Error {
  override readonly name = 'MinerError';
  constructor(
    readonly code: MinerErrorCode,
    message: string,
    /** The field of the pool's message at fault. */
    readonly field?: string,
  ) {
    super(field ? `${field}: ${message}` : message);
  }
}
