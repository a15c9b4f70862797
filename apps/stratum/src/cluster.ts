import { fork, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import type { Logger, StratumConfig } from '@metamorph/config';
import { describeStartupError } from '@metamorph/config';
import { startStratum, type StratumApp } from './app.js';
import { ConnectionGate, normalizeIp } from './connection-gate.js';

/**
 * Several stratum processes on one port: a primary listens, admits each connection (per-address
 * limits and bans over all processes) and hands the socket to the worker process holding the
 * fewest; each worker runs the whole stratum (its own jobs, sink and node connection) with its
 * own extranonce1 prefix and never holds more than STRATUM_MAX_CONNECTIONS sockets.
 */

/** Messages between the primary and its workers. */
type ToWorker = { t: 'socket'; tls: boolean; ip: string } | { t: 'stop' };
type ToPrimary =
  | { t: 'ready' }
  | { t: 'failed'; message: string }
  | { t: 'released'; ips: string[] }
  | { t: 'ban'; ip: string; seconds: number; reason: string }
  | { t: 'stopped'; lost: number };

/** Set by the primary in each worker's environment: its process index. */
export const WORKER_INDEX_VARIABLE = 'STRATUM_WORKER_INDEX';

interface Worker {
  index: number;
  child: ChildProcess;
  ready: boolean;
  connections: number;
  ips: Map<string, number>;
  lost?: number;
}

export interface Primary {
  addresses: { tcp: net.AddressInfo; tls?: net.AddressInfo };
  /** Connections per worker, for logs and tests. */
  load(): number[];
  /** Stop listening, stop the workers; resolves with the shares they could not store. */
  close(): Promise<number>;
}

export async function runPrimary(config: StratumConfig, entry: string, logger: Logger): Promise<Primary> {
  const gate = new ConnectionGate({ maxPerIp: config.STRATUM_MAX_CONNECTIONS_PER_IP, logger: logger.child('gate') });
  const workers: Worker[] = [];
  let stopping = false;

  const spawn = (index: number): Promise<Worker> => {
    const child = fork(entry, [], {
      env: { ...process.env, [WORKER_INDEX_VARIABLE]: String(index) },
      execArgv: process.execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const w: Worker = { index, child, ready: false, connections: 0, ips: new Map() };
    workers[index] = w;
    return new Promise((resolve, reject) => {
      child.on('message', (m: ToPrimary) => {
        switch (m.t) {
          case 'ready':
            w.ready = true;
            resolve(w);
            break;
          case 'failed':
            reject(new Error(m.message));
            break;
          case 'released':
            for (const ip of m.ips) {
              gate.release(ip);
              w.connections--;
              const n = (w.ips.get(ip) ?? 1) - 1;
              if (n > 0) w.ips.set(ip, n);
              else w.ips.delete(ip);
            }
            break;
          case 'ban':
            gate.ban(m.ip, m.seconds, m.reason);
            break;
          case 'stopped':
            w.lost = m.lost;
            break;
        }
      });
      child.on('exit', (code, signal) => {
        w.ready = false;
        for (const [ip, n] of w.ips) gate.release(ip, n);
        w.ips.clear();
        w.connections = 0;
        reject(new Error(`worker ${index} exited (${signal ?? code}) while starting`));
        if (stopping || workers[index] !== w) return;
        logger.error('worker process exited; starting another', { index, code, signal });
        setTimeout(() => {
          if (!stopping) spawn(index).catch((e) => logger.error('worker process failed to start', { index, error: (e as Error).message }));
        }, 1000);
      });
    });
  };

  const stopWorkers = async (): Promise<number> => {
    const exits = workers.map(
      (w) =>
        new Promise<void>((resolve) => {
          if (w.child.exitCode !== null || w.child.signalCode !== null) return resolve();
          w.child.once('exit', () => resolve());
          w.child.send({ t: 'stop' } satisfies ToWorker, (e) => e && w.child.kill('SIGTERM'));
        }),
    );
    const timer = setTimeout(() => workers.forEach((w) => w.child.kill('SIGKILL')), 14_000);
    await Promise.all(exits);
    clearTimeout(timer);
    return workers.reduce((s, w) => s + (w.lost ?? (w.child.exitCode === 0 ? 0 : 1)), 0);
  };

  try {
    await Promise.all(Array.from({ length: config.STRATUM_PROCESSES }, (_, i) => spawn(i)));
  } catch (e) {
    stopping = true;
    await stopWorkers();
    throw e;
  }

  const pick = (): Worker | undefined => {
    let best: Worker | undefined;
    for (const w of workers) if (w.ready && w.connections < config.STRATUM_MAX_CONNECTIONS && (!best || w.connections < best.connections)) best = w;
    return best;
  };

  const handOver = (secure: boolean) => (socket: net.Socket) => {
    const ip = normalizeIp(socket.remoteAddress);
    socket.on('error', () => {});
    const w = stopping ? undefined : pick();
    if (!w) {
      socket.destroy();
      return;
    }
    if (gate.admit(ip) !== 'ok') {
      socket.destroy();
      return;
    }
    w.connections++;
    w.ips.set(ip, (w.ips.get(ip) ?? 0) + 1);
    w.child.send({ t: 'socket', tls: secure, ip } satisfies ToWorker, socket, (e) => {
      if (!e) return;
      // The worker went away: undo the counts and drop the connection.
      gate.release(ip);
      w.connections--;
      const n = (w.ips.get(ip) ?? 1) - 1;
      if (n > 0) w.ips.set(ip, n);
      else w.ips.delete(ip);
      socket.destroy();
    });
  };

  const servers: net.Server[] = [];
  const listen = (port: number, secure: boolean) =>
    new Promise<net.AddressInfo>((resolve, reject) => {
      const server = net.createServer({ pauseOnConnect: true }, handOver(secure));
      servers.push(server);
      server.once('error', reject);
      server.listen({ host: config.STRATUM_HOST, port, backlog: 4096 }, () => {
        server.off('error', reject);
        server.on('error', (e) => logger.error('server error', { error: e.message }));
        resolve(server.address() as net.AddressInfo);
      });
    });

  let tcp: net.AddressInfo;
  let tlsAddress: net.AddressInfo | undefined;
  try {
    tcp = await listen(config.STRATUM_PORT, false);
    if (config.tls) tlsAddress = await listen(config.STRATUM_TLS_PORT, true);
  } catch (e) {
    stopping = true;
    for (const s of servers) s.close();
    await stopWorkers();
    throw e;
  }
  const sweeper = setInterval(() => gate.sweep(), 10_000);
  sweeper.unref();
  logger.info('listening', { host: tcp.address, port: tcp.port, tlsPort: tlsAddress?.port, processes: workers.length, network: config.NETWORK });

  let closing: Promise<number> | undefined;
  return {
    addresses: { tcp, tls: tlsAddress },
    load: () => workers.map((w) => w.connections),
    close() {
      closing ??= (async () => {
        stopping = true;
        clearInterval(sweeper);
        for (const s of servers) s.close();
        return stopWorkers();
      })();
      return closing;
    },
  };
}

/** The worker side: run the stratum without a listener, adopting the sockets the primary sends. */
export async function runWorker(config: StratumConfig, index: number, logger: Logger): Promise<void> {
  const send = (m: ToPrimary) => process.connected && process.send!(m);
  let released: string[] = [];
  const flushReleased = setInterval(() => {
    if (released.length) {
      send({ t: 'released', ips: released });
      released = [];
    }
  }, 100);
  let app: StratumApp;
  try {
    app = await startStratum(config, {
      logger,
      worker: {
        processIndex: index,
        onRelease: (ip) => released.push(ip),
        onBan: (ip, seconds, reason) => send({ t: 'ban', ip, seconds, reason }),
      },
    });
  } catch (e) {
    clearInterval(flushReleased);
    send({ t: 'failed', message: describeStartupError(e) });
    process.exitCode = 1;
    process.disconnect?.();
    return;
  }
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    const lost = await app.close();
    if (lost) logger.error('shares could not be stored before exit', { lost });
    clearInterval(flushReleased);
    if (released.length) send({ t: 'released', ips: released });
    send({ t: 'stopped', lost });
    process.exit(lost ? 1 : 0);
  };
  process.on('message', (m: ToWorker, handle?: net.Socket) => {
    if (m.t === 'socket' && handle) app.server.adopt(handle, m.tls, m.ip);
    else if (m.t === 'stop') void stop();
  });
  // The primary is gone: nobody hands out sockets any more.
  process.on('disconnect', () => void stop());
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  send({ t: 'ready' });
}
