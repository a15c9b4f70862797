/** Every failure raised by this library carries one of these codes. */
export enum BitcoinErrorCode {
  /** The input ended before the field was complete. */
  Truncated = 'TRUNCATED',
  /** Bytes were left over after a value that must fill its input. */
  TrailingBytes = 'TRAILING_BYTES',
  /** A CompactSize written in more bytes than its value needs. */
  NonMinimalCompactSize = 'NON_MINIMAL_COMPACT_SIZE',
  /** A length, count or size above the limit the reference node enforces. */
  Oversized = 'OVERSIZED',
  OutOfRange = 'OUT_OF_RANGE',
  InvalidHex = 'INVALID_HEX',
  InvalidLength = 'INVALID_LENGTH',
  InvalidTarget = 'INVALID_TARGET',
  InvalidArgument = 'INVALID_ARGUMENT',
  /** A character outside the base58 alphabet. */
  InvalidCharacter = 'INVALID_CHARACTER',
  /** A base58check string whose 4-byte checksum does not match its payload. */
  InvalidChecksum = 'INVALID_CHECKSUM',
  /** A version byte that belongs to another network than the one asked for. */
  WrongNetwork = 'WRONG_NETWORK',
  /** A version byte that no known network uses for this kind of string. */
  UnknownPrefix = 'UNKNOWN_PREFIX',
  /** Well-formed bytes that do not follow the expected encoding (e.g. a WIF compression flag other than 0x01). */
  InvalidEncoding = 'INVALID_ENCODING',
  /** A header the difficulty rules need is not available from the chain view. */
  MissingAncestor = 'MISSING_ANCESTOR',
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

  /** The message without the leading field path. */
  get detail(): string {
    return this.field ? this.message.slice(this.field.length + 2) : this.message;
  }
}

/** True when `e` is a BitcoinError, optionally with the given code. */
export function isBitcoinError(e: unknown, code?: BitcoinErrorCode): e is BitcoinError {
  return e instanceof BitcoinError && (code === undefined || e.code === code);
}
