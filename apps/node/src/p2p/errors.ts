/** Every failure the P2P layer raises carries one of these codes. */
export enum P2PErrorCode {
  /** A frame started with another network's magic (or with garbage). */
  WrongMagic = 'WRONG_MAGIC',
  /** A frame announced a payload above the limit for its command. */
  Oversized = 'OVERSIZED',
  /** A frame header that cannot be read (bad extended header, bad command bytes). */
  BadHeader = 'BAD_HEADER',
  /** A payload that does not decode as its command's layout. */
  Malformed = 'MALFORMED',
  /** A command name that is not ASCII, too long or empty. */
  InvalidCommand = 'INVALID_COMMAND',
  /** A value given to an encoder that the wire format cannot carry. */
  InvalidArgument = 'INVALID_ARGUMENT',
  /** An address or host:port that cannot be parsed. */
  InvalidAddress = 'INVALID_ADDRESS',
  /** A request about a peer that is not connected. */
  UnknownPeer = 'UNKNOWN_PEER',
  /** A peer that is already connected or queued. */
  AlreadyConnected = 'ALREADY_CONNECTED',
}

export class P2PError extends Error {
  override readonly name = 'P2PError';
  constructor(
    readonly code: P2PErrorCode,
    message: string,
    /** The field or argument that was wrong, e.g. `version.userAgent`. */
    readonly field?: string,
    /** The underlying error (e.g. the BitcoinError a payload decode raised). */
    override readonly cause?: unknown,
  ) {
    super(field ? `${field}: ${message}` : message);
  }
}
