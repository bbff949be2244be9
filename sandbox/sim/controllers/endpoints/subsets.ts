// The subsets of a Service's core/v1 Endpoints, computed from the pods its
// selector matches (the endpoints controller's syncService and
// RepackSubsets upstream). Pure.

import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import {
  findPort, isHeadless, isIPv6, isPodReady, podIPs, serviceFamilies, serviceSpec, shouldPodBeInEndpoints, shouldSetHostname,
} from './membership.ts';
import { jsonClone } from '../../api/json-clone.ts';

export interface ObjectReference {
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
  resourceVersion?: string;
}

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: ObjectReference;
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol?: string;
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

/** Most addresses one Endpoints object holds; beyond, it is truncated and annotated. */
export const MAX_CAPACITY = 1000;
export const OVER_CAPACITY = 'endpoints.kubernetes.io/over-capacity';

/** The address of a pod for a Service: its IP of the Service's family, the node, and the pod reference. */
export function endpointAddressFor(svc: KubeObject, pod: KubeObject): EndpointAddress | undefined {
  const wantV6 = serviceFamilies(svc)[0] === 'IPv6';
  const ip = podIPs(pod).find((a) => isIPv6(a) === wantV6);
  if (!ip) return undefined;
  const spec = (isPlainObject(pod.spec) ? pod.spec : {}) as { nodeName?: string; hostname?: string };
  const addr: EndpointAddress = { ip };
  if (shouldSetHostname(pod, svc)) addr.hostname = spec.hostname;
  addr.nodeName = spec.nodeName ?? '';
  addr.targetRef = { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name!, uid: pod.metadata.uid };
  return addr;
}

/** The canonical subsets of a Service's Endpoints from the pods its selector matches. */
export function desiredSubsets(svc: KubeObject, pods: KubeObject[]): EndpointSubset[] {
  const spec = serviceSpec(svc);
  const publishNotReady = spec.publishNotReadyAddresses === true;
  const ports = spec.ports ?? [];
  const subsets: EndpointSubset[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const addr = endpointAddressFor(svc, pod);
    if (!addr) continue;
    const ready = publishNotReady || isPodReady(pod);
    const subset = (epp?: EndpointPort): EndpointSubset => ({
      ...(ready ? { addresses: [addr] } : { notReadyAddresses: [addr] }),
      ...(epp ? { ports: [epp] } : {}),
    });
    if (!ports.length) {
      // A headless Service may have no ports: its pods are listed without any.
      if (isHeadless(svc)) subsets.push(subset());
      continue;
    }
    for (const sp of ports) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const epp: EndpointPort = { ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol || 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) };
      subsets.push(subset(epp));
    }
  }
  return repackSubsets(subsets);
}

function addressKey(a: EndpointAddress): string {
  return `${a.ip}|${a.targetRef?.uid ?? ''}`;
}

function portKey(p: EndpointPort): string {
  return JSON.stringify([p.name ?? '', p.port, p.protocol ?? '', p.appProtocol ?? null]);
}

/** By IP (byte order), then by target UID; an address without a target first. */
export function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  if (a.ip !== b.ip) return a.ip < b.ip ? -1 : 1;
  const au = a.targetRef?.uid;
  const bu = b.targetRef?.uid;
  if (bu === undefined) return au === undefined ? 0 : 1;
  if (au === undefined) return -1;
  return au < bu ? -1 : au > bu ? 1 : 0;
}

function comparePorts(a: EndpointPort, b: EndpointPort): number {
  if (a.port !== b.port) return a.port - b.port;
  const ka = portKey(a);
  const kb = portKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

const NO_PORTS: EndpointPort = { port: -1 };

/**
 * Expands subsets to (port, address, ready) facts and packs them again: one
 * subset per distinct set of addresses, with every port those addresses
 * share. An address not ready on any port is not ready on it; addresses are
 * de-duplicated by IP and pod UID; subsets without ports survive.
 */
export function repackSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  const allAddrs = new Map<string, EndpointAddress>();
  const byPort = new Map<string, { port: EndpointPort; ready: Map<string, boolean> }>();
  const note = (addr: EndpointAddress, port: EndpointPort, ready: boolean): void => {
    const ak = addressKey(addr);
    if (!allAddrs.has(ak)) allAddrs.set(ak, jsonClone(addr));
    const pk = portKey(port);
    let entry = byPort.get(pk);
    if (!entry) byPort.set(pk, entry = { port, ready: new Map() });
    const was = entry.ready.get(ak);
    if (was === undefined || was) entry.ready.set(ak, ready);
  };
  for (const ss of subsets) {
    const ports = ss.ports?.length ? ss.ports : [NO_PORTS];
    for (const port of ports) {
      for (const a of ss.addresses ?? []) note(a, port, true);
      for (const a of ss.notReadyAddresses ?? []) note(a, port, false);
    }
  }
  const groups = new Map<string, { ready: Map<string, boolean>; ports: EndpointPort[] }>();
  for (const { port, ready } of byPort.values()) {
    const gk = JSON.stringify([...ready.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const g = groups.get(gk);
    if (g) g.ports.push(port);
    else groups.set(gk, { ready, ports: [port] });
  }
  const final: EndpointSubset[] = [];
  for (const g of groups.values()) {
    const addresses: EndpointAddress[] = [];
    const notReady: EndpointAddress[] = [];
    for (const [ak, r] of g.ready) (r ? addresses : notReady).push(jsonClone(allAddrs.get(ak)!));
    const ports = g.ports.length === 1 && g.ports[0] === NO_PORTS ? [] : g.ports.filter((p) => p !== NO_PORTS).map((p) => ({ ...p }));
    addresses.sort(compareAddresses);
    notReady.sort(compareAddresses);
    ports.sort(comparePorts);
    final.push({
      ...(addresses.length ? { addresses } : {}),
      ...(notReady.length ? { notReadyAddresses: notReady } : {}),
      ...(ports.length ? { ports } : {}),
    });
  }
  // Upstream orders subsets by a hash; any fixed order keeps the comparison stable.
  return final.sort((a, b) => {
    const ka = JSON.stringify(a);
    const kb = JSON.stringify(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

/** Subsets as stored, normalised for comparison: no empty lists, no pod resourceVersions. */
function normalise(subsets: unknown): EndpointSubset[] {
  if (!Array.isArray(subsets)) return [];
  const addrs = (v: unknown): EndpointAddress[] | undefined => {
    if (!Array.isArray(v) || !v.length) return undefined;
    return v.map((a: EndpointAddress) => {
      const out: EndpointAddress = { ip: a.ip };
      if (a.hostname) out.hostname = a.hostname;
      if (a.nodeName !== undefined) out.nodeName = a.nodeName;
      if (a.targetRef) {
        const { resourceVersion: _rv, ...ref } = a.targetRef;
        out.targetRef = ref;
      }
      return out;
    });
  };
  return subsets.filter(isPlainObject).map((ss) => {
    const out: EndpointSubset = {};
    const a = addrs(ss.addresses);
    const n = addrs(ss.notReadyAddresses);
    if (a) out.addresses = a;
    if (n) out.notReadyAddresses = n;
    if (Array.isArray(ss.ports) && ss.ports.length) out.ports = ss.ports as EndpointPort[];
    return out;
  });
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ak = Object.keys(a).filter((k) => a[k] !== undefined);
    const bk = Object.keys(b).filter((k) => b[k] !== undefined);
    return ak.length === bk.length && ak.every((k) => sameJson(a[k], b[k]));
  }
  return false;
}

/** Equal subsets, ignoring the pods' resourceVersions and empty versus absent lists. */
export function subsetsEqual(a: unknown, b: unknown): boolean {
  return sameJson(normalise(a), normalise(b));
}

export function countAddresses(subsets: EndpointSubset[]): { ready: number; notReady: number } {
  let ready = 0;
  let notReady = 0;
  for (const ss of subsets) {
    ready += ss.addresses?.length ?? 0;
    notReady += ss.notReadyAddresses?.length ?? 0;
  }
  return { ready, notReady };
}

/**
 * Cuts the subsets to MAX_CAPACITY addresses, keeping ready ones first and
 * sharing the room among subsets in proportion. True when it cut anything.
 */
export function truncateSubsets(subsets: EndpointSubset[]): boolean {
  const { ready, notReady } = countAddresses(subsets);
  if (ready + notReady <= MAX_CAPACITY) return false;
  const truncateReady = ready > MAX_CAPACITY;
  const max = truncateReady ? MAX_CAPACITY : MAX_CAPACITY - ready;
  const total = truncateReady ? ready : notReady;
  let room = max;
  for (const ss of subsets) {
    const n = truncateReady ? ss.addresses?.length ?? 0 : ss.notReadyAddresses?.length ?? 0;
    const share = Math.min(Math.ceil((n / total) * max), room);
    if (truncateReady) {
      ss.addresses = (ss.addresses ?? []).slice(0, share);
      delete ss.notReadyAddresses;
      room -= ss.addresses.length;
      if (!ss.addresses.length) delete ss.addresses;
    } else {
      ss.notReadyAddresses = (ss.notReadyAddresses ?? []).slice(0, share);
      room -= ss.notReadyAddresses.length;
      if (!ss.notReadyAddresses.length) delete ss.notReadyAddresses;
    }
  }
  return true;
}

/** Whether the over-capacity annotation is as it should be (absent, and no truncation due). */
export function capacityAnnotationCorrect(annotations: Record<string, string> | undefined, subsets: unknown): boolean {
  const { ready, notReady } = countAddresses(normalise(subsets));
  if (ready + notReady > MAX_CAPACITY) return false;
  return !(annotations && OVER_CAPACITY in annotations);
}
