import { Redis } from 'ioredis';
import { createLogger, loadNodeConfig, type NodeConfig } from '@metamorph/config';
import { createTestDatabase, testRedisPrefix, clearRedisPrefix, TEST_REDIS_URL, type TestDatabase } from '@metamorph/testing';
import { hashFromHex, regtest, type Block, type Hash32 } from '@metamorph/bitcoin';
import { startNode, type NodeOptions, type RunningNode } from '../../src/node.js';
import { blockHex, buildBlock, mine, type BlockOptions } from './blocks.js';

export const RPC_USER = 'metamorph';
export const RPC_PASSWORD = 'metamorph';

/** Quiet unless NODE_TEST_LOG=debug|info is set. */
export const testLogger = createLogger('node-test', (process.env.NODE_TEST_LOG as 'debug' | 'info') ?? 'error');

export function testConfig(db: TestDatabase, prefix: string, overrides: Partial<NodeConfig> = {}): NodeConfig {
  // Scripts on the main thread unless a test asks for workers: starting a pool costs about a second.
  const base = loadNodeConfig({ DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, NODE_SCRIPT_THREADS: '0' });
  return {
    ...base,
    ...overrides,
    rpc: { ...base.rpc, bind: '127.0.0.1', port: 0, ...overrides.rpc },
    // A free port for each node, so suites (and several nodes in one suite) can run side by side.
    p2p: { ...base.p2p, bind: '127.0.0.1', port: 0, ...overrides.p2p },
  };
}

export interface RpcResponse {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** A running node on a fresh database with its own Redis prefix, and an RPC client for it. */
export class TestNode {
  node!: RunningNode;
  private constructor(
    readonly db: TestDatabase,
    readonly prefix: string,
    readonly config: NodeConfig,
    private readonly options: NodeOptions,
  ) {}

  static async start(suite: string, options: NodeOptions = {}, overrides: Partial<NodeConfig> = {}): Promise<TestNode> {
    const db = await createTestDatabase(suite);
    const prefix = testRedisPrefix(suite);
    await clearRedisPrefix(prefix);
    const t = new TestNode(db, prefix, testConfig(db, prefix, overrides), options);
    await t.restart();
    return t;
  }

  /** (Re)start the node process-equivalent on the same database. */
  async restart(): Promise<void> {
    this.node = await startNode(this.config, { logger: testLogger, ...this.options });
  }

  get url(): string {
    return `http://127.0.0.1:${this.node.rpcAddress.port}/`;
  }

  async post(body: string | Uint8Array, headers: Record<string, string> = {}, auth: string | null = `${RPC_USER}:${RPC_PASSWORD}`): Promise<RpcResponse> {
    const h: Record<string, string> = { 'content-type': 'application/json', ...headers };
    if (auth !== null) h.authorization = `Basic ${Buffer.from(auth).toString('base64')}`;
    const res = await fetch(this.url, { method: 'POST', headers: h, body });
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  /** Call a method; returns the whole reply ({result, error, id}) and the HTTP status. */
  async call(method: string, params: unknown = [], id: unknown = 1): Promise<{ status: number; result: any; error: any; id: any }> {
    const r = await this.post(JSON.stringify({ jsonrpc: '1.0', id, method, params }));
    return { status: r.status, ...r.json };
  }

  /** Call a method that must succeed; returns its result. */
  async rpc(method: string, ...params: unknown[]): Promise<any> {
    const r = await this.call(method, params);
    if (r.error) throw new Error(`${method} failed: ${r.error.code} ${r.error.message}`);
    return r.result;
  }

  async tip(): Promise<{ hash: Hash32; height: number; time: number }> {
    const info = await this.rpc('getblockchaininfo');
    const header = await this.rpc('getblockheader', info.bestblockhash);
    return { hash: hashFromHex(info.bestblockhash), height: info.blocks, time: header.time };
  }

  /** Mine a coinbase-only block on the current tip (or `on`) and submit it; returns the block and submitblock's answer. */
  async mineBlock(opts: Partial<BlockOptions> = {}): Promise<{ block: Block; result: unknown }> {
    const tip = await this.tip();
    const block = mine(buildBlock({ prevHash: tip.hash, height: tip.height + 1, time: tip.time + 600, ...opts }));
    const result = await this.rpc('submitblock', blockHex(block));
    return { block, result };
  }

  async stop(): Promise<void> {
    await this.node?.stop();
  }

  async close(): Promise<void> {
    await this.stop();
    await clearRedisPrefix(this.prefix);
    await this.db.close();
  }
}

/** Collects messages published on the given Redis channels. */
export class EventListener {
  readonly messages: { channel: string; payload: any }[] = [];
  private waiters: (() => void)[] = [];
  private constructor(private readonly redis: Redis) {}

  static async start(channels: string[]): Promise<EventListener> {
    const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    const l = new EventListener(redis);
    redis.on('message', (channel: string, message: string) => {
      l.messages.push({ channel, payload: JSON.parse(message) });
      for (const w of l.waiters.splice(0)) w();
    });
    await redis.subscribe(...channels);
    return l;
  }

  /** Wait until at least `n` messages arrived (or fail after `ms`). */
  waitFor(n: number, ms = 5000): Promise<void> {
    return this.waitUntil(() => this.messages.length >= n, ms, `${n} events`);
  }

  /**
   * Wait for the TemplateChanged that follows a tip change to `tipHash` (display hex): everything
   * published for that change has then arrived. Returns the number of messages so far.
   */
  async settled(tipHash: string, ms = 5000): Promise<number> {
    await this.waitUntil(() => this.messages.some((m) => m.channel.endsWith('events:template-changed') && m.payload.prevHash === tipHash), ms, `the template event for ${tipHash}`);
    return this.messages.length;
  }

  async waitUntil(done: () => boolean, ms: number, what: string): Promise<void> {
    const deadline = Date.now() + ms;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; events: ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

export const GENESIS_HEX = '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206';
export const GENESIS = regtest.genesis;
