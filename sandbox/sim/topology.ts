// The objects a new cluster starts with: system namespaces, control-plane and
// worker Nodes with their Leases, the Machine API view of those hosts (one
// Machine per Node, a worker MachineSet), the cluster network and ingress
// configuration and the platform Services OpenShift always has (the API
// server's, DNS and the internal router Service), with their fixed addresses.
// The node and machine shapes are exported so that the simulated machine
// provider builds new workers exactly like the bootstrap ones.

import type { KubeObject } from './api/object.ts';
import { microTime, rfc3339 } from './api/age.ts';
import { generateObjectName } from './api/names.ts';

export interface Topology {
  workers: number;
  controlPlanes: number;
  /** Capacity per worker (allocatable is 500m and 1Gi less). */
  workerCpu?: string;
  workerMemory?: string;
}

export const SYSTEM_NAMESPACES = [
  'default', 'kube-system', 'kube-public', 'kube-node-lease',
  'openshift-machine-api', 'openshift-ingress', 'openshift-dns', 'openshift-cnv', 'metallb-system',
];

/** The cluster ingress domain (ingresses.config.openshift.io/cluster spec.domain): routes get <name>-<namespace>.<domain>. */
export const INGRESS_DOMAIN = 'apps.ocp4.example.com';
export const SERVICE_NETWORK = '172.30.0.0/16';
/** The first address of the service network belongs to the API server's Service, the tenth to DNS. */
export const KUBERNETES_SERVICE_IP = '172.30.0.1';
export const DNS_SERVICE_IP = '172.30.0.10';

export const KUBELET_VERSION = 'v1.32.4';

/** Where the Machine API objects live. */
export const MACHINE_API_NAMESPACE = 'openshift-machine-api';
/** The infrastructure name (infra ID) that prefixes machine names and labels every machine. */
export const INFRASTRUCTURE_NAME = 'virtlab';
export const REGION = 'virtlab-1';
export const ZONES = ['virtlab-1a', 'virtlab-1b', 'virtlab-1c'];
export const WORKER_MACHINESET = `${INFRASTRUCTURE_NAME}-worker`;
export const MASTER_INSTANCE_TYPE = 'm6i.2xlarge';
export const WORKER_INSTANCE_TYPE = 'm6i.4xlarge';

/** Machine API label keys. */
export const MachineLabels = {
  cluster: 'machine.openshift.io/cluster-api-cluster',
  role: 'machine.openshift.io/cluster-api-machine-role',
  type: 'machine.openshift.io/cluster-api-machine-type',
  machineSet: 'machine.openshift.io/cluster-api-machineset',
  instanceType: 'machine.openshift.io/instance-type',
  region: 'machine.openshift.io/region',
  zone: 'machine.openshift.io/zone',
} as const;

/** Node annotation naming the node's Machine as <namespace>/<name>. */
export const NODE_MACHINE_ANNOTATION = 'machine.openshift.io/machine';
/** Machine annotation with the provider's view of the instance (the State column). */
export const INSTANCE_STATE_ANNOTATION = 'machine.openshift.io/instance-state';
/** The machine controller's finalizer. */
export const MACHINE_FINALIZER = 'machine.machine.openshift.io';
export const PROVIDER_API_VERSION = 'sim.virtlab.dev/v1alpha1';

// Node names stay short (master-0, worker-0 …) like a bare-metal cluster's
// hostnames; machine names follow the installer's <infra>-<role>-… pattern.
export function workerName(i: number): string {
  return `worker-${i}`;
}

export function controlPlaneName(i: number): string {
  return `master-${i}`;
}

export function controlPlaneMachineName(i: number): string {
  return `${INFRASTRUCTURE_NAME}-master-${i}`;
}

/** `virtlab-worker-<5 chars>`, as the MachineSet would generate, but stable per index. */
export function workerMachineName(i: number): string {
  let seed = 0x9e3779b9 ^ (i + 1) * 2654435761;
  const random = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return ((seed >>> 8) & 0xffff) / 0x10000;
  };
  return generateObjectName(`${WORKER_MACHINESET}-`, random);
}

export type NodeRole = 'master' | 'worker';

/** Everything that distinguishes one simulated host from another. */
export interface HostShape {
  name: string;
  role: NodeRole;
  /** Index among hosts of the role; decides the IP address and pod CIDR. */
  index: number;
  zone: string;
  instanceType: string;
  cpu: string;
  memory: string;
  /** <namespace>/<name> of the Machine. */
  machine: string;
  providerID: string;
  /** Extra node labels and taints (from the Machine's spec). */
  labels?: Record<string, string>;
  taints?: unknown[];
}

/** The InternalIP of a host. */
export function hostAddress(role: NodeRole, index: number): string {
  return role === 'master' ? `192.168.126.${10 + index}` : `192.168.126.${51 + index}`;
}

/** Each node gets a /23 from the cluster network 10.128.0.0/14, as OpenShift's default hostPrefix. */
export function podCIDR(role: NodeRole, index: number): string {
  const block = (role === 'master' ? index : 8 + index) * 2;
  return `10.${128 + (block >> 8)}.${block & 255}.0/23`;
}

export function providerIDOf(nodeName: string): string {
  return `virtlab://${nodeName}`;
}

/** Capacity minus system reservations (500m CPU, 1Gi memory). */
function allocatable(cpu: string, memory: string): { cpu: string; memory: string } {
  const milli = /^\d+$/.test(cpu) ? Number(cpu) * 1000 : /^\d+m$/.test(cpu) ? Number(cpu.slice(0, -1)) : undefined;
  const gi = memory.match(/^(\d+)Gi$/);
  const mi = memory.match(/^(\d+)Mi$/);
  return {
    cpu: milli !== undefined && milli > 500 ? `${milli - 500}m` : cpu,
    memory: gi && Number(gi[1]) > 1 ? `${Number(gi[1]) - 1}Gi` : mi && Number(mi[1]) > 1024 ? `${Number(mi[1]) - 1024}Mi` : memory,
  };
}

export interface NodeCondition {
  type: string;
  status: string;
  lastHeartbeatTime: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export const NODE_NOT_READY_MESSAGE = 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: no CNI configuration file in /etc/kubernetes/cni/net.d/. Has your network provider started?';

/** The Ready condition as the kubelet posts it. */
export function readyCondition(ready: boolean, now: number): NodeCondition {
  const t = rfc3339(now);
  return ready
    ? { type: 'Ready', status: 'True', lastHeartbeatTime: t, lastTransitionTime: t, reason: 'KubeletReady', message: 'kubelet is posting ready status' }
    : { type: 'Ready', status: 'False', lastHeartbeatTime: t, lastTransitionTime: t, reason: 'KubeletNotReady', message: NODE_NOT_READY_MESSAGE };
}

/** A Node as its kubelet registers it; `ready: false` until the network plugin is up. */
export function nodeObject(h: HostShape, now: number, ready = true): KubeObject {
  const t = rfc3339(now);
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': h.name,
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/instance-type': h.instanceType,
    'node.openshift.io/os_id': 'rhcos',
    'topology.kubernetes.io/region': REGION,
    'topology.kubernetes.io/zone': h.zone,
  };
  if (h.role === 'master') {
    labels['node-role.kubernetes.io/control-plane'] = '';
    labels['node-role.kubernetes.io/master'] = '';
  } else {
    labels['node-role.kubernetes.io/worker'] = '';
    labels['kubevirt.io/schedulable'] = 'true';
    labels['cpumanager'] = 'false';
  }
  Object.assign(labels, h.labels ?? {});
  const taints = [
    ...(h.role === 'master' ? [{ key: 'node-role.kubernetes.io/master', effect: 'NoSchedule' }] : []),
    ...(h.taints ?? []),
  ];
  const cond = (type: string, status: string, reason: string, message: string): NodeCondition =>
    ({ type, status, lastHeartbeatTime: t, lastTransitionTime: t, reason, message });
  const cidr = podCIDR(h.role, h.index);
  const alloc = allocatable(h.cpu, h.memory);
  const kvm = h.role === 'worker' ? '1k' : '0';
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: h.name,
      labels,
      annotations: {
        [NODE_MACHINE_ANNOTATION]: h.machine,
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: {
      podCIDR: cidr,
      podCIDRs: [cidr],
      providerID: h.providerID,
      ...(taints.length ? { taints } : {}),
    },
    status: {
      capacity: { cpu: h.cpu, memory: h.memory, 'ephemeral-storage': '125293548Ki', pods: '250', 'devices.kubevirt.io/kvm': kvm },
      allocatable: { cpu: alloc.cpu, memory: alloc.memory, 'ephemeral-storage': '114396791822', pods: '250', 'devices.kubevirt.io/kvm': kvm },
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        readyCondition(ready, now),
      ],
      addresses: [{ type: 'InternalIP', address: hostAddress(h.role, h.index) }, { type: 'Hostname', address: h.name }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: 'amd64',
        bootID: `${h.name}-boot-1`,
        containerRuntimeVersion: 'cri-o://1.32.4-3.rhaos4.19.git1a2b3c4.el9',
        kernelVersion: '5.14.0-427.65.1.el9_4.x86_64',
        kubeProxyVersion: KUBELET_VERSION,
        kubeletVersion: KUBELET_VERSION,
        machineID: `${h.name}-machine`,
        operatingSystem: 'linux',
        osImage: 'Red Hat Enterprise Linux CoreOS 419.94.202511110000-0',
        systemUUID: `${h.name}-uuid`,
      },
    },
  };
}

/** The node's heartbeat Lease in kube-node-lease; owned by the Node when its uid is known. */
export function leaseObject(nodeName: string, now: number, nodeUid?: string): KubeObject {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: nodeName,
      namespace: 'kube-node-lease',
      ...(nodeUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUid }] } : {}),
    },
    spec: { holderIdentity: nodeName, leaseDurationSeconds: 40, renewTime: microTime(now) },
  };
}

/** The simulated provider's machine configuration (spec.providerSpec.value). */
export interface VirtlabProviderSpec {
  apiVersion: string;
  kind: 'VirtlabMachineProviderSpec';
  instanceType: string;
  cpu: string;
  memory: string;
  placement: { region: string; availabilityZone?: string };
}

export function providerSpec(role: NodeRole, topo: Pick<Topology, 'workerCpu' | 'workerMemory'>, zone?: string): VirtlabProviderSpec {
  return {
    apiVersion: PROVIDER_API_VERSION,
    kind: 'VirtlabMachineProviderSpec',
    instanceType: role === 'master' ? MASTER_INSTANCE_TYPE : WORKER_INSTANCE_TYPE,
    cpu: role === 'master' ? '8' : (topo.workerCpu ?? '16'),
    memory: role === 'master' ? '32Gi' : (topo.workerMemory ?? '64Gi'),
    placement: { region: REGION, ...(zone ? { availabilityZone: zone } : {}) },
  };
}

/** Labels every machine of a role carries (the MachineSet template's labels for workers). */
export function roleLabels(role: NodeRole): Record<string, string> {
  return {
    [MachineLabels.cluster]: INFRASTRUCTURE_NAME,
    [MachineLabels.role]: role,
    [MachineLabels.type]: role,
    ...(role === 'worker' ? { [MachineLabels.machineSet]: WORKER_MACHINESET } : {}),
  };
}

/** The machine's addresses as the provider reports them. */
export function machineAddresses(nodeName: string, address: string): { type: string; address: string }[] {
  return [{ type: 'InternalIP', address }, { type: 'Hostname', address: nodeName }, { type: 'InternalDNS', address: nodeName }];
}

/** A stable fake instance id (i-<17 hex>) for a seed such as the host name. */
export function instanceIdOf(seed: string): string {
  let h = 0x811c9dc5;
  let out = '';
  for (let round = 0; out.length < 17; round++) {
    for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619) >>> 0;
    h = Math.imul(h ^ (round + 0x9e37), 16777619) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return `i-${out.slice(0, 17)}`;
}

function runningMachine(name: string, h: HostShape, now: number, topo: Topology): KubeObject {
  const t = rfc3339(now);
  return {
    apiVersion: 'machine.openshift.io/v1beta1',
    kind: 'Machine',
    metadata: {
      name,
      namespace: MACHINE_API_NAMESPACE,
      labels: {
        ...roleLabels(h.role),
        [MachineLabels.instanceType]: h.instanceType,
        [MachineLabels.region]: REGION,
        [MachineLabels.zone]: h.zone,
      },
      annotations: { [INSTANCE_STATE_ANNOTATION]: 'running' },
      finalizers: [MACHINE_FINALIZER],
    },
    spec: {
      metadata: {},
      lifecycleHooks: {},
      providerID: h.providerID,
      providerSpec: { value: providerSpec(h.role, topo, h.role === 'master' ? h.zone : undefined) },
    },
    status: {
      phase: 'Running',
      // The uid is filled in by the machine controller's node link once the Node exists.
      nodeRef: { kind: 'Node', name: h.name },
      addresses: machineAddresses(h.name, hostAddress(h.role, h.index)),
      lastUpdated: t,
      providerStatus: {
        apiVersion: PROVIDER_API_VERSION,
        kind: 'VirtlabMachineProviderStatus',
        instanceId: instanceIdOf(h.name),
        instanceState: 'running',
        launchTime: t,
        zone: h.zone,
      },
      conditions: [{ type: 'InstanceExists', status: 'True', lastTransitionTime: t }],
    },
  };
}

function workerMachineSet(topo: Topology): KubeObject {
  const labels = roleLabels('worker');
  return {
    apiVersion: 'machine.openshift.io/v1beta1',
    kind: 'MachineSet',
    metadata: {
      name: WORKER_MACHINESET,
      namespace: MACHINE_API_NAMESPACE,
      labels: { [MachineLabels.cluster]: INFRASTRUCTURE_NAME },
    },
    spec: {
      replicas: topo.workers,
      selector: { matchLabels: { [MachineLabels.cluster]: INFRASTRUCTURE_NAME, [MachineLabels.machineSet]: WORKER_MACHINESET } },
      template: {
        metadata: { labels },
        spec: { metadata: {}, lifecycleHooks: {}, providerSpec: { value: providerSpec('worker', topo) } },
      },
    },
  };
}

export function bootstrapObjects(topo: Topology, now: number): KubeObject[] {
  const out: KubeObject[] = [];
  for (const ns of SYSTEM_NAMESPACES) {
    out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns } } });
  }
  const hosts: { machine: string; shape: HostShape }[] = [];
  for (let i = 0; i < topo.controlPlanes; i++) {
    const name = controlPlaneName(i);
    const machine = controlPlaneMachineName(i);
    const spec = providerSpec('master', topo);
    hosts.push({ machine, shape: { name, role: 'master', index: i, zone: ZONES[i % ZONES.length], instanceType: spec.instanceType, cpu: spec.cpu, memory: spec.memory, machine: `${MACHINE_API_NAMESPACE}/${machine}`, providerID: providerIDOf(name) } });
  }
  for (let i = 0; i < topo.workers; i++) {
    const name = workerName(i);
    const machine = workerMachineName(i);
    const spec = providerSpec('worker', topo);
    hosts.push({ machine, shape: { name, role: 'worker', index: i, zone: ZONES[i % ZONES.length], instanceType: spec.instanceType, cpu: spec.cpu, memory: spec.memory, machine: `${MACHINE_API_NAMESPACE}/${machine}`, providerID: providerIDOf(name) } });
  }
  for (const h of hosts) out.push(nodeObject(h.shape, now));
  for (const h of hosts) out.push(leaseObject(h.shape.name, now));
  // Worker machines carry no owner here: the MachineSet controller adopts them
  // (the owner's uid is only known once the MachineSet is stored).
  out.push(workerMachineSet(topo));
  for (const h of hosts) out.push(runningMachine(h.machine, h.shape, now, topo));
  out.push({
    apiVersion: 'config.openshift.io/v1',
    kind: 'Network',
    metadata: { name: 'cluster' },
    spec: { clusterNetwork: [{ cidr: '10.128.0.0/14', hostPrefix: 23 }], serviceNetwork: [SERVICE_NETWORK], networkType: 'OVNKubernetes' },
    status: { clusterNetwork: [{ cidr: '10.128.0.0/14', hostPrefix: 23 }], serviceNetwork: [SERVICE_NETWORK], networkType: 'OVNKubernetes', clusterNetworkMTU: 1400 },
  });
  out.push(ingressConfig(now));
  // After the Network config: the API server allocates Service addresses from it.
  out.push(...platformServices());
  return out;
}

const RELEASE_ANNOTATIONS = {
  'include.release.openshift.io/ibm-cloud-managed': 'true',
  'include.release.openshift.io/self-managed-high-availability': 'true',
  'release.openshift.io/create-only': 'true',
};

/** The platform routes the ingress config reports (console, downloads, OAuth), as a fresh cluster has them. */
function componentRoute(namespace: string, name: string, host: string, consumer: string, now: number): Record<string, unknown> {
  const t = rfc3339(now);
  const fqdn = `${host}.${INGRESS_DOMAIN}`;
  return {
    conditions: [
      { lastTransitionTime: t, message: 'All is well', reason: 'AsExpected', status: 'False', type: 'Progressing' },
      { lastTransitionTime: t, message: 'All is well', reason: 'AsExpected', status: 'False', type: 'Degraded' },
    ],
    consumingUsers: [consumer],
    currentHostnames: [fqdn],
    defaultHostname: fqdn,
    name,
    namespace,
    relatedObjects: [{ group: 'route.openshift.io', name, namespace, resource: 'routes' }],
  };
}

function ingressConfig(now: number): KubeObject {
  return {
    apiVersion: 'config.openshift.io/v1',
    kind: 'Ingress',
    metadata: { name: 'cluster', annotations: { ...RELEASE_ANNOTATIONS } },
    spec: { domain: INGRESS_DOMAIN, loadBalancer: { platform: { type: '' } } },
    status: {
      componentRoutes: [
        componentRoute('openshift-authentication', 'oauth-openshift', 'oauth-openshift', 'system:serviceaccount:oauth-openshift:authentication-operator', now),
        componentRoute('openshift-console', 'console', 'console-openshift-console', 'system:serviceaccount:openshift-console-operator:console-operator', now),
        componentRoute('openshift-console', 'downloads', 'downloads-openshift-console', 'system:serviceaccount:openshift-console-operator:console-operator', now),
      ],
      defaultPlacement: 'Workers',
    },
  };
}

function tcp(name: string, port: number, targetPort: number | string, protocol = 'TCP'): Record<string, unknown> {
  return { name, port, protocol, targetPort };
}

/** default/kubernetes, openshift-dns/dns-default and openshift-ingress/router-internal-default. */
function platformServices(): KubeObject[] {
  return [
    {
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { type: 'ClusterIP', clusterIP: KUBERNETES_SERVICE_IP, ports: [tcp('https', 443, 6443)], sessionAffinity: 'None' },
    },
    {
      apiVersion: 'v1', kind: 'Service',
      metadata: {
        name: 'dns-default', namespace: 'openshift-dns',
        labels: { 'dns.operator.openshift.io/owning-dns': 'default' },
        annotations: { 'service.beta.openshift.io/serving-cert-secret-name': 'dns-default-metrics-tls' },
      },
      spec: {
        type: 'ClusterIP', clusterIP: DNS_SERVICE_IP,
        ports: [tcp('dns', 53, 'dns', 'UDP'), tcp('dns-tcp', 53, 'dns-tcp'), tcp('metrics', 9154, 'metrics')],
        selector: { 'dns.operator.openshift.io/daemonset-dns': 'default' },
        sessionAffinity: 'None',
      },
    },
    {
      apiVersion: 'v1', kind: 'Service',
      metadata: {
        name: 'router-internal-default', namespace: 'openshift-ingress',
        labels: { 'ingresscontroller.operator.openshift.io/owning-ingresscontroller': 'default' },
        annotations: { 'service.alpha.openshift.io/serving-cert-secret-name': 'router-metrics-certs-default' },
      },
      spec: {
        type: 'ClusterIP',
        ports: [tcp('http', 80, 'http'), tcp('https', 443, 'https'), tcp('metrics', 1936, 1936)],
        selector: { 'ingresscontroller.operator.openshift.io/deployment-ingresscontroller': 'default' },
        sessionAffinity: 'None',
      },
    },
  ];
}
