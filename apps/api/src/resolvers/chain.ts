import { hashFromHex } from '@metamorph/bitcoin';
import type { ApiContext } from '../context.js';
import { blockByHash, chainTip, recentBlocks } from '../data/chain.js';
import type { BlockRecord } from '../data/records.js';
import type { ChainEvent } from '../events/hub.js';
import { pageSize } from './args.js';

export const chainQueries = {
  chainTip: (_: unknown, __: unknown, ctx: ApiContext) => chainTip(ctx.services.db),
  recentBlocks: (_: unknown, args: { limit?: number | null }, ctx: ApiContext) =>
    recentBlocks(ctx.services.db, pageSize(args.limit, 10, ctx.services.settings.maxPageSize)),
};

export const chainSubscriptions = {
  chainTip: {
    subscribe: (_: unknown, __: unknown, ctx: ApiContext) => ctx.services.hub.subscribe(['connected', 'disconnected']),
    // The event says the chain changed; the database says what the tip is now.
    resolve: (_event: ChainEvent, __: unknown, ctx: ApiContext) => chainTip(ctx.services.db),
  },
  newBlock: {
    subscribe: (_: unknown, __: unknown, ctx: ApiContext) => ctx.services.hub.subscribe(['connected']),
    async resolve(event: ChainEvent, _: unknown, ctx: ApiContext): Promise<BlockRecord> {
      if (event.kind !== 'connected') throw new Error('newBlock received a non-connect event');
      const { block } = event;
      const hash = hashFromHex(block.hash);
      const stored = await blockByHash(ctx.services.db, hash);
      return stored ?? { height: block.height, hash, time: new Date(block.time * 1000), txCount: null, size: null };
    },
  },
};

export const blockFields = {
  Block: {
    found: (b: BlockRecord, _: unknown, ctx: ApiContext) => ctx.loaders.foundBlock.load(Buffer.from(b.hash).toString('hex')).then((f) => f ?? null),
    foundByPool: async (b: BlockRecord, _: unknown, ctx: ApiContext) => (await ctx.loaders.foundBlock.load(Buffer.from(b.hash).toString('hex'))) !== undefined,
  },
  FoundBlock: {
    worker: (f: { workerId: number | null }, _: unknown, ctx: ApiContext) =>
      f.workerId === null ? null : ctx.loaders.worker.load(f.workerId).then((w) => w ?? null),
  },
};
