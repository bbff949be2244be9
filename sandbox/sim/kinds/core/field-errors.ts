// Field error constructors with apimachinery's wording ("supported values: …",
// "must be between 1 and 65535, inclusive"), and the small validators the
// built-in kinds share.

import type { FieldErrorLike } from '../../api/errors.ts';
import { nameErrors } from '../../api/names.ts';

export type FieldErrors = FieldErrorLike[];

export function required(field: string, detail?: string): FieldErrorLike {
  return detail ? { type: 'Required', field, detail } : { type: 'Required', field };
}

export function invalid(field: string, value: unknown, detail: string): FieldErrorLike {
  return { type: 'Invalid', field, value, detail };
}

export function notSupported(field: string, value: unknown, supported: readonly string[]): FieldErrorLike {
  return { type: 'NotSupported', field, value, detail: `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}` };
}

export function duplicate(field: string, value: unknown): FieldErrorLike {
  return { type: 'Duplicate', field, value };
}

export function forbidden(field: string, detail: string): FieldErrorLike {
  return { type: 'Forbidden', field, detail };
}

export function notFound(field: string, value: unknown): FieldErrorLike {
  return { type: 'NotFound', field, value };
}

export function dns1123Label(value: string, field: string): FieldErrors {
  return nameErrors(value, 'label').map((d) => invalid(field, value, d));
}

export function dns1123Subdomain(value: string, field: string): FieldErrors {
  return nameErrors(value, 'subdomain').map((d) => invalid(field, value, d));
}

export function dns1035Label(value: string, field: string): FieldErrors {
  return nameErrors(value, 'label1035').map((d) => invalid(field, value, d));
}

export const PORT_RANGE = 'must be between 1 and 65535, inclusive';

export function validPortNumber(n: unknown): boolean {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;
}

/** apimachinery IsValidPortName messages (IANA service names). */
export function portNameErrors(name: string): string[] {
  const errs: string[] = [];
  if (name.length > 15) errs.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(name)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(name)) errs.push('must contain at least one letter (a-z)');
  if (name.includes('--')) errs.push('must not contain consecutive hyphens');
  if (name.startsWith('-') || name.endsWith('-')) errs.push('must not begin or end with a hyphen');
  return errs;
}

/** A port given as number or name (probes, Service targetPort). */
export function validatePortNumOrName(port: unknown, field: string): FieldErrors {
  if (typeof port === 'number') return validPortNumber(port) ? [] : [invalid(field, port, PORT_RANGE)];
  if (typeof port === 'string') {
    if (/^[0-9]+$/.test(port)) {
      const n = Number(port);
      return validPortNumber(n) ? [] : [invalid(field, port, PORT_RANGE)];
    }
    return portNameErrors(port).map((d) => invalid(field, port, d));
  }
  return [required(field)];
}

export function nonNegative(v: unknown, field: string): FieldErrors {
  return typeof v === 'number' && v < 0 ? [invalid(field, v, 'must be greater than or equal to 0')] : [];
}

/** Label keys (qualified names) as apimachinery's IsQualifiedName. */
export function qualifiedNameErrors(key: string): string[] {
  const parts = key.split('/');
  let name = key;
  const errs: string[] = [];
  if (parts.length === 2) {
    const [prefix, n] = parts;
    name = n;
    if (!prefix) errs.push('prefix part must be non-empty');
    else errs.push(...nameErrors(prefix, 'subdomain').map((m) => `prefix part ${m}`));
  } else if (parts.length > 2) {
    return [`a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (!name) errs.push('name part must be non-empty');
  else {
    if (name.length > 63) errs.push('name part must be no more than 63 characters');
    if (!/^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/.test(name)) {
      errs.push(`name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`);
    }
  }
  return errs;
}

/** Label values as apimachinery's IsValidLabelValue. */
export function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (value && !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(value)) {
    errs.push(`a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`);
  }
  return errs;
}

/** A metav1.LabelSelector: operators and values (ValidateLabelSelector). */
export function validateLabelSelector(sel: unknown, field: string): FieldErrors {
  if (typeof sel !== 'object' || sel === null) return [];
  const s = sel as { matchLabels?: Record<string, unknown>; matchExpressions?: { key?: string; operator?: string; values?: unknown[] }[] };
  const errs: FieldErrors = [];
  for (const [k, v] of Object.entries(s.matchLabels ?? {})) {
    errs.push(...qualifiedNameErrors(k).map((d) => invalid(`${field}.matchLabels`, k, d)));
    if (typeof v === 'string') errs.push(...labelValueErrors(v).map((d) => invalid(`${field}.matchLabels`, v, d)));
  }
  (s.matchExpressions ?? []).forEach((e, i) => {
    const p = `${field}.matchExpressions[${i}]`;
    const values = Array.isArray(e.values) ? e.values : [];
    switch (e.operator) {
      case 'In': case 'NotIn':
        if (!values.length) errs.push(required(`${p}.values`, 'must be specified when `operator` is \'In\' or \'NotIn\''));
        break;
      case 'Exists': case 'DoesNotExist':
        if (values.length) errs.push(forbidden(`${p}.values`, 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\''));
        break;
      default:
        errs.push(invalid(`${p}.operator`, e.operator ?? '', 'not a valid selector operator'));
    }
    errs.push(...qualifiedNameErrors(e.key ?? '').map((d) => invalid(`${p}.key`, e.key ?? '', d)));
  });
  return errs;
}

/** Whether a label map satisfies a label selector. */
export function selectorMatches(sel: unknown, labels: Record<string, string> | undefined): boolean {
  if (typeof sel !== 'object' || sel === null) return false;
  const s = sel as { matchLabels?: Record<string, unknown>; matchExpressions?: { key?: string; operator?: string; values?: unknown[] }[] };
  const l = labels ?? {};
  for (const [k, v] of Object.entries(s.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of s.matchExpressions ?? []) {
    const key = e.key ?? '';
    const has = Object.prototype.hasOwnProperty.call(l, key);
    const values = (e.values ?? []).map(String);
    switch (e.operator) {
      case 'In': if (!has || !values.includes(l[key])) return false; break;
      case 'NotIn': if (has && values.includes(l[key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

/** Keys of ConfigMap and Secret data (IsConfigMapKey). */
export function validateDataKeys(data: Record<string, unknown>, field: string): FieldErrors {
  const errs: FieldErrors = [];
  for (const key of Object.keys(data)) {
    const p = `${field}[${key}]`;
    if (key.length > 253) errs.push(invalid(p, key, 'must be no more than 253 characters'));
    if (!CONFIG_KEY.test(key)) {
      errs.push(invalid(p, key, 'a valid config key must consist of alphanumeric characters, \'-\', \'_\' or \'.\' (e.g. \'key.name\',  or \'KEY_NAME\',  or \'key-name\', regex used for validation is \'[-._a-zA-Z0-9]+\')'));
    }
    if (key === '.') errs.push(invalid(p, key, 'must not be \'.\''));
    else if (key === '..') errs.push(invalid(p, key, 'must not be \'..\''));
    else if (key.startsWith('..')) errs.push(invalid(p, key, 'must not start with \'..\''));
  }
  return errs;
}

/** A non-negative int or a percentage ("25%"), as rolling update parameters. */
export function validateIntOrPercent(v: unknown, field: string): FieldErrors {
  if (v === undefined || v === null) return [];
  if (typeof v === 'number') return v < 0 ? [invalid(field, v, 'must be greater than or equal to 0')] : [];
  const m = /^(\d+)%$/.exec(String(v));
  if (!m) return [invalid(field, v, 'a valid percent string must be a numeric string followed by an ending \'%\' (e.g. \'1%\',  or \'93%\', regex used for validation is \'[0-9]+%\')')];
  return Number(m[1]) > 100 ? [invalid(field, v, 'must not be greater than 100%')] : [];
}
