// apps/v1 DaemonSet: one pod on every (matching) node. `kubectl drain`
// looks its pods' owners up to skip them with --ignore-daemonsets.

import type { KindDef } from '../types.ts';
import { definitions } from '../meta.ts';
import { dateTime, enumOf, int, intOrString, obj, ref, str } from '../schema.ts';
import { conditionList, coreRef, labelSelector } from './definitions.ts';
import { forbidden, invalid, notSupported, validateIntOrPercent, type FieldErrors } from './field-errors.ts';
import { APPS } from './deployment.ts';
import { defaultTemplate, isZeroIntOrPercent, validateSelectorUnchanged, validateWorkloadTemplate } from './pod-template.ts';
import { ageColumn, containerCells, formatLabelSelector, formatLabels, num, record, spec, status, templateSpec, type Json } from './table-cells.ts';

definitions.define(`${APPS}.RollingUpdateDaemonSet`, obj({
  maxUnavailable: intOrString('Nodes (number or percentage) whose pod may be unavailable during the update. Defaults to 1.'),
  maxSurge: intOrString('Nodes (number or percentage) that may run an extra new pod during the update. Defaults to 0.'),
}, { description: 'Parameters of a rolling DaemonSet update.' }));

definitions.define(`${APPS}.DaemonSetUpdateStrategy`, obj({
  type: enumOf(['OnDelete', 'RollingUpdate'], 'RollingUpdate (default) or OnDelete (pods are replaced only when deleted).'),
  rollingUpdate: ref(`${APPS}.RollingUpdateDaemonSet`, 'Rolling update parameters.'),
}, { description: 'How DaemonSet pods are replaced.' }));

definitions.define(`${APPS}.DaemonSetSpec`, obj({
  selector: labelSelector('Pods the DaemonSet manages; must match the template labels. Cannot be changed.'),
  template: coreRef('PodTemplateSpec', 'The pod run on each node.'),
  updateStrategy: ref(`${APPS}.DaemonSetUpdateStrategy`, 'How pods are replaced on a template change.'),
  minReadySeconds: int('Seconds a new pod must be ready before it counts as available.'),
  revisionHistoryLimit: int('Old revisions kept for rollback. Defaults to 10.'),
}, { required: ['selector', 'template'], description: 'The desired state of a DaemonSet.' }));

definitions.define(`${APPS}.DaemonSetCondition`, obj({
  type: str('Condition type.'),
  status: str('True, False or Unknown.'),
  lastTransitionTime: dateTime('When the condition last changed status.'),
  reason: str('Machine-readable reason.'),
  message: str('Human-readable details.'),
}, { required: ['type', 'status'], description: 'One aspect of a DaemonSet\'s state.' }));

definitions.define(`${APPS}.DaemonSetStatus`, obj({
  currentNumberScheduled: int('Nodes running a daemon pod that should.'),
  numberMisscheduled: int('Nodes running a daemon pod that should not.'),
  desiredNumberScheduled: int('Nodes that should run a daemon pod.'),
  numberReady: int('Nodes whose daemon pod is ready.'),
  observedGeneration: int('Generation the controller last acted on.', 'int64'),
  updatedNumberScheduled: int('Nodes running the current template.'),
  numberAvailable: int('Nodes whose daemon pod is available.'),
  numberUnavailable: int('Nodes whose daemon pod is missing or unavailable.'),
  collisionCount: int('Counter used to avoid revision name collisions.'),
  conditions: conditionList(ref(`${APPS}.DaemonSetCondition`), 'Current conditions of the DaemonSet.'),
}, { description: 'The observed state of a DaemonSet.' }));

function validateDaemonSet(o: Parameters<NonNullable<KindDef['validate']>>[0]): FieldErrors {
  const errs = validateWorkloadTemplate(o, 'daemonset');
  const strategy = record(spec(o).updateStrategy);
  const type = String(strategy.type ?? '');
  if (type !== 'OnDelete' && type !== 'RollingUpdate') errs.push(notSupported('spec.updateStrategy.type', type, ['OnDelete', 'RollingUpdate']));
  if (type === 'OnDelete' && strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null) {
    errs.push(forbidden('spec.updateStrategy.rollingUpdate', 'may not be specified when strategy `type` is \'OnDelete\''));
  }
  if (type === 'RollingUpdate') {
    const ru = record(strategy.rollingUpdate);
    errs.push(...validateIntOrPercent(ru.maxUnavailable, 'spec.updateStrategy.rollingUpdate.maxUnavailable'));
    errs.push(...validateIntOrPercent(ru.maxSurge, 'spec.updateStrategy.rollingUpdate.maxSurge'));
    if (isZeroIntOrPercent(ru.maxUnavailable) && isZeroIntOrPercent(ru.maxSurge)) {
      errs.push(invalid('spec.updateStrategy.rollingUpdate.maxUnavailable', ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
    }
  }
  return errs;
}

export const daemonSetKind: KindDef = {
  group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', singular: 'daemonset', namespaced: true,
  shortNames: ['ds'], categories: ['all'], custom: false, tracksGeneration: true,
  subresources: { status: true },
  schemaName: `${APPS}.DaemonSet`,
  schema: obj({
    spec: ref(`${APPS}.DaemonSetSpec`, 'The pod to run on every node.'),
    status: ref(`${APPS}.DaemonSetStatus`, 'How many nodes run it.'),
  }),
  description: 'Runs one copy of a pod on every node (or every node matching a selector), e.g. node agents.',
  printerColumns: [
    { name: 'Desired', type: 'integer', description: 'Nodes that should run the pod.', cell: (o) => num(status(o).desiredNumberScheduled) },
    { name: 'Current', type: 'integer', description: 'Nodes running the pod.', cell: (o) => num(status(o).currentNumberScheduled) },
    { name: 'Ready', type: 'integer', description: 'Nodes with a ready pod.', cell: (o) => num(status(o).numberReady) },
    { name: 'Up-to-date', type: 'integer', description: 'Nodes running the current template.', cell: (o) => num(status(o).updatedNumberScheduled) },
    { name: 'Available', type: 'integer', description: 'Nodes with an available pod.', cell: (o) => num(status(o).numberAvailable) },
    { name: 'Node Selector', type: 'string', description: 'Node labels the pods require.', cell: (o) => formatLabels(templateSpec(o).nodeSelector) },
    ageColumn,
    { name: 'Containers', type: 'string', priority: 1, description: 'Names of the containers in the template.', cell: (o) => containerCells(templateSpec(o)).names },
    { name: 'Images', type: 'string', priority: 1, description: 'Images of the containers in the template.', cell: (o) => containerCells(templateSpec(o)).images },
    { name: 'Selector', type: 'string', priority: 1, description: 'Label selector of the pods.', cell: (o) => formatLabelSelector(spec(o).selector) },
  ],
  defaults(o) {
    if (!o.spec || typeof o.spec !== 'object') o.spec = {};
    const s = o.spec as Json;
    const strategy = record(s.updateStrategy);
    if (!strategy.type) strategy.type = 'RollingUpdate';
    if (strategy.type === 'RollingUpdate') {
      const ru = record(strategy.rollingUpdate);
      if (ru.maxUnavailable === undefined || ru.maxUnavailable === null) ru.maxUnavailable = 1;
      if (ru.maxSurge === undefined || ru.maxSurge === null) ru.maxSurge = 0;
      strategy.rollingUpdate = ru;
    }
    s.updateStrategy = strategy;
    if (s.revisionHistoryLimit === undefined || s.revisionHistoryLimit === null) s.revisionHistoryLimit = 10;
    defaultTemplate(o);
  },
  prepareForCreate(o) {
    o.status = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
  },
  validate: validateDaemonSet,
  validateUpdate: validateSelectorUnchanged,
};
