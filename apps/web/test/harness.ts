import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright';
import { freePort } from '@metamorph/testing';

export { freePort };

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Debian's chromium, never a downloaded one (see STACK.md). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

export interface Spawned {
  child: ChildProcess;
  output(): string;
  /** SIGTERM, then SIGKILL if it is still running after `graceMs`. Resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
  exited: Promise<number | null>;
}

export function spawnNode(args: string[], env: NodeJS.ProcessEnv, label: string): Spawned {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
    if (process.env.TEST_VERBOSE) process.stderr.write(`[${label}] ${d}`);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))));
  return {
    child,
    output: () => out,
    exited,
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** `next start apps/web` (a production build must exist) on a free port against `apiUrl`. */
export async function startWeb(apiUrl: string, extraEnv: Record<string, string> = {}): Promise<Spawned & { url: string }> {
  const port = await freePort();
  const web = spawnNode(
    [path.join(ROOT, 'node_modules/next/dist/bin/next'), 'start', 'apps/web', '--hostname', '127.0.0.1', '--port', String(port)],
    { PATH: process.env.PATH, NEXT_TELEMETRY_DISABLED: '1', NEXT_PUBLIC_API_URL: apiUrl, ...extraEnv },
    'web',
  );
  await waitFor(() => portOpen(port), 60_000, () => `the dashboard did not open port ${port}: ${web.output()}`, web);
  return { ...web, url: `http://127.0.0.1:${port}/` };
}

export async function waitFor(ok: () => Promise<boolean> | boolean, timeoutMs: number, why: () => string, proc?: Spawned): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (proc && proc.child.exitCode !== null) throw new Error(`process exited (${proc.child.exitCode}): ${why()}`);
    if (Date.now() > deadline) throw new Error(why());
    await new Promise((r) => setTimeout(r, 200));
  }
}
