// Writing responses: JSON bodies, Status errors, warnings.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, Errors, type Status } from '../errors.ts';

// Stored objects are frozen, so their JSON never changes: serialise each once.
const jsonCache = new WeakMap<object, string>();

/** JSON of an object; cached for frozen (stored) objects. */
export function objectJson(obj: object): string {
  if (!Object.isFrozen(obj)) return JSON.stringify(obj);
  let text = jsonCache.get(obj);
  if (text === undefined) {
    text = JSON.stringify(obj);
    jsonCache.set(obj, text);
  }
  return text;
}

const bufferCache = new WeakMap<object, Buffer>();

/** UTF-8 bytes of an object's JSON; cached for frozen (stored) objects. */
export function objectJsonBytes(obj: object): Buffer {
  if (!Object.isFrozen(obj)) return Buffer.from(JSON.stringify(obj));
  let buf = bufferCache.get(obj);
  if (buf === undefined) {
    // The string form is not kept as well: lists need only the bytes.
    buf = Buffer.from(jsonCache.get(obj) ?? JSON.stringify(obj));
    bufferCache.set(obj, buf);
  }
  return buf;
}

/**
 * A list answer assembled from the items' cached bytes: no per-request
 * serialisation or UTF-8 encoding of the items, one copy into the response.
 */
export function sendList(res: ServerResponse, head: string, items: readonly object[]): void {
  const parts: Buffer[] = [Buffer.from(`${head},"items":[`)];
  items.forEach((o, i) => {
    if (i) parts.push(COMMA);
    parts.push(objectJsonBytes(o));
  });
  parts.push(CLOSE);
  const body = Buffer.concat(parts);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
  res.end(body);
}

const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']}');

export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : objectJson(body as object);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendStatus(res: ServerResponse, err: ApiError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, err.code, err.status, err.headers);
}

export function successStatus(code: number, details?: Status['details']): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code, ...(details ? { details } : {}) };
}

/** `Warning: 299 - "<text>"` headers, which kubectl prints as `Warning: <text>`. */
export function warningHeaders(warnings: string[]): Record<string, string[]> | Record<string, never> {
  if (!warnings.length) return {};
  return { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`) };
}

export function setWarnings(res: ServerResponse, warnings: string[]): void {
  if (warnings.length) res.setHeader('Warning', warnings.map((w) => `299 - ${JSON.stringify(w)}`));
}

/** Any thrown value as an ApiError: our own, or an internal error that says what broke. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return Errors.internal(msg);
}

export function requestUserAgent(req: IncomingMessage): string {
  return String(req.headers['user-agent'] ?? '');
}

/** The field manager the apiserver derives from the user agent when none is given ("kubectl", "node-fetch"…). */
export function defaultFieldManager(userAgent: string): string {
  const product = userAgent.split(' ')[0]?.split('/')[0];
  return product ? product.slice(0, 128) : 'unknown';
}
