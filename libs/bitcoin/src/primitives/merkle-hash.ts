// Double SHA-256 of one 64-byte merkle pair, in plain JavaScript.
//
// node:crypto costs about 1.5 µs per pair here, mostly crossing into C++ and allocating
// two Buffers; this allocation-free version takes about half that, which matters for
// trees of a million leaves. The input is always exactly 64 bytes, so the padding block
// of the first hash is a constant whose message schedule is computed once. Checked
// against node:crypto in merkle.test.ts.

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
  0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
  0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
  0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
  0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
  0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

const W = new Int32Array(64);
const S = new Int32Array(8);

/** Message schedule words 16–63 from words 0–15. */
function expand(w: Int32Array): void {
  for (let i = 16; i < 64; i++) {
    const w15 = w[i - 15];
    const w2 = w[i - 2];
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
  }
}

function addK(w: Int32Array): void {
  for (let i = 0; i < 64; i++) w[i] = (w[i] + K[i]) | 0;
}

/** The 64 rounds over `kw` (schedule words with the round constants already added). */
function rounds(st: Int32Array, kw: Int32Array): void {
  let a = st[0], b = st[1], c = st[2], d = st[3], e = st[4], f = st[5], g = st[6], h = st[7];
  for (let i = 0; i < 64; i++) {
    const t1 = (h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + ((e & f) ^ (~e & g)) + kw[i]) | 0;
    const t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  st[0] = (st[0] + a) | 0;
  st[1] = (st[1] + b) | 0;
  st[2] = (st[2] + c) | 0;
  st[3] = (st[3] + d) | 0;
  st[4] = (st[4] + e) | 0;
  st[5] = (st[5] + f) | 0;
  st[6] = (st[6] + g) | 0;
  st[7] = (st[7] + h) | 0;
}

/** Schedule (+K) of the padding block that follows a 64-byte message. */
const PAD_AFTER_64 = (() => {
  const w = new Int32Array(64);
  w[0] = 0x80000000 | 0;
  w[15] = 512;
  expand(w);
  addK(w);
  return w;
})();

/** sha256(sha256(src[off … off+64])) written to dst[doff … doff+32]. */
export function sha256dPair(src: Uint8Array, off: number, dst: Uint8Array, doff: number): void {
  for (let i = 0; i < 16; i++) {
    const p = off + i * 4;
    W[i] = (src[p] << 24) | (src[p + 1] << 16) | (src[p + 2] << 8) | src[p + 3];
  }
  expand(W);
  addK(W);
  S.set(IV);
  rounds(S, W);
  rounds(S, PAD_AFTER_64);
  // Second hash: the 32-byte digest, then its padding (0x80, zeros, length 256 bits).
  for (let i = 0; i < 8; i++) W[i] = S[i];
  W[8] = 0x80000000 | 0;
  for (let i = 9; i < 15; i++) W[i] = 0;
  W[15] = 256;
  expand(W);
  addK(W);
  S.set(IV);
  rounds(S, W);
  for (let i = 0; i < 8; i++) {
    const v = S[i];
    const p = doff + i * 4;
    dst[p] = v >>> 24;
    dst[p + 1] = (v >>> 16) & 0xff;
    dst[p + 2] = (v >>> 8) & 0xff;
    dst[p + 3] = v & 0xff;
  }
}
