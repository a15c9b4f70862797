import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { TEST_REDIS_URL } from '@metamorph/testing';
export { freePort } from '@metamorph/testing';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export interface SpawnedApp {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when a stdout/stderr line matches. */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<string>;
  stop(): void;
}

/** Run an app entry point (`apps/…/main.ts`) as `npm start` does, with only the given environment. */
export function spawnApp(entry: string, env: Record<string, string>): SpawnedApp {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const listeners: (() => void)[] = [];
  const collect = (stream: NodeJS.ReadableStream, into: string[]) => {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        into.push(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
      for (const l of listeners) l();
    });
  };
  collect(child.stdout!, stdout);
  collect(child.stderr!, stderr);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    stdout,
    stderr,
    exited,
    waitForLine(re, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = [...stdout, ...stderr].find((l) => re.test(l));
          if (line !== undefined) {
            clearTimeout(timer);
            resolve(line);
            return true;
          }
          return false;
        };
        const timer = setTimeout(() => reject(new Error(`no line matching ${re} within ${timeoutMs} ms; stdout=${stdout.join('\n')} stderr=${stderr.join('\n')}`)), timeoutMs);
        if (!check()) {
          listeners.push(check);
          void exited.then(() => setTimeout(() => check() || (clearTimeout(timer), reject(new Error(`exited before ${re}; stderr=${stderr.join('\n')}`))), 50));
        }
      });
    },
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** Resolves once `port` accepts connections; rejects (with the app's stderr) if the app exits first or the time runs out. */
export async function waitForPort(app: SpawnedApp, port: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), r(true)));
      s.on('error', () => r(false));
    });
    if (ok) return;
    if (app.child.exitCode !== null || app.child.signalCode !== null) {
      throw new Error(`the app exited (${app.child.exitCode ?? app.child.signalCode}) before listening on ${port}; stderr=${app.stderr.join('\n')}`);
    }
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port} after ${timeoutMs} ms; stderr=${app.stderr.join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The environment every spawned stratum needs: the test Redis under `prefix`, a plain TCP port on 127.0.0.1 and the node's RPC URL. */
export function stratumEnv(prefix: string, port: number, nodeRpcUrl: string): Record<string, string> {
  return { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, STRATUM_HOST: '127.0.0.1', STRATUM_PORT: String(port), STRATUM_NODE_RPC_URL: nodeRpcUrl };
}
