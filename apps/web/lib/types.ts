/** Shapes of the API's answers, as JSON (hashes hex, amounts and difficulties decimal strings, times ISO). */

export interface Block {
  height: number;
  hash: string;
  time: string;
  txCount: number | null;
  size: number | null;
  foundByPool: boolean;
  found: { status: string; reward: string; worker: { name: string; minerAddress: string } | null } | null;
}

export interface ChainTip {
  height: number;
  hash: string;
  time: string;
}

export interface PoolStats {
  hashrate: number;
  windowSeconds: number;
  workersOnline: number;
  sharesLastHour: number;
  blocksFound: number;
  updatedAt: string;
}

export interface Worker {
  id: string;
  name: string;
  minerAddress: string;
  online: boolean;
  hashrate: number;
  lastShareAt: string | null;
}

export interface Share {
  id: string;
  difficulty: string;
  actualDifficulty: string;
  height: number;
  isBlock: boolean;
  submittedAt: string;
  worker: { id: string; name: string; minerAddress: string };
}

export interface Overview {
  chainTip: ChainTip | null;
  poolStats: PoolStats;
  recentBlocks: Block[];
  workers: Worker[];
  recentShares: Share[];
}
