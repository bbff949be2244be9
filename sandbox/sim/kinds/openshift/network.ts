// config.openshift.io/v1 Network: the cluster-wide network configuration
// (`oc get network/cluster -o yaml`): pod and service CIDRs and the plugin.

import { arr, freeform, int, obj, str } from '../schema.ts';
import type { Schema } from '../schema.ts';
import type { KindDef } from '../types.ts';

const clusterNetworkEntries = (description: string): Schema => ({
  ...arr(obj({
    cidr: str('The block pod IPs are taken from.'),
    hostPrefix: { ...int('Prefix length of the block each node gets from the CIDR.'), minimum: 0 },
  }, { description: 'A block of pod IP addresses.' }), description),
  'x-kubernetes-list-type': 'atomic',
});

export const networkConfigKind: KindDef = {
  group: 'config.openshift.io',
  version: 'v1',
  kind: 'Network',
  plural: 'networks',
  singular: 'network',
  namespaced: false,
  custom: true,
  subresources: { status: true },
  schemaName: 'com.github.openshift.api.config.v1.Network',
  schema: obj({
    spec: obj({
      clusterNetwork: clusterNetworkEntries('Address pools for pod IPs. Immutable after installation.'),
      serviceNetwork: { ...arr(str(), 'Address pool for Service cluster IPs (a single entry). Immutable after installation.'), 'x-kubernetes-list-type': 'atomic' },
      networkType: str('The network plugin, e.g. OVNKubernetes. Immutable after installation.'),
      externalIP: freeform('Policy for Service externalIPs.'),
      serviceNodePortRange: { ...str('Port range for NodePort Services. Defaults to 30000-32767.'), pattern: '^([0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])-([0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$' },
      networkDiagnostics: freeform('Settings of the network connectivity checks.'),
    }, { description: 'Requested network configuration. Read the status for what is deployed.' }),
    status: obj({
      clusterNetwork: clusterNetworkEntries('Address pools for pod IPs in use.'),
      serviceNetwork: { ...arr(str(), 'Address pool for Service IPs in use.'), 'x-kubernetes-list-type': 'atomic' },
      networkType: str('The network plugin deployed.'),
      clusterNetworkMTU: int('MTU of the pod network.'),
      conditions: arr(freeform(), 'Conditions of the network configuration.'),
      migration: freeform('State of a network plugin or MTU migration.'),
    }, { description: 'The network configuration deployed in the cluster.' }),
  }, { required: ['spec'] }),
  description: 'Cluster-wide network configuration: the pod and Service address pools and the network plugin. There is one, named cluster.',
  printerColumns: [],
  prepareForCreate(n) {
    delete n.status;
  },
};
