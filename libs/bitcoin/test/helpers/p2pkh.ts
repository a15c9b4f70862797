import {
  Op,
  PrivateKey,
  hash160,
  pushDataScript,
  sha256,
  signTransactionInput,
  concatBytes,
  type Hash32,
  type SigHashType,
  type SpentOutput,
  type Transaction,
  SIGHASH_ALL_FORKID,
} from '@metamorph/bitcoin';

/** OP_DUP OP_HASH160 <hash> OP_EQUALVERIFY OP_CHECKSIG */
export function p2pkhScript(pubkeyHash: Uint8Array): Uint8Array {
  return Uint8Array.from([Op.OP_DUP, Op.OP_HASH160, 0x14, ...pubkeyHash, Op.OP_EQUALVERIFY, Op.OP_CHECKSIG]);
}

export function keyFromSeed(seed: number): PrivateKey {
  return PrivateKey.fromBytes(sha256(Uint8Array.of(seed & 0xff, (seed >> 8) & 0xff, (seed >> 16) & 0xff, 0x5a)));
}

/**
 * A one-input, one-output P2PKH spend of a made-up output of `value` created at
 * `coinHeight`, signed with `type`.
 */
export function p2pkhSpend(
  seed: number,
  opts: { value?: bigint; coinHeight?: number; type?: SigHashType; version?: number } = {},
): { tx: Transaction; spent: SpentOutput[] } {
  const key = keyFromSeed(seed);
  const pub = key.publicKey();
  const script = p2pkhScript(hash160(pub.bytes));
  const value = opts.value ?? 100_000n;
  const spent: SpentOutput[] = [{ value, script, height: opts.coinHeight ?? 1 }];
  const tx: Transaction = {
    version: opts.version ?? 1,
    inputs: [{ prevout: { txid: sha256(Uint8Array.of(seed & 0xff, seed >> 8, 1)) as Hash32, vout: seed % 3 }, script: new Uint8Array(0), sequence: 0xffffffff }],
    outputs: [{ value: value - 500n, script }],
    lockTime: 0,
  };
  const sig = signTransactionInput(tx, 0, script, value, key, opts.type ?? SIGHASH_ALL_FORKID);
  tx.inputs[0].script = concatBytes(pushDataScript(sig), pushDataScript(pub.bytes));
  return { tx, spent };
}
