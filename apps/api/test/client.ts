import { createClient, type Client, type FormattedExecutionResult as ExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  body: { data?: T | null; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[] };
}

/** POST a GraphQL operation over real HTTP. */
export async function gql<T = Record<string, any>>(url: string, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return { status: res.status, body: (await res.json()) as GraphQLResponse<T>['body'] };
}

export function wsClient(url: string): Client {
  return createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
}

/** Subscribe and collect results; `next(n)` waits until `n` results have arrived. */
export function collect(client: Client, query: string, variables?: Record<string, unknown>) {
  const results: ExecutionResult<Record<string, any>, unknown>[] = [];
  let error: unknown = null;
  let completed = false;
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  const dispose = client.subscribe<Record<string, any>>(
    { query, variables },
    {
      next: (r) => (results.push(r), wake()),
      error: (e) => ((error = e), wake()),
      complete: () => ((completed = true), wake()),
    },
  );
  return {
    results,
    get error() {
      return error;
    },
    get completed() {
      return completed;
    },
    dispose,
    async next(n: number, timeoutMs = 10_000): Promise<ExecutionResult<Record<string, any>, unknown>> {
      const deadline = Date.now() + timeoutMs;
      while (results.length < n && !error && !completed) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for result #${n} (have ${results.length})`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 100);
        });
      }
      if (results.length < n) throw new Error(`subscription ended before result #${n}: ${error ? JSON.stringify(error) : 'completed'}`);
      return results[n - 1];
    },
    /** Resolves when the server ends the subscription with an error or completes it. */
    async ended(timeoutMs = 10_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!error && !completed) {
        if (Date.now() > deadline) throw new Error('timed out waiting for the subscription to end');
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 100);
        });
      }
    },
  };
}
