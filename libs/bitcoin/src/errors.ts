/** Every failure raised by this library carries one of these codes. */
export enum BitcoinErrorCode {
  Truncated = 'TRUNCATED',
  TrailingBytes = 'TRAILING_BYTES',
  NonMinimalCompactSize = 'NON_MINIMAL_COMPACT_SIZE',
  Oversized = 'OVERSIZED',
  OutOfRange = 'OUT_OF_RANGE',
  InvalidHex = 'INVALID_HEX',
  InvalidLength = 'INVALID_LENGTH',
  InvalidTarget = 'INVALID_TARGET',
  InvalidArgument = 'INVALID_ARGUMENT',
}

export class BitcoinError extends Error {
  override readonly name = 'BitcoinError';
  constructor(
    readonly code: BitcoinErrorCode,
    message: string,
    /** The field or argument that was wrong, e.g. `tx.inputs[2].script`. */
    readonly field?: string,
  ) {
    super(field ? `${field}: ${message}` : message);
  }
}
