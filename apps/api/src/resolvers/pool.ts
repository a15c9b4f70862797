import type { ApiContext } from '../context.js';
import { poolStats } from '../data/pool.js';
import type { PoolStatsRecord } from '../data/records.js';

export const poolQueries = {
  poolStats: (_: unknown, __: unknown, ctx: ApiContext) => poolStats(ctx.services.db, ctx.services.settings),
};

export const poolSubscriptions = {
  poolStats: {
    subscribe: (_: unknown, __: unknown, ctx: ApiContext) => ctx.services.stats.subscribe(),
    resolve: (stats: PoolStatsRecord) => stats,
  },
};
