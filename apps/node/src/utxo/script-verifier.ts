import {
  VerifyPool,
  verifyTransactionScripts,
  type BatchContext,
  type ScriptConfig,
  type TxScriptsResult,
  type VerifyItem,
  type VerifyParams,
} from '@metamorph/bitcoin';

/** Below this many inputs a batch is verified on the calling thread: messaging a worker would cost more. */
const INLINE_INPUTS = 64;

/**
 * Script verification for blocks and the mempool: large batches go to the worker-thread
 * pool (libs/bitcoin's VerifyPool), small ones run here.
 */
export class ScriptVerifier {
  private constructor(
    private readonly pool: VerifyPool | null,
    private readonly params: VerifyParams,
    readonly config: ScriptConfig,
  ) {}

  static async create(opts: { threads: number; params: VerifyParams; config: ScriptConfig }): Promise<ScriptVerifier> {
    const pool = opts.threads > 0 ? await VerifyPool.create({ threads: opts.threads, params: opts.params, config: opts.config }) : null;
    return new ScriptVerifier(pool, opts.params, opts.config);
  }

  get threads(): number {
    return this.pool?.threads ?? 0;
  }

  async verify(items: readonly VerifyItem[], ctx: BatchContext): Promise<TxScriptsResult[]> {
    let inputs = 0;
    for (const it of items) inputs += it.tx.inputs.length;
    if (!this.pool || inputs < INLINE_INPUTS) {
      return items.map((it) => verifyTransactionScripts(it.tx, it.spent, { params: this.params, height: ctx.height, mode: ctx.mode, config: this.config }));
    }
    return this.pool.verify(items, ctx);
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }
}
