import { Writer, toHex, type Hash32 } from '@metamorph/bitcoin';
import type { Logger } from '@metamorph/config';
import { foundBlockJobId, type FoundBlockJobData, type FoundBlockStatus } from '@metamorph/queue';
import { StratumAppError, StratumAppErrorCode } from './errors.js';
import type { Job } from './job.js';
import type { NodeRpc } from './node-rpc.js';
import type { ShareSink } from './share-sink.js';

export interface BlockCandidate {
  job: Job;
  header: Uint8Array;
  coinbase: Uint8Array;
  hash: Hash32;
  hashHex: string;
  address: string;
  worker: string;
  foundAt: number;
}

export interface SubmitOutcome {
  status: FoundBlockStatus;
  /** `submitblock`'s answer (null = accepted), or why it could not be asked. */
  result: string | null;
}

/** Header ‖ transaction count ‖ coinbase ‖ the template's transactions. */
export function assembleBlock(c: Pick<BlockCandidate, 'job' | 'header' | 'coinbase'>): Uint8Array {
  const txs = c.job.template.transactions;
  let size = c.header.length + 9 + c.coinbase.length;
  for (const tx of txs) size += tx.data.length;
  const w = new Writer(size).bytes(c.header).compactSize(txs.length + 1).bytes(c.coinbase);
  for (const tx of txs) w.bytes(tx.data);
  return w.finish();
}

/** How the reference node's `submitblock` answers map to a found block's status. */
export function interpretSubmitResult(result: unknown): SubmitOutcome {
  if (result === null || result === undefined) return { status: 'ACCEPTED', result: null };
  const text = typeof result === 'string' ? result : JSON.stringify(result);
  if (text === 'duplicate') return { status: 'ACCEPTED', result: text };
  if (text === 'inconclusive' || text === 'duplicate-inconclusive') return { status: 'SUBMITTED', result: text };
  return { status: 'REJECTED', result: text };
}

export interface BlockSubmitterOptions {
  rpc: NodeRpc;
  sink: ShareSink;
  logger: Logger;
  /** Called after every submission (e.g. to fetch a new template at once). */
  onSubmitted?: (outcome: SubmitOutcome) => void;
  retryDelaysMs?: number[];
}

/** Submits block candidates to the node at once and records them (found, then the node's verdict). */
export class BlockSubmitter {
  private readonly inFlight = new Set<Promise<SubmitOutcome>>();

  constructor(private readonly options: BlockSubmitterOptions) {}

  submit(c: BlockCandidate): Promise<SubmitOutcome> {
    const p = this.run(c).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
    return p;
  }

  /** Wait for submissions under way (shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private record(c: BlockCandidate, phase: 'found' | 'result', outcome: SubmitOutcome): void {
    const data: FoundBlockJobData = {
      kind: 'block',
      hash: c.hashHex,
      height: c.job.template.height,
      address: c.address,
      worker: c.worker,
      reward: c.job.template.coinbaseValue.toString(),
      status: outcome.status,
      submitResult: outcome.result,
      foundAt: c.foundAt,
    };
    this.options.sink.push(foundBlockJobId(c.hashHex, phase), data, true).catch((e: Error) => {
      this.options.logger.error('cannot record a found block', { hash: c.hashHex, phase, error: e.message });
    });
  }

  private async run(c: BlockCandidate): Promise<SubmitOutcome> {
    const { logger } = this.options;
    const height = c.job.template.height;
    logger.info('block candidate found, submitting', { height, hash: c.hashHex, worker: `${c.address}.${c.worker}` });
    this.record(c, 'found', { status: 'SUBMITTED', result: null });
    const hex = toHex(assembleBlock(c));
    const delays = this.options.retryDelaysMs ?? [500, 2000];
    let outcome: SubmitOutcome;
    for (let attempt = 0; ; attempt++) {
      try {
        outcome = interpretSubmitResult(await this.options.rpc.call('submitblock', [hex]));
        break;
      } catch (e) {
        const err = e as StratumAppError;
        if (err.code === StratumAppErrorCode.RpcError) {
          outcome = { status: 'REJECTED', result: err.message };
          break;
        }
        if (attempt >= delays.length) {
          outcome = { status: 'SUBMITTED', result: `not confirmed by the node: ${err.message}` };
          break;
        }
        await new Promise((r) => setTimeout(r, delays[attempt]));
      }
    }
    const fields = { height, hash: c.hashHex, result: outcome.result ?? 'null' };
    if (outcome.status === 'ACCEPTED') logger.info('block accepted by the node', fields);
    else if (outcome.status === 'REJECTED') logger.warn('block rejected by the node', fields);
    else logger.warn('block submitted, verdict unknown', fields);
    this.record(c, 'result', outcome);
    this.options.onSubmitted?.(outcome);
    return outcome;
  }
}
