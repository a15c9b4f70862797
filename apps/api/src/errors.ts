import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from '@metamorph/config';

export enum ApiErrorCode {
  /** An argument has a value the field does not accept (the `argument` extension names it). */
  BadUserInput = 'BAD_USER_INPUT',
  NotFound = 'NOT_FOUND',
  QueryTooDeep = 'QUERY_TOO_DEEP',
  QueryTooComplex = 'QUERY_TOO_COMPLEX',
  /** Postgres (or another back end) cannot be reached right now; retrying later may work. */
  Unavailable = 'SERVICE_UNAVAILABLE',
  Internal = 'INTERNAL_SERVER_ERROR',
}

/** HTTP status for an error that stops a whole request before execution (limits). */
const REQUEST_STATUS: Partial<Record<ApiErrorCode, number>> = {
  [ApiErrorCode.QueryTooDeep]: 400,
  [ApiErrorCode.QueryTooComplex]: 400,
};

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly argument?: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

/** An ApiError as a GraphQLError, for places that must return GraphQL errors rather than throw from a resolver. */
export function toGraphQLError(e: ApiError): GraphQLError {
  const status = REQUEST_STATUS[e.code];
  return new GraphQLError(e.message, {
    originalError: e,
    extensions: { code: e.code, ...(e.argument ? { argument: e.argument } : {}), ...(status ? { http: { status } } : {}) },
  });
}

/** Socket errors, Postgres shutdown/too-many-connections states, Prisma's "cannot reach / timed out / closed" codes. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE',
  '57P01', '57P03', '53300',
  'P1001', 'P1002', 'P1008', 'P1017',
]);
const UNAVAILABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);

/** Whether an error (or one of its causes) says the database cannot be reached. */
function isUnavailable(e: unknown): boolean {
  for (let cur = e, depth = 0; cur && typeof cur === 'object' && depth < 6; depth++) {
    const err = cur as { code?: unknown; name?: unknown; kind?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown } };
    if (typeof err.code === 'string' && UNAVAILABLE_CODES.has(err.code)) return true;
    if (typeof err.kind === 'string' && UNAVAILABLE_KINDS.has(err.kind)) return true;
    if (err.name === 'PrismaClientInitializationError') return true;
    cur = err.cause ?? err.meta?.driverAdapterError;
  }
  return false;
}

function originalOf(error: unknown): unknown {
  return error instanceof GraphQLError ? error.originalError : error;
}

/**
 * The one place errors become what clients see, over HTTP and WebSocket alike:
 * our ApiErrors keep their code and message; GraphQL's own (syntax, validation, variable
 * coercion) pass through; anything else is logged and masked.
 */
export function formatApiError(formatted: GraphQLFormattedError, error: unknown, logger: Logger): GraphQLFormattedError {
  const original = originalOf(error);
  const base = { message: formatted.message, ...(formatted.locations ? { locations: formatted.locations } : {}), ...(formatted.path ? { path: formatted.path } : {}) };
  if (original instanceof ApiError) {
    return { ...base, message: original.message, extensions: { code: original.code, ...(original.argument ? { argument: original.argument } : {}) } };
  }
  // GraphQL's own errors (syntax, validation, variable coercion, scalar parsing) pass through with their code.
  if (original === undefined || original === null || original instanceof GraphQLError) {
    const { http: _http, stacktrace: _stack, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
    const code = extensions.code ?? (original as GraphQLError | undefined)?.extensions?.code ?? 'GRAPHQL_VALIDATION_FAILED';
    return { ...base, extensions: { ...extensions, code } };
  }
  if (isUnavailable(original)) {
    logger.warn('database unavailable', { error: (original as Error).message, path: formatted.path?.join('.') });
    return { ...base, message: 'The pool database is unavailable right now; try again shortly', extensions: { code: ApiErrorCode.Unavailable } };
  }
  logger.error('unexpected error', { error: (original as Error)?.message ?? String(original), path: formatted.path?.join('.') });
  return { ...base, message: 'Internal server error', extensions: { code: ApiErrorCode.Internal } };
}
