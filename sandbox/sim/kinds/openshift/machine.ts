// machine.openshift.io/v1beta1 Machine: one host of the cluster as the Machine
// API sees it (the cloud or bare-metal instance behind a Node).

import type { Schema } from '../schema.ts';
import { arr, dateTime, freeform, obj, str, stringMap } from '../schema.ts';
import type { KindDef } from '../types.ts';

export const MACHINE_V1BETA1 = 'com.github.openshift.api.machine.v1beta1';


/** Machine API conditions carry a severity. */
export function machineConditions(description: string): Schema {
  return arr(obj({
    type: str('Condition type.'),
    status: str('True, False or Unknown.'),
    severity: str('Error, Warning or Info; only set when status is False.'),
    reason: str('CamelCase reason for the last transition.'),
    message: str('Human-readable details.'),
    lastTransitionTime: dateTime('When the condition last changed.'),
  }, { required: ['lastTransitionTime', 'status', 'type'] }), description);
}

const hook = obj({
  name: str('Unique name of the hook.'),
  owner: str('Who placed the hook and must remove it.'),
}, { required: ['name', 'owner'] });

/** The spec of a Machine, also used in MachineSet templates. */
export const machineSpecSchema: Schema = obj({
  metadata: {
    ...obj({
      labels: stringMap('Labels copied onto the Node.'),
      annotations: stringMap('Annotations copied onto the Node.'),
      generateName: str('Prefix for generated names.'),
      name: str('Name.'),
      namespace: str('Namespace.'),
      ownerReferences: arr(freeform(), 'Owners.'),
    }, { description: 'Labels and annotations given to the Node of this machine.' }),
    'x-kubernetes-preserve-unknown-fields': true,
  },
  lifecycleHooks: obj({
    preDrain: arr(hook, 'Hooks that block draining the node while present.'),
    preTerminate: arr(hook, 'Hooks that block deleting the instance while present.'),
  }, { description: 'Hooks that pause the deletion of the machine.' }),
  taints: arr(obj({
    key: str('Taint key.'),
    value: str('Taint value.'),
    effect: str('NoSchedule, PreferNoSchedule or NoExecute.'),
    timeAdded: dateTime('When the taint was added.'),
  }, { required: ['effect', 'key'] }), 'Taints put on the Node when it registers.'),
  providerSpec: obj({
    value: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, 'x-kubernetes-embedded-resource': true, description: 'Provider-specific machine configuration (instance type, image, network ...).' },
  }, { description: 'What the cloud or bare-metal provider creates.' }),
  providerID: str('Provider ID of the instance; matches the Node spec.providerID.'),
  authoritativeAPI: str('MachineAPI or ClusterAPI.'),
}, { description: 'The desired state of a machine.' });

export const machineKind: KindDef = {
  group: 'machine.openshift.io',
  version: 'v1beta1',
  kind: 'Machine',
  plural: 'machines',
  singular: 'machine',
  namespaced: true,
  custom: true,
  subresources: { status: true },
  schemaName: `${MACHINE_V1BETA1}.Machine`,
  schema: obj({
    spec: machineSpecSchema,
    status: obj({
      nodeRef: obj({
        apiVersion: str('API version of the referent.'),
        kind: str('Kind of the referent (Node).'),
        name: str('Name of the Node.'),
        namespace: str('Namespace of the referent.'),
        uid: str('UID of the Node.'),
        resourceVersion: str('Resource version of the referent.'),
        fieldPath: str('Field within the referent.'),
      }, { description: 'The Node of this machine, once it has joined.' }),
      lastUpdated: dateTime('When the status last changed.'),
      errorReason: str('Terminal error, e.g. InvalidConfiguration or CreateError.'),
      errorMessage: str('Details of a terminal error.'),
      providerStatus: freeform('Provider-specific status.'),
      addresses: arr(obj({ type: str('Hostname, InternalIP, ExternalIP, InternalDNS or ExternalDNS.'), address: str('The address.') }, { required: ['address', 'type'] }), 'Addresses of the instance.'),
      lastOperation: obj({
        description: str('What happened.'),
        lastUpdated: dateTime('When.'),
        state: str('Processing, Failed or Successful.'),
        type: str('Create, Update or Delete.'),
      }, { description: 'The last operation of the machine controller.' }),
      phase: str('Provisioning, Provisioned, Running, Deleting or Failed.'),
      conditions: machineConditions('Conditions such as InstanceExists, Drainable, Drained, Terminable.'),
      authoritativeAPI: str('API currently managing the machine.'),
      synchronizedGeneration: { type: 'integer', format: 'int64', description: 'Generation last synchronized.' },
    }, { description: 'The observed state of the machine.' }),
  }),
  description: 'A host of the cluster as the Machine API manages it: the instance behind a Node. Deleting a Machine drains its Node and removes the instance.',
  printerColumns: [
    { name: 'Phase', type: 'string', description: 'Phase of machine', jsonPath: '.status.phase' },
    { name: 'Type', type: 'string', description: 'Type of instance', jsonPath: ".metadata.labels['machine\\.openshift\\.io/instance-type']" },
    { name: 'Region', type: 'string', description: 'Region associated with machine', jsonPath: ".metadata.labels['machine\\.openshift\\.io/region']" },
    { name: 'Zone', type: 'string', description: 'Zone associated with machine', jsonPath: ".metadata.labels['machine\\.openshift\\.io/zone']" },
    { name: 'Age', type: 'date', description: 'Machine age', jsonPath: '.metadata.creationTimestamp' },
    { name: 'Node', type: 'string', description: 'Node associated with machine', jsonPath: '.status.nodeRef.name', priority: 1 },
    { name: 'ProviderID', type: 'string', description: 'Provider ID of machine created in cloud provider', jsonPath: '.spec.providerID', priority: 1 },
    { name: 'State', type: 'string', description: 'State of instance', jsonPath: ".metadata.annotations['machine\\.openshift\\.io/instance-state']", priority: 1 },
  ],
  prepareForCreate(m) {
    delete m.status;
  },
};
