import { isValidCompactSignature, normalizeS, parseDerLax } from './der.js';
import { secp256k1Backend } from './secp256k1.js';

/**
 * Length a public key must have for its first byte (the reference node's
 * `CPubKey::GetLen`): 33 for 02/03, 65 for 04 and the hybrid 06/07, else 0.
 */
export function publicKeyLengthForHeader(header: number): number {
  if (header === 2 || header === 3) return 33;
  if (header === 4 || header === 6 || header === 7) return 65;
  return 0;
}

/**
 * The key as the curve backends take it: hybrid keys (06/07, accepted by libsecp256k1
 * when the tag matches y's parity) become plain 04 keys; anything malformed is undefined.
 */
function backendPublicKey(pubkey: Uint8Array): Uint8Array | undefined {
  const len = pubkey.length === 0 ? 0 : publicKeyLengthForHeader(pubkey[0]);
  if (len === 0 || len !== pubkey.length) return undefined;
  const header = pubkey[0];
  if (header === 6 || header === 7) {
    if ((pubkey[64] & 1) !== (header & 1)) return undefined;
    const plain = Uint8Array.from(pubkey);
    plain[0] = 4;
    return plain;
  }
  return pubkey;
}

/**
 * Verify a DER signature (without its sighash byte) over a 32-byte hash, exactly as the
 * reference node's `CPubKey::Verify`: lax DER parsing, then s normalized to the lower
 * half (high-S is only refused by script flags, never here).
 */
export function verifyDerSignature(der: Uint8Array, hash: Uint8Array, pubkey: Uint8Array): boolean {
  const key = backendPublicKey(pubkey);
  if (!key || der.length === 0) return false;
  const compact = parseDerLax(der);
  if (!compact || !isValidCompactSignature(compact)) return false;
  normalizeS(compact);
  return secp256k1Backend().verify(compact, hash, key);
}

/** Whether a public key parses as the reference node's libsecp256k1 would (`IsFullyValid`). */
export function isFullyValidPublicKey(pubkey: Uint8Array): boolean {
  const key = backendPublicKey(pubkey);
  return key !== undefined && secp256k1Backend().publicKeyVerify(key);
}
