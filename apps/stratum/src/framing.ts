/**
 * Newline framing for one connection without a per-connection object: the caller keeps the
 * unfinished tail (usually nothing) and passes it back with the next chunk. Lines end with `\n`
 * or `\r\n`; bytes are decoded as UTF-8 per whole line, so characters split across chunks survive.
 */
export interface Framed {
  /** Bytes after the last newline, to pass back with the next chunk (undefined when none). */
  partial: Buffer | undefined;
  /** A line exceeded `maxLineBytes`: the stream is unusable. */
  tooLong: boolean;
}

/**
 * Calls `onLine` for each complete line in `partial ‖ chunk`; stops early (tooLong) at a line longer
 * than `maxLineBytes`, or when `onLine` returns false (e.g. the connection closed).
 */
export function splitLines(partial: Buffer | undefined, chunk: Buffer, maxLineBytes: number, onLine: (line: string) => boolean): Framed {
  const data = partial ? Buffer.concat([partial, chunk]) : chunk;
  let start = 0;
  let nl: number;
  while ((nl = data.indexOf(10, start)) >= 0) {
    if (nl - start > maxLineBytes) return { partial: undefined, tooLong: true };
    const end = nl > start && data[nl - 1] === 13 ? nl - 1 : nl;
    if (!onLine(data.toString('utf8', start, end))) return { partial: undefined, tooLong: false };
    start = nl + 1;
  }
  if (start === data.length) return { partial: undefined, tooLong: false };
  if (data.length - start > maxLineBytes) return { partial: undefined, tooLong: true };
  // A copy, so the (possibly large) chunk it came from is not kept alive.
  return { partial: Buffer.from(data.subarray(start)), tooLong: false };
}
