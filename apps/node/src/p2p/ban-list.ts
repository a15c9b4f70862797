import { isIP } from 'node:net';
import { P2PError, P2PErrorCode } from './errors.js';
import { ipFromString, ipToString } from './net-address.js';

export interface BanEntry {
  /** An address (`1.2.3.4`, `2001:db8::1`) or a subnet (`10.0.0.0/8`). */
  subnet: string;
  /** Milliseconds since 1970. */
  bannedUntil: number;
  createdAt: number;
  reason: string;
}

/** Where bans survive a restart (Postgres in the node; memory in tests). */
export interface BanStore {
  load(): Promise<BanEntry[]>;
  save(entry: BanEntry): Promise<void>;
  remove(subnet: string): Promise<void>;
  clear(): Promise<void>;
}

export class MemoryBanStore implements BanStore {
  readonly entries = new Map<string, BanEntry>();
  async load() {
    return [...this.entries.values()];
  }
  async save(e: BanEntry) {
    this.entries.set(e.subnet, e);
  }
  async remove(subnet: string) {
    this.entries.delete(subnet);
  }
  async clear() {
    this.entries.clear();
  }
}

interface Parsed {
  ip: Uint8Array;
  prefix: number;
}

/** `addr` or `addr/prefix` (prefix in IPv4 bits for IPv4) as a 16-byte network and a 128-bit prefix. */
export function parseSubnet(text: string): { canonical: string; net: Parsed } {
  const [host, bits, extra] = text.trim().split('/');
  if (extra !== undefined || !isIP(host.replace(/^\[|\]$/g, ''))) {
    throw new P2PError(P2PErrorCode.InvalidAddress, `"${text}" is not an IP address or subnet`, 'subnet');
  }
  const ip = ipFromString(host);
  const v4 = isIP(host.replace(/^\[|\]$/g, '')) === 4;
  const max = v4 ? 32 : 128;
  const n = bits === undefined ? max : Number(bits);
  if (!/^\d+$/.test(bits ?? String(max)) || n < 0 || n > max) {
    throw new P2PError(P2PErrorCode.InvalidAddress, `"${text}" has an invalid prefix length`, 'subnet');
  }
  const prefix = v4 ? 96 + n : n;
  const masked = ip.slice();
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    masked[i] &= keep === 8 ? 0xff : (0xff << (8 - keep)) & 0xff;
  }
  const canonical = n === max ? ipToString(masked) : `${ipToString(masked)}/${n}`;
  return { canonical, net: { ip: masked, prefix } };
}

function contains(net: Parsed, ip: Uint8Array): boolean {
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, net.prefix - i * 8));
    if (keep === 0) return true;
    const mask = keep === 8 ? 0xff : (0xff << (8 - keep)) & 0xff;
    if ((ip[i] & mask) !== net.ip[i]) return false;
  }
  return true;
}

/** Banned addresses and subnets, with expiry, kept in a store (SV Node's banlist). */
export class BanList {
  private readonly bans = new Map<string, BanEntry & { net: Parsed }>();

  constructor(
    private readonly store: BanStore,
    private readonly now: () => number = Date.now,
  ) {}

  async load(): Promise<void> {
    for (const e of await this.store.load()) {
      try {
        this.bans.set(e.subnet, { ...e, net: parseSubnet(e.subnet).net });
      } catch {
        // A row we cannot read is skipped; it will expire or be cleared.
      }
    }
    await this.sweep();
  }

  isBanned(host: string): boolean {
    let ip: Uint8Array;
    try {
      ip = ipFromString(host);
    } catch {
      return false;
    }
    const t = this.now();
    for (const b of this.bans.values()) if (b.bannedUntil > t && contains(b.net, ip)) return true;
    return false;
  }

  /** Ban for `seconds` (extending, never shortening, an existing ban). */
  async ban(subnet: string, seconds: number, reason: string, absolute = false): Promise<BanEntry> {
    const { canonical, net } = parseSubnet(subnet);
    const t = this.now();
    const until = absolute ? seconds * 1000 : t + seconds * 1000;
    const old = this.bans.get(canonical);
    const entry = { subnet: canonical, bannedUntil: Math.max(until, old?.bannedUntil ?? 0), createdAt: old?.createdAt ?? t, reason };
    this.bans.set(canonical, { ...entry, net });
    await this.store.save(entry);
    return entry;
  }

  async unban(subnet: string): Promise<boolean> {
    const { canonical } = parseSubnet(subnet);
    const had = this.bans.delete(canonical);
    if (had) await this.store.remove(canonical);
    return had;
  }

  async clear(): Promise<void> {
    this.bans.clear();
    await this.store.clear();
  }

  list(): BanEntry[] {
    const t = this.now();
    return [...this.bans.values()].filter((b) => b.bannedUntil > t).map(({ subnet, bannedUntil, createdAt, reason }) => ({ subnet, bannedUntil, createdAt, reason }));
  }

  /** Forget expired bans. */
  async sweep(): Promise<void> {
    const t = this.now();
    for (const [k, b] of this.bans) {
      if (b.bannedUntil <= t) {
        this.bans.delete(k);
        await this.store.remove(k);
      }
    }
  }
}

/** Whether `host` lies in `subnet` (an address or address/prefix); false for anything unparsable. */
export function inSubnet(subnet: string, host: string): boolean {
  try {
    return contains(parseSubnet(subnet).net, ipFromString(host));
  } catch {
    return false;
  }
}
