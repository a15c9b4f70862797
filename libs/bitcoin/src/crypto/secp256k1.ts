import { createRequire } from 'node:module';
import { secp256k1 as noble } from '@noble/curves/secp256k1.js';
import { BitcoinError, BitcoinErrorCode } from '../errors.js';

/**
 * The elliptic-curve operations the library needs, on keys and signatures already
 * checked for shape: `sig` is r||s with r, s in [1, n-1] and s <= n/2; `pubkey` is 33
 * bytes (02/03) or 65 bytes (04); `msg` and `seckey` are 32 bytes.
 */
export interface Secp256k1Backend {
  readonly name: Secp256k1BackendName;
  verify(sig: Uint8Array, msg: Uint8Array, pubkey: Uint8Array): boolean;
  /** RFC6979 deterministic, low-S, r||s. */
  sign(msg: Uint8Array, seckey: Uint8Array): Uint8Array;
  publicKeyCreate(seckey: Uint8Array, compressed: boolean): Uint8Array;
  privateKeyVerify(seckey: Uint8Array): boolean;
  /** Parses as a point on the curve. */
  publicKeyVerify(pubkey: Uint8Array): boolean;
}

/** `native`: libsecp256k1 through the `secp256k1` package's prebuilt addon; `noble`: pure JS. */
export type Secp256k1BackendName = 'native' | 'noble';

interface NativeBinding {
  ecdsaVerify(sig: Uint8Array, msg32: Uint8Array, pubkey: Uint8Array): boolean;
  ecdsaSign(msg32: Uint8Array, seckey: Uint8Array): { signature: Uint8Array; recid: number };
  publicKeyCreate(seckey: Uint8Array, compressed: boolean): Uint8Array;
  privateKeyVerify(seckey: Uint8Array): boolean;
  publicKeyVerify(pubkey: Uint8Array): boolean;
}

export const nobleBackend: Secp256k1Backend = {
  name: 'noble',
  verify(sig, msg, pubkey) {
    try {
      return noble.verify(sig, msg, pubkey, { prehash: false, lowS: true, format: 'compact' });
    } catch {
      return false;
    }
  },
  sign(msg, seckey) {
    return noble.sign(msg, seckey, { prehash: false, lowS: true, format: 'compact', extraEntropy: false });
  },
  publicKeyCreate: (seckey, compressed) => noble.getPublicKey(seckey, compressed),
  privateKeyVerify: (seckey) => noble.utils.isValidSecretKey(seckey),
  publicKeyVerify: (pubkey) => noble.utils.isValidPublicKey(pubkey),
};

/**
 * Load libsecp256k1 from the `secp256k1` package's native addon only. The package's own
 * entry point silently falls back to a pure-JS implementation when the addon fails to
 * load; requiring its `bindings` module directly fails instead, so we know what we run.
 */
function loadNative(): { backend?: Secp256k1Backend; error?: string } {
  try {
    const require = createRequire(import.meta.url);
    const binding = require('secp256k1/bindings') as NativeBinding;
    const backend: Secp256k1Backend = {
      name: 'native',
      verify(sig, msg, pubkey) {
        try {
          return binding.ecdsaVerify(sig, msg, pubkey);
        } catch {
          // The binding throws on a public key that does not parse.
          return false;
        }
      },
      sign: (msg, seckey) => binding.ecdsaSign(msg, seckey).signature,
      publicKeyCreate: (seckey, compressed) => binding.publicKeyCreate(seckey, compressed),
      privateKeyVerify: (seckey) => binding.privateKeyVerify(seckey),
      publicKeyVerify: (pubkey) => binding.publicKeyVerify(pubkey),
    };
    return { backend };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

const native = loadNative();
let current: Secp256k1Backend = native.backend ?? nobleBackend;

/** Whether the native libsecp256k1 addon loaded in this process (or worker). */
export const NATIVE_SECP256K1_AVAILABLE: boolean = native.backend !== undefined;
/** Why the native addon did not load, when it did not. */
export const NATIVE_SECP256K1_LOAD_ERROR: string | undefined = native.error;

/** The implementation in use: native when it loaded, otherwise noble. */
export function secp256k1Backend(): Secp256k1Backend {
  return current;
}

/** Switch implementation (benchmarks, tests). Asking for native where it did not load is an error. */
export function useSecp256k1Backend(name: Secp256k1BackendName): Secp256k1Backend {
  if (name === 'native') {
    if (!native.backend) {
      throw new BitcoinError(BitcoinErrorCode.InvalidArgument, `native secp256k1 is not available: ${native.error}`, 'backend');
    }
    current = native.backend;
  } else if (name === 'noble') {
    current = nobleBackend;
  } else {
    throw new BitcoinError(BitcoinErrorCode.InvalidArgument, `unknown secp256k1 backend "${String(name)}"`, 'backend');
  }
  return current;
}
