import type { ApiContext } from '../context.js';
import type { ShareRecord, WorkerRecord } from '../data/records.js';
import { recentShares } from '../data/shares.js';
import { listWorkers } from '../data/workers.js';
import { pageSize, parseAddress, parseId } from './args.js';

function onlineSince(ctx: ApiContext): Date {
  return new Date(Date.now() - ctx.services.settings.workerOnlineSeconds * 1000);
}

export const workerQueries = {
  workers: (_: unknown, args: { online?: boolean | null; limit?: number | null }, ctx: ApiContext) =>
    listWorkers(ctx.services.db, {
      online: args.online,
      onlineSince: onlineSince(ctx),
      limit: pageSize(args.limit, 50, ctx.services.settings.maxPageSize),
    }),
  recentShares: (_: unknown, args: { workerId?: string | null; minerAddress?: string | null; limit?: number | null }, ctx: ApiContext) =>
    recentShares(ctx.services.db, {
      workerId: args.workerId == null ? undefined : parseId(args.workerId, 'workerId'),
      minerAddress: args.minerAddress == null ? undefined : parseAddress(args.minerAddress, ctx.services.settings.network, 'minerAddress'),
      limit: pageSize(args.limit, 20, ctx.services.settings.maxPageSize),
    }),
};

export const workerFields = {
  Worker: {
    id: (w: WorkerRecord) => String(w.id),
    online: (w: WorkerRecord, _: unknown, ctx: ApiContext) => w.lastShareAt !== null && w.lastShareAt >= onlineSince(ctx),
    hashrate: async (w: WorkerRecord, _: unknown, ctx: ApiContext) => (await ctx.loaders.workerHashrate.load(w.id)) ?? 0,
  },
  Share: {
    id: (s: ShareRecord) => s.id.toString(),
  },
};
