// machine.openshift.io/v1beta1 MachineSet: keeps a number of Machines from a
// template, replacing those that are deleted. Has status and scale subresources.

import { isPlainObject } from '../../api/object.ts';
import { enumOf, inlineLabelSelector, int, obj, str, stringMap, arr, freeform } from '../schema.ts';
import type { KindDef } from '../types.ts';
import { MACHINE_V1BETA1, machineConditions, machineSpecSchema } from './machine.ts';

export const machineSetKind: KindDef = {
  group: 'machine.openshift.io',
  version: 'v1beta1',
  kind: 'MachineSet',
  plural: 'machinesets',
  singular: 'machineset',
  namespaced: true,
  custom: true,
  subresources: {
    status: true,
    scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.labelSelector' },
  },
  schemaName: `${MACHINE_V1BETA1}.MachineSet`,
  schema: obj({
    spec: obj({
      replicas: { ...int('Number of machines to keep. Defaults to 1.'), default: 1 },
      minReadySeconds: int('Seconds a new machine must be ready before it counts as available.'),
      deletePolicy: enumOf(['Random', 'Newest', 'Oldest'], 'Which machines go first when scaling down: Random (default), Newest or Oldest.'),
      selector: inlineLabelSelector('Labels of the machines this set owns; must match the template labels.'),
      template: obj({
        metadata: {
          ...obj({
            labels: stringMap('Labels of the new machines.'),
            annotations: stringMap('Annotations of the new machines.'),
            generateName: str('Prefix for generated names.'),
            name: str('Name.'),
            namespace: str('Namespace.'),
            ownerReferences: arr(freeform(), 'Owners.'),
          }, { description: 'Metadata of the machines created from the template.' }),
          'x-kubernetes-preserve-unknown-fields': true,
        },
        spec: machineSpecSchema,
      }, { description: 'The machine created when more are needed.' }),
      authoritativeAPI: str('MachineAPI or ClusterAPI.'),
    }, { description: 'How many machines to keep, and what they look like.' }),
    status: obj({
      replicas: int('Machines currently owned by the set.'),
      fullyLabeledReplicas: int('Machines whose labels match the template.'),
      readyReplicas: int('Machines whose Node is ready.'),
      availableReplicas: int('Machines ready for at least minReadySeconds.'),
      labelSelector: str('The selector in string form, for the scale subresource.'),
      observedGeneration: { type: 'integer', format: 'int64', description: 'Generation the status was computed for.' },
      errorReason: str('Terminal error of the set.'),
      errorMessage: str('Details of a terminal error.'),
      conditions: machineConditions('Conditions of the set.'),
      authoritativeAPI: str('API currently managing the set.'),
    }, { description: 'The observed state of the set.' }),
  }),
  description: 'Keeps a given number of Machines, created from a template; the Machine API analogue of a ReplicaSet. Scale it to add or remove hosts.',
  printerColumns: [
    { name: 'Desired', type: 'integer', description: 'Desired Replicas', jsonPath: '.spec.replicas' },
    { name: 'Current', type: 'integer', description: 'Current Replicas', jsonPath: '.status.replicas' },
    { name: 'Ready', type: 'integer', description: 'Ready Replicas', jsonPath: '.status.readyReplicas' },
    { name: 'Available', type: 'string', description: 'Observed number of available replicas', jsonPath: '.status.availableReplicas' },
    { name: 'Age', type: 'date', description: 'Machineset age', jsonPath: '.metadata.creationTimestamp' },
  ],
  defaults(ms) {
    if (isPlainObject(ms.spec) && ms.spec.replicas === undefined) ms.spec.replicas = 1;
  },
  prepareForCreate(ms) {
    delete ms.status;
  },
};
