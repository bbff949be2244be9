// core/v1 Namespace. Created Active with the "kubernetes" finalizer in
// spec.finalizers; deleting it turns it Terminating until the namespace
// controller has emptied it and removed that finalizer (through the finalize
// subresource, as upstream: main-resource writes keep spec.finalizers).

import type { KubeObject } from '../../api/object.ts';
import type { KindDef } from '../types.ts';
import { definitions } from '../meta.ts';
import { dateTime, enumOf, obj, str } from '../schema.ts';
import { CORE, atomicList, conditionList, coreRef } from './definitions.ts';
import { qualifiedNameErrors, invalid, type FieldErrors } from './field-errors.ts';
import { ageColumn, record, status, text } from './table-cells.ts';
import { jsonClone } from '../../api/json-clone.ts';

export const KUBERNETES_FINALIZER = 'kubernetes';
const METADATA_NAME_LABEL = 'kubernetes.io/metadata.name';

definitions.define(`${CORE}.NamespaceSpec`, obj({
  finalizers: atomicList(str(), 'Finalizers that must be removed before the namespace is deleted; "kubernetes" stands for the namespace controller emptying it.'),
}, { description: 'The desired state of a namespace.' }));

definitions.define(`${CORE}.NamespaceCondition`, obj({
  type: str('Condition type, e.g. NamespaceDeletionContentFailure or NamespaceContentRemaining.'),
  status: str('True, False or Unknown.'),
  lastTransitionTime: dateTime('When the condition last changed status.'),
  reason: str('Machine-readable reason.'),
  message: str('Human-readable details.'),
}, { required: ['type', 'status'], description: 'One aspect of a namespace\'s state.' }));

definitions.define(`${CORE}.NamespaceStatus`, obj({
  phase: enumOf(['Active', 'Terminating'], 'Active, or Terminating once deletion has started.'),
  conditions: conditionList(coreRef('NamespaceCondition'), 'Current conditions of the namespace, mostly about its deletion.'),
}, { description: 'The observed state of a namespace.' }));

function finalizersOf(o: KubeObject): unknown[] {
  const f = record(o.spec).finalizers;
  return Array.isArray(f) ? f : [];
}

export const namespaceKind: KindDef = {
  group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', singular: 'namespace', namespaced: false,
  shortNames: ['ns'], custom: false,
  subresources: { status: true },
  extraSubresources: [{ name: 'finalize', kind: { group: '', version: 'v1', kind: 'Namespace' }, verbs: ['update'] }],
  nameValidation: 'label',
  schemaName: `${CORE}.Namespace`,
  schema: obj({
    spec: coreRef('NamespaceSpec', 'Desired state: the finalizers that gate deletion.'),
    status: coreRef('NamespaceStatus', 'Observed state: Active or Terminating.'),
  }),
  description: 'A scope for names of namespaced objects, and the unit of isolation for quotas and access rules.',
  printerColumns: [
    { name: 'Status', type: 'string', description: 'Whether the namespace is Active or Terminating.', cell: (o) => text(status(o).phase) },
    ageColumn,
  ],
  selectableFields: {
    'status.phase': (o) => text(status(o).phase),
  },
  defaults(o) {
    if (o.metadata.name) o.metadata.labels = { ...(o.metadata.labels ?? {}), [METADATA_NAME_LABEL]: o.metadata.name };
    if (o.status && typeof o.status === 'object' && !text((o.status as Record<string, unknown>).phase)) {
      (o.status as Record<string, unknown>).phase = 'Active';
    }
  },
  prepareForCreate(o) {
    o.status = { phase: 'Active' };
    const fin = finalizersOf(o);
    if (!fin.includes(KUBERNETES_FINALIZER)) o.spec = { ...record(o.spec), finalizers: [...fin, KUBERNETES_FINALIZER] };
  },
  prepareForUpdate(o, old) {
    // spec.finalizers change only through namespaces/<name>/finalize.
    const oldFin = record(old.spec).finalizers;
    const spec = { ...record(o.spec) };
    if (oldFin === undefined) delete spec.finalizers;
    else spec.finalizers = jsonClone(oldFin);
    o.spec = spec;
  },
  validate(o) {
    const errs: FieldErrors = [];
    finalizersOf(o).forEach((f, i) => {
      const name = text(f);
      if (!name.includes('/') && name !== KUBERNETES_FINALIZER) {
        errs.push(invalid(`spec.finalizers[${i}]`, name, 'name is neither a standard finalizer name nor is it fully qualified'));
      } else if (name.includes('/')) {
        errs.push(...qualifiedNameErrors(name).map((d) => invalid(`spec.finalizers[${i}]`, name, d)));
      }
    });
    return errs;
  },
  deletionPending(o) {
    return finalizersOf(o).length > 0;
  },
  markDeleting(o) {
    o.status = { ...record(o.status), phase: 'Terminating' };
  },
};
