// apps/node entry point: validate the environment, check Postgres and Redis, run the node until SIGINT/SIGTERM.
import { createLogger, exitOnStartupError, loadNodeConfig, type NodeConfig } from '@metamorph/config';
import { applyMigrations, ensureDatabase } from '@metamorph/db';
import { checkRedis } from '@metamorph/queue';
import { startNode, type RunningNode } from './node.js';
import { envFromArgs } from './cli-args.js';

let config: NodeConfig;
try {
  config = loadNodeConfig({ ...process.env, ...envFromArgs(process.argv.slice(2)) });
} catch (e) {
  exitOnStartupError('node', e);
}
const log = createLogger('node', config.logLevel);

let node: RunningNode | undefined;
let stopping = false;

async function shutdown(why: string, code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info('stopping', { reason: why });
  const force = setTimeout(() => {
    log.error('shutdown took too long; exiting');
    process.exit(1);
  }, 10_000);
  force.unref();
  await node?.stop();
  process.exit(code);
}

process.on('SIGINT', () => void (stopping ? process.exit(1) : shutdown('SIGINT')));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

try {
  await ensureDatabase(config.databaseUrl);
  await applyMigrations(config.databaseUrl);
  await checkRedis(config.redisUrl);
  node = await startNode(config, { logger: log, onStopRequested: () => void shutdown('stop requested over RPC') });
} catch (e) {
  exitOnStartupError('node', e);
}
