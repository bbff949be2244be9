// core/v1 ConfigMap: non-secret configuration as key/value pairs.

import type { KubeObject } from '../../api/object.ts';
import type { KindDef } from '../types.ts';
import { bool, mapOf, obj, str, stringMap } from '../schema.ts';
import { CORE } from './definitions.ts';
import { forbidden, invalid, validateDataKeys, type FieldErrors } from './field-errors.ts';
import { ageColumn, jsonEqual, record } from './table-cells.ts';

const IMMUTABLE = 'field is immutable when `immutable` is set';

function validateConfigMap(o: KubeObject): FieldErrors {
  const data = record(o.data);
  const binary = record(o.binaryData);
  const errs = validateDataKeys(data, 'data');
  errs.push(...validateDataKeys(binary, 'binaryData'));
  for (const k of Object.keys(binary)) {
    if (k in data) errs.push(invalid(`binaryData[${k}]`, k, 'duplicate of key present in data'));
  }
  return errs;
}

function validateConfigMapUpdate(o: KubeObject, old: KubeObject): FieldErrors {
  if (old.immutable !== true) return [];
  const errs: FieldErrors = [];
  if (o.immutable !== true) errs.push(forbidden('immutable', IMMUTABLE));
  if (!jsonEqual(o.data, old.data)) errs.push(forbidden('data', IMMUTABLE));
  if (!jsonEqual(o.binaryData, old.binaryData)) errs.push(forbidden('binaryData', IMMUTABLE));
  return errs;
}

export const configMapKind: KindDef = {
  group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', singular: 'configmap', namespaced: true,
  shortNames: ['cm'], custom: false,
  schemaName: `${CORE}.ConfigMap`,
  schema: obj({
    immutable: bool('When true, data and binaryData can no longer change; the ConfigMap can only be deleted.'),
    data: stringMap('UTF-8 configuration values by key.'),
    binaryData: mapOf(str(undefined, { format: 'byte' }), 'Binary configuration values by key, base64-encoded.'),
  }),
  description: 'Configuration data for pods, as key/value pairs that can be mounted as files or exposed as environment variables.',
  printerColumns: [
    { name: 'Data', type: 'string', description: 'Number of keys.', cell: (o) => Object.keys(record(o.data)).length + Object.keys(record(o.binaryData)).length },
    ageColumn,
  ],
  validate: validateConfigMap,
  validateUpdate: validateConfigMapUpdate,
};
