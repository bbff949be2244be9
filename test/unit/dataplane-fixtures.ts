// A cluster for data-plane tests: the API and the guests, no controllers and
// no admission plugins, so the objects the test writes through the API
// (Services with their cluster IPs, EndpointSlices, admitted Routes,
// ServiceL2Status) are exactly what the data plane reads, as kube-proxy and
// HAProxy would read what the other controllers wrote.

import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { ManualClock } from '../../sandbox/sim/clock.ts';
import type { Cluster } from '../../sandbox/sim/cluster.ts';
import { controllerFactories } from '../../sandbox/sim/controllers/index.ts';
import { DataPlane } from '../../sandbox/sim/dataplane/dataplane.ts';
import type { DataPlaneRequest, DataPlaneResponse, Delivery } from '../../sandbox/sim/dataplane/http-message.ts';
import { SimHost } from '../../sandbox/sim/host.ts';
import type { ClusterClient } from '../../sandbox/sim/runtime/client.ts';
import { INGRESS_DOMAIN } from '../../sandbox/sim/topology.ts';

export { INGRESS_DOMAIN };

export const NS = 'ha-lab';
export const SLICES = 'discovery.k8s.io/endpointslices';
export const ROUTES = 'route.openshift.io/routes';
export const L2STATUSES = 'metallb.io/servicel2statuses';

/** A repeatable source of randomness (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface NetLab {
  host: SimHost;
  cluster: Cluster;
  clock: ManualClock;
  admin: ClusterClient;
  plane: DataPlane;
  close(): void;
}

export async function startNetLab(seed = 7): Promise<NetLab> {
  // This test process runs no controllers: the test plays them.
  controllerFactories.length = 0;
  const clock = new ManualClock('2026-03-01T10:00:00Z');
  const host = new SimHost();
  const cluster = await host.createCluster({ name: `net-${Math.random().toString(36).slice(2)}`, clock, topology: { workers: 3, controlPlanes: 1 }, admissionPlugins: [] });
  const admin = cluster.client('kube:admin', 'test');
  await admin.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  return { host, cluster, clock, admin, plane: new DataPlane(cluster, { random: seeded(seed) }), close: () => host.deleteCluster(cluster.name) };
}

export interface PortSpec {
  name?: string;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
}

export async function createService(lab: NetLab, name: string, spec: { clusterIP?: string; type?: string; ports: PortSpec[]; extra?: Record<string, unknown>; annotations?: Record<string, string> }): Promise<KubeObject> {
  return lab.admin.create('services', {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name, namespace: NS, ...(spec.annotations ? { annotations: spec.annotations } : {}) },
    spec: { type: spec.type ?? 'ClusterIP', ...(spec.clusterIP ? { clusterIP: spec.clusterIP } : {}), ports: spec.ports.map((p) => ({ protocol: 'TCP', ...p })), ...spec.extra },
  });
}

export interface EndpointSpec {
  ip: string;
  pod: string;
  node: string;
  ready?: boolean;
  hostname?: string;
}

/** The EndpointSlice the endpoint-slice controller would write for a Service. */
export async function writeSlice(lab: NetLab, service: string, endpoints: EndpointSpec[], ports: { name?: string; port: number }[], sliceName = `${service}-abcde`): Promise<void> {
  const slice: KubeObject = {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: sliceName, namespace: NS, labels: { 'kubernetes.io/service-name': service, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } },
    addressType: 'IPv4',
    ports: ports.map((p) => ({ name: p.name ?? '', port: p.port, protocol: 'TCP' })),
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: e.ready ?? true, serving: e.ready ?? true, terminating: false },
      nodeName: e.node,
      targetRef: { kind: 'Pod', name: e.pod, namespace: NS },
      ...(e.hostname ? { hostname: e.hostname } : {}),
    })),
  };
  const existing = lab.admin.get(SLICES, NS, sliceName);
  if (existing) await lab.admin.update(SLICES, { ...slice, metadata: { ...slice.metadata, resourceVersion: existing.metadata.resourceVersion } });
  else await lab.admin.create(SLICES, slice);
}

/** A running virt-launcher pod with its IP, and the booted guest behind it (webserver image: httpd on 8080). */
export async function runGuest(lab: NetLab, vmName: string, ip: string, node: string, image = 'quay.io/virtlab/webserver:latest'): Promise<string> {
  const podName = `virt-launcher-${vmName}-x${vmName.length}abc`;
  await lab.admin.create('pods', {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: podName, namespace: NS, labels: { 'kubevirt.io': 'virt-launcher', 'vm.kubevirt.io/name': vmName } },
    spec: { nodeName: node, containers: [{ name: 'compute', image: 'quay.io/kubevirt/virt-launcher:v1.5.0' }] },
  });
  const pod = lab.admin.get('pods', NS, podName)!;
  await lab.admin.updateStatus('pods', { ...structuredClone(pod), status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], hostIP: '192.168.126.51' } });
  const vmi: KubeObject = {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance',
    metadata: { name: vmName, namespace: NS, uid: `uid-${vmName}` },
    spec: {
      domain: { devices: { disks: [{ name: 'rootdisk', disk: { bus: 'virtio' } }], interfaces: [{ name: 'default', masquerade: {} }] } },
      networks: [{ name: 'default', pod: {} }],
      volumes: [{ name: 'rootdisk', containerDisk: { image } }],
    },
  };
  lab.cluster.guests.boot(vmi, ip);
  return podName;
}

export async function createRoute(lab: NetLab, name: string, host: string, spec: Record<string, unknown>, annotations: Record<string, string> = {}, admitted = true): Promise<KubeObject> {
  await lab.admin.create(ROUTES, {
    apiVersion: 'route.openshift.io/v1', kind: 'Route',
    metadata: { name, namespace: NS, annotations },
    spec: { host, ...spec },
  });
  const r = lab.admin.get(ROUTES, NS, name)!;
  const condition = admitted
    ? { type: 'Admitted', status: 'True', lastTransitionTime: '2026-03-01T10:00:00Z' }
    : { type: 'Admitted', status: 'False', reason: 'HostAlreadyClaimed', message: 'route other already exposes it and is older', lastTransitionTime: '2026-03-01T10:00:00Z' };
  return lab.admin.updateStatus(ROUTES, {
    ...structuredClone(r),
    status: { ingress: [{ host, routerName: 'default', wildcardPolicy: 'None', routerCanonicalHostname: `router-default.${INGRESS_DOMAIN}`, conditions: [condition] }] },
  });
}

/** A plain request from outside, with the headers curl sends. */
export function outside(url: string, headers: [string, string][] = []): DataPlaneRequest {
  const u = new URL(url);
  return {
    method: 'GET',
    host: u.hostname,
    port: u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80,
    path: `${u.pathname}${u.search}`,
    scheme: u.protocol === 'https:' ? 'https' : 'http',
    headers: [['Host', u.host], ['User-Agent', 'curl/8.6.0'], ['Accept', '*/*'], ...headers],
    clientIp: '192.168.126.1',
  };
}

export function header(r: DataPlaneResponse, name: string): string | undefined {
  return r.headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
}

/** The guest that answered ("Hello from web-1" → web-1). */
export function servedBy(d: Delivery): string {
  if ('error' in d) return `<${d.error}>`;
  const m = /Hello from ([\w-]+)/.exec(d.body);
  return m ? m[1] : `<${d.status}>`;
}
