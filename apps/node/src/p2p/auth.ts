import { concatBytes, isFullyValidPublicKey, sha256d, verifyDerSignature } from '@metamorph/bitcoin';

/**
 * Check an `authresp`: a DER signature by `publicKey` of sha256d(challenge ‖ nonce), the
 * nonce as 8 little-endian bytes, verified as CPubKey::Verify does.
 */
export function verifyAuthResponse(challenge: Uint8Array, nonce: bigint, publicKey: Uint8Array, derSignature: Uint8Array): boolean {
  if (!isFullyValidPublicKey(publicKey)) return false;
  const nonceBytes = new Uint8Array(8);
  new DataView(nonceBytes.buffer).setBigUint64(0, nonce, true);
  return verifyDerSignature(derSignature, sha256d(concatBytes(challenge, nonceBytes)), publicKey);
}
