// apps/v1 Deployment: declarative updates of a replicated pod set, through
// ReplicaSets, with rolling or recreate strategy.

import type { KubeObject } from '../../api/object.ts';
import type { KindDef } from '../types.ts';
import { definitions } from '../meta.ts';
import { bool, dateTime, enumOf, int, intOrString, obj, ref, str } from '../schema.ts';
import { conditionList, coreRef, labelSelector } from './definitions.ts';
import { forbidden, invalid, notSupported, validateIntOrPercent, type FieldErrors } from './field-errors.ts';
import { defaultReplicas, defaultTemplate, isZeroIntOrPercent, validateSelectorUnchanged, validateWorkloadTemplate } from './pod-template.ts';
import { ageColumn, containerCells, num, record, selectorText, spec, status, templateSpec, type Json } from './table-cells.ts';

export const APPS = 'io.k8s.api.apps.v1';

definitions.define(`${APPS}.RollingUpdateDeployment`, obj({
  maxUnavailable: intOrString('Pods (number or percentage of desired) that may be unavailable during the update. Defaults to 25%.'),
  maxSurge: intOrString('Pods (number or percentage of desired) that may be created above the desired count during the update. Defaults to 25%.'),
}, { description: 'Parameters of a rolling update.' }));

definitions.define(`${APPS}.DeploymentStrategy`, obj({
  type: enumOf(['Recreate', 'RollingUpdate'], 'RollingUpdate (default) replaces pods gradually; Recreate stops all old pods first.'),
  rollingUpdate: { allOf: [{ $ref: `#/components/schemas/${APPS}.RollingUpdateDeployment` }], description: 'Rolling update parameters, for type RollingUpdate.' },
}, { description: 'How old pods are replaced by new ones.' }));

definitions.define(`${APPS}.DeploymentSpec`, obj({
  replicas: int('Desired number of pods. Defaults to 1.'),
  selector: labelSelector('Pods the Deployment manages; must match the template labels. Cannot be changed.'),
  template: coreRef('PodTemplateSpec', 'The pods to create. Its restartPolicy must be Always.'),
  strategy: {
    allOf: [{ $ref: `#/components/schemas/${APPS}.DeploymentStrategy` }],
    description: 'How pods are replaced on an update.',
    'x-kubernetes-patch-strategy': 'retainKeys',
  },
  minReadySeconds: int('Seconds a new pod must be ready before it counts as available.'),
  revisionHistoryLimit: int('Old ReplicaSets kept for rollback. Defaults to 10.'),
  paused: bool('Stop rolling out template changes.'),
  progressDeadlineSeconds: int('Seconds a rollout may stall before it is reported as failed. Defaults to 600.'),
}, { required: ['selector', 'template'], description: 'The desired state of a Deployment.' }));

definitions.define(`${APPS}.DeploymentCondition`, obj({
  type: str('Available, Progressing or ReplicaFailure.'),
  status: str('True, False or Unknown.'),
  lastUpdateTime: dateTime('When the condition was last updated.'),
  lastTransitionTime: dateTime('When the condition last changed status.'),
  reason: str('Machine-readable reason.'),
  message: str('Human-readable details.'),
}, { required: ['type', 'status'], description: 'One aspect of a Deployment\'s state.' }));

definitions.define(`${APPS}.DeploymentStatus`, obj({
  observedGeneration: int('Generation the controller last acted on.', 'int64'),
  replicas: int('Pods of all its ReplicaSets.'),
  updatedReplicas: int('Pods with the current template.'),
  readyReplicas: int('Ready pods.'),
  availableReplicas: int('Pods ready for at least minReadySeconds.'),
  unavailableReplicas: int('Pods still missing to reach the desired count.'),
  conditions: conditionList(ref(`${APPS}.DeploymentCondition`), 'Current conditions of the Deployment.'),
  collisionCount: int('Counter used to avoid ReplicaSet name collisions.'),
}, { description: 'The observed state of a Deployment.' }));

function defaultDeployment(o: KubeObject): void {
  defaultReplicas(o);
  const s = o.spec as Json;
  const strategy = record(s.strategy);
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = record(strategy.rollingUpdate);
    if (ru.maxUnavailable === undefined || ru.maxUnavailable === null) ru.maxUnavailable = '25%';
    if (ru.maxSurge === undefined || ru.maxSurge === null) ru.maxSurge = '25%';
    strategy.rollingUpdate = ru;
  }
  s.strategy = strategy;
  if (s.revisionHistoryLimit === undefined || s.revisionHistoryLimit === null) s.revisionHistoryLimit = 10;
  if (s.progressDeadlineSeconds === undefined || s.progressDeadlineSeconds === null) s.progressDeadlineSeconds = 600;
  defaultTemplate(o);
}

function validateDeployment(o: KubeObject): FieldErrors {
  const s = spec(o);
  const errs = validateWorkloadTemplate(o, 'deployment');
  const strategy = record(s.strategy);
  const type = String(strategy.type ?? '');
  if (type !== 'Recreate' && type !== 'RollingUpdate') errs.push(notSupported('spec.strategy.type', type, ['Recreate', 'RollingUpdate']));
  if (type === 'Recreate' && strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null) {
    errs.push(forbidden('spec.strategy.rollingUpdate', 'may not be specified when strategy `type` is \'Recreate\''));
  }
  if (type === 'RollingUpdate') {
    const ru = record(strategy.rollingUpdate);
    errs.push(...validateIntOrPercent(ru.maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable'));
    errs.push(...validateIntOrPercent(ru.maxSurge, 'spec.strategy.rollingUpdate.maxSurge'));
    if (isZeroIntOrPercent(ru.maxUnavailable) && isZeroIntOrPercent(ru.maxSurge)) {
      errs.push(invalid('spec.strategy.rollingUpdate.maxUnavailable', ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
    }
  }
  for (const k of ['minReadySeconds', 'revisionHistoryLimit', 'progressDeadlineSeconds']) {
    if (typeof s[k] === 'number' && (s[k] as number) < 0) errs.push(invalid(`spec.${k}`, s[k], 'must be greater than or equal to 0'));
  }
  if (typeof s.progressDeadlineSeconds === 'number' && s.progressDeadlineSeconds <= num(s.minReadySeconds)) {
    errs.push(invalid('spec.progressDeadlineSeconds', s.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
  }
  return errs;
}

export const deploymentKind: KindDef = {
  group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', singular: 'deployment', namespaced: true,
  shortNames: ['deploy'], categories: ['all'], custom: false, tracksGeneration: true,
  subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
  schemaName: `${APPS}.Deployment`,
  schema: obj({
    spec: ref(`${APPS}.DeploymentSpec`, 'Desired pods and how to update them.'),
    status: ref(`${APPS}.DeploymentStatus`, 'Observed progress of the Deployment.'),
  }),
  description: 'Runs a replicated set of identical pods and rolls out template changes through ReplicaSets.',
  printerColumns: [
    { name: 'Ready', type: 'string', description: 'Ready pods out of desired.', cell: (o) => `${num(status(o).readyReplicas)}/${num(spec(o).replicas)}` },
    { name: 'Up-to-date', type: 'string', description: 'Pods running the current template.', cell: (o) => num(status(o).updatedReplicas) },
    { name: 'Available', type: 'string', description: 'Pods available to serve.', cell: (o) => num(status(o).availableReplicas) },
    ageColumn,
    { name: 'Containers', type: 'string', priority: 1, description: 'Names of the containers in the template.', cell: (o) => containerCells(templateSpec(o)).names },
    { name: 'Images', type: 'string', priority: 1, description: 'Images of the containers in the template.', cell: (o) => containerCells(templateSpec(o)).images },
    { name: 'Selector', type: 'string', priority: 1, description: 'Label selector of the pods.', cell: (o) => selectorText(spec(o).selector) },
  ],
  defaults: defaultDeployment,
  prepareForCreate(o) {
    o.status = {};
  },
  validate: validateDeployment,
  validateUpdate: validateSelectorUnchanged,
};
