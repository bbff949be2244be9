// machine.openshift.io/v1beta1 MachineHealthCheck: watches the Nodes of selected
// Machines and deletes (remediates) Machines whose Node stays unhealthy.

import type { FieldErrorLike } from '../../api/errors.ts';
import { isPlainObject } from '../../api/object.ts';
import { arr, inlineLabelSelector, obj, str } from '../schema.ts';
import type { KindDef } from '../types.ts';
import { MACHINE_V1BETA1, machineConditions } from './machine.ts';

export const machineHealthCheckKind: KindDef = {
  group: 'machine.openshift.io',
  version: 'v1beta1',
  kind: 'MachineHealthCheck',
  plural: 'machinehealthchecks',
  singular: 'machinehealthcheck',
  namespaced: true,
  shortNames: ['mhc', 'mhcs'],
  custom: true,
  subresources: { status: true },
  schemaName: `${MACHINE_V1BETA1}.MachineHealthCheck`,
  schema: obj({
    spec: obj({
      selector: inlineLabelSelector('Machines to check; an empty selector selects every machine.'),
      unhealthyConditions: arr(obj({
        type: str('Node condition type, e.g. Ready.'),
        status: str('Condition status that counts as unhealthy: True, False or Unknown.'),
        timeout: { ...str('How long the condition must hold, e.g. 300s.'), pattern: '^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$' },
      }, { description: 'A node condition that makes the machine unhealthy once it has lasted the timeout.' }), 'Node conditions that make a machine unhealthy (any one is enough). At least one.'),
      maxUnhealthy: {
        'x-kubernetes-int-or-string': true,
        description: 'Remediation stops while more than this many selected machines (a number or a percentage) are unhealthy. Defaults to 100%.',
        default: '100%',
        pattern: '^((100|[0-9]{1,2})%|[0-9]+)$',
      },
      nodeStartupTimeout: {
        ...str('How long a new machine may go without a Node before it is remediated, e.g. 10m; 0 disables the check. Defaults to 10m.'),
        default: '10m',
        pattern: '^0|([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$',
      },
      remediationTemplate: {
        ...obj({
          apiVersion: str('API version of the template.'),
          kind: str('Kind of the template.'),
          name: str('Name of the template.'),
          namespace: str('Namespace of the template.'),
          uid: str('UID of the template.'),
          resourceVersion: str('Resource version of the template.'),
          fieldPath: str('Field within the template.'),
        }, { description: 'A remediation template for external remediation instead of deleting the machine.' }),
        'x-kubernetes-map-type': 'atomic',
      },
    }, { description: 'Which machines to check and when they count as unhealthy.' }),
    status: obj({
      expectedMachines: { type: 'integer', minimum: 0, description: 'Machines selected by the check.' },
      currentHealthy: { type: 'integer', minimum: 0, description: 'Selected machines currently healthy.' },
      remediationsAllowed: { type: 'integer', format: 'int32', minimum: 0, description: 'Remediations still allowed before maxUnhealthy stops them.' },
      conditions: { ...machineConditions('Conditions such as RemediationAllowed.'), 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] },
    }, { description: 'The observed state of the check.' }),
  }),
  description: 'Detects unhealthy Machines from the conditions of their Nodes and remediates them by deleting the Machine, so that its MachineSet creates a replacement.',
  printerColumns: [
    { name: 'MaxUnhealthy', type: 'string', description: 'Maximum number of unhealthy machines allowed', jsonPath: '.spec.maxUnhealthy' },
    { name: 'ExpectedMachines', type: 'integer', description: 'Number of machines currently monitored', jsonPath: '.status.expectedMachines' },
    { name: 'CurrentHealthy', type: 'integer', description: 'Current observed healthy machines', jsonPath: '.status.currentHealthy' },
  ],
  defaults(mhc) {
    const spec = mhc.spec;
    if (!isPlainObject(spec)) return;
    if (spec.maxUnhealthy === undefined) spec.maxUnhealthy = '100%';
    if (spec.nodeStartupTimeout === undefined) spec.nodeStartupTimeout = '10m';
  },
  prepareForCreate(mhc) {
    delete mhc.status;
  },
  validate(mhc) {
    const errs: FieldErrorLike[] = [];
    const spec = isPlainObject(mhc.spec) ? mhc.spec : {};
    if (Array.isArray(spec.unhealthyConditions) && spec.unhealthyConditions.length < 1) {
      errs.push({ type: 'Invalid', field: 'spec.unhealthyConditions', value: spec.unhealthyConditions.length, detail: 'spec.unhealthyConditions in body should have at least 1 items' });
    }
    (Array.isArray(spec.unhealthyConditions) ? spec.unhealthyConditions : []).forEach((c, i) => {
      const cond = isPlainObject(c) ? c : {};
      for (const k of ['type', 'status']) {
        const v = cond[k];
        const p = `spec.unhealthyConditions[${i}].${k}`;
        if (typeof v === 'string' && v.length < 1) errs.push({ type: 'Invalid', field: p, value: v, detail: `${p} in body should be at least 1 chars long` });
      }
    });
    return errs;
  },
};
