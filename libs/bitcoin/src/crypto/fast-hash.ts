import { hash } from 'node:crypto';
import type { Hash32 } from '../hash.js';

// One-shot digests (node:crypto `hash`) cost about a third less than createHash per call,
// which shows on the many small hashes of script verification. Results are plain
// Uint8Array views (not Buffers, whose slice() shares memory).

function view(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

export function sha256Fast(data: Uint8Array): Uint8Array {
  return view(hash('sha256', data, 'buffer'));
}

export function sha256dFast(data: Uint8Array): Hash32 {
  return view(hash('sha256', hash('sha256', data, 'buffer'), 'buffer')) as Hash32;
}

export function hash160Fast(data: Uint8Array): Uint8Array {
  return view(hash('ripemd160', hash('sha256', data, 'buffer'), 'buffer'));
}

export function ripemd160Fast(data: Uint8Array): Uint8Array {
  return view(hash('ripemd160', data, 'buffer'));
}

export function sha1Fast(data: Uint8Array): Uint8Array {
  return view(hash('sha1', data, 'buffer'));
}
