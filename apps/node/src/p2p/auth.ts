import secp256k1 from 'secp256k1';
import { concatBytes, sha256d } from '@metamorph/bitcoin';

/**
 * Check an `authresp`: a DER signature by `publicKey` of sha256d(challenge ‖ nonce),
 * the nonce as 8 little-endian bytes, with low-S normalisation as CPubKey::Verify.
 */
export function verifyAuthResponse(challenge: Uint8Array, nonce: bigint, publicKey: Uint8Array, derSignature: Uint8Array): boolean {
  const nonceBytes = new Uint8Array(8);
  new DataView(nonceBytes.buffer).setBigUint64(0, nonce, true);
  const digest = sha256d(concatBytes(challenge, nonceBytes));
  try {
    if (!secp256k1.publicKeyVerify(publicKey)) return false;
    const sig = secp256k1.signatureNormalize(secp256k1.signatureImport(derSignature));
    return secp256k1.ecdsaVerify(sig, digest, publicKey);
  } catch {
    return false;
  }
}
