import type { ErrorRequestHandler } from 'express';

/** Body-parser failures (bad JSON, too large) as GraphQL-shaped JSON instead of an HTML page. */
export const bodyErrors: ErrorRequestHandler = (err, _req, res, next) => {
  const e = err as { type?: string; status?: number; message?: string; limit?: number };
  if (res.headersSent) return next(err);
  if (e.type === 'entity.parse.failed') {
    res.status(400).json({ errors: [{ message: `The request body is not valid JSON: ${e.message}`, extensions: { code: 'BAD_REQUEST' } }] });
  } else if (e.type === 'entity.too.large') {
    res.status(413).json({ errors: [{ message: `The request body is larger than ${e.limit} bytes`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
  } else if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    res.status(e.status).json({ errors: [{ message: e.message ?? 'Bad request', extensions: { code: 'BAD_REQUEST' } }] });
  } else {
    next(err);
  }
};
