// core/v1 Service: a stable virtual IP and DNS name for a set of pods.
// Defaults and validation follow the apiserver; cluster IP and node port
// allocation are the API server's job (admission/service-allocation.ts), but
// this strategy keeps allocated values an update omits and wipes the ones a
// type change leaves without use, as upstream's service strategy does.

import type { KubeObject } from '../../api/object.ts';
import type { KindDef } from '../types.ts';
import { definitions, META } from '../meta.ts';
import { bool, enumOf, int, intOrString, obj, ref, str, stringMap } from '../schema.ts';
import { CORE, atomicList, conditionList, coreRef, mapList } from './definitions.ts';
import {
  dns1123Label, dns1123Subdomain, duplicate, forbidden, invalid, labelValueErrors, notSupported, PORT_RANGE,
  qualifiedNameErrors, required, validatePortNumOrName, validPortNumber, type FieldErrors,
} from './field-errors.ts';
import { ageColumn, formatLabels, record, records, spec, status, text, type Json } from './table-cells.ts';
import { jsonClone } from '../../api/json-clone.ts';

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const AFFINITIES = ['ClientIP', 'None'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];

definitions.define(`${CORE}.ServicePort`, obj({
  name: str('Name of the port, a DNS label; required when the Service has several ports. Endpoints refer to it.'),
  protocol: enumOf(PROTOCOLS, 'TCP, UDP or SCTP. Defaults to TCP.'),
  appProtocol: str('Application protocol, e.g. http or kubernetes.io/h2c; a hint for implementations.'),
  port: int('Port the Service exposes.'),
  targetPort: intOrString('Port number or named container port on the pods. Defaults to port.'),
  nodePort: int('Port on every node for NodePort and LoadBalancer Services; allocated when unset.'),
}, { required: ['port'], description: 'A port of a Service and the pod port it forwards to.' }));

definitions.define(`${CORE}.ClientIPConfig`, obj({
  timeoutSeconds: int('How long a client stays on the same pod. Defaults to 10800 (3 hours).'),
}, { description: 'Settings of ClientIP session affinity.' }));

definitions.define(`${CORE}.SessionAffinityConfig`, obj({
  clientIP: coreRef('ClientIPConfig', 'ClientIP affinity settings.'),
}, { description: 'Settings of session affinity.' }));

definitions.define(`${CORE}.ServiceSpec`, obj({
  ports: mapList(coreRef('ServicePort'), ['port', 'protocol'], 'Ports the Service exposes.', { key: 'port' }),
  selector: { ...stringMap('Pods with all these labels receive the traffic. Without a selector, endpoints are managed by hand.'), 'x-kubernetes-map-type': 'atomic' },
  clusterIP: str('Virtual IP of the Service, allocated when unset; "None" makes a headless Service. Cannot be changed.'),
  clusterIPs: atomicList(str(), 'Virtual IPs of the Service, one per address family; the first equals clusterIP.'),
  type: enumOf(SERVICE_TYPES, 'ClusterIP (default), NodePort, LoadBalancer or ExternalName.'),
  externalIPs: atomicList(str(), 'Extra IPs, not managed by Kubernetes, on which nodes accept traffic for the Service.'),
  sessionAffinity: enumOf(AFFINITIES, 'ClientIP keeps a client on one pod; None (default) balances every connection.'),
  loadBalancerIP: str('Deprecated: requested load balancer IP; use your implementation\'s annotation.'),
  loadBalancerSourceRanges: atomicList(str(), 'Client CIDRs allowed through the load balancer.'),
  externalName: str('DNS name this ExternalName Service is an alias (CNAME) of.'),
  externalTrafficPolicy: enumOf(TRAFFIC_POLICIES, 'Cluster (default) or Local: whether external traffic may cross nodes (Local keeps the client IP).'),
  healthCheckNodePort: int('Node port for load balancer health checks with externalTrafficPolicy Local.'),
  publishNotReadyAddresses: bool('Publish endpoints of pods that are not ready (DNS for StatefulSet peers).'),
  sessionAffinityConfig: coreRef('SessionAffinityConfig', 'Session affinity settings.'),
  ipFamilies: atomicList(str(), 'Address families of the Service: IPv4, IPv6.'),
  ipFamilyPolicy: str('SingleStack, PreferDualStack or RequireDualStack.'),
  allocateLoadBalancerNodePorts: bool('Whether LoadBalancer Services get node ports. Defaults to true.'),
  loadBalancerClass: str('Load balancer implementation that owns this Service; set at creation only.'),
  internalTrafficPolicy: enumOf(TRAFFIC_POLICIES, 'Cluster (default) or Local: whether in-cluster traffic may cross nodes.'),
  trafficDistribution: str('Preference for routing traffic, e.g. PreferClose.'),
}, { description: 'The desired state of a Service.' }));

definitions.define(`${CORE}.PortStatus`, obj({
  port: int('Port number.'),
  protocol: str('TCP, UDP or SCTP.'),
  error: str('Why the port is not available.'),
}, { description: 'The status of one load balancer port.' }));

definitions.define(`${CORE}.LoadBalancerIngress`, obj({
  ip: str('IP address of the load balancer.'),
  hostname: str('DNS name of the load balancer.'),
  ipMode: str('VIP (traffic arrives with the load balancer IP as destination) or Proxy.'),
  ports: atomicList(coreRef('PortStatus'), 'Status of each port.'),
}, { description: 'One entry point of a load balancer.' }));

definitions.define(`${CORE}.LoadBalancerStatus`, obj({
  ingress: atomicList(coreRef('LoadBalancerIngress'), 'Addresses of the load balancer.'),
}, { description: 'The state of a load balancer.' }));

definitions.define(`${CORE}.ServiceStatus`, obj({
  loadBalancer: coreRef('LoadBalancerStatus', 'The load balancer, for LoadBalancer Services.'),
  conditions: conditionList(ref(`${META}.Condition`), 'Current conditions of the Service.'),
}, { description: 'The observed state of a Service.' }));

// ---- printing ------------------------------------------------------------------------

/** EXTERNAL-IP as the apiserver prints it (wide form: never truncated). */
export function serviceExternalIP(svc: KubeObject): string {
  const s = spec(svc);
  const externalIPs = (Array.isArray(s.externalIPs) ? s.externalIPs : []).map(text).filter(Boolean);
  switch (text(s.type)) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = new Set<string>();
      for (const i of records(record(status(svc).loadBalancer).ingress)) {
        if (text(i.ip)) lb.add(text(i.ip));
        else if (text(i.hostname)) lb.add(text(i.hostname));
      }
      const lbIPs = [...lb].sort();
      if (externalIPs.length) return [...lbIPs, ...externalIPs].join(',');
      return lbIPs.length ? lbIPs.join(',') : '<pending>';
    }
    case 'ExternalName':
      return text(s.externalName);
    default:
      return '<unknown>';
  }
}

/** PORT(S): "80/TCP", "80:30080/TCP", comma-separated; "<none>" without ports. */
export function servicePorts(svc: KubeObject): string {
  const parts = records(spec(svc).ports).map((p) => {
    const port = typeof p.port === 'number' ? p.port : 0;
    const protocol = text(p.protocol);
    return typeof p.nodePort === 'number' && p.nodePort > 0 ? `${port}:${p.nodePort}/${protocol}` : `${port}/${protocol}`;
  });
  return parts.length ? parts.join(',') : '<none>';
}

function clusterIPCell(svc: KubeObject): string {
  const s = spec(svc);
  const ips = Array.isArray(s.clusterIPs) ? s.clusterIPs : [];
  return text(ips[0]) || '<none>';
}

// ---- defaults and validation ---------------------------------------------------------

function unset(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

function defaultService(o: KubeObject): void {
  if (!o.spec || typeof o.spec !== 'object') o.spec = {};
  const s = o.spec as Json;
  if (unset(s.sessionAffinity)) s.sessionAffinity = 'None';
  if (unset(s.type)) s.type = 'ClusterIP';
  if (s.sessionAffinity === 'ClientIP') {
    const cfg = record(s.sessionAffinityConfig);
    const clientIP = record(cfg.clientIP);
    if (clientIP.timeoutSeconds === undefined) clientIP.timeoutSeconds = 10800;
    cfg.clientIP = clientIP;
    s.sessionAffinityConfig = cfg;
  }
  for (const p of records(s.ports)) {
    if (unset(p.protocol)) p.protocol = 'TCP';
    if (unset(p.targetPort) || p.targetPort === 0) p.targetPort = p.port;
  }
  if ((s.type === 'NodePort' || s.type === 'LoadBalancer') && unset(s.externalTrafficPolicy)) s.externalTrafficPolicy = 'Cluster';
  if (s.type !== 'ExternalName' && unset(s.internalTrafficPolicy)) s.internalTrafficPolicy = 'Cluster';
  if (s.type === 'LoadBalancer' && s.allocateLoadBalancerNodePorts === undefined) s.allocateLoadBalancerNodePorts = true;
  // clusterIP and clusterIPs[0] are one value.
  const ips = Array.isArray(s.clusterIPs) ? s.clusterIPs : [];
  if (!unset(s.clusterIP) && !ips.length) s.clusterIPs = [s.clusterIP];
  else if (unset(s.clusterIP) && ips.length) s.clusterIP = ips[0];
  if (s.type !== 'ExternalName') {
    // A headless Service without a selector defaults to dual stack, even on a single-stack cluster.
    const headlessSelectorless = s.clusterIP === 'None' && !Object.keys(record(s.selector)).length;
    if (unset(s.ipFamilyPolicy)) s.ipFamilyPolicy = headlessSelectorless ? 'RequireDualStack' : 'SingleStack';
    if (!Array.isArray(s.ipFamilies) || !s.ipFamilies.length) {
      s.ipFamilies = headlessSelectorless && s.ipFamilyPolicy !== 'SingleStack' ? ['IPv4', 'IPv6'] : ['IPv4'];
    }
  }
}

function isHeadless(s: Json): boolean {
  return s.clusterIP === 'None';
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function validateService(o: KubeObject): FieldErrors {
  const s = spec(o);
  const errs: FieldErrors = [];
  const type = text(s.type);
  const ports = records(s.ports);
  if (!SERVICE_TYPES.includes(type)) errs.push(notSupported('spec.type', type, SERVICE_TYPES));
  if (!ports.length && !isHeadless(s) && type !== 'ExternalName') errs.push(required('spec.ports'));
  if (type === 'ExternalName') {
    if (!unset(s.clusterIP)) errs.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    const name = text(s.externalName).replace(/\.$/, '');
    if (!name) errs.push(required('spec.externalName'));
    else errs.push(...dns1123Subdomain(name, 'spec.externalName'));
  } else if (!unset(s.clusterIP) && s.clusterIP !== 'None' && !IPV4.test(text(s.clusterIP))) {
    errs.push(invalid('spec.clusterIPs[0]', s.clusterIP, 'must be a valid IP address (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  }
  const names = new Set<string>();
  const keys = new Set<string>();
  ports.forEach((p, i) => {
    const pp = `spec.ports[${i}]`;
    const name = text(p.name);
    if (ports.length > 1 && !name) errs.push(required(`${pp}.name`));
    else if (name) {
      errs.push(...dns1123Label(name, `${pp}.name`));
      if (names.has(name)) errs.push(duplicate(`${pp}.name`, name));
      names.add(name);
    }
    if (!validPortNumber(p.port)) errs.push(invalid(`${pp}.port`, p.port ?? 0, PORT_RANGE));
    const protocol = text(p.protocol);
    if (!protocol) errs.push(required(`${pp}.protocol`));
    else if (!PROTOCOLS.includes(protocol)) errs.push(notSupported(`${pp}.protocol`, protocol, PROTOCOLS));
    errs.push(...validatePortNumOrName(p.targetPort, `${pp}.targetPort`));
    if (typeof p.nodePort === 'number' && p.nodePort !== 0) {
      if (type === 'ClusterIP') errs.push(forbidden(`${pp}.nodePort`, 'may not be used when `type` is \'ClusterIP\''));
      else if (!validPortNumber(p.nodePort)) errs.push(invalid(`${pp}.nodePort`, p.nodePort, PORT_RANGE));
    }
    const key = `${String(p.port)}/${protocol}`;
    if (keys.has(key)) errs.push(duplicate(pp, { port: p.port, protocol }));
    keys.add(key);
  });
  for (const [k, v] of Object.entries(record(s.selector))) {
    errs.push(...qualifiedNameErrors(k).map((d) => invalid('spec.selector', k, d)));
    errs.push(...labelValueErrors(text(v)).map((d) => invalid('spec.selector', v, d)));
  }
  if (!AFFINITIES.includes(text(s.sessionAffinity))) errs.push(notSupported('spec.sessionAffinity', s.sessionAffinity, AFFINITIES));
  if (!unset(s.externalTrafficPolicy)) {
    if (type !== 'NodePort' && type !== 'LoadBalancer') {
      errs.push(invalid('spec.externalTrafficPolicy', s.externalTrafficPolicy, 'may only be set when `type` is \'NodePort\' or \'LoadBalancer\''));
    } else if (!TRAFFIC_POLICIES.includes(text(s.externalTrafficPolicy))) {
      errs.push(notSupported('spec.externalTrafficPolicy', s.externalTrafficPolicy, TRAFFIC_POLICIES));
    }
  }
  if (type !== 'LoadBalancer') {
    if (!unset(s.loadBalancerIP)) errs.push(forbidden('spec.loadBalancerIP', 'may only be used when `type` is \'LoadBalancer\''));
    if (!unset(s.loadBalancerClass)) errs.push(forbidden('spec.loadBalancerClass', 'may only be used when service type is \'LoadBalancer\''));
    if (Array.isArray(s.loadBalancerSourceRanges) && s.loadBalancerSourceRanges.length) {
      errs.push(forbidden('spec.loadBalancerSourceRanges', 'may only be used when `type` is \'LoadBalancer\''));
    }
  }
  return errs;
}

function validateServiceUpdate(o: KubeObject, old: KubeObject): FieldErrors {
  const s = spec(o);
  const prev = spec(old);
  const errs: FieldErrors = [];
  if (s.type !== 'ExternalName' && prev.type !== 'ExternalName' && !unset(prev.clusterIP) && text(s.clusterIP) !== text(prev.clusterIP)) {
    errs.push(invalid('spec.clusterIPs[0]', s.clusterIP ?? '', 'may not change once set'));
  }
  if (prev.type === 'LoadBalancer' && s.type === 'LoadBalancer' && text(s.loadBalancerClass) !== text(prev.loadBalancerClass)) {
    errs.push(invalid('spec.loadBalancerClass', s.loadBalancerClass ?? null, 'may not change once set'));
  }
  return errs;
}

function needsNodePorts(s: Json): boolean {
  return s.type === 'NodePort' || s.type === 'LoadBalancer';
}

function needsHealthCheckNodePort(s: Json): boolean {
  return s.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local';
}

function nodePortOf(p: Json): number {
  return typeof p.nodePort === 'number' ? p.nodePort : 0;
}

/**
 * patchAllocatedValues: an update that leaves out allocated values keeps them
 * (cluster IPs; node ports matched by port name, unless the new spec already
 * uses that node port; the health-check node port).
 */
function keepAllocatedValues(s: Json, prev: Json): void {
  if (s.type !== 'ExternalName' && prev.type !== 'ExternalName') {
    if (unset(s.clusterIP) && !unset(prev.clusterIP)) s.clusterIP = prev.clusterIP;
    if (!(Array.isArray(s.clusterIPs) && s.clusterIPs.length) && Array.isArray(prev.clusterIPs) && prev.clusterIPs.length) {
      s.clusterIPs = jsonClone(prev.clusterIPs);
    }
  }
  if (needsNodePorts(prev) && needsNodePorts(s)) {
    const inNew = new Set(records(s.ports).map(nodePortOf));
    const used = new Set(records(prev.ports).map(nodePortOf).filter((n) => n !== 0 && inNew.has(n)));
    const byName = new Map(records(prev.ports).map((p) => [text(p.name), nodePortOf(p)]));
    for (const p of records(s.ports)) {
      if (nodePortOf(p) !== 0) continue;
      const was = byName.get(text(p.name)) ?? 0;
      if (was !== 0 && !used.has(was)) p.nodePort = was;
    }
  }
  if (needsHealthCheckNodePort(prev) && needsHealthCheckNodePort(s) && !s.healthCheckNodePort && typeof prev.healthCheckNodePort === 'number') {
    s.healthCheckNodePort = prev.healthCheckNodePort;
  }
}

function sameStrings(a: unknown, b: unknown): boolean {
  const x = Array.isArray(a) ? a : [];
  const y = Array.isArray(b) ? b : [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/**
 * dropTypeDependentFields: a type change wipes the values the new type has no
 * use for (cluster IPs, node ports, health-check node port, LoadBalancer and
 * external-traffic fields), but only those the user left as they were; the
 * allocator releases them by their absence.
 */
function dropTypeDependentFields(s: Json, prev: Json): void {
  if (prev.type !== 'ExternalName' && s.type === 'ExternalName') {
    if (text(s.clusterIP) === text(prev.clusterIP) && sameStrings(s.clusterIPs, prev.clusterIPs)) {
      delete s.clusterIP;
      delete s.clusterIPs;
    }
    if (sameStrings(s.ipFamilies, prev.ipFamilies)) delete s.ipFamilies;
    if (text(s.ipFamilyPolicy) === text(prev.ipFamilyPolicy)) delete s.ipFamilyPolicy;
  }
  if (needsNodePorts(prev) && !needsNodePorts(s)) {
    const before = new Set(records(prev.ports).map(nodePortOf).filter((n) => n !== 0));
    if (records(s.ports).map(nodePortOf).every((n) => n === 0 || before.has(n))) {
      for (const p of records(s.ports)) delete p.nodePort;
    }
  }
  if (needsHealthCheckNodePort(prev) && !needsHealthCheckNodePort(s) && (s.healthCheckNodePort ?? 0) === (prev.healthCheckNodePort ?? 0)) {
    delete s.healthCheckNodePort;
  }
  if (prev.type === 'LoadBalancer' && s.type !== 'LoadBalancer') {
    if (typeof s.allocateLoadBalancerNodePorts === 'boolean' && s.allocateLoadBalancerNodePorts === prev.allocateLoadBalancerNodePorts) {
      delete s.allocateLoadBalancerNodePorts;
    }
    if (text(s.loadBalancerClass) === text(prev.loadBalancerClass)) delete s.loadBalancerClass;
  }
  if (needsNodePorts(prev) && !needsNodePorts(s) && text(s.externalTrafficPolicy) === text(prev.externalTrafficPolicy)) {
    delete s.externalTrafficPolicy;
  }
}

export const serviceKind: KindDef = {
  group: '', version: 'v1', kind: 'Service', plural: 'services', singular: 'service', namespaced: true,
  shortNames: ['svc'], categories: ['all'], custom: false,
  subresources: { status: true },
  nameValidation: 'label1035',
  schemaName: `${CORE}.Service`,
  schema: obj({
    spec: coreRef('ServiceSpec', 'Desired state: ports, selector, type.'),
    status: coreRef('ServiceStatus', 'Observed state: the load balancer, if any.'),
  }),
  description: 'A stable virtual IP address and DNS name in front of a set of pods chosen by label, or an alias of an external name.',
  printerColumns: [
    { name: 'Type', type: 'string', description: 'How the Service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName.', cell: (o) => text(spec(o).type) },
    { name: 'Cluster-IP', type: 'string', description: 'The virtual IP of the Service.', cell: clusterIPCell },
    { name: 'External-IP', type: 'string', description: 'Addresses reachable from outside the cluster.', cell: serviceExternalIP },
    { name: 'Port(s)', type: 'string', description: 'Ports of the Service (port:nodePort/protocol).', cell: servicePorts },
    ageColumn,
    { name: 'Selector', type: 'string', priority: 1, description: 'Labels that select the Service\'s pods.', cell: (o) => formatLabels(spec(o).selector) },
  ],
  defaults: defaultService,
  prepareForCreate(o) {
    o.status = { loadBalancer: {} };
  },
  prepareForUpdate(o, old) {
    const s = spec(o);
    o.spec = s;
    const prev = spec(old);
    keepAllocatedValues(s, prev);
    dropTypeDependentFields(s, prev);
    // The load balancer status only means something for a LoadBalancer.
    if (s.type !== 'LoadBalancer' && o.status !== undefined) o.status = { ...record(o.status), loadBalancer: {} };
  },
  validate: validateService,
  validateUpdate: validateServiceUpdate,
};
