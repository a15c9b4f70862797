const HASHRATE_UNITS = ['H/s', 'kH/s', 'MH/s', 'GH/s', 'TH/s', 'PH/s', 'EH/s', 'ZH/s'];

/** 1234567 → "1.23 MH/s" (three significant digits). */
export function formatHashrate(hps: number): string {
  if (!Number.isFinite(hps) || hps <= 0) return '0 H/s';
  let i = 0;
  let v = hps;
  while (v >= 1000 && i < HASHRATE_UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${HASHRATE_UNITS[i]}`;
}

/** Satoshis (a decimal string) as BSV, exactly: "5000000000" → "50", "1" → "0.00000001". */
export function formatBsv(satoshis: string): string {
  const s = BigInt(satoshis);
  const sign = s < 0n ? '-' : '';
  const abs = s < 0n ? -s : s;
  const whole = abs / 100_000_000n;
  const frac = (abs % 100_000_000n).toString().padStart(8, '0').replace(/0+$/, '');
  return `${sign}${whole.toLocaleString('en-US')}${frac ? '.' + frac : ''}`;
}

/** "0000…abcd": a hash short enough for a table cell, still telling blocks apart. */
export function shortHash(hex: string, each = 8): string {
  return hex.length <= each * 2 + 1 ? hex : `${hex.slice(0, each)}…${hex.slice(-each)}`;
}

export function shortAddress(address: string): string {
  return address.length <= 16 ? address : `${address.slice(0, 8)}…${address.slice(-6)}`;
}

export function formatNumber(n: number): string {
  return n.toLocaleString('en-US');
}

/** "12 s ago", "5 min ago", "3 h ago", "4 d ago". */
export function timeAgo(iso: string | null, now: number): string {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** A UTC timestamp for titles: "2026-11-24 12:00:05 UTC". */
export function utc(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/Z$/, ' UTC');
}

/** Exact decimal strings shortened for display: "0.000244140625" stays, "123456789.5" → "123,456,789.5". */
export function formatDifficulty(d: string): string {
  const [whole, frac] = d.split('.');
  const grouped = BigInt(whole).toLocaleString('en-US');
  if (!frac) return grouped;
  return `${grouped}.${frac.length > 6 && whole !== '0' && whole !== '-0' ? frac.slice(0, 3) : frac}`;
}

export function formatBytes(n: number | null): string {
  if (n === null) return '—';
  if (n < 1000) return `${n} B`;
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)} kB`;
  return `${(n / 1_000_000).toFixed(2)} MB`;
}
