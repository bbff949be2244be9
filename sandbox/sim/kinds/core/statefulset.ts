// apps/v1 StatefulSet: pods with stable names (web-0, web-1…) and their own
// persistent volume claims.

import type { KubeObject } from '../../api/object.ts';
import type { KindDef } from '../types.ts';
import { definitions } from '../meta.ts';
import { dateTime, enumOf, int, intOrString, obj, ref, str } from '../schema.ts';
import { atomicList, conditionList, coreRef, labelSelector, objectMeta } from './definitions.ts';
import { forbidden, invalid, notSupported, required, validateIntOrPercent, type FieldErrors } from './field-errors.ts';
import { APPS } from './deployment.ts';
import { validateClaimSpec } from './persistentvolumeclaim.ts';
import { defaultReplicas, defaultTemplate, validateWorkloadTemplate } from './pod-template.ts';
import { ageColumn, containerCells, jsonEqual, num, record, records, spec, status, templateSpec, text, type Json } from './table-cells.ts';

definitions.define(`${APPS}.RollingUpdateStatefulSetStrategy`, obj({
  partition: int('Only pods with an ordinal at or above this are updated. Defaults to 0.'),
  maxUnavailable: intOrString('Pods that may be unavailable during the update (alpha). Defaults to 1.'),
}, { description: 'Parameters of a rolling StatefulSet update.' }));

definitions.define(`${APPS}.StatefulSetUpdateStrategy`, obj({
  type: enumOf(['OnDelete', 'RollingUpdate'], 'RollingUpdate (default), highest ordinal first, or OnDelete.'),
  rollingUpdate: ref(`${APPS}.RollingUpdateStatefulSetStrategy`, 'Rolling update parameters.'),
}, { description: 'How StatefulSet pods are replaced.' }));

definitions.define(`${APPS}.StatefulSetPersistentVolumeClaimRetentionPolicy`, obj({
  whenDeleted: str('Retain (default) or Delete the claims when the StatefulSet is deleted.'),
  whenScaled: str('Retain (default) or Delete the claims of pods removed by a scale down.'),
}, { description: 'What happens to the pods\' claims.' }));

definitions.define(`${APPS}.StatefulSetOrdinals`, obj({
  start: int('First ordinal. Defaults to 0.'),
}, { description: 'Numbering of the pods.' }));

definitions.define(`${APPS}.StatefulSetSpec`, obj({
  replicas: int('Desired number of pods. Defaults to 1.'),
  selector: labelSelector('Pods the StatefulSet manages; must match the template labels. Cannot be changed.'),
  template: coreRef('PodTemplateSpec', 'The pods to create, named <statefulset>-<ordinal>.'),
  volumeClaimTemplates: atomicList(obj({
    apiVersion: str('v1.'),
    kind: str('PersistentVolumeClaim.'),
    metadata: objectMeta('Name of the claim template; claims are named <template>-<pod>.'),
    spec: coreRef('PersistentVolumeClaimSpec', 'The storage each pod gets.'),
    status: coreRef('PersistentVolumeClaimStatus', 'Ignored.'),
  }, { description: 'A claim template.' }), 'Claims created for every pod, mounted by template volume name.'),
  serviceName: str('Headless Service that gives the pods their DNS names.'),
  podManagementPolicy: enumOf(['OrderedReady', 'Parallel'], 'OrderedReady (default: one pod at a time, in order) or Parallel.'),
  updateStrategy: ref(`${APPS}.StatefulSetUpdateStrategy`, 'How pods are replaced on a template change.'),
  revisionHistoryLimit: int('Old revisions kept for rollback. Defaults to 10.'),
  minReadySeconds: int('Seconds a new pod must be ready before it counts as available.'),
  persistentVolumeClaimRetentionPolicy: ref(`${APPS}.StatefulSetPersistentVolumeClaimRetentionPolicy`, 'What happens to claims on delete and scale down.'),
  ordinals: ref(`${APPS}.StatefulSetOrdinals`, 'Numbering of the pods.'),
}, { required: ['selector', 'template'], description: 'The desired state of a StatefulSet.' }));

definitions.define(`${APPS}.StatefulSetCondition`, obj({
  type: str('Condition type.'),
  status: str('True, False or Unknown.'),
  lastTransitionTime: dateTime('When the condition last changed status.'),
  reason: str('Machine-readable reason.'),
  message: str('Human-readable details.'),
}, { required: ['type', 'status'], description: 'One aspect of a StatefulSet\'s state.' }));

definitions.define(`${APPS}.StatefulSetStatus`, obj({
  observedGeneration: int('Generation the controller last acted on.', 'int64'),
  replicas: int('Pods created.'),
  readyReplicas: int('Ready pods.'),
  currentReplicas: int('Pods at currentRevision.'),
  updatedReplicas: int('Pods at updateRevision.'),
  currentRevision: str('Revision of the older pods.'),
  updateRevision: str('Revision of the newest template.'),
  collisionCount: int('Counter used to avoid revision name collisions.'),
  conditions: conditionList(ref(`${APPS}.StatefulSetCondition`), 'Current conditions of the StatefulSet.'),
  availableReplicas: int('Pods ready for at least minReadySeconds.'),
}, { description: 'The observed state of a StatefulSet.' }));

function defaultStatefulSet(o: KubeObject): void {
  defaultReplicas(o);
  const s = o.spec as Json;
  if (!s.podManagementPolicy) s.podManagementPolicy = 'OrderedReady';
  const strategy = record(s.updateStrategy);
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = record(strategy.rollingUpdate);
    if (ru.partition === undefined || ru.partition === null) ru.partition = 0;
    strategy.rollingUpdate = ru;
  }
  s.updateStrategy = strategy;
  if (s.revisionHistoryLimit === undefined || s.revisionHistoryLimit === null) s.revisionHistoryLimit = 10;
  const retention = record(s.persistentVolumeClaimRetentionPolicy);
  if (!retention.whenDeleted) retention.whenDeleted = 'Retain';
  if (!retention.whenScaled) retention.whenScaled = 'Retain';
  s.persistentVolumeClaimRetentionPolicy = retention;
  for (const t of records(s.volumeClaimTemplates)) {
    if (t.apiVersion === undefined) t.apiVersion = 'v1';
    if (t.kind === undefined) t.kind = 'PersistentVolumeClaim';
    const ts = record(t.spec);
    if (ts.volumeMode === undefined) ts.volumeMode = 'Filesystem';
    t.spec = ts;
    if (t.status === undefined) t.status = { phase: 'Pending' };
  }
  defaultTemplate(o);
}

function validateStatefulSet(o: KubeObject): FieldErrors {
  const s = spec(o);
  const errs = validateWorkloadTemplate(o, 'statefulset');
  const policy = text(s.podManagementPolicy);
  if (policy !== 'OrderedReady' && policy !== 'Parallel') errs.push(notSupported('spec.podManagementPolicy', policy, ['OrderedReady', 'Parallel']));
  const strategy = record(s.updateStrategy);
  const type = text(strategy.type);
  if (type !== 'OnDelete' && type !== 'RollingUpdate') errs.push(notSupported('spec.updateStrategy.type', type, ['OnDelete', 'RollingUpdate']));
  if (type === 'OnDelete' && strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null) {
    errs.push(forbidden('spec.updateStrategy.rollingUpdate', 'only allowed for updateStrategy \'RollingUpdate\''));
  }
  const ru = record(strategy.rollingUpdate);
  if (typeof ru.partition === 'number' && ru.partition < 0) errs.push(invalid('spec.updateStrategy.rollingUpdate.partition', ru.partition, 'must be greater than or equal to 0'));
  errs.push(...validateIntOrPercent(ru.maxUnavailable, 'spec.updateStrategy.rollingUpdate.maxUnavailable'));
  records(s.volumeClaimTemplates).forEach((t, i) => {
    if (!text(record(t.metadata).name)) errs.push(required(`spec.volumeClaimTemplates[${i}].metadata.name`));
    errs.push(...validateClaimSpec(record(t.spec), `spec.volumeClaimTemplates[${i}].spec`));
  });
  return errs;
}

const MUTABLE_SPEC = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

function validateStatefulSetUpdate(o: KubeObject, old: KubeObject): FieldErrors {
  const strip = (x: KubeObject): Json => {
    const s = { ...spec(x) };
    for (const k of MUTABLE_SPEC) delete s[k];
    return s;
  };
  if (jsonEqual(strip(o), strip(old))) return [];
  return [forbidden('spec', 'updates to statefulset spec for fields other than \'replicas\', \'ordinals\', \'template\', \'updateStrategy\', \'persistentVolumeClaimRetentionPolicy\' and \'minReadySeconds\' are forbidden')];
}

export const statefulSetKind: KindDef = {
  group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets', singular: 'statefulset', namespaced: true,
  shortNames: ['sts'], categories: ['all'], custom: false, tracksGeneration: true,
  subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
  schemaName: `${APPS}.StatefulSet`,
  schema: obj({
    spec: ref(`${APPS}.StatefulSetSpec`, 'Desired pods, their identity and storage.'),
    status: ref(`${APPS}.StatefulSetStatus`, 'Observed pods and revisions.'),
  }),
  description: 'Runs pods with stable, ordered identities and per-pod persistent storage, e.g. databases.',
  printerColumns: [
    { name: 'Ready', type: 'string', description: 'Ready pods out of desired.', cell: (o) => `${num(status(o).readyReplicas)}/${num(spec(o).replicas)}` },
    ageColumn,
    { name: 'Containers', type: 'string', priority: 1, description: 'Names of the containers in the template.', cell: (o) => containerCells(templateSpec(o)).names },
    { name: 'Images', type: 'string', priority: 1, description: 'Images of the containers in the template.', cell: (o) => containerCells(templateSpec(o)).images },
  ],
  defaults: defaultStatefulSet,
  prepareForCreate(o) {
    o.status = { replicas: 0, availableReplicas: 0 };
  },
  validate: validateStatefulSet,
  validateUpdate: validateStatefulSetUpdate,
};
