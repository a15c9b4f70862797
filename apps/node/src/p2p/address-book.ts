import { randomInt } from 'node:crypto';
import { formatHostPort, ipFromString, ipToString, isRoutableIp, isValidIp, type TimedNetAddress } from './net-address.js';
import { REQUIRED_SERVICES } from './protocol.js';

export interface AddressEntry {
  host: string;
  port: number;
  services: bigint;
  /** Seconds since 1970 the address was last heard of. */
  lastSeen: number;
  /** Milliseconds since 1970; 0 = never. */
  lastTry: number;
  lastSuccess: number;
  attempts: number;
  /** Where we learnt it: `dns`, `addr`, `config`, `peer`. */
  source: string;
}

/** Where the address book survives a restart (Postgres in the node; memory in tests). */
export interface AddressStore {
  load(): Promise<AddressEntry[]>;
  save(entries: AddressEntry[]): Promise<void>;
}

export class MemoryAddressStore implements AddressStore {
  entries: AddressEntry[] = [];
  async load() {
    return this.entries.map((e) => ({ ...e }));
  }
  async save(entries: AddressEntry[]) {
    this.entries = entries.map((e) => ({ ...e }));
  }
}

const MAX_ADDRESSES = 20_000;
const FIVE_DAYS = 5 * 24 * 60 * 60;
/** Addresses older than this, never reached, are not handed out or dialled. */
const HORIZON_DAYS = 30;

/** Peer addresses (SV Node's addrman, much simplified): learnt, tried, picked for outbound. */
export class AddressBook {
  private readonly entries = new Map<string, AddressEntry>();
  private dirty = false;

  constructor(
    private readonly store: AddressStore,
    private readonly opts: { allowLocal: boolean; now?: () => number } = { allowLocal: false },
  ) {}

  private get now(): number {
    return (this.opts.now ?? Date.now)();
  }

  async load(): Promise<void> {
    for (const e of await this.store.load()) this.entries.set(formatHostPort(e.host, e.port), e);
  }

  async flush(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    await this.store.save([...this.entries.values()]);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Worth keeping: a valid, routable (or, on regtest, any) address offering the services we need. */
  private acceptable(ip: Uint8Array, services: bigint): boolean {
    if ((services & REQUIRED_SERVICES) !== REQUIRED_SERVICES) return false;
    return isValidIp(ip) && (this.opts.allowLocal || isRoutableIp(ip));
  }

  /** Learn addresses (from `addr`, DNS seeds or configuration). Returns how many were new. */
  add(addresses: TimedNetAddress[], source: string): number {
    const nowSec = Math.floor(this.now / 1000);
    let added = 0;
    for (const a of addresses) {
      if (!this.acceptable(a.ip, a.services) || a.port === 0) continue;
      // SV Node: a time too old or in the future becomes "five days ago".
      const time = a.time <= 100_000_000 || a.time > nowSec + 600 ? nowSec - FIVE_DAYS : a.time;
      const host = ipToString(a.ip);
      const k = formatHostPort(host, a.port);
      const e = this.entries.get(k);
      if (e) {
        e.lastSeen = Math.max(e.lastSeen, time);
        e.services |= a.services;
      } else {
        if (this.entries.size >= MAX_ADDRESSES) this.evict();
        this.entries.set(k, { host, port: a.port, services: a.services, lastSeen: time, lastTry: 0, lastSuccess: 0, attempts: 0, source });
        added++;
      }
      this.dirty = true;
    }
    return added;
  }

  private evict(): void {
    let worst: [string, AddressEntry] | undefined;
    for (const kv of this.entries) if (!worst || kv[1].lastSeen < worst[1].lastSeen) worst = kv;
    if (worst) this.entries.delete(worst[0]);
  }

  markAttempt(host: string, port: number): void {
    const e = this.entries.get(formatHostPort(host, port));
    if (!e) return;
    e.lastTry = this.now;
    e.attempts++;
    this.dirty = true;
  }

  /** A connection succeeded (the peer accepted our version). */
  markGood(host: string, port: number, services: bigint): void {
    const k = formatHostPort(host, port);
    let e = this.entries.get(k);
    if (!e) {
      let ip: Uint8Array;
      try {
        ip = ipFromString(host);
      } catch {
        return;
      }
      if (!this.acceptable(ip, services)) return;
      e = { host: ipToString(ip), port, services, lastSeen: 0, lastTry: 0, lastSuccess: 0, attempts: 0, source: 'peer' };
      this.entries.set(k, e);
    }
    e.lastSuccess = this.now;
    e.lastSeen = Math.floor(this.now / 1000);
    e.attempts = 0;
    e.services = services;
    this.dirty = true;
  }

  /**
   * An address to dial: not excluded, not tried in the last minute, preferring ones that
   * worked before, else random among the fresh ones.
   */
  select(exclude: (e: AddressEntry) => boolean): AddressEntry | undefined {
    const t = this.now;
    const horizon = Math.floor(t / 1000) - HORIZON_DAYS * 24 * 60 * 60;
    const candidates = [...this.entries.values()].filter(
      (e) => !exclude(e) && t - e.lastTry > 60_000 && (e.lastSuccess > 0 || e.lastSeen > horizon) && e.attempts < 10,
    );
    if (candidates.length === 0) return undefined;
    const tried = candidates.filter((e) => e.lastSuccess > 0);
    const pool = tried.length > 0 && randomInt(2) === 0 ? tried : candidates;
    return pool[randomInt(pool.length)];
  }

  /** Up to `max` random known addresses for a `getaddr` answer (SV: at most 23% of the book). */
  sample(max: number): TimedNetAddress[] {
    const all = [...this.entries.values()];
    const n = Math.min(max, Math.max(1, Math.floor((all.length * 23) / 100)), all.length);
    for (let i = all.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [all[i], all[j]] = [all[j], all[i]];
    }
    return all.slice(0, n).map((e) => ({ time: e.lastSeen, services: e.services, ip: ipFromString(e.host), port: e.port }));
  }

  list(): AddressEntry[] {
    return [...this.entries.values()];
  }
}
