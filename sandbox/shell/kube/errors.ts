// Errors from the API as client-go reports them: a Status body becomes a
// StatusError whose text is the Status message; anything else gets client-go's
// generic wording for the HTTP code; a failed connection reads like Go's
// url.Error (`Get "https://…": dial tcp …: connect: connection refused`).

export interface Status {
  kind?: string;
  apiVersion?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; group?: string; kind?: string; causes?: { reason?: string; message?: string; field?: string }[] };
}

export class StatusError extends Error {
  constructor(readonly status: Status) {
    super(status.message ?? '');
  }

  get code(): number {
    return this.status.code ?? 0;
  }

  get reason(): string {
    return this.status.reason ?? '';
  }
}

/** A request that never got an HTTP answer (Go's *url.Error). */
export class ConnectionError extends Error {
  constructor(readonly op: string, readonly url: string, readonly reason: string) {
    super(`${op} "${url}": ${reason}`);
  }
}

export function isNotFound(e: unknown): boolean {
  return e instanceof StatusError && (e.reason === 'NotFound' || (e.reason === '' && e.code === 404));
}

export function isForbidden(e: unknown): boolean {
  return e instanceof StatusError && (e.reason === 'Forbidden' || (e.reason === '' && e.code === 403));
}

const GENERIC: Record<number, [string, string]> = {
  400: ['BadRequest', 'the server rejected our request for an unknown reason'],
  401: ['Unauthorized', 'the server has asked for the client to provide credentials'],
  403: ['Forbidden', 'the server does not allow access to the requested resource'],
  404: ['NotFound', 'the server could not find the requested resource'],
  405: ['MethodNotAllowed', 'the server does not allow this method on the requested resource'],
  406: ['NotAcceptable', 'the server was unable to respond with a content type that the client supports'],
  409: ['Conflict', 'the server reported a conflict'],
  415: ['UnsupportedMediaType', 'the server was unable to respond with a content type that the client supports'],
  422: ['Invalid', 'the server rejected our request due to an error in our request'],
  429: ['TooManyRequests', 'the server has received too many requests and has asked us to try again later'],
  503: ['ServiceUnavailable', 'the server is currently unable to handle the request'],
  504: ['Timeout', 'the server was unable to return a response in the time allotted, but may still be processing the request'],
};

/** client-go's NewGenericServerResponse, for answers whose body is not a Status. */
export function genericServerError(code: number, verb: string, body: string, target?: { resource?: string; name?: string }): StatusError {
  let reason = '';
  let message = '';
  if (GENERIC[code]) [reason, message] = GENERIC[code];
  else if (code >= 500) {
    reason = 'InternalError';
    message = `an error on the server (${JSON.stringify(body.trim() || 'unknown')}) has prevented the request from succeeding`;
  } else message = `the server responded with the status code ${code} but did not return more information`;
  if (target?.resource || target?.name) message += ` (${verb.toLowerCase()} ${[target.resource, target.name].filter(Boolean).join(' ')})`;
  return new StatusError({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message });
}

/** What Go's net stack says for a Node socket/TLS error. */
export function goNetError(err: NodeJS.ErrnoException, host: string, port: string): string {
  const addr = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  switch (err.code) {
    case 'ECONNREFUSED': return `dial tcp ${addr}: connect: connection refused`;
    case 'ECONNRESET': return 'read: connection reset by peer';
    case 'ETIMEDOUT': return `dial tcp ${addr}: i/o timeout`;
    case 'EHOSTUNREACH': return `dial tcp ${addr}: connect: no route to host`;
    case 'ENETUNREACH': return `dial tcp ${addr}: connect: network is unreachable`;
    case 'ENOTFOUND': case 'EAI_AGAIN': return `dial tcp: lookup ${host}: no such host`;
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
    case 'CERT_HAS_EXPIRED': return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
    case 'ERR_TLS_CERT_ALTNAME_INVALID': return `tls: failed to verify certificate: x509: certificate is not valid for ${host}`;
    case 'EPROTO': return 'tls: first record does not look like a TLS handshake';
    default: return err.message;
  }
}
