import net from 'node:net';
import type { Logger } from '@metamorph/config';
import { Extranonce1Allocator } from './extranonce.js';
import { LineFramer } from './framing.js';
import type { Job, NotifyParams } from './job.js';
import type { JobManager } from './job-manager.js';
import { StratumSession, type SessionOptions } from './session.js';
import { settleWithin } from './timeout.js';

export interface StratumServerOptions {
  host: string;
  port: number;
  maxLineBytes: number;
  maxConnections: number;
  idleTimeoutSeconds: number;
  instanceId: number;
  jobs: JobManager;
  /** Everything a session needs besides its extranonce1 and its socket. */
  session: Omit<SessionOptions, 'extranonce1' | 'jobs' | 'peer'>;
  logger: Logger;
}

/** A socket whose peer stops reading is dropped once this much output is waiting for it. */
const MAX_PENDING_OUTPUT = 1024 * 1024;

/** The TCP side of the Stratum server: one StratumSession per connection. */
export class StratumServer {
  private readonly server: net.Server;
  private readonly sessions = new Set<StratumSession>();
  private readonly extranonces: Extranonce1Allocator;
  private readonly sockets = new Set<net.Socket>();
  private readonly onJob: (job: Job, notify: NotifyParams) => void;

  constructor(private readonly options: StratumServerOptions) {
    this.extranonces = new Extranonce1Allocator(options.instanceId);
    this.server = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.server.maxConnections = options.maxConnections;
    this.onJob = (job, notify) => {
      for (const s of this.sessions) s.onJob(job, notify);
    };
    options.jobs.on('job', this.onJob);
  }

  get connectionCount(): number {
    return this.sessions.size;
  }

  /** Resolves once listening; rejects with the listen error (e.g. EADDRINUSE). */
  listen(): Promise<net.AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.server.once('error', onError);
      this.server.listen({ host: this.options.host, port: this.options.port }, () => {
        this.server.off('error', onError);
        this.server.on('error', (e) => this.options.logger.error('server error', { error: e.message }));
        resolve(this.server.address() as net.AddressInfo);
      });
    });
  }

  private accept(socket: net.Socket): void {
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    const extranonce1 = this.extranonces.allocate();
    const framer = new LineFramer(this.options.maxLineBytes);
    const session = new StratumSession(
      {
        send: (line) => {
          if (socket.destroyed) return;
          socket.write(line + '\n');
          if (socket.writableLength > MAX_PENDING_OUTPUT) {
            this.options.logger.warn('dropping a connection that does not read', { peer });
            socket.destroy();
          }
        },
        close: () => socket.end(),
      },
      { ...this.options.session, extranonce1, jobs: this.options.jobs, peer },
    );
    this.sessions.add(session);
    this.sockets.add(socket);
    socket.setKeepAlive(true, 60_000);
    socket.setTimeout(this.options.idleTimeoutSeconds * 1000, () => {
      this.options.logger.debug('closing an idle connection', { peer });
      socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => {
      for (const ev of framer.push(chunk)) {
        if (ev.kind === 'line') void session.receive(ev.line);
        else void session.lineTooLong(this.options.maxLineBytes);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      session.close();
      this.sessions.delete(session);
      this.sockets.delete(socket);
      this.extranonces.release(extranonce1);
    });
  }

  /** Stop accepting, let sessions finish the lines they hold, then close every connection. */
  async close(): Promise<void> {
    this.options.jobs.off('job', this.onJob);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await settleWithin(Promise.allSettled([...this.sessions].map((s) => s.idle())), 2000);
    for (const s of this.sessions) s.close();
    await new Promise((r) => setTimeout(r, 50));
    for (const socket of this.sockets) socket.destroy();
    await settleWithin(closed, 3000);
  }
}
