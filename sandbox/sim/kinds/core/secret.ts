// core/v1 Secret: sensitive key/value data. stringData is a write-only
// convenience: the server merges it into data (base64) and never returns it.

import type { KubeObject } from '../../api/object.ts';
import type { KindDef } from '../types.ts';
import { bool, mapOf, obj, str, stringMap } from '../schema.ts';
import { CORE } from './definitions.ts';
import { forbidden, invalid, required, validateDataKeys, type FieldErrors } from './field-errors.ts';
import { ageColumn, jsonEqual, record, text } from './table-cells.ts';

const IMMUTABLE = 'field is immutable when `immutable` is set';

/** Keys each well-known secret type must carry. */
const REQUIRED_KEYS: Record<string, string[]> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/tls': ['tls.key', 'tls.crt'],
};

function validateSecret(o: KubeObject): FieldErrors {
  const data = record(o.data);
  const errs = validateDataKeys(data, 'data');
  const type = text(o.type);
  const has = (k: string): boolean => typeof data[k] === 'string' && (data[k] as string).length > 0;
  if (type === 'kubernetes.io/service-account-token' && !o.metadata.annotations?.['kubernetes.io/service-account.name']) {
    errs.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
  }
  if (type === 'kubernetes.io/basic-auth' && !has('username') && !has('password')) {
    errs.push(required('data[username]'), required('data[password]'));
  }
  for (const k of REQUIRED_KEYS[type] ?? []) if (!has(k)) errs.push(required(`data[${k}]`));
  return errs;
}

function validateSecretUpdate(o: KubeObject, old: KubeObject): FieldErrors {
  const errs: FieldErrors = [];
  if (text(o.type) !== text(old.type)) errs.push(invalid('type', o.type, 'field is immutable'));
  if (old.immutable === true) {
    if (o.immutable !== true) errs.push(forbidden('immutable', IMMUTABLE));
    if (!jsonEqual(o.data, old.data)) errs.push(forbidden('data', IMMUTABLE));
  }
  return errs;
}

export const secretKind: KindDef = {
  group: '', version: 'v1', kind: 'Secret', plural: 'secrets', singular: 'secret', namespaced: true,
  custom: false,
  schemaName: `${CORE}.Secret`,
  schema: obj({
    immutable: bool('When true, data can no longer change; the Secret can only be deleted.'),
    data: mapOf(str(undefined, { format: 'byte' }), 'Secret values by key, base64-encoded.'),
    stringData: stringMap('Write-only plain-text values, merged into data on write (they win over data). Never returned.'),
    type: str('How the data is meant to be used: Opaque (default), kubernetes.io/tls, kubernetes.io/dockerconfigjson, kubernetes.io/basic-auth…'),
  }),
  description: 'A small amount of sensitive data (passwords, tokens, keys) that pods mount as files or read as environment variables.',
  printerColumns: [
    { name: 'Type', type: 'string', description: 'The type of the secret.', cell: (o) => text(o.type) },
    { name: 'Data', type: 'string', description: 'Number of keys.', cell: (o) => Object.keys(record(o.data)).length },
    ageColumn,
  ],
  selectableFields: {
    type: (o) => text(o.type),
  },
  defaults(o) {
    if (!text(o.type)) o.type = 'Opaque';
    if (o.stringData && typeof o.stringData === 'object') {
      const data: Record<string, unknown> = { ...record(o.data) };
      for (const [k, v] of Object.entries(o.stringData as Record<string, unknown>)) {
        data[k] = Buffer.from(typeof v === 'string' ? v : String(v), 'utf8').toString('base64');
      }
      o.data = data;
    }
    delete o.stringData;
  },
  validate: validateSecret,
  validateUpdate: validateSecretUpdate,
};
