// Networking reads: Services and the endpoints behind them (which VMI each
// endpoint is), Routes, and MetalLB's pools and advertisements.

import type { V1Endpoints, V1Pod, V1Service } from '@kubernetes/client-node';
import type { IPAddressPool, L2Advertisement, Route } from '../kinds.ts';
import type { ClusterConnection } from '../types.ts';
import { apiClients, byName, getCustom, getOrUndefined, listCustom, readOrThrow, Resources, selectorString, type ListOptions } from './client.ts';
import { vmiForPod } from './kubevirt.ts';

/** MetalLB reads its configuration only from its own namespace. */
export const METALLB_NAMESPACE = 'metallb-system';
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export function getService(conn: ClusterConnection, namespace: string, name: string): Promise<V1Service | undefined> {
  return getOrUndefined(apiClients(conn).core.readNamespacedService({ namespace, name }), `service ${namespace}/${name}`);
}

export async function listServices(conn: ClusterConnection, namespace: string, opts: ListOptions = {}): Promise<V1Service[]> {
  const list = await readOrThrow(apiClients(conn).core.listNamespacedService({
    namespace, labelSelector: selectorString(opts.labelSelector), fieldSelector: opts.fieldSelector,
  }), `services in namespace ${namespace}`);
  return byName(list.items);
}

/** The legacy core/v1 Endpoints object of a Service. */
export function getEndpoints(conn: ClusterConnection, namespace: string, name: string): Promise<V1Endpoints | undefined> {
  return getOrUndefined(apiClients(conn).core.readNamespacedEndpoints({ namespace, name }), `endpoints ${namespace}/${name}`);
}

/** One backend of a Service as the data plane sees it. */
export interface ServiceEndpoint {
  address: string;
  /** Ready to receive traffic (EndpointSlice conditions.ready; unset counts as ready). */
  ready: boolean;
  serving?: boolean;
  terminating?: boolean;
  nodeName?: string;
  /** The pod behind the endpoint (targetRef). */
  podName?: string;
  /** The VMI that pod runs, when it is a virt-launcher pod. */
  vmiName?: string;
  ports: { name?: string; port?: number; protocol?: string }[];
}

/**
 * Every endpoint of a Service, from the EndpointSlices labelled
 * kubernetes.io/service-name (or, when there are none, the Endpoints object),
 * each mapped to its pod and VMI. Sorted by VMI (then pod, then address) name.
 */
export async function serviceEndpoints(conn: ClusterConnection, namespace: string, service: string): Promise<ServiceEndpoint[]> {
  const { core, discovery } = apiClients(conn);
  const slices = await readOrThrow(discovery.listNamespacedEndpointSlice({ namespace, labelSelector: `${SERVICE_NAME_LABEL}=${service}` }),
    `EndpointSlices of service ${namespace}/${service}`);
  const found = new Map<string, ServiceEndpoint>();
  for (const slice of slices.items) {
    const ports = (slice.ports ?? []).map((p) => ({ name: p.name, port: p.port, protocol: p.protocol }));
    for (const ep of slice.endpoints ?? []) {
      const address = ep.addresses[0];
      if (address === undefined || found.has(address)) continue;
      found.set(address, {
        address,
        ready: ep.conditions?.ready !== false,
        serving: ep.conditions?.serving,
        terminating: ep.conditions?.terminating,
        nodeName: ep.nodeName,
        podName: ep.targetRef?.kind === 'Pod' ? ep.targetRef.name : undefined,
        ports,
      });
    }
  }
  if (slices.items.length === 0) {
    const eps = await getEndpoints(conn, namespace, service);
    for (const subset of eps?.subsets ?? []) {
      const ports = (subset.ports ?? []).map((p) => ({ name: p.name, port: p.port, protocol: p.protocol }));
      for (const [list, ready] of [[subset.addresses ?? [], true], [subset.notReadyAddresses ?? [], false]] as const) {
        for (const a of list) {
          if (found.has(a.ip)) continue;
          found.set(a.ip, {
            address: a.ip, ready, nodeName: a.nodeName,
            podName: a.targetRef?.kind === 'Pod' ? a.targetRef.name : undefined, ports,
          });
        }
      }
    }
  }
  const endpoints = [...found.values()];
  if (endpoints.some((e) => e.podName)) {
    const pods = await readOrThrow(core.listNamespacedPod({ namespace }), `pods in namespace ${namespace}`);
    const byPod = new Map<string, V1Pod>(pods.items.map((p) => [p.metadata?.name ?? '', p]));
    for (const e of endpoints) {
      const pod = e.podName ? byPod.get(e.podName) : undefined;
      if (pod) e.vmiName = vmiForPod(pod);
    }
  }
  const key = (e: ServiceEndpoint): string => `${e.vmiName ?? '~'}/${e.podName ?? '~'}/${e.address}`;
  return endpoints.sort((a, b) => key(a).localeCompare(key(b)));
}

/** The endpoints that receive traffic. */
export async function readyEndpoints(conn: ClusterConnection, namespace: string, service: string): Promise<ServiceEndpoint[]> {
  return (await serviceEndpoints(conn, namespace, service)).filter((e) => e.ready);
}

/** The ready endpoints of a Service by what backs each: its VMI, else its pod, else its address. */
export async function readyEndpointsByBackend(conn: ClusterConnection, namespace: string, service: string): Promise<Map<string, ServiceEndpoint>> {
  const ready = new Map<string, ServiceEndpoint>();
  for (const e of await serviceEndpoints(conn, namespace, service)) if (e.ready) ready.set(e.vmiName ?? e.podName ?? e.address, e);
  return ready;
}

/** True when the VMI is a ready endpoint of the Service (it receives the Service's traffic). */
export async function isReadyEndpoint(conn: ClusterConnection, namespace: string, service: string, vmiName: string): Promise<boolean> {
  return (await serviceEndpoints(conn, namespace, service)).some((e) => e.vmiName === vmiName && e.ready);
}

/** The first address MetalLB (or any load balancer) assigned to the Service. */
export function loadBalancerIp(svc: V1Service | undefined): string | undefined {
  const ingress = svc?.status?.loadBalancer?.ingress?.[0];
  return ingress?.ip ?? ingress?.hostname;
}

export function getRoute(conn: ClusterConnection, namespace: string, name: string): Promise<Route | undefined> {
  return getCustom<Route>(conn, Resources.routes, namespace, name);
}

export function listRoutes(conn: ClusterConnection, namespace: string | undefined, opts?: ListOptions): Promise<Route[]> {
  return listCustom<Route>(conn, Resources.routes, namespace, opts);
}

/** True when a router admitted the Route (status.ingress[].conditions Admitted=True). */
export function isRouteAdmitted(route: Route | undefined): boolean {
  return (route?.status?.ingress ?? []).some((i) => (i.conditions ?? []).some((c) => c.type === 'Admitted' && c.status === 'True'));
}

/** The host clients use: the admitted ingress host, else spec.host. */
export function routeHost(route: Route | undefined): string | undefined {
  const admitted = (route?.status?.ingress ?? []).find((i) => (i.conditions ?? []).some((c) => c.type === 'Admitted' && c.status === 'True'));
  return admitted?.host ?? route?.spec?.host;
}

export function getIpAddressPool(conn: ClusterConnection, name: string, namespace = METALLB_NAMESPACE): Promise<IPAddressPool | undefined> {
  return getCustom<IPAddressPool>(conn, Resources.ipAddressPools, namespace, name);
}

export function listIpAddressPools(conn: ClusterConnection, namespace = METALLB_NAMESPACE, opts?: ListOptions): Promise<IPAddressPool[]> {
  return listCustom<IPAddressPool>(conn, Resources.ipAddressPools, namespace, opts);
}

export function listL2Advertisements(conn: ClusterConnection, namespace = METALLB_NAMESPACE, opts?: ListOptions): Promise<L2Advertisement[]> {
  return listCustom<L2Advertisement>(conn, Resources.l2Advertisements, namespace, opts);
}
