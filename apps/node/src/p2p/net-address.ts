import { isIP } from 'node:net';
import { P2PError, P2PErrorCode } from './errors.js';

/** A peer address as `version` carries it: services, a 16-byte IPv6 (IPv4-mapped) address, a port. */
export interface NetAddress {
  services: bigint;
  /** 16 bytes; IPv4 as ::ffff:a.b.c.d. */
  ip: Uint8Array;
  port: number;
}

/** A peer address as `addr` carries it: with the time it was last seen (seconds). */
export interface TimedNetAddress extends NetAddress {
  time: number;
}

const V4_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

export const UNSPECIFIED_IP = new Uint8Array(16);

export function isIPv4Mapped(ip: Uint8Array): boolean {
  for (let i = 0; i < 12; i++) if (ip[i] !== V4_PREFIX[i]) return false;
  return true;
}

/** A textual IPv4 or IPv6 address as 16 bytes. */
export function ipFromString(host: string): Uint8Array {
  const h = host.replace(/^\[|\]$/g, '');
  const kind = isIP(h);
  if (kind === 4) {
    const out = new Uint8Array(16);
    out.set(V4_PREFIX);
    h.split('.').forEach((p, i) => (out[12 + i] = Number(p)));
    return out;
  }
  if (kind === 6) {
    // IPv4-mapped written in dotted form (::ffff:1.2.3.4)
    const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    let text = h;
    if (dotted) {
      const v4 = dotted[2].split('.').map(Number);
      text = `${dotted[1]}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
    }
    const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
    const headParts = head ? head.split(':') : [];
    const tailParts = tail ? tail.split(':') : [];
    const groups = tail === undefined ? headParts : [...headParts, ...Array(8 - headParts.length - tailParts.length).fill('0'), ...tailParts];
    const out = new Uint8Array(16);
    groups.forEach((g, i) => {
      const v = parseInt(g, 16);
      out[i * 2] = v >> 8;
      out[i * 2 + 1] = v & 0xff;
    });
    return out;
  }
  throw new P2PError(P2PErrorCode.InvalidAddress, `"${host}" is not an IPv4 or IPv6 address`, 'host');
}

/** 16 bytes as text: dotted IPv4 for mapped addresses, else compressed IPv6. */
export function ipToString(ip: Uint8Array): string {
  if (ip.length !== 16) throw new P2PError(P2PErrorCode.InvalidAddress, `expected 16 bytes, got ${ip.length}`, 'ip');
  if (isIPv4Mapped(ip)) return `${ip[12]}.${ip[13]}.${ip[14]}.${ip[15]}`;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((ip[i] << 8) | ip[i + 1]);
  // Longest run of zero groups (length ≥ 2) becomes "::".
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** `host:port`, with brackets around IPv6 hosts. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function addressKey(ip: Uint8Array, port: number): string {
  return formatHostPort(ipToString(ip), port);
}

/** Host text as Node's socket reports it (e.g. "::ffff:127.0.0.1") normalised to our form. */
export function normaliseHost(host: string): string {
  return ipToString(ipFromString(host));
}

function v4(ip: Uint8Array): [number, number, number, number] | undefined {
  return isIPv4Mapped(ip) ? [ip[12], ip[13], ip[14], ip[15]] : undefined;
}

/** Loopback or unspecified (the reference node's CNetAddr::IsLocal). */
export function isLocalIp(ip: Uint8Array): boolean {
  const a = v4(ip);
  if (a) return a[0] === 127 || a[0] === 0;
  for (let i = 0; i < 15; i++) if (ip[i] !== 0) return false;
  return ip[15] === 1;
}

/** Usable as an address at all (CNetAddr::IsValid, for the address kinds we handle). */
export function isValidIp(ip: Uint8Array): boolean {
  if (ip.every((b) => b === 0)) return false;
  const a = v4(ip);
  if (a) {
    if (a.every((b) => b === 0)) return false;
    if (a.every((b) => b === 255)) return false;
  }
  return true;
}

/**
 * Reachable from the public internet (CNetAddr::IsRoutable): not private, loopback,
 * link-local, shared, benchmarking or documentation space.
 */
export function isRoutableIp(ip: Uint8Array): boolean {
  if (!isValidIp(ip) || isLocalIp(ip)) return false;
  const a = v4(ip);
  if (a) {
    const [x, y] = a;
    if (x === 10) return false; // RFC1918
    if (x === 172 && y >= 16 && y <= 31) return false;
    if (x === 192 && y === 168) return false;
    if (x === 198 && (y === 18 || y === 19)) return false; // RFC2544
    if (x === 169 && y === 254) return false; // RFC3927
    if (x === 100 && y >= 64 && y <= 127) return false; // RFC6598
    if ((x === 192 && y === 0 && a[2] === 2) || (x === 198 && y === 51 && a[2] === 100) || (x === 203 && y === 0 && a[2] === 113)) return false; // RFC5737
    return true;
  }
  if (ip[0] === 0xfe && (ip[1] & 0xc0) === 0x80) return false; // RFC4862 link-local
  if ((ip[0] & 0xfe) === 0xfc) return false; // RFC4193 unique local
  if (ip[0] === 0x20 && ip[1] === 0x01 && ip[2] === 0x0d && ip[3] === 0xb8) return false; // RFC3849
  if (ip[0] === 0x20 && ip[1] === 0x01 && ip[2] === 0x00 && (ip[3] & 0xf0) === 0x10) return false; // RFC4843
  return true;
}
