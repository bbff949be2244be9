// Which pods back a Service, and on which ports: the rules the endpoints and
// EndpointSlice controllers share (k8s.io/endpointslice/util upstream). Pure.

import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import { arr, obj, str, type Json } from '../../runtime/json-fields.ts';
import { keyOf } from '../../runtime/controller.ts';

/** Label on the Endpoints and EndpointSlices of a Service without a cluster IP. */
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
/** When the last pod or Service change that the endpoints reflect happened. */
export const LAST_CHANGE_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';

export interface ServicePort {
  name?: string;
  protocol?: string;
  appProtocol?: string;
  port?: number;
  targetPort?: number | string;
}

export interface ServiceSpec {
  type?: string;
  selector?: Record<string, string> | null;
  clusterIP?: string;
  ipFamilies?: string[];
  ports?: ServicePort[];
  publishNotReadyAddresses?: boolean;
}

export function serviceSpec(svc: KubeObject): ServiceSpec {
  return obj(svc.spec) as ServiceSpec;
}

/**
 * The Service's selector, or undefined when it has none. An empty selector
 * counts as none: the apiserver stores `selector: {}` as nil, and such a
 * Service gets its endpoints by hand.
 */
export function selectorOf(svc: KubeObject): Record<string, string> | undefined {
  const sel = serviceSpec(svc).selector;
  return isPlainObject(sel) && Object.keys(sel).length ? sel as Record<string, string> : undefined;
}

/** Whether the controllers maintain endpoints for this Service at all. */
export function managesEndpoints(svc: KubeObject): boolean {
  return serviceSpec(svc).type !== 'ExternalName' && selectorOf(svc) !== undefined;
}

export function selects(svc: KubeObject, labels: Record<string, string> | undefined): boolean {
  const sel = selectorOf(svc);
  return !!sel && Object.entries(sel).every(([k, v]) => labels?.[k] === v);
}

/** A cluster IP other than "None" (headless) or unset. */
export function isServiceIPSet(svc: KubeObject): boolean {
  const ip = serviceSpec(svc).clusterIP;
  return !!ip && ip !== 'None';
}

export function isHeadless(svc: KubeObject): boolean {
  return serviceSpec(svc).clusterIP === 'None';
}

export function isIPv6(ip: string): boolean {
  return ip.includes(':');
}

/** The address family of the Service's endpoints; the embedded cluster is single-stack IPv4. */
export function serviceFamilies(svc: KubeObject): ('IPv4' | 'IPv6')[] {
  const fams = (serviceSpec(svc).ipFamilies ?? []).filter((f): f is 'IPv4' | 'IPv6' => f === 'IPv4' || f === 'IPv6');
  if (fams.length) return [...new Set(fams)];
  const ip = serviceSpec(svc).clusterIP;
  if (ip && ip !== 'None') return [isIPv6(ip) ? 'IPv6' : 'IPv4'];
  return ['IPv4'];
}

function podStatus(pod: KubeObject): Json {
  return obj(pod.status);
}

export function podIPs(pod: KubeObject): string[] {
  const st = podStatus(pod);
  const ips = arr(st.podIPs).map((p) => str(p.ip)).filter(Boolean);
  if (ips.length) return ips;
  return str(st.podIP) ? [str(st.podIP)] : [];
}

export function podReadyCondition(pod: KubeObject): Json | undefined {
  return arr(podStatus(pod).conditions).find((c) => c.type === 'Ready');
}

export function isPodReady(pod: KubeObject): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

export function isPodTerminal(pod: KubeObject): boolean {
  const phase = podStatus(pod).phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/**
 * A pod belongs in a Service's endpoints when it has an IP and has not
 * finished; a terminating one only if `includeTerminating`.
 */
export function shouldPodBeInEndpoints(pod: KubeObject, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (!podIPs(pod).length) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  return true;
}

function podSpec(pod: KubeObject): Json {
  return obj(pod.spec);
}

/** A pod with a hostname whose subdomain names the Service gets a DNS name under it. */
export function shouldSetHostname(pod: KubeObject, svc: KubeObject): boolean {
  const spec = podSpec(pod);
  return !!str(spec.hostname) && str(spec.subdomain) === svc.metadata.name && svc.metadata.namespace === pod.metadata.namespace;
}

/**
 * The pod port a Service port sends to: a number as is; a name looked up in
 * the containers' ports (and restartable init containers) with the same
 * protocol. Undefined when the pod has no such named port.
 */
export function findPort(pod: KubeObject, svcPort: ServicePort): number | undefined {
  const target = svcPort.targetPort ?? svcPort.port;
  if (typeof target === 'number') return target;
  if (typeof target !== 'string') return undefined;
  const protocol = svcPort.protocol || 'TCP';
  const spec = podSpec(pod);
  const sidecars = arr(spec.initContainers).filter((c) => c.restartPolicy === 'Always');
  for (const c of [...arr(spec.containers), ...sidecars]) {
    for (const p of arr(c.ports)) {
      if (p.name === target && (str(p.protocol) || 'TCP') === protocol && typeof p.containerPort === 'number') return p.containerPort;
    }
  }
  return undefined;
}

function sameLabels(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ak = Object.keys(a ?? {});
  const bk = Object.keys(b ?? {});
  return ak.length === bk.length && ak.every((k) => a![k] === b?.[k]);
}

/**
 * Whether a pod update may change its endpoints (podChanged) or which
 * Services select it (labelsChanged, which includes hostname and subdomain).
 */
export function podEndpointsChanged(old: KubeObject, cur: KubeObject): { podChanged: boolean; labelsChanged: boolean } {
  const labelsChanged = !sameLabels(old.metadata.labels, cur.metadata.labels)
    || str(podSpec(old).hostname) !== str(podSpec(cur).hostname)
    || str(podSpec(old).subdomain) !== str(podSpec(cur).subdomain);
  const oldIPs = podIPs(old);
  const curIPs = podIPs(cur);
  const podChanged = old.metadata.deletionTimestamp !== cur.metadata.deletionTimestamp
    || isPodReady(old) !== isPodReady(cur)
    || oldIPs.length !== curIPs.length || oldIPs.some((ip, i) => ip !== curIPs[i])
    // Upstream relies on the kubelet turning a finished pod not Ready; checking the phase too costs nothing.
    || isPodTerminal(old) !== isPodTerminal(cur)
    // The node is set before the pod has an IP upstream; the simulated kubelet may do both in one write.
    || str(podSpec(old).nodeName) !== str(podSpec(cur).nodeName);
  return { podChanged, labelsChanged };
}

/**
 * Keys of the Services to reconcile after a pod event: those selecting it,
 * and on a label change those that selected it before (all of both sets when
 * the pod changed too, only the ones that differ otherwise). The Services of
 * the namespace are listed only when the change can matter.
 */
export function servicesForPodEvent(listServices: () => KubeObject[], pod: KubeObject, previous?: KubeObject): string[] {
  let services: KubeObject[] | undefined;
  const matching = (labels: Record<string, string> | undefined): Set<string> =>
    new Set((services ??= listServices()).filter((s) => selects(s, labels)).map(keyOf));
  if (!previous) return [...matching(pod.metadata.labels)];
  if (previous.metadata.resourceVersion === pod.metadata.resourceVersion) return [];
  const { podChanged, labelsChanged } = podEndpointsChanged(previous, pod);
  if (!podChanged && !labelsChanged) return [];
  const now = matching(pod.metadata.labels);
  if (!labelsChanged) return [...now];
  const before = matching(previous.metadata.labels);
  if (podChanged) return [...new Set([...now, ...before])];
  return [...now, ...before].filter((k) => !(now.has(k) && before.has(k)));
}

/** The labels an endpoints object carries: the Service's, plus the headless marker without a cluster IP. */
export function endpointsLabels(svc: KubeObject, reserved: string[] = []): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata.labels ?? {})) if (!reserved.includes(k)) labels[k] = v;
  if (!isServiceIPSet(svc)) labels[HEADLESS_LABEL] = '';
  else delete labels[HEADLESS_LABEL];
  return labels;
}

/** Go's time.RFC3339Nano in UTC: fractional seconds without trailing zeros. */
export function rfc3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.replace(/\.(\d+)Z$/, (_m, frac: string) => {
    const f = frac.replace(/0+$/, '');
    return f ? `.${f}Z` : 'Z';
  });
}
