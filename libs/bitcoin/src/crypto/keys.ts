import { randomBytes } from 'node:crypto';
import { BitcoinError, BitcoinErrorCode } from '../errors.js';
import { hash160 } from '../hash.js';
import { encodeDerSignature } from './der.js';
import { isFullyValidPublicKey, verifyDerSignature } from './ecdsa.js';
import { secp256k1Backend } from './secp256k1.js';

/** A secp256k1 public key in SEC1 form: 33 bytes compressed or 65 bytes uncompressed. */
export class PublicKey {
  private constructor(readonly bytes: Uint8Array) {}

  /** Accepts compressed (02/03) and uncompressed (04) keys that lie on the curve. */
  static fromBytes(bytes: Uint8Array, field = 'publicKey'): PublicKey {
    const okShape = (bytes.length === 33 && (bytes[0] === 2 || bytes[0] === 3)) || (bytes.length === 65 && bytes[0] === 4);
    if (!okShape) {
      throw new BitcoinError(BitcoinErrorCode.InvalidArgument, `not a 33-byte compressed or 65-byte uncompressed key (${bytes.length} bytes)`, field);
    }
    if (!isFullyValidPublicKey(bytes)) throw new BitcoinError(BitcoinErrorCode.InvalidArgument, 'not a point on secp256k1', field);
    return new PublicKey(Uint8Array.from(bytes));
  }

  get compressed(): boolean {
    return this.bytes.length === 33;
  }

  /** HASH160 of the key bytes, as P2PKH outputs commit to. */
  hash160(): Uint8Array {
    return hash160(this.bytes);
  }

  /** Consensus verification of a DER signature (no sighash byte) over a 32-byte hash. */
  verify(hash: Uint8Array, der: Uint8Array): boolean {
    return verifyDerSignature(der, hash, this.bytes);
  }
}

/** A secp256k1 private key with the public-key form (compressed or not) it is used with. */
export class PrivateKey {
  private constructor(
    private readonly secret: Uint8Array,
    readonly compressed: boolean,
  ) {}

  /** 32 bytes in [1, n-1]. */
  static fromBytes(bytes: Uint8Array, compressed = true, field = 'privateKey'): PrivateKey {
    if (bytes.length !== 32) throw new BitcoinError(BitcoinErrorCode.InvalidLength, `expected 32 bytes, got ${bytes.length}`, field);
    if (!secp256k1Backend().privateKeyVerify(bytes)) throw new BitcoinError(BitcoinErrorCode.OutOfRange, 'not in [1, n-1]', field);
    return new PrivateKey(Uint8Array.from(bytes), compressed);
  }

  static random(compressed = true): PrivateKey {
    for (;;) {
      const bytes = new Uint8Array(randomBytes(32));
      if (secp256k1Backend().privateKeyVerify(bytes)) return new PrivateKey(bytes, compressed);
    }
  }

  /** The 32 secret bytes (a copy). */
  toBytes(): Uint8Array {
    return Uint8Array.from(this.secret);
  }

  publicKey(): PublicKey {
    return PublicKey.fromBytes(secp256k1Backend().publicKeyCreate(this.secret, this.compressed));
  }

  /** RFC6979 deterministic low-S signature over a 32-byte hash, as r||s. */
  signCompact(hash: Uint8Array): Uint8Array {
    if (hash.length !== 32) throw new BitcoinError(BitcoinErrorCode.InvalidLength, `expected a 32-byte hash, got ${hash.length}`, 'hash');
    return secp256k1Backend().sign(hash, this.secret);
  }

  /** RFC6979 deterministic low-S signature over a 32-byte hash, strict DER (no sighash byte). */
  sign(hash: Uint8Array): Uint8Array {
    return encodeDerSignature(this.signCompact(hash));
  }
}
