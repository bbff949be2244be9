// core/v1 PersistentVolumeClaim: a request for storage, bound to a
// PersistentVolume. Its spec is fixed once created, except the requested size.

import type { KubeObject } from '../../api/object.ts';
import type { KindDef } from '../types.ts';
import { obj } from '../schema.ts';
import { CORE, coreRef } from './definitions.ts';
import { forbidden, invalid, notSupported, required, type FieldErrors } from './field-errors.ts';
import { compareQuantities, parseQuantity } from './quantity.ts';
import { ageColumn, jsonEqual, record, spec, status, text, type Json } from './table-cells.ts';
import { jsonClone } from '../../api/json-clone.ts';

export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const VOLUME_MODES = ['Block', 'Filesystem'];

/** "RWO,ROX,RWX,RWOP" in that fixed order, duplicates removed. */
export function accessModesText(modes: unknown): string {
  const list = Array.isArray(modes) ? modes.map(text) : [];
  const out: string[] = [];
  if (list.includes('ReadWriteOnce')) out.push('RWO');
  if (list.includes('ReadOnlyMany')) out.push('ROX');
  if (list.includes('ReadWriteMany')) out.push('RWX');
  if (list.includes('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

/** The storage class: the beta annotation wins over spec.storageClassName. */
function claimClass(o: KubeObject): string {
  return o.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? text(spec(o).storageClassName);
}

/** Validation of a claim spec, shared with StatefulSet volumeClaimTemplates. */
export function validateClaimSpec(s: Json, path: string): FieldErrors {
  const errs: FieldErrors = [];
  const modes = Array.isArray(s.accessModes) ? s.accessModes : [];
  if (!modes.length) errs.push(required(`${path}.accessModes`, 'at least 1 access mode is required'));
  for (const m of modes) if (!ACCESS_MODES.includes(text(m))) errs.push(notSupported(`${path}.accessModes`, m, ACCESS_MODES));
  const storage = record(record(s.resources).requests).storage;
  if (storage === undefined) errs.push(required(`${path}.resources[storage]`));
  else if ((parseQuantity(storage) ?? 0) <= 0) errs.push(invalid(`${path}.resources[storage]`, storage, 'must be greater than zero'));
  if (s.volumeMode !== undefined && !VOLUME_MODES.includes(text(s.volumeMode))) errs.push(notSupported(`${path}.volumeMode`, s.volumeMode, VOLUME_MODES));
  return errs;
}

function validateClaimUpdate(o: KubeObject, old: KubeObject): FieldErrors {
  const errs: FieldErrors = [];
  const next = jsonClone(spec(o));
  const prev = jsonClone(spec(old));
  // The size may change (expansion), and a binder may fill in the volume name once.
  const nextRes = record(next.resources);
  const prevRes = record(prev.resources);
  const newStorage = record(nextRes.requests).storage;
  const oldStorage = record(prevRes.requests).storage;
  next.resources = { ...nextRes, requests: prevRes.requests };
  if (prevRes.requests === undefined) delete (next.resources as Json).requests;
  if (!text(prev.volumeName)) {
    if (next.volumeName === undefined) delete prev.volumeName;
    else prev.volumeName = next.volumeName;
  }
  if (!jsonEqual(next, prev)) {
    errs.push(forbidden('spec', 'spec is immutable after creation except resources.requests for bound claims'));
  } else if (newStorage !== undefined && oldStorage !== undefined && compareQuantities(newStorage, oldStorage) < 0) {
    errs.push(forbidden('spec.resources.requests.storage', 'field can not be less than previous value'));
  }
  return errs;
}

export const persistentVolumeClaimKind: KindDef = {
  group: '', version: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', singular: 'persistentvolumeclaim',
  namespaced: true, shortNames: ['pvc'], custom: false,
  subresources: { status: true },
  schemaName: `${CORE}.PersistentVolumeClaim`,
  schema: obj({
    spec: coreRef('PersistentVolumeClaimSpec', 'The storage requested.'),
    status: coreRef('PersistentVolumeClaimStatus', 'Whether the claim is bound, and to what capacity.'),
  }),
  description: 'A request for storage by a user; bound to a PersistentVolume that satisfies it.',
  printerColumns: [
    { name: 'Status', type: 'string', description: 'Pending, Bound or Lost; Terminating once deleted.', cell: (o) => (o.metadata.deletionTimestamp ? 'Terminating' : text(status(o).phase)) },
    { name: 'Volume', type: 'string', description: 'The bound persistent volume.', cell: (o) => text(spec(o).volumeName) },
    { name: 'Capacity', type: 'string', description: 'Capacity of the bound volume.', cell: (o) => (text(spec(o).volumeName) ? String(record(status(o).capacity).storage ?? '') : '') },
    { name: 'Access Modes', type: 'string', description: 'Access modes of the bound volume.', cell: (o) => (text(spec(o).volumeName) ? accessModesText(status(o).accessModes) : '') },
    { name: 'StorageClass', type: 'string', description: 'StorageClass of the claim.', cell: claimClass },
    { name: 'VolumeAttributesClass', type: 'string', description: 'VolumeAttributesClass of the claim.', cell: (o) => text(spec(o).volumeAttributesClassName) || '<unset>' },
    ageColumn,
    { name: 'VolumeMode', type: 'string', priority: 1, description: 'Filesystem or Block.', cell: (o) => text(spec(o).volumeMode) || '<unset>' },
  ],
  defaults(o) {
    if (o.spec && typeof o.spec === 'object' && (o.spec as Json).volumeMode === undefined) (o.spec as Json).volumeMode = 'Filesystem';
    if (o.status && typeof o.status === 'object' && !text((o.status as Json).phase)) (o.status as Json).phase = 'Pending';
  },
  prepareForCreate(o) {
    o.status = { phase: 'Pending' };
  },
  validate(o) {
    return validateClaimSpec(spec(o), 'spec');
  },
  validateUpdate: validateClaimUpdate,
};
