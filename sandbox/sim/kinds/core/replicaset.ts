// apps/v1 ReplicaSet: keeps a number of identical pods running; normally
// owned by a Deployment.

import type { KindDef } from '../types.ts';
import { definitions } from '../meta.ts';
import { dateTime, int, obj, ref, str } from '../schema.ts';
import { conditionList, coreRef, labelSelector } from './definitions.ts';
import { invalid } from './field-errors.ts';
import { APPS } from './deployment.ts';
import { defaultReplicas, defaultTemplate, validateSelectorUnchanged, validateWorkloadTemplate } from './pod-template.ts';
import { ageColumn, containerCells, formatLabelSelector, num, spec, status, templateSpec } from './table-cells.ts';

definitions.define(`${APPS}.ReplicaSetSpec`, obj({
  replicas: int('Desired number of pods. Defaults to 1.'),
  minReadySeconds: int('Seconds a new pod must be ready before it counts as available.'),
  selector: labelSelector('Pods the ReplicaSet counts; must match the template labels.'),
  template: coreRef('PodTemplateSpec', 'The pods to create when too few exist.'),
}, { required: ['selector'], description: 'The desired state of a ReplicaSet.' }));

definitions.define(`${APPS}.ReplicaSetCondition`, obj({
  type: str('Condition type, e.g. ReplicaFailure.'),
  status: str('True, False or Unknown.'),
  lastTransitionTime: dateTime('When the condition last changed status.'),
  reason: str('Machine-readable reason.'),
  message: str('Human-readable details.'),
}, { required: ['type', 'status'], description: 'One aspect of a ReplicaSet\'s state.' }));

definitions.define(`${APPS}.ReplicaSetStatus`, obj({
  replicas: int('Pods currently owned.'),
  fullyLabeledReplicas: int('Pods whose labels match the template labels.'),
  readyReplicas: int('Ready pods.'),
  availableReplicas: int('Pods ready for at least minReadySeconds.'),
  observedGeneration: int('Generation the controller last acted on.', 'int64'),
  conditions: conditionList(ref(`${APPS}.ReplicaSetCondition`), 'Current conditions of the ReplicaSet.'),
}, { description: 'The observed state of a ReplicaSet.' }));

export const replicaSetKind: KindDef = {
  group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', singular: 'replicaset', namespaced: true,
  shortNames: ['rs'], categories: ['all'], custom: false, tracksGeneration: true,
  subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
  schemaName: `${APPS}.ReplicaSet`,
  schema: obj({
    spec: ref(`${APPS}.ReplicaSetSpec`, 'Desired pods.'),
    status: ref(`${APPS}.ReplicaSetStatus`, 'Observed pods.'),
  }),
  description: 'Keeps a stable number of identical pods running. Deployments create and scale them.',
  printerColumns: [
    { name: 'Desired', type: 'integer', description: 'Desired number of pods.', cell: (o) => num(spec(o).replicas) },
    { name: 'Current', type: 'integer', description: 'Pods currently owned.', cell: (o) => num(status(o).replicas) },
    { name: 'Ready', type: 'integer', description: 'Ready pods.', cell: (o) => num(status(o).readyReplicas) },
    ageColumn,
    { name: 'Containers', type: 'string', priority: 1, description: 'Names of the containers in the template.', cell: (o) => containerCells(templateSpec(o)).names },
    { name: 'Images', type: 'string', priority: 1, description: 'Images of the containers in the template.', cell: (o) => containerCells(templateSpec(o)).images },
    { name: 'Selector', type: 'string', priority: 1, description: 'Label selector of the pods.', cell: (o) => formatLabelSelector(spec(o).selector) },
  ],
  defaults(o) {
    defaultReplicas(o);
    defaultTemplate(o);
  },
  prepareForCreate(o) {
    o.status = { replicas: 0 };
  },
  validate(o) {
    const errs = validateWorkloadTemplate(o, 'replicaset');
    const s = spec(o);
    if (typeof s.minReadySeconds === 'number' && s.minReadySeconds < 0) errs.push(invalid('spec.minReadySeconds', s.minReadySeconds, 'must be greater than or equal to 0'));
    return errs;
  },
  validateUpdate: validateSelectorUnchanged,
};
