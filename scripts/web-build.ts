// Builds the dashboard (`next build apps/web`) unless its sources are unchanged since the last
// build. Shared by `npm start` and the browser tests; a lock keeps parallel callers to one build.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WEB = path.join(ROOT, 'apps/web');
const MARKER = path.join(WEB, '.next/.source-sum');
const LOCK = path.join(WEB, '.next-build.lock');
/** Besides apps/web itself, what ends up in the build. */
const EXTRA_INPUTS = ['libs/config/src/web.ts', 'package-lock.json'];
const SKIP = new Set(['node_modules', '.next', '.next-build.lock', 'test', 'test-results', 'next-env.d.ts']);

function hashTree(dir: string, h: ReturnType<typeof createHash>): void {
  for (const name of readdirSync(dir).sort()) {
    if (SKIP.has(name)) continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) hashTree(p, h);
    else h.update(path.relative(ROOT, p)).update('\0').update(readFileSync(p));
  }
}

export function webSourceSum(): string {
  const h = createHash('sha256');
  hashTree(WEB, h);
  for (const f of EXTRA_INPUTS) h.update(f).update('\0').update(readFileSync(path.join(ROOT, f)));
  return h.digest('hex');
}

export function webBuildIsCurrent(): boolean {
  return existsSync(MARKER) && readFileSync(MARKER, 'utf8') === webSourceSum();
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let owner = NaN;
      try {
        owner = Number(readFileSync(path.join(LOCK, 'pid'), 'utf8'));
      } catch {
        // The owner has created the folder but not yet written its pid.
      }
      if (Number.isInteger(owner) && owner > 0 && !pidAlive(owner)) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`another dashboard build holds ${LOCK} for over 10 minutes`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** Run `next build apps/web` if needed; `log` receives one line when a build starts. */
export async function ensureWebBuild(opts: { log?: (line: string) => void; stdio?: 'inherit' | 'pipe' } = {}): Promise<void> {
  if (webBuildIsCurrent()) return;
  await withLock(async () => {
    if (webBuildIsCurrent()) return;
    opts.log?.('building the dashboard (next build)…');
    const child = spawn(process.execPath, [path.join(ROOT, 'node_modules/next/dist/bin/next'), 'build', 'apps/web'], {
      cwd: ROOT,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
      stdio: opts.stdio === 'pipe' ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    let output = '';
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (code !== 0) throw new Error(`next build failed (exit ${code})${output ? `:\n${output.slice(-4000)}` : ''}`);
    // Hash after the build: next build may rewrite files it owns (tsconfig.json).
    writeFileSync(MARKER, webSourceSum());
  });
}
