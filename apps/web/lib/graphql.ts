export class GraphQLRequestError extends Error {
  override readonly name = 'GraphQLRequestError';
}

/** POST one operation to the API; rejects with the API's own message when it reports errors. */
export async function graphqlRequest<T>(url: string, query: string, variables: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }), signal, cache: 'no-store' });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new GraphQLRequestError(`The pool API at ${url} cannot be reached`);
  }
  let body: { data?: T | null; errors?: { message: string }[] };
  try {
    body = await res.json();
  } catch {
    throw new GraphQLRequestError(`The pool API answered HTTP ${res.status} without a GraphQL response`);
  }
  if (body.errors?.length) throw new GraphQLRequestError(body.errors.map((e) => e.message).join('; '));
  if (!body.data) throw new GraphQLRequestError(`The pool API answered HTTP ${res.status} without data`);
  return body.data;
}
