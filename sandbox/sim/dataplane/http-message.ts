// The HTTP exchanges the data plane carries: a request as it travels from a
// client through proxies to a guest, and the answer (or why none came).
// Header lists keep their order and spelling, so what curl -i prints is what
// the last hop wrote.

export type HeaderList = [string, string][];

export interface DataPlaneRequest {
  method: string;
  /** The host the client addressed (a name or an IP literal), without port. */
  host: string;
  port: number;
  /** Path and query, as in an origin-form request line. */
  path: string;
  scheme: 'http' | 'https';
  headers: HeaderList;
  /** The source address as the cluster sees it (balance `source`, ClientIP affinity). */
  clientIp: string;
}

export interface DataPlaneResponse {
  status: number;
  reason: string;
  /** Version on the status line; HAProxy's error pages are HTTP/1.0 and close the connection. */
  version?: '1.0' | '1.1';
  headers: HeaderList;
  body: string;
  /** The body ends when the server closes the connection (no Content-Length). */
  close?: boolean;
}

/** No HTTP answer: the connection was refused or timed out, the name did not resolve, or the server spoke another protocol. */
export interface DeliveryFailure {
  error: 'refused' | 'timeout' | 'unresolved' | 'protocol';
  /** What a network engineer would say about it ("10.128.2.15:8080: connection refused"). */
  detail: string;
}

export type Delivery = DataPlaneResponse | DeliveryFailure;

export function isFailure(d: Delivery): d is DeliveryFailure {
  return (d as DeliveryFailure).error !== undefined;
}

export const REASON_PHRASES: Record<number, string> = {
  200: 'OK', 201: 'Created', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 304: 'Not Modified',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/** The first value of a header, by case-insensitive name. */
export function headerValue(headers: HeaderList, name: string): string | undefined {
  const n = name.toLowerCase();
  for (const [k, v] of headers) if (k.toLowerCase() === n) return v;
  return undefined;
}

/** Every value of a header, by case-insensitive name, in order. */
export function headerValues(headers: HeaderList, name: string): string[] {
  const n = name.toLowerCase();
  return headers.filter(([k]) => k.toLowerCase() === n).map(([, v]) => v);
}

/** A plain-text answer of one of our own proxies. */
export function textResponse(status: number, body: string): DataPlaneResponse {
  return {
    status,
    reason: REASON_PHRASES[status] ?? '',
    headers: [['content-type', 'text/plain; charset=utf-8'], ['content-length', String(Buffer.byteLength(body))]],
    body,
  };
}
