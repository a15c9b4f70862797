// The built-in CPU miner fleet: `node --import tsx apps/miner/src/main.ts`.
import { createLogger, exitOnStartupError, loadConfig, minerSchema } from '@metamorph/config';
import { MinerError } from './errors.js';
import { MinerFleet } from './fleet.js';
import { REGTEST_MINER_ADDRESSES } from './test-keys.js';

async function main() {
  let fleet: MinerFleet | undefined;
  let report: NodeJS.Timeout | undefined;
  // Installed first, so a signal during start-up is handled too.
  const stop = (signal: string) => {
    createLogger('miner').info('stopping', { signal });
    clearInterval(report);
    fleet?.stop();
    setTimeout(() => process.exit(0), 50);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  let config;
  try {
    config = loadConfig(minerSchema);
  } catch (e) {
    exitOnStartupError('miner', e);
  }
  const logger = createLogger('miner', config.LOG_LEVEL);
  const url = new URL(config.MINER_STRATUM_URL);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port);
  fleet = new MinerFleet({
    host,
    port,
    workers: config.MINER_WORKERS,
    addresses: config.MINER_ADDRESSES.length ? config.MINER_ADDRESSES : REGTEST_MINER_ADDRESSES,
    workerPrefix: config.MINER_WORKER_PREFIX,
    password: config.MINER_PASSWORD,
    cpuPercent: config.MINER_CPU_PERCENT,
    logger,
    versionRolling: config.MINER_VERSION_ROLLING,
    suggestDifficulty: config.MINER_SUGGEST_DIFFICULTY || undefined,
    localAddresses: config.MINER_LOCAL_ADDRESSES,
  });
  try {
    await fleet.start();
  } catch (e) {
    fleet.stop();
    const err = e as NodeJS.ErrnoException;
    const why = !(e instanceof MinerError) && err.code ? `the pool at ${host}:${port} is not reachable (${err.code}): start the stratum, or point MINER_STRATUM_URL at it` : err.message;
    exitOnStartupError('miner', new Error(why));
  }
  logger.info('mining', { workers: config.MINER_WORKERS, pool: `${host}:${port}`, cpuPercent: config.MINER_CPU_PERCENT });

  let last = { at: Date.now(), hashes: 0 };
  report = setInterval(() => {
    const t = fleet!.totals();
    const now = Date.now();
    const rate = ((t.hashes - last.hashes) * 1000) / (now - last.at);
    last = { at: now, hashes: t.hashes };
    logger.info('fleet', { hashrate: `${(rate / 1000).toFixed(1)} kH/s`, accepted: t.accepted, rejected: t.rejected, blocks: t.blocks, rolled: t.rolled });
  }, 30_000);
}

void main();
