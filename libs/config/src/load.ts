import { z } from 'zod';
import { ConfigError } from './errors.js';

/**
 * Validate the environment against an app's schema (keys are variable names) once, at start-up.
 * Every problem is reported at once, each naming its variable.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Record<string, string | undefined> = process.env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((i) => ({
      variable: i.path.length ? i.path.map(String).join('.') : '(environment)',
      message: i.message,
    })),
  );
}
