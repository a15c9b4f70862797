import { loadWebConfig, WebConfigError } from '@metamorph/config/web';

// Imported once when the dashboard's server starts (instrumentation.ts): a bad environment
// stops it with one line per problem, as every other app does.
try {
  loadWebConfig(process.env);
} catch (e) {
  if (!(e instanceof WebConfigError)) throw e;
  for (const i of e.issues) process.stderr.write(`web: invalid configuration: ${i.variable} ${i.message}\n`);
  process.exit(1);
}
