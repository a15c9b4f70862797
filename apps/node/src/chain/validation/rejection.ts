/**
 * Why a header or block was refused: `reason` is the reference node's reject string
 * (what `submitblock` returns, e.g. "high-hash"); `debug` says what exactly was wrong.
 */
export interface Rejection {
  reason: string;
  debug: string;
  /**
   * The data may have been damaged in transit (merkle mismatch): the header itself is not
   * proven invalid, so it must not be marked invalid.
   */
  corruptionPossible?: boolean;
}

export function reject(reason: string, debug: string, corruptionPossible = false): Rejection {
  return corruptionPossible ? { reason, debug, corruptionPossible } : { reason, debug };
}
