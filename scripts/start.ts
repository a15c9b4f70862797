// Runs the whole platform with prefixed logs; Ctrl-C stops everything cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { applyMigrations, ensureDatabase, DbError } from '@metamorph/db';
import { checkRedis, QueueError } from '@metamorph/queue';
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL } from '@metamorph/config';
import { platformProcesses, type ProcessSpec } from './platform.js';
import { ensureWebBuild } from './web-build.js';

const COLORS = [36, 33, 35, 32, 34, 31, 96, 93];
const tty = process.stdout.isTTY;
const only = process.argv.slice(2);

function prefix(name: string, i: number): string {
  const label = `[${name.padEnd(10)}]`;
  return tty ? `\x1b[${COLORS[i % COLORS.length]}m${label}\x1b[0m ` : `${label} `;
}

function log(msg: string) {
  process.stdout.write(`${prefix('start', 7)}${msg}\n`);
}

function pipeLines(stream: NodeJS.ReadableStream, out: NodeJS.WritableStream, pre: string) {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      out.write(pre + buf.slice(0, nl) + '\n');
      buf = buf.slice(nl + 1);
    }
  });
  stream.on('end', () => buf && out.write(pre + buf + '\n'));
}

function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

const children: { spec: ProcessSpec; child: ChildProcess }[] = [];
let stopping = false;

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    log('stopping…');
    for (const { child } of [...children].reverse()) if (child.exitCode === null) child.kill('SIGTERM');
    const deadline = Date.now() + 10_000;
    while (children.some((c) => c.child.exitCode === null && c.child.signalCode === null) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    log('stopped');
  }
  process.exit(code);
}

async function main() {
  const databaseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const redisUrl = process.env.REDIS_URL || DEFAULT_REDIS_URL;
  try {
    if (await ensureDatabase(databaseUrl)) log('created the database');
    const { applied } = await applyMigrations(databaseUrl);
    if (applied.length) log(`applied migrations: ${applied.join(', ')}`);
    await checkRedis(redisUrl);
  } catch (e) {
    if (e instanceof DbError || e instanceof QueueError) {
      process.stderr.write(`start: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const specs = platformProcesses(process.env).filter((s) => only.length === 0 || only.includes(s.name));
  if (specs.some((s) => s.name === 'web') && existsSync('apps/web/app')) await ensureWebBuild({ log });

  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  for (const [i, spec] of specs.entries()) {
    if (spec.readyPort && (await portOpen(spec.readyPort))) {
      process.stderr.write(`start: port ${spec.readyPort} (for ${spec.name}) is already in use: stop whatever listens there, or set its port variable\n`);
      await stopAll(1);
    }
    const child = spawn(process.execPath, spec.args, { env: { ...process.env, ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push({ spec, child });
    pipeLines(child.stdout!, process.stdout, prefix(spec.name, i));
    pipeLines(child.stderr!, process.stderr, prefix(spec.name, i));
    child.on('exit', (code, signal) => {
      if (stopping) return;
      log(`${spec.name} exited (${signal ?? `code ${code}`}); stopping the platform`);
      void stopAll(1);
    });
    if (spec.readyPort) {
      const deadline = Date.now() + 120_000;
      while (!(await portOpen(spec.readyPort))) {
        if (stopping) return;
        if (Date.now() > deadline) {
          log(`${spec.name} did not open port ${spec.readyPort} within 120 s`);
          await stopAll(1);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    log(`${spec.name} is up${spec.readyPort ? ` on port ${spec.readyPort}` : ''}`);
  }
  const where: Record<string, (port: number) => string> = {
    web: (p) => `dashboard http://127.0.0.1:${p}`,
    api: (p) => `GraphQL http://127.0.0.1:${p}/graphql`,
    stratum: (p) => `stratum+tcp://127.0.0.1:${p}`,
    node: (p) => `RPC http://127.0.0.1:${p}`,
  };
  const endpoints = ['web', 'api', 'stratum', 'node']
    .map((name) => specs.find((s) => s.name === name))
    .filter((s): s is ProcessSpec => !!s?.readyPort)
    .map((s) => where[s.name](s.readyPort!));
  log(`platform running: ${endpoints.join(' · ')} — Ctrl-C stops`);
}

main().catch((e) => {
  process.stderr.write(`start: ${(e as Error).message}\n`);
  void stopAll(1);
});
