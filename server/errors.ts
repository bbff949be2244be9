// One error type for the JSON API, serialised in one place: every failure
// answers `{error, reason, code, field?}` with the matching HTTP status,
// the way a Kubernetes Status names its reason and, for invalid input, the field.

import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';

export type Reason = 'BadRequest' | 'Invalid' | 'Unauthorized' | 'Forbidden' | 'NotFound' | 'Conflict' | 'TooManyRequests' | 'InternalError';

const STATUS: Record<Reason, number> = {
  BadRequest: 400, Invalid: 422, Unauthorized: 401, Forbidden: 403, NotFound: 404, Conflict: 409, TooManyRequests: 429, InternalError: 500,
};

export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  constructor(readonly reason: Reason, message: string, readonly field?: string) {
    super(message);
    this.status = STATUS[reason];
  }
}

export const unauthorized = (m = 'log in first: no valid session (POST /api/login)'): ApiError => new ApiError('Unauthorized', m);
export const forbidden = (m: string): ApiError => new ApiError('Forbidden', m);
export const notFound = (m: string): ApiError => new ApiError('NotFound', m);
export const conflict = (m: string): ApiError => new ApiError('Conflict', m);
export const invalid = (m: string, field?: string): ApiError => new ApiError('Invalid', m, field);

/** The first problem zod found, as an Invalid error naming the field (dotted path). */
export function fromZod(e: z.ZodError, where = 'body'): ApiError {
  const issue = e.issues[0];
  const field = issue?.path.map(String).join('.') ?? '';
  const message = issue ? `${where}${field ? `.${field}` : ''}: ${issue.message}` : `${where} is invalid`;
  return invalid(message, field || undefined);
}

/** Parses with a schema; a mismatch is a 422 naming the field. */
export function parseBody<T>(schema: z.ZodType<T>, value: unknown, where = 'body'): T {
  const r = schema.safeParse(value ?? {});
  if (!r.success) throw fromZod(r.error, where);
  return r.data;
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(notFound(`no API endpoint ${req.method} ${req.path}`));
};

export function errorHandler(log: (line: string) => void): ErrorRequestHandler {
  return (err: unknown, _req, res, _next) => {
    let e: ApiError;
    if (err instanceof ApiError) e = err;
    else if (err && typeof err === 'object' && (err as { type?: string }).type === 'entity.parse.failed') {
      e = new ApiError('BadRequest', `the request body is not valid JSON: ${(err as Error).message}`);
    } else if (err && typeof err === 'object' && (err as { type?: string }).type === 'entity.too.large') {
      e = new ApiError('BadRequest', 'the request body is too large (limit 1 MiB)');
    } else {
      log(`internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      e = new ApiError('InternalError', `internal error: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (res.headersSent) return;
    res.status(e.status).json({ error: e.message, reason: e.reason, code: e.status, ...(e.field ? { field: e.field } : {}) });
  };
}
