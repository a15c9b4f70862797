import { ConfigError } from './errors.js';

/**
 * Stop an app at start-up with one clear line per problem and exit code 1.
 * Use for configuration errors, unreachable services, ports in use.
 */
export function exitOnStartupError(app: string, e: unknown): never {
  if (e instanceof ConfigError) {
    for (const i of e.issues) process.stderr.write(`${app}: invalid configuration: ${i.variable} ${i.message}\n`);
  } else {
    process.stderr.write(`${app}: cannot start: ${describeStartupError(e)}\n`);
  }
  process.exit(1);
}

export function describeStartupError(e: unknown): string {
  const err = e as NodeJS.ErrnoException & { address?: string; port?: number };
  if (err?.code === 'EADDRINUSE') {
    return `port ${err.port ?? '?'} on ${err.address ?? '?'} is already in use: stop whatever listens there or choose another port`;
  }
  if (err?.code === 'EACCES' && err.syscall === 'listen') {
    return `no permission to listen on port ${err.port ?? '?'}: choose a port above 1023`;
  }
  if (err?.code === 'EADDRNOTAVAIL') return `address ${err.address ?? '?'} is not available on this machine`;
  return err?.message ?? String(e);
}
