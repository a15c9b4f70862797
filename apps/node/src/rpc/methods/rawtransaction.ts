import {
  Op,
  PrivateKey,
  SigHash,
  TransactionSignatureChecker,
  addressToScript,
  concatBytes,
  decodeTransaction,
  decodeTransactionPrefix,
  encodeTransaction,
  hashFromHex,
  hashToHex,
  inputScriptFlags,
  isP2SH,
  parseAddress,
  parseWif,
  precomputeTxData,
  protocolEra,
  pushDataScript,
  scriptErrorMessage,
  scriptLimits,
  signTransactionInput,
  solveScript,
  standardScriptFlags,
  toHex,
  txidFromBytes,
  verifyScript,
  ProtocolEra,
  ScriptError,
  type Hash32,
  type Transaction,
} from '@metamorph/bitcoin';
import { indexStore } from '../../indexes/index-store.js';
import type { AcceptResult, TxRejection } from '../../mempool/entry.js';
import { coinKey, type Coin } from '../../utxo/coin.js';
import type { RpcContext, RpcMethod } from '../registry.js';
import { RpcError, RpcErrorCode } from '../protocol.js';
import { amountFromValue, getArr, getBool, getInt, getInt64, getObj, getStr, isObject, parseHashV, parseHexV } from '../params.js';
import { txToJson } from '../tx-json.js';

/** DecodeHexTx: the whole string must be one transaction. */
function decodeTxParam(v: unknown): { tx: Transaction; raw: Uint8Array } {
  const hex = getStr(v);
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) throw new RpcError(RpcErrorCode.DeserializationError, 'TX decode failed');
  const raw = new Uint8Array(Buffer.from(hex, 'hex'));
  try {
    return { tx: decodeTransaction(raw), raw };
  } catch {
    throw new RpcError(RpcErrorCode.DeserializationError, 'TX decode failed');
  }
}

/** sendrawtransaction's error for a refused transaction, as the reference node maps validation states. */
function rejectionError(r: TxRejection): RpcError {
  if (r.missingInputs) return new RpcError(RpcErrorCode.VerifyError, 'Missing inputs');
  return new RpcError(RpcErrorCode.VerifyRejected, `${r.code}: ${r.reason}`);
}

const SIGHASH_NAMES: Record<string, number> = {};
for (const [base, name] of [
  [SigHash.ALL, 'ALL'],
  [SigHash.NONE, 'NONE'],
  [SigHash.SINGLE, 'SINGLE'],
] as const) {
  SIGHASH_NAMES[name] = base;
  SIGHASH_NAMES[`${name}|ANYONECANPAY`] = base | SigHash.ANYONECANPAY;
  SIGHASH_NAMES[`${name}|FORKID`] = base | SigHash.FORKID;
  SIGHASH_NAMES[`${name}|FORKID|ANYONECANPAY`] = base | SigHash.FORKID | SigHash.ANYONECANPAY;
}

/** Read every transaction concatenated in `raw` (signrawtransaction merges signatures from them). */
function decodeVariants(raw: Uint8Array): Transaction[] {
  const out: Transaction[] = [];
  let rest = raw;
  while (rest.length) {
    try {
      const { tx, size } = decodeTransactionPrefix(rest);
      out.push(tx);
      rest = rest.subarray(size);
    } catch {
      throw new RpcError(RpcErrorCode.DeserializationError, 'TX decode failed');
    }
  }
  if (out.length === 0) throw new RpcError(RpcErrorCode.DeserializationError, 'Missing transaction');
  return out;
}

async function signRawTransaction(params: unknown[], ctx: RpcContext) {
  const variants = decodeVariants(parseHexV(params[0], 'argument 1'));
  const tx: Transaction = { ...variants[0], inputs: variants[0].inputs.map((i) => ({ ...i })) };
  const tipHeight = ctx.chain.tip().height;

  const keys: PrivateKey[] = [];
  if (params.length > 2 && params[2] !== null) {
    for (const k of getArr(params[2])) {
      let wif;
      try {
        wif = parseWif(getStr(k), ctx.params);
      } catch {
        throw new RpcError(RpcErrorCode.InvalidAddressOrKey, 'Invalid private key');
      }
      keys.push(PrivateKey.fromBytes(wif.secret, wif.compressed));
    }
  }

  // The coins spent: the UTXO set and the mempool, overridden by what the caller gives.
  const coins = new Map<string, Coin>();
  const fromChain = await ctx.utxos.getCoins(tx.inputs.map((i) => i.prevout));
  for (const i of tx.inputs) {
    const k = coinKey(i.prevout.txid, i.prevout.vout);
    const c = fromChain.get(k) ?? ctx.mempool.outputCoin(i.prevout.txid, i.prevout.vout);
    if (c && !ctx.mempool.spenderOf(i.prevout.txid, i.prevout.vout)) coins.set(k, c);
  }
  if (params.length > 1 && params[1] !== null) {
    for (const p of getArr(params[1])) {
      if (!isObject(p)) throw new RpcError(RpcErrorCode.DeserializationError, 'expected object with {"txid\'","vout","scriptPubKey"}');
      if (typeof p.txid !== 'string' || typeof p.vout !== 'number' || typeof p.scriptPubKey !== 'string') {
        throw new RpcError(RpcErrorCode.TypeError, 'Expected txid (string), vout (number) and scriptPubKey (string)');
      }
      const txid = hashFromHex(parseHashV(p.txid, 'txid'));
      const vout = getInt(p.vout);
      if (vout < 0) throw new RpcError(RpcErrorCode.DeserializationError, 'vout must be positive');
      const script = parseHexV(p.scriptPubKey, 'scriptPubKey');
      const k = coinKey(txid, vout);
      const known = coins.get(k);
      if (known && Buffer.compare(Buffer.from(known.script), Buffer.from(script)) !== 0) {
        throw new RpcError(RpcErrorCode.DeserializationError, 'Previous output scriptPubKey mismatch');
      }
      if (!('amount' in p)) throw new RpcError(RpcErrorCode.InvalidParameter, 'Missing amount');
      let height = tipHeight + 1;
      if (height >= ctx.params.genesisHeight && isP2SH(script)) height = ctx.params.genesisHeight - 1;
      coins.set(k, { value: amountFromValue(p.amount), script, height, coinbase: false });
    }
  }

  let sighash = SigHash.ALL | SigHash.FORKID;
  if (params.length > 3 && params[3] !== null) {
    const name = getStr(params[3]);
    if (!(name in SIGHASH_NAMES)) throw new RpcError(RpcErrorCode.InvalidParameter, 'Invalid sighash param');
    sighash = SIGHASH_NAMES[name];
    if (!(sighash & SigHash.FORKID)) throw new RpcError(RpcErrorCode.InvalidParameter, 'Signature must use SIGHASH_FORKID');
  }

  const era = protocolEra(ctx.params, tipHeight + 1);
  const byHash = new Map<string, PrivateKey>();
  const byPubKey = new Map<string, PrivateKey>();
  for (const k of keys) {
    const pub = k.publicKey();
    byHash.set(Buffer.from(pub.hash160()).toString('hex'), k);
    byPubKey.set(Buffer.from(pub.bytes).toString('hex'), k);
  }

  const errors: Record<string, unknown>[] = [];
  const spent: (Coin | undefined)[] = tx.inputs.map((i) => coins.get(coinKey(i.prevout.txid, i.prevout.vout)));
  const txData = precomputeTxData(tx);
  for (let i = 0; i < tx.inputs.length; i++) {
    const input = tx.inputs[i];
    const coin = spent[i];
    if (!coin) {
      errors.push(inputError(tx, i, 'Input not found or already spent'));
      continue;
    }
    const single = (sighash & 0x1f) === SigHash.SINGLE;
    if (!single || i < tx.outputs.length) {
      const solved = solveScript(coin.script, protocolEra(ctx.params, coin.height));
      let key: PrivateKey | undefined;
      if (solved.ok && solved.type === 'pubkeyhash') key = byHash.get(Buffer.from(solved.solutions[0]).toString('hex'));
      if (solved.ok && solved.type === 'pubkey') key = byPubKey.get(Buffer.from(solved.solutions[0]).toString('hex'));
      if (key) {
        const sig = signTransactionInput(tx, i, coin.script, coin.value, key, sighash, txData);
        input.script = solved.type === 'pubkey' ? pushDataScript(sig) : concatBytes(pushDataScript(sig), pushDataScript(key.publicKey().bytes));
      }
    }
    if (input.script.length === 0) {
      const other = variants.slice(1).find((v) => v.inputs[i]?.script.length);
      if (other) input.script = other.inputs[i].script;
    }
    const flags = (standardScriptFlags(era) | inputScriptFlags(ctx.params, tipHeight + 1, coin.height)) >>> 0;
    const r = verifyScript(input.script, coin.script, flags, new TransactionSignatureChecker(tx, i, coin.value, txData), scriptLimits(flags, true));
    if (r === undefined) errors.push(inputError(tx, i, 'Validation timeout'));
    else if (r !== ScriptError.OK) errors.push(inputError(tx, i, scriptErrorMessage(r)));
  }
  const result: Record<string, unknown> = { hex: toHex(encodeTransaction(tx)), complete: errors.length === 0 };
  if (errors.length) result.errors = errors;
  return result;
}

function inputError(tx: Transaction, i: number, error: string): Record<string, unknown> {
  const input = tx.inputs[i];
  return { txid: hashToHex(input.prevout.txid), vout: input.prevout.vout, scriptSig: toHex(input.script), sequence: input.sequence, error };
}

async function getRawTransaction(params: unknown[], ctx: RpcContext) {
  const txid = hashFromHex(parseHashV(params[0], 'parameter 1'));
  let verbose = false;
  if (params.length > 1 && params[1] !== null) {
    if (typeof params[1] === 'number') verbose = getInt(params[1]) !== 0;
    else if (typeof params[1] === 'boolean') verbose = params[1];
    else throw new RpcError(RpcErrorCode.TypeError, 'Invalid type provided. Verbose parameter must be a boolean.');
  }
  const inPool = ctx.mempool.get(txid);
  if (inPool) {
    if (!verbose) return toHex(inPool.raw);
    return txToJson(inPool.tx, inPool.raw, inPool.txid, protocolEra(ctx.params, ctx.chain.tip().height + 1), ctx.params);
  }
  const at = await indexStore.findTx(ctx.db, txid);
  const raw = at ? await indexStore.readTx(ctx.db, at) : null;
  if (!at || !raw) {
    throw new RpcError(
      RpcErrorCode.InvalidAddressOrKey,
      'No such mempool or blockchain transaction. If using -prune, the transaction may be in a pruned block. Use gettransaction for wallet transactions.',
    );
  }
  if (!verbose) return toHex(raw);
  const entry = ctx.chain.getEntry(at.blockHash);
  const active = entry !== undefined && ctx.chain.index.contains(entry);
  return txToJson(decodeTransaction(raw), raw, txid, protocolEra(ctx.params, at.height), ctx.params, {
    blockHash: at.blockHash,
    confirmations: active ? ctx.chain.tip().height - entry.height + 1 : 0,
    ...(active ? { time: entry.header.time, height: entry.height } : {}),
  });
}

export const rawTransactionMethods: RpcMethod[] = [
  {
    name: 'getrawtransaction',
    category: 'rawtransactions',
    argNames: ['txid', 'verbose'],
    minParams: 1,
    maxParams: 2,
    help:
      'getrawtransaction "txid" ( verbose )\n\nReturns a mempool or confirmed transaction: its hex, or with verbose an object (txid, hash, version, size, locktime, vin, vout, blockhash, confirmations, time, blocktime, blockheight, hex).\n\nArguments:\n1. "txid"      (string, required) the transaction id\n2. verbose     (bool or numeric, optional, default=false)',
    handler: getRawTransaction,
  },
  {
    name: 'sendrawtransaction',
    category: 'rawtransactions',
    argNames: ['hexstring', 'allowhighfees', 'dontcheckfee'],
    minParams: 1,
    maxParams: 3,
    help:
      'sendrawtransaction "hexstring" ( allowhighfees dontcheckfee )\n\nValidates a transaction and adds it to the mempool; returns its txid.\n\nArguments:\n1. "hexstring"     (string, required) the transaction\n2. allowhighfees   (boolean, optional, default=false) skip the absurd-fee check\n3. dontcheckfee    (boolean, optional, default=false) accepted for compatibility',
    handler: async (params, ctx) => {
      const { raw } = decodeTxParam(params[0]);
      const allowHighFees = params.length > 1 && params[1] !== null ? getBool(params[1]) : false;
      if (params.length > 2 && params[2] !== null) getBool(params[2]);
      const txid = txidFromBytes(raw);
      if (ctx.mempool.has(txid)) throw new RpcError(RpcErrorCode.VerifyAlreadyInChain, 'Transaction already in the mempool');
      const r = await ctx.mempool.acceptTransaction(raw, 'rpc', { allowHighFees });
      if (!r.accepted) {
        if (r.rejection.reason === 'txn-already-in-mempool') throw new RpcError(RpcErrorCode.VerifyAlreadyInChain, 'Transaction already in the mempool');
        throw rejectionError(r.rejection);
      }
      return hashToHex(txid);
    },
  },
  {
    name: 'sendrawtransactions',
    category: 'rawtransactions',
    argNames: ['inputs', 'config'],
    minParams: 1,
    maxParams: 2,
    help:
      'sendrawtransactions [{"hex": "hexstring", "allowhighfees": bool, "dontcheckfee": bool, "listunconfirmedancestors": bool}, …]\n\nValidates a batch of transactions (parents before children) and adds those that pass; returns only the exceptions: known (already in the mempool), invalid (txid, reject_code, reject_reason, collidedWith), evicted, unconfirmed (ancestors asked for). An empty object means every transaction was accepted.',
    handler: async (params, ctx) => {
      const inputs = getArr(params[0]);
      if (inputs.length === 0) throw new RpcError(RpcErrorCode.InvalidParameter, 'Invalid parameter: An empty json array of objects');
      const known: string[] = [];
      const submissions: { raw: Uint8Array; allowHighFees: boolean; listAncestors: boolean }[] = [];
      for (const item of inputs) {
        const o = getObj(item);
        if (Object.keys(o).length === 0) throw new RpcError(RpcErrorCode.InvalidParameter, 'Invalid parameter: An empty json object');
        if (typeof o.hex !== 'string') throw new RpcError(RpcErrorCode.InvalidParameter, 'Invalid parameter: Missing the hex string of the raw transaction');
        const { raw } = decodeTxParam(o.hex);
        if (o.allowhighfees !== undefined && o.allowhighfees !== null && typeof o.allowhighfees !== 'boolean') {
          throw new RpcError(RpcErrorCode.InvalidParameter, 'allowhighfees: Invalid value');
        }
        if (o.dontcheckfee !== undefined && o.dontcheckfee !== null && typeof o.dontcheckfee !== 'boolean') {
          throw new RpcError(RpcErrorCode.InvalidParameter, 'dontcheckfee: Invalid value');
        }
        if (o.listunconfirmedancestors !== undefined && o.listunconfirmedancestors !== null && typeof o.listunconfirmedancestors !== 'boolean') {
          throw new RpcError(RpcErrorCode.InvalidParameter, 'listunconfirmedancestors: Invalid value');
        }
        if (ctx.mempool.has(txidFromBytes(raw))) {
          known.push(hashToHex(txidFromBytes(raw)));
          continue;
        }
        submissions.push({ raw, allowHighFees: o.allowhighfees === true, listAncestors: o.listunconfirmedancestors === true });
      }
      const results: AcceptResult[] = submissions.length
        ? await ctx.mempool.acceptTransactions(submissions.map((s) => ({ raw: s.raw, source: 'rpc' as const, allowHighFees: s.allowHighFees })))
        : [];
      const invalid: Record<string, unknown>[] = [];
      const evicted: string[] = [];
      for (const r of results) {
        if (r.accepted) continue;
        const rej = r.rejection;
        if (rej.code === 0x42 && rej.reason === 'mempool full') {
          evicted.push(hashToHex(r.txid));
          continue;
        }
        const entry: Record<string, unknown> = {
          txid: hashToHex(r.txid),
          reject_code: rej.missingInputs ? 0x10 : rej.code,
          reject_reason: rej.missingInputs ? 'missing-inputs' : rej.reason,
        };
        if (rej.conflicts?.length) {
          entry.collidedWith = rej.conflicts
            .map((t) => ctx.mempool.get(t))
            .filter((e) => e !== undefined)
            .map((e) => ({ txid: hashToHex(e.txid), size: e.size, hex: toHex(e.raw) }));
        }
        invalid.push(entry);
      }
      const unconfirmed: Record<string, unknown>[] = [];
      submissions.forEach((s, i) => {
        const r = results[i];
        if (!s.listAncestors || !r?.accepted) return;
        const e = ctx.mempool.get(r.txid);
        if (!e) return;
        const ancestors = [...ctx.mempool.ancestors(e)].map((a) => ({
          txid: hashToHex(a.txid),
          vin: a.tx.inputs.map((i) => ({ txid: hashToHex(i.prevout.txid), vout: i.prevout.vout })),
        }));
        unconfirmed.push({ txid: hashToHex(r.txid), ancestors });
      });
      const out: Record<string, unknown> = {};
      if (known.length) out.known = known;
      if (invalid.length) out.invalid = invalid;
      if (evicted.length) out.evicted = evicted;
      if (unconfirmed.length) out.unconfirmed = unconfirmed;
      return out;
    },
  },
  {
    name: 'decoderawtransaction',
    category: 'rawtransactions',
    argNames: ['hexstring'],
    minParams: 1,
    maxParams: 1,
    help: 'decoderawtransaction "hexstring"\n\nDecodes a transaction: txid, hash, version, size, locktime, vin, vout, hex.\n\nArguments:\n1. "hexstring"   (string, required) the transaction',
    handler: (params, ctx) => {
      const { tx, raw } = decodeTxParam(params[0]);
      // As the reference node: read outputs with Genesis rules unless one of them is P2SH.
      const era = tx.outputs.some((o) => isP2SH(o.script)) ? ProtocolEra.PreGenesis : ProtocolEra.PostGenesis;
      return txToJson(tx, raw, txidFromBytes(raw), era, ctx.params);
    },
  },
  {
    name: 'createrawtransaction',
    category: 'rawtransactions',
    argNames: ['inputs', 'outputs', 'locktime'],
    minParams: 2,
    maxParams: 3,
    help:
      'createrawtransaction [{"txid":"id","vout":n,"sequence":n},…] {"address":amount,"data":"hex",…} ( locktime )\n\nBuilds an unsigned transaction spending the given outputs and paying the given addresses (amounts in BSV) and data (an OP_FALSE OP_RETURN output). Returns its hex.',
    handler: (params, ctx) => {
      if (params[0] === null || params[1] === null) throw new RpcError(RpcErrorCode.InvalidParameter, 'Invalid parameter, arguments 1 and 2 must be non-null');
      const inputs = getArr(params[0]);
      const outputs = getObj(params[1]);
      let lockTime = 0;
      if (params.length > 2 && params[2] !== null) {
        const n = getInt64(params[2]);
        if (n < 0 || n > 0xffffffff) throw new RpcError(RpcErrorCode.InvalidParameter, 'Invalid parameter, locktime out of range');
        lockTime = n;
      }
      const tx: Transaction = { version: 1, inputs: [], outputs: [], lockTime };
      for (const item of inputs) {
        const o = getObj(item);
        const txid = hashFromHex(parseHashV(o.txid, 'txid'));
        if (typeof o.vout !== 'number') throw new RpcError(RpcErrorCode.InvalidParameter, 'Invalid parameter, missing vout key');
        const vout = getInt(o.vout);
        if (vout < 0) throw new RpcError(RpcErrorCode.InvalidParameter, 'Invalid parameter, vout must be positive');
        let sequence = lockTime ? 0xfffffffe : 0xffffffff;
        if (typeof o.sequence === 'number') {
          const s = getInt64(o.sequence);
          if (s < 0 || s > 0xffffffff) throw new RpcError(RpcErrorCode.InvalidParameter, 'Invalid parameter, sequence number is out of range');
          sequence = s;
        }
        tx.inputs.push({ prevout: { txid: txid as Hash32, vout }, script: new Uint8Array(0), sequence });
      }
      const seen = new Set<string>();
      for (const [name, value] of Object.entries(outputs)) {
        if (name === 'data') {
          const data = parseHexV(typeof value === 'string' ? value : String(value), 'Data');
          tx.outputs.push({ value: 0n, script: concatBytes(Uint8Array.of(Op.OP_0, Op.OP_RETURN), pushDataScript(data)) });
          continue;
        }
        let script: Uint8Array;
        try {
          script = addressToScript(parseAddress(name, ctx.params));
        } catch {
          throw new RpcError(RpcErrorCode.InvalidAddressOrKey, `Invalid Bitcoin address: ${name}`);
        }
        const k = toHex(script);
        if (seen.has(k)) throw new RpcError(RpcErrorCode.InvalidParameter, `Invalid parameter, duplicated address: ${name}`);
        seen.add(k);
        tx.outputs.push({ value: amountFromValue(value), script });
      }
      return toHex(encodeTransaction(tx));
    },
  },
  {
    name: 'signrawtransaction',
    category: 'rawtransactions',
    argNames: ['hexstring', 'prevtxs', 'privkeys', 'sighashtype'],
    minParams: 1,
    maxParams: 4,
    help:
      'signrawtransaction "hexstring" ( [{"txid":"id","vout":n,"scriptPubKey":"hex","amount":value},…] ["privatekey",…] sighashtype )\n\nSigns the P2PKH and pay-to-pubkey inputs it has keys for (there is no wallet: give the WIF keys, and the spent outputs with their amounts unless they are in the UTXO set or the mempool). sighashtype: ALL|FORKID (default), NONE|FORKID, SINGLE|FORKID, each optionally |ANYONECANPAY. Returns {hex, complete, errors?}.',
    handler: signRawTransaction,
  },
];
