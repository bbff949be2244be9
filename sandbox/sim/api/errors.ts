// Every failure the API server reports is a metav1.Status. ApiError carries one
// and the HTTP layer serialises it in a single place.

export type StatusReason =
  | 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Invalid' | 'BadRequest' | 'Forbidden'
  | 'Unauthorized' | 'MethodNotAllowed' | 'UnsupportedMediaType' | 'RequestEntityTooLarge'
  | 'TooManyRequests' | 'Expired' | 'Gone' | 'InternalError' | 'NotAcceptable' | 'Timeout' | '';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

export class ApiError extends Error {
  readonly status: Status;
  /** Extra response headers (Retry-After on 429). */
  readonly headers: Record<string, string>;
  constructor(code: number, reason: StatusReason, message: string, details?: StatusDetails, headers: Record<string, string> = {}) {
    super(message);
    this.status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
    if (details) this.status.details = details;
    this.headers = headers;
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): StatusReason {
    return this.status.reason ?? '';
  }
}

/** "virtualmachines.kubevirt.io" for a custom group, "pods" for core. */
export function qualifiedResource(resource: string, group: string): string {
  return group ? `${resource}.${group}` : resource;
}

export const Errors = {
  notFound(resource: string, group: string, name: string): ApiError {
    return new ApiError(404, 'NotFound', `${qualifiedResource(resource, group)} "${name}" not found`, { name, group: group || undefined, kind: resource });
  },
  alreadyExists(resource: string, group: string, name: string): ApiError {
    return new ApiError(409, 'AlreadyExists', `${qualifiedResource(resource, group)} "${name}" already exists`, { name, group: group || undefined, kind: resource });
  },
  conflict(resource: string, group: string, name: string, why: string): ApiError {
    return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(resource, group)} "${name}": ${why}`, { name, group: group || undefined, kind: resource });
  },
  staleResourceVersion(resource: string, group: string, name: string): ApiError {
    return Errors.conflict(resource, group, name, 'the object has been modified; please apply your changes to the latest version and try again');
  },
  invalid(kind: string, group: string, name: string, causes: FieldErrorLike[]): ApiError {
    const lines = causes.map(formatFieldError);
    const message = lines.length === 1
      ? `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${lines[0]}`
      : `${kind}${group ? `.${group}` : ''} "${name}" is invalid: [${lines.join(', ')}]`;
    return new ApiError(422, 'Invalid', message, {
      name, group: group || undefined, kind,
      causes: causes.map((c) => ({ reason: causeReason(c.type), message: causeMessage(c), field: c.field })),
    });
  },
  badRequest(message: string, causes?: StatusCause[]): ApiError {
    return new ApiError(400, 'BadRequest', message, causes ? { causes } : undefined);
  },
  forbidden(message: string): ApiError {
    return new ApiError(403, 'Forbidden', message);
  },
  unauthorized(): ApiError {
    return new ApiError(401, 'Unauthorized', 'Unauthorized');
  },
  methodNotAllowed(message: string): ApiError {
    return new ApiError(405, 'MethodNotAllowed', message);
  },
  unsupportedMediaType(message: string): ApiError {
    return new ApiError(415, 'UnsupportedMediaType', message);
  },
  tooLarge(message = 'the request is too large'): ApiError {
    return new ApiError(413, 'RequestEntityTooLarge', message);
  },
  tooManyRequests(message: string, causes?: StatusCause[], retryAfterSeconds?: number): ApiError {
    const details: StatusDetails = {};
    if (causes) details.causes = causes;
    if (retryAfterSeconds !== undefined) details.retryAfterSeconds = retryAfterSeconds;
    return new ApiError(429, 'TooManyRequests', message, Object.keys(details).length ? details : undefined,
      retryAfterSeconds !== undefined ? { 'Retry-After': String(retryAfterSeconds) } : {});
  },
  expired(message: string): ApiError {
    return new ApiError(410, 'Expired', message);
  },
  internal(message: string): ApiError {
    return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`);
  },
  notAcceptable(message: string): ApiError {
    return new ApiError(406, 'NotAcceptable', message);
  },
};

/** A validation failure on one field, as apimachinery's field.Error. */
export interface FieldErrorLike {
  type: FieldErrorType;
  field: string;
  value?: unknown;
  detail?: string;
  /** Some values are not echoed back (secrets, huge objects). */
  omitValue?: boolean;
}

export type FieldErrorType =
  | 'Required' | 'Invalid' | 'NotSupported' | 'Duplicate' | 'Forbidden' | 'TooLong' | 'TooMany' | 'NotFound' | 'InternalError';

const causeReasons: Record<FieldErrorType, string> = {
  Required: 'FieldValueRequired',
  Invalid: 'FieldValueInvalid',
  NotSupported: 'FieldValueNotSupported',
  Duplicate: 'FieldValueDuplicate',
  Forbidden: 'FieldValueForbidden',
  TooLong: 'FieldValueTooLong',
  TooMany: 'FieldValueTooMany',
  NotFound: 'FieldValueNotFound',
  InternalError: 'InternalError',
};

function causeReason(t: FieldErrorType): string {
  return causeReasons[t];
}

const typeTexts: Record<FieldErrorType, string> = {
  Required: 'Required value',
  Invalid: 'Invalid value',
  NotSupported: 'Unsupported value',
  Duplicate: 'Duplicate value',
  Forbidden: 'Forbidden',
  TooLong: 'Too long',
  TooMany: 'Too many',
  NotFound: 'Not found',
  InternalError: 'Internal error',
};

function renderValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** The cause message, as apimachinery's ErrorBody(): "Invalid value: \"x\": detail". */
function causeMessage(e: FieldErrorLike): string {
  let s = typeTexts[e.type];
  const showValue = !e.omitValue && e.value !== undefined && (e.type === 'Invalid' || e.type === 'NotSupported' || e.type === 'Duplicate' || e.type === 'NotFound');
  if (showValue) s += `: ${renderValue(e.value)}`;
  if (e.detail) s += `: ${e.detail}`;
  return s;
}

export function formatFieldError(e: FieldErrorLike): string {
  return `${e.field}: ${causeMessage(e)}`;
}
