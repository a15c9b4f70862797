/**
 * A float as the reference node writes it (UniValue keeps 16 significant digits), so that
 * e.g. regtest difficulty reads 4.656542373906925e-10 on both nodes.
 */
export function univalueDouble(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(16)) : x;
}
