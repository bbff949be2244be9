// What the EndpointSlice controller writes for one Service: the endpoints of
// the pods its selector matches, grouped into slices by their resolved port
// set, compared with the slices that exist (the k8s.io/endpointslice
// reconciler upstream). Pure: the controller hands in the Service, its pods,
// a node lookup and the existing slices, and performs the plan.

import type { KubeObject, OwnerReference } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import {
  HEADLESS_LABEL, LAST_CHANGE_TRIGGER_TIME, endpointsLabels, findPort, isHeadless, isIPv6, isPodReady, podIPs, rfc3339Nano,
  serviceFamilies, serviceSpec, shouldPodBeInEndpoints, shouldSetHostname,
} from '../endpoints/membership.ts';
import { jsonClone } from '../../api/json-clone.ts';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';
/** Upstream's default --max-endpoints-per-slice. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

const RESERVED_LABELS = [SERVICE_NAME_LABEL, MANAGED_BY_LABEL, HEADLESS_LABEL];

export type AddressType = 'IPv4' | 'IPv6';

export interface SlicePort {
  name: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface SliceEndpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  hostname?: string;
  targetRef?: { kind: string; namespace?: string; name: string; uid?: string; resourceVersion?: string };
  nodeName?: string;
  zone?: string;
  hints?: unknown;
}

export interface PlanInput {
  service: KubeObject;
  /** The pods the selector matches. */
  pods: KubeObject[];
  node(name: string): KubeObject | undefined;
  /** The slices labelled as this Service's and managed by this controller, not being deleted. */
  existing: KubeObject[];
  /** Trigger time to annotate written slices with (milliseconds), or none. */
  triggerTime?: number;
  maxEndpointsPerSlice?: number;
}

export interface SlicePlan {
  create: KubeObject[];
  update: KubeObject[];
  delete: KubeObject[];
  /** Why some pods were left out (their node does not exist): the controller retries. */
  errors: string[];
}

function spec(o: KubeObject): Record<string, unknown> {
  return isPlainObject(o.spec) ? o.spec : {};
}

function endpointsOf(slice: KubeObject): SliceEndpoint[] {
  return Array.isArray(slice.endpoints) ? slice.endpoints as SliceEndpoint[] : [];
}

function portsOf(slice: KubeObject): SlicePort[] {
  return Array.isArray(slice.ports) ? slice.ports as SlicePort[] : [];
}

/** The Service's ports resolved on one pod; a port whose target the pod lacks is left out. */
export function endpointPorts(svc: KubeObject, pod: KubeObject): SlicePort[] {
  const ports = serviceSpec(svc).ports ?? [];
  if (!ports.length && isHeadless(svc)) return [];
  const out: SlicePort[] = [];
  for (const sp of ports) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    out.push({ name: sp.name ?? '', port, protocol: sp.protocol || 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
  }
  return out;
}

/** Identifies a port set regardless of order. */
export function portMapKey(ports: SlicePort[]): string {
  return JSON.stringify(ports.map((p) => [p.name ?? '', p.port ?? null, p.protocol ?? '', p.appProtocol ?? null]).sort((a, b) => {
    const x = JSON.stringify(a);
    const y = JSON.stringify(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }));
}

/** The endpoint of a pod: its addresses of the type, its conditions, node, zone and hostname. */
export function podToEndpoint(pod: KubeObject, node: KubeObject | undefined, svc: KubeObject, addressType: AddressType): SliceEndpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  // A terminating pod is never ready, unless the Service publishes not-ready addresses.
  const ready = serviceSpec(svc).publishNotReadyAddresses === true || (serving && !terminating);
  const ep: SliceEndpoint = {
    addresses: podIPs(pod).filter((ip) => isIPv6(ip) === (addressType === 'IPv6')),
    conditions: { ready, serving, terminating },
  };
  const ps = spec(pod) as { nodeName?: string; hostname?: string };
  if (shouldSetHostname(pod, svc)) ep.hostname = ps.hostname;
  ep.targetRef = { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name!, uid: pod.metadata.uid };
  if (ps.nodeName) ep.nodeName = ps.nodeName;
  const zone = node?.metadata.labels?.[ZONE_LABEL];
  if (zone) ep.zone = zone;
  return ep;
}

/** What identifies an endpoint across syncs: addresses, hostname and pod; the rest may change in place. */
export function endpointHash(ep: SliceEndpoint): string {
  return JSON.stringify([[...ep.addresses].sort(), ep.hostname ?? '', ep.targetRef?.namespace ?? '', ep.targetRef?.name ?? '']);
}

/** Same node, zone, conditions and pod (its resourceVersion aside): what the hash does not cover. */
export function endpointsEqualBeyondHash(a: SliceEndpoint, b: SliceEndpoint): boolean {
  const ref = (r: SliceEndpoint['targetRef']): string => (r ? JSON.stringify([r.kind, r.namespace ?? '', r.name, r.uid ?? '']) : '');
  return (a.nodeName ?? null) === (b.nodeName ?? null) && (a.zone ?? null) === (b.zone ?? null)
    && a.conditions?.ready === b.conditions?.ready && a.conditions?.serving === b.conditions?.serving
    && a.conditions?.terminating === b.conditions?.terminating && ref(a.targetRef) === ref(b.targetRef);
}

/** The labels of the Service's slices: its own labels (minus reserved keys), headless marker, service name, manager. */
export function sliceLabels(svc: KubeObject): Record<string, string> {
  return { ...endpointsLabels(svc, RESERVED_LABELS), [SERVICE_NAME_LABEL]: svc.metadata.name!, [MANAGED_BY_LABEL]: CONTROLLER_NAME };
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const ak = Object.keys(a);
  return ak.length === Object.keys(b).length && ak.every((k) => a[k] === b[k]);
}

function withoutReserved(labels: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(labels ?? {}).filter(([k]) => !RESERVED_LABELS.includes(k)));
}

/** Whether the slice's labels need rewriting to follow the Service. */
function labelsChanged(slice: KubeObject, svc: KubeObject): boolean {
  // Upstream compares only the non-reserved labels; the headless marker is compared too
  // because here a cluster IP may be allocated after the Service was created.
  const want = sliceLabels(svc);
  return !sameLabels(withoutReserved(slice.metadata.labels), withoutReserved(want))
    || (HEADLESS_LABEL in (slice.metadata.labels ?? {})) !== (HEADLESS_LABEL in want);
}

export function ownedBy(slice: KubeObject, svc: KubeObject): boolean {
  return (slice.metadata.ownerReferences ?? []).some((o) => o.uid === svc.metadata.uid && o.kind === 'Service' && o.apiVersion === 'v1');
}

function controllerRef(svc: KubeObject): OwnerReference {
  return { apiVersion: 'v1', kind: 'Service', name: svc.metadata.name!, uid: svc.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

/** A new slice for the Service (named by the API server from generateName). */
export function newSlice(svc: KubeObject, ports: SlicePort[], addressType: AddressType): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${svc.metadata.name}-`,
      namespace: svc.metadata.namespace,
      labels: sliceLabels(svc),
      ownerReferences: [controllerRef(svc)],
    },
    addressType,
    endpoints: [],
    ports: jsonClone(ports),
  };
}

/** An empty slice equal to the placeholder one would create (labels, owners, type, no ports, no endpoints). */
function isPlaceholderLike(slice: KubeObject, placeholder: KubeObject): boolean {
  const owners = (o: KubeObject): string => JSON.stringify((o.metadata.ownerReferences ?? []).map((r) => [r.apiVersion, r.kind, r.name, r.uid, !!r.controller, !!r.blockOwnerDeletion]));
  return slice.metadata.namespace === placeholder.metadata.namespace
    && sameLabels(slice.metadata.labels ?? {}, placeholder.metadata.labels ?? {})
    && owners(slice) === owners(placeholder)
    && slice.addressType === placeholder.addressType
    && !endpointsOf(slice).length && !portsOf(slice).length;
}

interface PortGroup {
  ports: SlicePort[];
  endpoints: Map<string, SliceEndpoint>;
}

/** Plans the writes that bring the Service's slices in line with its pods. */
export function planSlices(input: PlanInput): SlicePlan {
  const { service: svc } = input;
  const max = input.maxEndpointsPerSlice ?? MAX_ENDPOINTS_PER_SLICE;
  const plan: SlicePlan = { create: [], update: [], delete: [], errors: [] };
  const families = serviceFamilies(svc);
  const byType = new Map<AddressType, KubeObject[]>();
  for (const s of input.existing) {
    const t = s.addressType as AddressType;
    if (!families.includes(t)) plan.delete.push(s);
    else byType.set(t, [...(byType.get(t) ?? []), s]);
  }
  for (const t of families) planForAddressType(input, t, byType.get(t) ?? [], max, plan);
  for (const s of [...plan.create, ...plan.update]) {
    const annotations = { ...(s.metadata.annotations ?? {}) };
    if (input.triggerTime !== undefined) annotations[LAST_CHANGE_TRIGGER_TIME] = rfc3339Nano(input.triggerTime);
    else delete annotations[LAST_CHANGE_TRIGGER_TIME];
    if (Object.keys(annotations).length) s.metadata.annotations = annotations;
    else delete s.metadata.annotations;
  }
  return plan;
}

function planForAddressType(input: PlanInput, addressType: AddressType, existing: KubeObject[], max: number, plan: SlicePlan): void {
  const svc = input.service;
  const toCreate: KubeObject[] = [];
  const toUpdate: KubeObject[] = [];
  const toDelete: KubeObject[] = [];

  const existingByPorts = new Map<string, KubeObject[]>();
  for (const s of existing) {
    if (!ownedBy(s, svc)) {
      toDelete.push(s);
      continue;
    }
    const k = portMapKey(portsOf(s));
    existingByPorts.set(k, [...(existingByPorts.get(k) ?? []), s]);
  }

  const desired = new Map<string, PortGroup>();
  for (const pod of input.pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = endpointPorts(svc, pod);
    const k = portMapKey(ports);
    let group = desired.get(k);
    if (!group) desired.set(k, group = { ports, endpoints: new Map() });
    const nodeName = (spec(pod) as { nodeName?: string }).nodeName ?? '';
    const node = input.node(nodeName);
    if (!node && serviceSpec(svc).publishNotReadyAddresses !== true) {
      plan.errors.push(`skipping Pod ${pod.metadata.name} for Service ${svc.metadata.namespace}/${svc.metadata.name}: Node ${nodeName} Not Found`);
      continue;
    }
    const ep = podToEndpoint(pod, node, svc, addressType);
    if (ep.addresses.length) group.endpoints.set(endpointHash(ep), ep);
  }

  for (const [k, group] of desired) {
    const r = planForPortGroup(svc, existingByPorts.get(k) ?? [], group, addressType, max);
    toCreate.push(...r.create);
    toUpdate.push(...r.update);
    toDelete.push(...r.delete);
  }
  for (const [k, slices] of existingByPorts) if (!desired.has(k)) toDelete.push(...slices);

  // A Service with no endpoints still gets one empty slice.
  if (existing.length === toDelete.length && toCreate.length < 1) {
    const placeholder = newSlice(svc, [], addressType);
    if (toDelete.length === 1 && isPlaceholderLike(toDelete[0], placeholder)) toDelete.length = 0;
    else toCreate.push(placeholder);
  }

  // Reuse slices about to be deleted for slices about to be created: an update instead of a delete and a create.
  for (let i = 0; i < toDelete.length && toCreate.length;) {
    const victim = toDelete[i];
    if (victim.addressType === addressType && ownedBy(victim, svc)) {
      const fresh = toCreate.pop()!;
      const reused = jsonClone(victim) as KubeObject;
      reused.metadata.labels = fresh.metadata.labels;
      reused.ports = fresh.ports;
      reused.endpoints = fresh.endpoints;
      toUpdate.push(reused);
      toDelete.splice(i, 1);
    } else {
      i++;
    }
  }

  plan.create.push(...toCreate);
  plan.update.push(...toUpdate);
  plan.delete.push(...toDelete);
}

function planForPortGroup(svc: KubeObject, existing: KubeObject[], group: PortGroup, addressType: AddressType, max: number):
  { create: KubeObject[]; update: KubeObject[]; delete: KubeObject[] } {
  const desired = group.endpoints;
  const byName = new Map<string, KubeObject>();
  const unchanged: string[] = [];
  const toUpdate: string[] = [];
  const toDelete: string[] = [];

  // 1. Keep the desired endpoints found in existing slices (refreshed), drop the others.
  for (const slice of existing) {
    const name = slice.metadata.name!;
    byName.set(name, slice);
    const kept: SliceEndpoint[] = [];
    let changed = false;
    for (const ep of endpointsOf(slice)) {
      const h = endpointHash(ep);
      const want = desired.get(h);
      if (!want) continue;
      kept.push(want);
      if (!endpointsEqualBeyondHash(want, ep)) changed = true;
      desired.delete(h);
    }
    const relabel = labelsChanged(slice, svc);
    if (changed || kept.length !== endpointsOf(slice).length) {
      if (!kept.length) {
        toDelete.push(name);
      } else {
        const next = jsonClone(slice) as KubeObject;
        next.endpoints = kept;
        next.metadata.labels = sliceLabels(svc);
        byName.set(name, next);
        toUpdate.push(name);
      }
    } else if (relabel) {
      const next = jsonClone(slice) as KubeObject;
      next.metadata.labels = sliceLabels(svc);
      byName.set(name, next);
      toUpdate.push(name);
    } else {
      unchanged.push(name);
    }
  }

  const remaining = [...desired.values()];
  // 2. Fill the slices being updated anyway, fullest first.
  if (remaining.length && toUpdate.length) {
    const slices = toUpdate.map((n) => byName.get(n)!).sort((a, b) => endpointsOf(b).length - endpointsOf(a).length);
    for (const s of slices) {
      while (remaining.length && endpointsOf(s).length < max) (s.endpoints as SliceEndpoint[]).push(remaining.shift()!);
    }
  }

  // 3. Put what is left into the unchanged slice it fills best, or into new slices.
  const create: KubeObject[] = [];
  while (remaining.length) {
    let target: KubeObject | undefined;
    if (remaining.length < max && unchanged.length) {
      let best = max;
      for (const n of unchanged) {
        const diff = max - (remaining.length + endpointsOf(byName.get(n)!).length);
        if (diff >= 0 && diff < best) {
          best = diff;
          target = byName.get(n);
          if (diff === 0) break;
        }
      }
    }
    if (target) {
      target = jsonClone(target) as KubeObject;
      target.endpoints = [...endpointsOf(target)];
      byName.set(target.metadata.name!, target);
    } else {
      target = newSlice(svc, group.ports, addressType);
    }
    while (remaining.length && endpointsOf(target).length < max) (target.endpoints as SliceEndpoint[]).push(remaining.shift()!);
    if (target.metadata.name) {
      toUpdate.push(target.metadata.name);
      unchanged.splice(unchanged.indexOf(target.metadata.name), 1);
    } else {
      create.push(target);
    }
  }

  return {
    create,
    update: toUpdate.map((n) => byName.get(n)!),
    delete: toDelete.map((n) => byName.get(n)!),
  };
}
