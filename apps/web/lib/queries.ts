export const OVERVIEW_QUERY = /* GraphQL */ `
  query Overview($blocks: Int!, $workers: Int!, $shares: Int!, $workerId: ID) {
    chainTip { height hash time }
    poolStats { hashrate windowSeconds workersOnline sharesLastHour blocksFound updatedAt }
    recentBlocks(limit: $blocks) {
      height hash time txCount size foundByPool
      found { status reward worker { name minerAddress } }
    }
    workers(limit: $workers) { id name minerAddress online hashrate lastShareAt }
    recentShares(workerId: $workerId, limit: $shares) {
      id difficulty actualDifficulty height isBlock submittedAt
      worker { id name minerAddress }
    }
  }
`;

export const CHAIN_TIP_SUBSCRIPTION = /* GraphQL */ `
  subscription ChainTip { chainTip { height hash time } }
`;

export const POOL_STATS_SUBSCRIPTION = /* GraphQL */ `
  subscription PoolStats { poolStats { hashrate windowSeconds workersOnline sharesLastHour blocksFound updatedAt } }
`;

export const PAGE_SIZES = { blocks: 10, workers: 50, shares: 15 } as const;
