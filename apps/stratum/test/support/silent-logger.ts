import type { Logger } from '@metamorph/config';

/** A logger that keeps lines in memory (tests assert on them instead of printing). */
export function memoryLogger(lines: string[] = []): Logger {
  const write = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
    lines.push(`${level} ${msg}${fields ? ' ' + JSON.stringify(fields, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) : ''}`);
  };
  const logger: Logger = { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error'), child: () => logger };
  return logger;
}
