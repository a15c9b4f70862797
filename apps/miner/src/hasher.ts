import crypto from 'node:crypto';
import { hashToBigInt } from '@metamorph/bitcoin';

export interface Found {
  nonce: number;
  hash: Buffer;
}

type Sha256 = (data: Buffer) => Buffer;

/** One-shot `crypto.hash` (Node ≥ 20.12) is about twice as fast as `createHash` on 80 bytes. */
const sha256: Sha256 =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (data) => (crypto as unknown as { hash(alg: string, d: Buffer, enc: 'buffer'): Buffer }).hash('sha256', data, 'buffer')
    : (data) => crypto.createHash('sha256').update(data).digest();

export function sha256d(data: Buffer): Buffer {
  return sha256(sha256(data));
}

/**
 * Hashes `count` nonces from `start` over an 80-byte header (bytes 76–79 overwritten) and returns
 * those whose SHA-256d is at or below `target`. A cheap check of the top 32 bits skips the
 * big-number comparison for almost every hash.
 */
export function scanNonces(header: Buffer, start: number, count: number, target: bigint): Found[] {
  const found: Found[] = [];
  const top = target >> 224n;
  const targetTop = top > 0xffffffffn ? 0xffffffff : Number(top);
  for (let i = 0; i < count; i++) {
    const nonce = (start + i) >>> 0;
    header.writeUInt32LE(nonce, 76);
    const hash = sha256(sha256(header));
    if (hash.readUInt32LE(28) > targetTop) continue;
    if (hashToBigInt(hash) <= target) found.push({ nonce, hash });
  }
  return found;
}
