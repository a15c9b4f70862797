import {
  PrivateKey,
  SIGHASH_ALL_FORKID,
  addressFromPublicKey,
  addressToScript,
  concatBytes,
  encodeAddress,
  encodeTransaction,
  encodeWif,
  hashFromHex,
  hashToHex,
  makeWifKey,
  pushDataScript,
  sha256,
  signTransactionInput,
  toHex,
  txidFromBytes,
  type Hash32,
  type SigHashType,
  type Transaction,
} from '@metamorph/bitcoin';

/** An output a test can spend. */
export interface Utxo {
  txid: Hash32;
  vout: number;
  value: bigint;
  script: Uint8Array;
}

export interface BuiltTx {
  tx: Transaction;
  raw: Uint8Array;
  hex: string;
  txid: Hash32;
  txidHex: string;
  /** The outputs it creates, as spendable coins. */
  outputs: Utxo[];
}

export interface SpendOptions {
  version?: number;
  lockTime?: number;
  sequence?: number;
  sighash?: SigHashType;
  /** Leave the scriptSigs empty (to sign elsewhere, e.g. signrawtransaction). */
  unsigned?: boolean;
}

/** A regtest P2PKH key pair that builds and signs real transactions. */
export class TestWallet {
  readonly key: PrivateKey;
  readonly pubKey: Uint8Array;
  readonly script: Uint8Array;
  readonly address: string;
  readonly wif: string;

  constructor(seed: string) {
    const secret = sha256(new TextEncoder().encode(`metamorph test wallet ${seed}`));
    this.key = PrivateKey.fromBytes(secret);
    this.pubKey = this.key.publicKey().bytes;
    const address = addressFromPublicKey('regtest', this.pubKey);
    this.script = addressToScript(address);
    this.address = encodeAddress(address);
    this.wif = encodeWif(makeWifKey('regtest', secret, true));
  }

  /** Spend `inputs` (all paying this wallet) to `outputs`; the difference is the fee. */
  spend(inputs: readonly Utxo[], outputs: readonly { script?: Uint8Array; value: bigint }[], opts: SpendOptions = {}): BuiltTx {
    const tx: Transaction = {
      version: opts.version ?? 1,
      inputs: inputs.map((u) => ({ prevout: { txid: u.txid, vout: u.vout }, script: new Uint8Array(0), sequence: opts.sequence ?? 0xffffffff })),
      outputs: outputs.map((o) => ({ value: o.value, script: o.script ?? this.script })),
      lockTime: opts.lockTime ?? 0,
    };
    if (!opts.unsigned) {
      for (let i = 0; i < inputs.length; i++) {
        const sig = signTransactionInput(tx, i, inputs[i].script, inputs[i].value, this.key, opts.sighash ?? SIGHASH_ALL_FORKID);
        tx.inputs[i].script = concatBytes(pushDataScript(sig), pushDataScript(this.pubKey));
      }
    }
    return built(tx);
  }

  /** Split one coin into `n` equal outputs to this wallet, paying `fee`. */
  split(input: Utxo, n: number, fee = 1000n): BuiltTx {
    const each = (input.value - fee) / BigInt(n);
    return this.spend([input], Array.from({ length: n }, () => ({ value: each })));
  }
}

export function built(tx: Transaction): BuiltTx {
  const raw = encodeTransaction(tx);
  const txid = txidFromBytes(raw);
  return {
    tx,
    raw,
    hex: toHex(raw),
    txid,
    txidHex: hashToHex(txid),
    outputs: tx.outputs.map((o, vout) => ({ txid, vout, value: o.value, script: o.script })),
  };
}

/** The coinbase output of a block fetched with getblock verbosity 2. */
export function coinbaseUtxo(block: any): Utxo {
  const cb = block.tx[0];
  const out = cb.vout[0];
  return {
    txid: hashFromHex(cb.txid),
    vout: 0,
    value: BigInt(Math.round(out.value * 1e8)),
    script: new Uint8Array(Buffer.from(out.scriptPubKey.hex, 'hex')),
  };
}
