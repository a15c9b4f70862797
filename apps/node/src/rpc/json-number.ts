/**
 * A float as the reference node writes it (UniValue keeps 16 significant digits), so that
 * e.g. regtest difficulty reads 4.656542373906925e-10 on both nodes.
 */
export function univalueDouble(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(16)) : x;
}

const RAW_MARK = `\u0000raw${Math.random().toString(36).slice(2)}:`;
/** How the mark looks inside JSON text (the NUL escaped). */
const RAW_MARK_JSON = JSON.stringify(RAW_MARK).slice(1, -1);
const RAW_PATTERN = new RegExp(`"${RAW_MARK_JSON.replace(/\\/g, '\\\\')}([^"]*)"`, 'g');

/**
 * A number written into the reply exactly as given (amounts as the reference node writes
 * them, `50.00000000`, which JSON.stringify cannot produce from a float). It serializes as a
 * marked string that `stringifyJson` then unquotes.
 */
export class RawJson {
  constructor(readonly text: string) {}

  toJSON(): string {
    return RAW_MARK + this.text;
  }
}

/** ValueFromAmount: satoshis as coins with all 8 decimals. */
export function valueFromAmount(sats: bigint): RawJson {
  const neg = sats < 0n;
  const abs = neg ? -sats : sats;
  return new RawJson(`${neg ? '-' : ''}${abs / 100_000_000n}.${(abs % 100_000_000n).toString().padStart(8, '0')}`);
}

/** FormatMoney: satoshis as coins, trailing zeros trimmed down to two decimals (transaction output values). */
export function formatMoney(sats: bigint): RawJson {
  return new RawJson(valueFromAmount(sats).text.replace(/(\.\d\d\d*?)0+$/, '$1'));
}

/** JSON.stringify that writes RawJson values verbatim. */
export function stringifyJson(value: unknown): string {
  const text = JSON.stringify(value);
  return text.includes(RAW_MARK_JSON) ? text.replace(RAW_PATTERN, '$1') : text;
}
