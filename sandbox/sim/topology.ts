// The objects a new cluster starts with: system namespaces, control-plane and
// worker Nodes with their Leases, and the cluster network configuration.

import type { KubeObject } from './api/object.ts';
import { microTime, rfc3339 } from './api/age.ts';

export interface Topology {
  workers: number;
  controlPlanes: number;
  /** Allocatable per worker. */
  workerCpu?: string;
  workerMemory?: string;
}

export const SYSTEM_NAMESPACES = [
  'default', 'kube-system', 'kube-public', 'kube-node-lease',
  'openshift-machine-api', 'openshift-ingress', 'openshift-cnv', 'metallb-system',
];

export const KUBELET_VERSION = 'v1.32.4';

export function workerName(i: number): string {
  return `worker-${i}`;
}

export function controlPlaneName(i: number): string {
  return `master-${i}`;
}

function node(name: string, index: number, role: 'worker' | 'master', now: number, topo: Topology): KubeObject {
  const t = rfc3339(now);
  const internalIP = role === 'master' ? `192.168.126.${10 + index}` : `192.168.126.${51 + index}`;
  // Each node gets a /23 from the cluster network 10.128.0.0/14, as OpenShift's default hostPrefix.
  const podBlock = (role === 'master' ? index : 8 + index) * 2;
  const cpu = role === 'master' ? '8' : (topo.workerCpu ?? '16');
  const memory = role === 'master' ? '32Gi' : (topo.workerMemory ?? '64Gi');
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/instance-type': role === 'master' ? 'm6i.2xlarge' : 'm6i.4xlarge',
    'node.openshift.io/os_id': 'rhcos',
    'topology.kubernetes.io/region': 'virtlab-1',
    'topology.kubernetes.io/zone': `virtlab-1${'abc'[index % 3]}`,
  };
  if (role === 'master') {
    labels['node-role.kubernetes.io/control-plane'] = '';
    labels['node-role.kubernetes.io/master'] = '';
  } else {
    labels['node-role.kubernetes.io/worker'] = '';
    labels['kubevirt.io/schedulable'] = 'true';
    labels['cpumanager'] = 'false';
  }
  const cond = (type: string, status: string, reason: string, message: string) =>
    ({ type, status, lastHeartbeatTime: t, lastTransitionTime: t, reason, message });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels,
      annotations: {
        'machine.openshift.io/machine': `openshift-machine-api/virtlab-${role}-${index}`,
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: {
      podCIDR: `10.128.${podBlock}.0/23`,
      podCIDRs: [`10.128.${podBlock}.0/23`],
      providerID: `virtlab://${name}`,
      ...(role === 'master' ? { taints: [{ key: 'node-role.kubernetes.io/master', effect: 'NoSchedule' }] } : {}),
    },
    status: {
      capacity: { cpu, memory, 'ephemeral-storage': '125293548Ki', pods: '250', 'devices.kubevirt.io/kvm': role === 'worker' ? '1k' : '0' },
      allocatable: { cpu: role === 'master' ? '7500m' : '15500m', memory: role === 'master' ? '31Gi' : '63Gi', 'ephemeral-storage': '114396791822', pods: '250', 'devices.kubevirt.io/kvm': role === 'worker' ? '1k' : '0' },
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      addresses: [{ type: 'InternalIP', address: internalIP }, { type: 'Hostname', address: name }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: 'amd64',
        bootID: `${name}-boot-1`,
        containerRuntimeVersion: 'cri-o://1.32.4-3.rhaos4.19.git1a2b3c4.el9',
        kernelVersion: '5.14.0-427.65.1.el9_4.x86_64',
        kubeProxyVersion: KUBELET_VERSION,
        kubeletVersion: KUBELET_VERSION,
        machineID: `${name}-machine`,
        operatingSystem: 'linux',
        osImage: 'Red Hat Enterprise Linux CoreOS 419.94.202511110000-0',
        systemUUID: `${name}-uuid`,
      },
    },
  };
}

export function bootstrapObjects(topo: Topology, now: number): KubeObject[] {
  const out: KubeObject[] = [];
  for (const ns of SYSTEM_NAMESPACES) {
    out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns } } });
  }
  const nodes: KubeObject[] = [];
  for (let i = 0; i < topo.controlPlanes; i++) nodes.push(node(controlPlaneName(i), i, 'master', now, topo));
  for (let i = 0; i < topo.workers; i++) nodes.push(node(workerName(i), i, 'worker', now, topo));
  out.push(...nodes);
  for (const n of nodes) {
    out.push({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: n.metadata.name, namespace: 'kube-node-lease' },
      spec: { holderIdentity: n.metadata.name, leaseDurationSeconds: 40, renewTime: microTime(now) },
    });
  }
  out.push({
    apiVersion: 'config.openshift.io/v1',
    kind: 'Network',
    metadata: { name: 'cluster' },
    spec: { clusterNetwork: [{ cidr: '10.128.0.0/14', hostPrefix: 23 }], serviceNetwork: ['172.30.0.0/16'], networkType: 'OVNKubernetes' },
    status: { clusterNetwork: [{ cidr: '10.128.0.0/14', hostPrefix: 23 }], serviceNetwork: ['172.30.0.0/16'], networkType: 'OVNKubernetes', clusterNetworkMTU: 1400 },
  });
  return out;
}
