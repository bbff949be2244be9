// What the data plane knows of the cluster: Services, their EndpointSlices,
// pods by IP, nodes, admitted Routes, MetalLB's announcements and the faults
// that cut nodes off. Like kube-proxy and HAProxy it reads API objects only;
// the index is rebuilt whenever the store's resourceVersion moved, so every
// request sees the current state without a watch to keep in step.

import type { KubeObject } from '../api/object.ts';
import { nodePoweredOff, nodeReachable } from '../faults/queries.ts';

/** Anything that lists stored objects: the ObjectStore or an API client. */
export interface NetworkReader {
  list(resource: string, namespace?: string): KubeObject[];
  /** Lets the view skip rebuilding while nothing changed. */
  currentResourceVersion?(): number;
}

export const Resources = {
  services: 'services',
  endpointSlices: 'discovery.k8s.io/endpointslices',
  pods: 'pods',
  nodes: 'nodes',
  routes: 'route.openshift.io/routes',
  l2Statuses: 'metallb.io/servicel2statuses',
  l2Advertisements: 'metallb.io/l2advertisements',
  pools: 'metallb.io/ipaddresspools',
  networks: 'config.openshift.io/networks',
  ingresses: 'config.openshift.io/ingresses',
} as const;

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const METALLB_NAMESPACE = 'metallb-system';
const POOL_ANNOTATIONS = ['metallb.io/ip-allocated-from-pool', 'metallb.universe.tf/ip-allocated-from-pool'];

type Json = Record<string, unknown>;
const rec = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const recs = (v: unknown): Json[] => (Array.isArray(v) ? v.map(rec) : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export interface ServicePort {
  name: string;
  port: number;
  protocol: string;
  targetPort: number | string;
  nodePort?: number;
}

export interface ServiceView {
  namespace: string;
  name: string;
  object: KubeObject;
  type: string;
  /** The virtual IP; undefined for headless, ExternalName and not (yet) allocated Services. */
  clusterIP?: string;
  headless: boolean;
  ports: ServicePort[];
  /** sessionAffinity ClientIP and its timeout. */
  clientIpAffinitySeconds?: number;
  externalTrafficPolicy: 'Cluster' | 'Local';
  loadBalancerIPs: string[];
  externalName?: string;
  publishNotReadyAddresses: boolean;
  /** The MetalLB pool the load balancer IP came from. */
  pool?: string;
}

/** One address of one EndpointSlice endpoint, with the slice's ports. */
export interface EndpointView {
  ip: string;
  ports: { name: string; port: number; protocol: string }[];
  /** EndpointSlice conditions; an unset `ready` counts as ready, as the API says. */
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  hostname?: string;
  nodeName?: string;
  /** The pod behind the endpoint (targetRef kind Pod). */
  podName?: string;
}

export interface NodeView {
  name: string;
  internalIP?: string;
  labels: Record<string, string>;
  ready: boolean;
  /** Traffic reaches the node: not powered off, not partitioned. */
  reachable: boolean;
  poweredOff: boolean;
  networkUnavailable: boolean;
}

export interface PodView {
  namespace: string;
  name: string;
  ip: string;
  nodeName?: string;
  phase: string;
  deleting: boolean;
  object: KubeObject;
}

export interface RouteView {
  namespace: string;
  name: string;
  object: KubeObject;
  /** The host the router serves the route on (its admitted status.ingress host). */
  host: string;
  path: string;
  termination?: 'edge' | 'passthrough' | 'reencrypt';
  insecurePolicy: 'None' | 'Allow' | 'Redirect';
  annotations: Record<string, string>;
  createdAt: string;
}

export interface L2StatusView {
  node: string;
  name: string;
}

const key = (ns: string, name: string): string => `${ns}/${name}`;

function servicePorts(spec: Json): ServicePort[] {
  return recs(spec.ports).map((p) => {
    const port = typeof p.port === 'number' ? p.port : 0;
    const tp = p.targetPort;
    const out: ServicePort = {
      name: str(p.name),
      port,
      protocol: str(p.protocol) || 'TCP',
      targetPort: typeof tp === 'number' || (typeof tp === 'string' && tp !== '') ? tp : port,
    };
    if (typeof p.nodePort === 'number' && p.nodePort > 0) out.nodePort = p.nodePort;
    return out;
  });
}

function readService(obj: KubeObject): ServiceView {
  const spec = rec(obj.spec);
  const type = str(spec.type) || 'ClusterIP';
  const ip = str(spec.clusterIP);
  const headless = ip === 'None';
  const annotations = obj.metadata.annotations ?? {};
  const view: ServiceView = {
    namespace: obj.metadata.namespace ?? 'default',
    name: obj.metadata.name ?? '',
    object: obj,
    type,
    headless,
    ports: servicePorts(spec),
    externalTrafficPolicy: spec.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster',
    loadBalancerIPs: recs(rec(rec(obj.status).loadBalancer).ingress).map((i) => str(i.ip)).filter(Boolean),
    publishNotReadyAddresses: spec.publishNotReadyAddresses === true,
  };
  if (ip && !headless && type !== 'ExternalName') view.clusterIP = ip;
  if (type === 'ExternalName' && str(spec.externalName)) view.externalName = str(spec.externalName);
  if (spec.sessionAffinity === 'ClientIP') {
    const t = rec(rec(spec.sessionAffinityConfig).clientIP).timeoutSeconds;
    view.clientIpAffinitySeconds = typeof t === 'number' && t > 0 ? t : 10800;
  }
  const pool = POOL_ANNOTATIONS.map((a) => annotations[a]).find(Boolean);
  if (pool) view.pool = pool;
  return view;
}

function readSliceEndpoints(slice: Json): EndpointView[] {
  const ports = recs(slice.ports).map((p) => ({ name: str(p.name), port: typeof p.port === 'number' ? p.port : 0, protocol: str(p.protocol) || 'TCP' }));
  const out: EndpointView[] = [];
  for (const e of recs(slice.endpoints)) {
    const c = rec(e.conditions);
    const ready = c.ready !== false;
    const ref = rec(e.targetRef);
    for (const ip of Array.isArray(e.addresses) ? e.addresses.map(str).filter(Boolean) : []) {
      const v: EndpointView = {
        ip,
        ports,
        ready,
        serving: c.serving === undefined || c.serving === null ? ready : c.serving === true,
        terminating: c.terminating === true,
      };
      if (str(e.hostname)) v.hostname = str(e.hostname);
      if (str(e.nodeName)) v.nodeName = str(e.nodeName);
      if (str(ref.kind) === 'Pod' && str(ref.name)) v.podName = str(ref.name);
      out.push(v);
    }
  }
  return out;
}

function readRoute(obj: KubeObject): RouteView | undefined {
  const spec = rec(obj.spec);
  // Only what a router admitted is served; the host is the one it admitted.
  const admitted = recs(rec(obj.status).ingress).find((i) => recs(i.conditions).some((c) => c.type === 'Admitted' && c.status === 'True'));
  if (!admitted) return undefined;
  const host = (str(admitted.host) || str(spec.host)).toLowerCase();
  if (!host) return undefined;
  const tls = rec(spec.tls);
  const term = str(tls.termination);
  const policy = str(tls.insecureEdgeTerminationPolicy);
  const view: RouteView = {
    namespace: obj.metadata.namespace ?? 'default',
    name: obj.metadata.name ?? '',
    object: obj,
    host,
    path: str(spec.path),
    insecurePolicy: policy === 'Allow' || policy === 'Redirect' ? policy : 'None',
    annotations: obj.metadata.annotations ?? {},
    createdAt: obj.metadata.creationTimestamp ?? '',
  };
  if (term === 'edge' || term === 'passthrough' || term === 'reencrypt') view.termination = term;
  return view;
}

function readNode(obj: KubeObject, reader: NetworkReader): NodeView {
  const status = rec(obj.status);
  const name = obj.metadata.name ?? '';
  const conds = recs(status.conditions);
  const internal = recs(status.addresses).find((a) => a.type === 'InternalIP');
  const view: NodeView = {
    name,
    labels: obj.metadata.labels ?? {},
    ready: conds.some((c) => c.type === 'Ready' && c.status === 'True'),
    reachable: nodeReachable(reader, name),
    poweredOff: nodePoweredOff(reader, name),
    networkUnavailable: conds.some((c) => c.type === 'NetworkUnavailable' && c.status === 'True'),
  };
  if (internal && str(internal.address)) view.internalIP = str(internal.address);
  return view;
}

/** A consistent picture of the cluster network at one resourceVersion. */
export class NetworkSnapshot {
  readonly services = new Map<string, ServiceView>();
  readonly servicesByClusterIP = new Map<string, ServiceView>();
  readonly servicesByLoadBalancerIP = new Map<string, ServiceView[]>();
  readonly servicesByNodePort = new Map<number, ServiceView>();
  readonly endpointsByService = new Map<string, EndpointView[]>();
  readonly podsByIP = new Map<string, PodView>();
  readonly nodes = new Map<string, NodeView>();
  readonly nodesByIP = new Map<string, NodeView>();
  /** Admitted routes by host, oldest first (the router's precedence for equal paths). */
  readonly routesByHost = new Map<string, RouteView[]>();
  readonly l2Statuses = new Map<string, L2StatusView>();
  readonly clusterNetworks: string[];
  readonly serviceNetworks: string[];
  /** The wildcard DNS domains of the ingress (apps.<cluster>.<base>, and spec.appsDomain when set). */
  readonly appsDomains: string[];

  constructor(private readonly reader: NetworkReader) {
    for (const n of reader.list(Resources.nodes)) {
      const v = readNode(n, reader);
      this.nodes.set(v.name, v);
      if (v.internalIP) this.nodesByIP.set(v.internalIP, v);
    }
    for (const s of reader.list(Resources.services)) {
      const v = readService(s);
      this.services.set(key(v.namespace, v.name), v);
      if (v.clusterIP) this.servicesByClusterIP.set(v.clusterIP, v);
      for (const ip of v.loadBalancerIPs) this.servicesByLoadBalancerIP.set(ip, [...(this.servicesByLoadBalancerIP.get(ip) ?? []), v]);
      if (v.type === 'NodePort' || v.type === 'LoadBalancer') {
        for (const p of v.ports) if (p.nodePort) this.servicesByNodePort.set(p.nodePort, v);
      }
    }
    for (const slice of reader.list(Resources.endpointSlices)) {
      const svc = slice.metadata.labels?.[SERVICE_NAME_LABEL];
      if (!svc) continue;
      const k = key(slice.metadata.namespace ?? 'default', svc);
      this.endpointsByService.set(k, [...(this.endpointsByService.get(k) ?? []), ...readSliceEndpoints(slice as unknown as Json)]);
    }
    for (const p of reader.list(Resources.pods)) {
      const status = rec(p.status);
      const ip = str(status.podIP);
      if (!ip) continue;
      const spec = rec(p.spec);
      // Host-network pods share their node's address; the node answers for it.
      if (spec.hostNetwork === true) continue;
      const view: PodView = {
        namespace: p.metadata.namespace ?? 'default',
        name: p.metadata.name ?? '',
        ip,
        phase: str(status.phase),
        deleting: !!p.metadata.deletionTimestamp,
        object: p,
      };
      if (str(spec.nodeName)) view.nodeName = str(spec.nodeName);
      const prev = this.podsByIP.get(ip);
      // A finished pod may still show the address a running one now holds.
      if (!prev || (prev.phase !== 'Running' && view.phase === 'Running')) this.podsByIP.set(ip, view);
    }
    const routes = reader.list(Resources.routes).map(readRoute).filter((r): r is RouteView => !!r)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || key(a.namespace, a.name).localeCompare(key(b.namespace, b.name)));
    for (const r of routes) this.routesByHost.set(r.host, [...(this.routesByHost.get(r.host) ?? []), r]);
    for (const st of reader.list(Resources.l2Statuses, METALLB_NAMESPACE)) {
      const status = rec(st.status);
      const labels = st.metadata.labels ?? {};
      const ns = str(status.serviceNamespace) || labels['metallb.io/service-namespace'] || '';
      const name = str(status.serviceName) || labels['metallb.io/service-name'] || '';
      const node = str(status.node) || labels['metallb.io/node'] || '';
      if (ns && name && node) this.l2Statuses.set(key(ns, name), { node, name: st.metadata.name ?? '' });
    }
    const network = reader.list(Resources.networks).find((n) => n.metadata.name === 'cluster');
    const netSpec = rec(network?.spec);
    const cidrs = (v: unknown): string[] => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : str(rec(x).cidr))).filter(Boolean) : []);
    this.clusterNetworks = cidrs(netSpec.clusterNetwork).length ? cidrs(netSpec.clusterNetwork) : ['10.128.0.0/14'];
    this.serviceNetworks = cidrs(netSpec.serviceNetwork).length ? cidrs(netSpec.serviceNetwork) : ['172.30.0.0/16'];
    this.appsDomains = readAppsDomains(reader, routes);
  }

  service(namespace: string, name: string): ServiceView | undefined {
    return this.services.get(key(namespace, name));
  }

  /** Every endpoint address of a Service, from all its EndpointSlices. */
  endpoints(svc: { namespace: string; name: string }): EndpointView[] {
    return this.endpointsByService.get(key(svc.namespace, svc.name)) ?? [];
  }

  /** Objects the view does not index (L2Advertisements, pools) straight from the reader. */
  list(resource: string, namespace?: string): KubeObject[] {
    return this.reader.list(resource, namespace);
  }
}

/** The ingress domains from the cluster Ingress config, else from what the router publishes on routes. */
function readAppsDomains(reader: NetworkReader, routes: RouteView[]): string[] {
  const ingress = reader.list(Resources.ingresses).find((i) => i.metadata.name === 'cluster');
  const spec = rec(ingress?.spec);
  const configured = [str(spec.domain), str(spec.appsDomain)].filter(Boolean).map((d) => d.toLowerCase());
  if (configured.length) return [...new Set(configured)];
  for (const r of routes) {
    for (const i of recs(rec(r.object.status).ingress)) {
      const canonical = str(i.routerCanonicalHostname).toLowerCase();
      const dot = canonical.indexOf('.');
      if (canonical.startsWith('router-') && dot > 0) return [canonical.slice(dot + 1)];
    }
  }
  return [];
}

/** The current snapshot, rebuilt only when the store changed since the last one. */
export class NetworkView {
  private cached?: NetworkSnapshot;
  private cachedVersion = -1;

  constructor(private readonly reader: NetworkReader) {}

  current(): NetworkSnapshot {
    const rv = this.reader.currentResourceVersion?.();
    if (this.cached && rv !== undefined && rv === this.cachedVersion) return this.cached;
    this.cached = new NetworkSnapshot(this.reader);
    this.cachedVersion = rv ?? -1;
    return this.cached;
  }
}
