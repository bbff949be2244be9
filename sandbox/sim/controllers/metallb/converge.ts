// MetalLB's convergeBalancer (controller/service.go) as a pure function: from
// one Service and an allocator holding every other Service's addresses, the
// addresses and pool the Service should show and the events to record.
// Level-triggered: the allocator is rebuilt from the Services' status before
// each call (allocatorFor), so nothing depends on memory that a restart loses.

import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import {
  Allocator, Annotation, DEPRECATED_ANNOTATION_PREFIX, familyOfAddresses, parseAddress, quoteIPs, requestedIPs, requestedPool,
  serviceFacts, serviceFamily, type Address, type Family, type Pools,
} from './allocator.ts';

export const Reason = {
  IPAllocated: 'IPAllocated',
  AllocationFailed: 'AllocationFailed',
  ClearAssignment: 'ClearAssignment',
  LoadBalancerFailed: 'LoadBalancerFailed',
  NotEnoughClusterIPs: 'not enough clusterips',
  DeprecatedAnnotation: 'deprecatedAnnotation',
} as const;

export interface ServiceEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface Convergence {
  /** status.loadBalancer.ingress addresses; empty clears the status. */
  ips: string[];
  /** metallb.io/ip-allocated-from-pool; undefined removes it. */
  pool?: string;
  events: ServiceEvent[];
}

/** A Service MetalLB handles: type LoadBalancer with no loadBalancerClass (MetalLB runs without a class). */
export function isMetalLBService(svc: KubeObject): boolean {
  const spec = isPlainObject(svc.spec) ? svc.spec : {};
  return spec.type === 'LoadBalancer' && (spec.loadBalancerClass === undefined || spec.loadBalancerClass === null || spec.loadBalancerClass === '');
}

/** The addresses in status.loadBalancer.ingress, in order. */
export function ingressIPs(svc: KubeObject): string[] {
  const status = isPlainObject(svc.status) ? svc.status : {};
  const lb = isPlainObject(status.loadBalancer) ? status.loadBalancer : {};
  const ingress = Array.isArray(lb.ingress) ? lb.ingress : [];
  return ingress.filter(isPlainObject).map((i) => (typeof i.ip === 'string' ? i.ip : '')).filter((ip) => ip !== '');
}

const keyOfService = (svc: KubeObject): string => `${svc.metadata.namespace}/${svc.metadata.name}`;

/**
 * An allocator holding the addresses that the Services (all but `except`)
 * show in their status, oldest Service first, so that when two claim one
 * address the older keeps it and the other is reassigned when reconciled.
 */
export function allocatorFor(pools: Pools, services: readonly KubeObject[], except?: string): Allocator {
  const alloc = new Allocator(pools);
  const held = services
    .filter((s) => keyOfService(s) !== except && isMetalLBService(s) && ingressIPs(s).length > 0)
    .sort((a, b) => {
      const ta = a.metadata.creationTimestamp ?? '';
      const tb = b.metadata.creationTimestamp ?? '';
      if (ta !== tb) return ta < tb ? -1 : 1;
      const ka = keyOfService(a);
      const kb = keyOfService(b);
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
  for (const s of held) {
    const ips = ingressIPs(s).map(parseAddress);
    if (ips.some((ip) => !ip)) continue;
    alloc.restore(serviceFacts(s), ips as Address[]);
  }
  return alloc;
}

const sameIPs = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);

/**
 * What MetalLB's controller makes of one Service. `alloc` must not hold the
 * Service's own addresses yet; the Service's allocation is recorded in it.
 */
export function convergeBalancer(alloc: Allocator, svc: KubeObject): Convergence {
  const key = keyOfService(svc);
  const events: ServiceEvent[] = [];
  const cleared = (): Convergence => {
    alloc.unassign(key);
    return { ips: [], events };
  };
  // Not (or no longer) a LoadBalancer: drop what MetalLB set, never allocate.
  if (!isMetalLBService(svc)) return cleared();
  if (alloc.pools.list.length === 0) return cleared();
  const family = serviceFamily(svc);
  if (typeof family !== 'string') return cleared();
  const facts = serviceFacts(svc);
  const spec = isPlainObject(svc.spec) ? svc.spec : {};
  const clusterIPs = Array.isArray(spec.clusterIPs) ? spec.clusterIPs.map(String) : [];
  if (facts.ipFamilyPolicy === 'RequireDualStack' && clusterIPs.length < 2) {
    events.push({ type: 'Warning', reason: Reason.NotEnoughClusterIPs, message: `Service requires dual stack but not enough clusterips [${clusterIPs.join(' ')}]` });
    return cleared();
  }

  let lbIPs: Address[] = [];
  const current = ingressIPs(svc).map(parseAddress);
  if (current.length > 0 && current.every((ip) => ip)) {
    lbIPs = current as Address[];
    const fam = familyOfAddresses(lbIPs);
    // The address family no longer fits the Service: start again.
    if (typeof fam !== 'string' || (fam !== family && !(family === 'dual' && facts.ipFamilyPolicy === 'PreferDualStack'))) lbIPs = [];
  }

  if (lbIPs.length > 0) {
    const err = alloc.assign(facts, lbIPs);
    if (err) {
      events.push({ type: 'Normal', reason: Reason.ClearAssignment, message: `current IP for ${JSON.stringify(key)} not allowed by config, will attempt for new IP assignment: ${err}` });
      alloc.unassign(key);
      lbIPs = [];
    }
    const wantedPool = requestedPool(svc);
    if (lbIPs.length > 0 && wantedPool !== '' && alloc.pool(key) !== wantedPool) {
      alloc.unassign(key);
      lbIPs = [];
    }
    const wanted = requestedIPs(svc);
    if ('error' in wanted) {
      events.push({ type: 'Warning', reason: Reason.LoadBalancerFailed, message: `invalid requested loadbalancer IPs: ${wanted.error}` });
      return result(lbIPs);
    }
    if (wanted.ips.length > 0 && !sameIPs(lbIPs.map((ip) => ip.text), wanted.ips.map((ip) => ip.text))) {
      alloc.unassign(key);
      lbIPs = [];
    }
  }

  if (lbIPs.length === 0) {
    alloc.unassign(key);
    const got = allocateIPs(alloc, svc, family);
    if ('error' in got) {
      events.push({ type: 'Warning', reason: Reason.AllocationFailed, message: `Failed to allocate IP for ${JSON.stringify(key)}: ${got.error}` });
      return { ips: [], events };
    }
    lbIPs = got.ips;
    events.push({ type: 'Normal', reason: Reason.IPAllocated, message: `Assigned IP ${quoteIPs(lbIPs)}` });
  }
  return result(lbIPs);

  function result(ips: Address[]): Convergence {
    const pool = alloc.pool(key);
    if (ips.length === 0 || pool === '') return { ips: [], events };
    return { ips: ips.map((ip) => ip.text), pool, events };
  }
}

/** allocateIPs: the requested addresses, else an address from the requested pool, else from any pool. */
function allocateIPs(alloc: Allocator, svc: KubeObject, family: Family): { ips: Address[] } | { error: string } {
  const facts = serviceFacts(svc);
  const wanted = requestedIPs(svc);
  if ('error' in wanted) return wanted;
  const pool = requestedPool(svc);
  if (wanted.ips.length > 0) {
    if (wanted.family !== family) return { error: `requested loadBalancer IP(s) ${quoteIPs(wanted.ips)} does not match the ipFamily of the service` };
    const err = alloc.assign(facts, wanted.ips);
    if (err) return { error: err };
    if (pool !== '' && alloc.pool(facts.key) !== pool) {
      alloc.unassign(facts.key);
      return { error: `requested loadBalancer IP(s) ${quoteIPs(wanted.ips)} is not compatible with requested address pool ${pool}` };
    }
    return { ips: wanted.ips };
  }
  if (pool !== '') return alloc.allocateFromPool(facts, family, pool);
  return alloc.allocate(facts, family);
}

/** Warnings for annotations under the deprecated prefix (MetalLB emits them when it changes the Service). */
export function deprecatedAnnotationEvents(svc: KubeObject): ServiceEvent[] {
  return Object.keys(svc.metadata.annotations ?? {})
    .filter((k) => k.startsWith(DEPRECATED_ANNOTATION_PREFIX))
    .sort()
    .map((k) => ({ type: 'Warning' as const, reason: Reason.DeprecatedAnnotation, message: `Service uses deprecated annotation ${k}` }));
}

/** Whether applying the convergence changes the Service (status addresses or the pool annotation). */
export function convergenceChanges(svc: KubeObject, c: Convergence): boolean {
  const pool = svc.metadata.annotations?.[Annotation.ipAllocatedFromPool];
  return !sameIPs(ingressIPs(svc), c.ips) || pool !== c.pool;
}
