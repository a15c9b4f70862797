// A test double of the node's JSON-RPC, for the stratum's own tests until apps/node is on main:
// a real HTTP server answering getblocktemplate from a real template built with libs/bitcoin,
// and checking submitted blocks (PoW, merkle root, coinbase height and value) before connecting them.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import {
  COIN,
  blockHash,
  blockSubsidy,
  checkProofOfWork,
  decodeBlockWithRaw,
  encodeTransaction,
  equalBytes,
  fromHex,
  hashToHex,
  isCoinbase,
  merkleRoot,
  regtest,
  sha256d,
  targetFromBits,
  toHex,
  type Hash32,
  type Transaction,
} from '@metamorph/bitcoin';
import { Channel, channelKey } from '@metamorph/queue';

export interface MempoolTx {
  raw: Uint8Array;
  txid: Hash32;
  fee: bigint;
}

export interface AcceptedBlock {
  hash: string;
  height: number;
  coinbase: Transaction;
  txCount: number;
}

export interface NodeDoubleOptions {
  user?: string;
  password?: string;
  bits?: number;
  /** Publish TemplateChanged here after each new tip, as the node does. */
  events?: { redisUrl: string; prefix: string };
  now?: () => number;
}

/** The reference node's height push: OP_1..OP_16 for 1–16, else a minimal script-number push. */
function expectedHeightPush(height: number): Uint8Array {
  if (height >= 1 && height <= 16) return new Uint8Array([0x50 + height]);
  const bytes: number[] = [];
  for (let n = height; n > 0; n >>= 8) bytes.push(n & 0xff);
  if (bytes[bytes.length - 1] & 0x80) bytes.push(0);
  return new Uint8Array([bytes.length, ...bytes]);
}

/** A transaction spending a made-up outpoint: enough for templates and merkle trees. */
export function makeTx(seed: number, fee = 1000n): MempoolTx {
  const prev = sha256d(new TextEncoder().encode(`prevout ${seed}`));
  const tx: Transaction = {
    version: 1,
    inputs: [{ prevout: { txid: prev, vout: seed % 3 }, script: new Uint8Array([0x51, 0x51]), sequence: 0xffffffff }],
    outputs: [{ value: 10_000n + BigInt(seed), script: new Uint8Array([0x76, 0xa9, 0x14, ...new Uint8Array(20).fill(seed & 0xff), 0x88, 0xac]) }],
    lockTime: 0,
  };
  const raw = encodeTransaction(tx);
  return { raw, txid: sha256d(raw), fee };
}

export class NodeDouble {
  readonly accepted: AcceptedBlock[] = [];
  readonly submissions: (string | null)[] = [];
  mempool: MempoolTx[] = [];
  tipHash: Hash32 = regtest.genesisHash;
  height = 0;
  bits: number;
  /** When set, the next submitblock answers this instead of checking. */
  nextSubmitAnswer: string | undefined;
  /** When set, getblocktemplate fails with this RPC error. */
  templateError: { code: number; message: string } | undefined;
  templateCalls = 0;
  bestHashCalls = 0;
  private server: http.Server;
  private publisher: Redis | undefined;
  private readonly now: () => number;
  port = 0;

  constructor(private readonly options: NodeDoubleOptions = {}) {
    this.bits = options.bits ?? 0x207fffff;
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.server = http.createServer((req, res) => void this.handle(req, res));
    if (options.events) this.publisher = new Redis(options.events.redisUrl, { maxRetriesPerRequest: 1 });
  }

  get url(): string {
    return `http://${this.options.user ?? 'metamorph'}:${this.options.password ?? 'metamorph'}@127.0.0.1:${this.port}`;
  }

  async listen(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
    this.publisher?.disconnect();
  }

  coinbaseValue(): bigint {
    return blockSubsidy(this.height + 1, regtest) + this.mempool.reduce((s, t) => s + t.fee, 0n);
  }

  template(): Record<string, unknown> {
    const target = targetFromBits(this.bits);
    return {
      capabilities: ['proposal'],
      version: 0x20000000,
      previousblockhash: hashToHex(this.tipHash),
      transactions: this.mempool.map((t) => ({ data: toHex(t.raw), txid: hashToHex(t.txid), hash: hashToHex(t.txid), depends: [], fee: Number(t.fee) })),
      coinbaseaux: { flags: '' },
      coinbasevalue: Number(this.coinbaseValue()),
      longpollid: hashToHex(this.tipHash) + String(this.mempool.length),
      target: target.toString(16).padStart(64, '0'),
      mintime: 1296688603 + this.height,
      mutable: ['time', 'transactions', 'prevblock'],
      noncerange: '00000000ffffffff',
      sizelimit: 32_000_000,
      curtime: this.now(),
      bits: this.bits.toString(16).padStart(8, '0'),
      height: this.height + 1,
    };
  }

  /** Check a block as the node would and connect it; returns submitblock's answer. */
  submit(hex: string): string | null {
    if (this.nextSubmitAnswer !== undefined) {
      const a = this.nextSubmitAnswer;
      this.nextSubmitAnswer = undefined;
      return a;
    }
    const { block, rawTxs } = decodeBlockWithRaw(fromHex(hex));
    const hash = blockHash(block.header);
    if (this.accepted.some((b) => b.hash === hashToHex(hash))) return 'duplicate';
    // As SV Node: a block not on the tip (a lost race, or an unknown parent) is stored at best: "inconclusive".
    if (!equalBytes(block.header.prevHash, this.tipHash)) {
      this.sideBlocks.set(hashToHex(hash), this.height);
      return 'inconclusive';
    }
    if (block.header.bits !== this.bits) return 'bad-diffbits';
    if (!checkProofOfWork(hash, block.header.bits, regtest.powLimit)) return 'high-hash';
    const txids = rawTxs.map((r) => sha256d(r));
    if (!equalBytes(merkleRoot(txids), block.header.merkleRoot)) return 'bad-txnmrklroot';
    const cb = block.txs[0];
    if (!cb || !isCoinbase(cb)) return 'bad-cb-missing';
    const script = cb.inputs[0].script;
    if (script.length < 2 || script.length > 100) return 'bad-cb-length';
    const push = expectedHeightPush(this.height + 1);
    if (!equalBytes(script.subarray(0, push.length), push)) return 'bad-cb-height';
    const included = new Set(txids.slice(1).map((t) => hashToHex(t)));
    const fees = this.mempool.filter((t) => included.has(hashToHex(t.txid))).reduce((s, t) => s + t.fee, 0n);
    const paid = cb.outputs.reduce((s, o) => s + o.value, 0n);
    if (paid > blockSubsidy(this.height + 1, regtest) + fees) return 'bad-cb-amount';
    if (included.size !== txids.length - 1 || [...included].some((t) => !this.mempool.some((m) => hashToHex(m.txid) === t))) return 'bad-txns-inputs-missingorspent';
    this.tipHash = hash;
    this.height++;
    this.mempool = this.mempool.filter((t) => !included.has(hashToHex(t.txid)));
    this.accepted.push({ hash: hashToHex(hash), height: this.height, coinbase: cb, txCount: block.txs.length });
    void this.publishBlock(Channel.BlockConnected, { hash: hashToHex(hash), height: this.height });
    void this.publish('new-tip');
    return null;
  }

  /** Blocks the node stored off its active chain (hash → height): `getblockheader` says confirmations -1. */
  readonly sideBlocks = new Map<string, number>();

  /**
   * A reorg: the last `depth` blocks leave the active chain (stored, confirmations -1) and
   * `replacements` made-up blocks take their place and more. Publishes the node's events.
   */
  reorg(depth: number, replacements: number): void {
    for (const b of this.accepted.splice(this.accepted.length - depth, depth)) {
      this.sideBlocks.set(b.hash, b.height);
      void this.publishBlock(Channel.BlockDisconnected, { hash: b.hash, height: b.height });
    }
    this.height -= depth;
    this.extend(replacements);
  }

  /** `n` made-up blocks on the tip (as if another miner found them). */
  extend(n: number): void {
    for (let i = 0; i < n; i++) {
      this.height++;
      const hash = sha256d(new TextEncoder().encode(`other ${this.height} ${Math.random()}`));
      this.tipHash = hash;
      this.accepted.push({ hash: hashToHex(hash), height: this.height, coinbase: undefined as unknown as Transaction, txCount: 1 });
      void this.publishBlock(Channel.BlockConnected, { hash: hashToHex(hash), height: this.height });
    }
    void this.publish('new-tip');
  }

  private async publishBlock(channel: Channel, payload: { hash: string; height: number }): Promise<void> {
    if (!this.publisher || !this.options.events) return;
    await this.publisher.publish(channelKey(this.options.events.prefix, channel), JSON.stringify(payload));
  }

  /** Add transactions to the mempool and announce a new template, as the node does. */
  addTransactions(txs: MempoolTx[]): void {
    this.mempool.push(...txs);
    void this.publish('new-transactions');
  }

  private async publish(reason: 'new-tip' | 'new-transactions'): Promise<void> {
    if (!this.publisher || !this.options.events) return;
    await this.publisher.publish(
      channelKey(this.options.events.prefix, Channel.TemplateChanged),
      JSON.stringify({ prevHash: hashToHex(this.tipHash), height: this.height + 1, reason }),
    );
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const expected = 'Basic ' + Buffer.from(`${this.options.user ?? 'metamorph'}:${this.options.password ?? 'metamorph'}`).toString('base64');
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="jsonrpc"' }).end();
      return;
    }
    let body: { id?: unknown; method?: string; params?: unknown[] };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ result: null, error: { code: -32700, message: 'Parse error' }, id: null }));
      return;
    }
    const reply = (status: number, result: unknown, error: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ result, error, id: body.id ?? null }) + '\n');
    switch (body.method) {
      case 'getblocktemplate':
        this.templateCalls++;
        if (this.templateError) return void reply(500, null, this.templateError);
        return void reply(200, this.template(), null);
      case 'getblockcount':
        return void reply(200, this.height, null);
      case 'getbestblockhash':
        this.bestHashCalls++;
        return void reply(200, hashToHex(this.tipHash), null);
      case 'getblockheader': {
        const hash = body.params?.[0];
        const i = this.accepted.findIndex((b) => b.hash === hash);
        const side = this.sideBlocks.get(String(hash));
        if (i < 0 && side === undefined) return void reply(500, null, { code: -5, message: 'Block not found' });
        const confirmations = i >= 0 ? this.height - this.accepted[i].height + 1 : -1;
        return void reply(200, { hash, confirmations, height: i >= 0 ? this.accepted[i].height : side }, null);
      }
      case 'submitblock': {
        const hex = body.params?.[0];
        if (typeof hex !== 'string') return void reply(500, null, { code: -1, message: 'submitblock "hexdata"' });
        let answer: string | null;
        try {
          answer = this.submit(hex);
        } catch {
          return void reply(500, null, { code: -22, message: 'Block decode failed' });
        }
        this.submissions.push(answer);
        return void reply(200, answer, null);
      }
      default:
        return void reply(404, null, { code: -32601, message: 'Method not found' });
    }
  }
}

export const REGTEST_SUBSIDY = 50n * COIN;
