/** The processes `npm start` runs, in start order. Each waits for the previous one to be ready. */
export interface ProcessSpec {
  name: string;
  /** Arguments to `node`. */
  args: string[];
  /** TCP port that answers once the process is ready; none means "ready once started". */
  readyPort?: number;
  env?: Record<string, string>;
}

const tsx = ['--import', 'tsx'];

export function platformProcesses(env: NodeJS.ProcessEnv): ProcessSpec[] {
  const port = (name: string, fallback: number) => Number(env[name] || fallback);
  return [
    { name: 'node', args: [...tsx, 'apps/node/src/main.ts'], readyPort: port('NODE_RPC_PORT', 18332) },
    { name: 'stratum', args: [...tsx, 'apps/stratum/src/main.ts'], readyPort: port('STRATUM_PORT', 3333) },
    { name: 'accounting', args: [...tsx, 'apps/stratum/src/workers-main.ts'] },
    { name: 'api', args: [...tsx, 'apps/api/src/main.ts'], readyPort: port('API_PORT', 4000) },
    {
      name: 'web',
      args: ['node_modules/next/dist/bin/next', 'start', 'apps/web', '--hostname', env.WEB_HOST || '127.0.0.1', '--port', String(port('WEB_PORT', 3000))],
      readyPort: port('WEB_PORT', 3000),
    },
    { name: 'miner', args: [...tsx, 'apps/miner/src/main.ts'] },
  ];
}
