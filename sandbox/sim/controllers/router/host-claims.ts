// Which routes may serve a host, as the OpenShift router decides it
// (openshift/router pkg/router/controller: host_admitter.go, unique_host.go and
// hostindex/activation.go with the default namespace ownership check): the
// oldest route claiming a host wins it, its namespace owns the host, other
// routes of that namespace share it when their path differs, and every other
// route is rejected with HostAlreadyClaimed. Wildcard (Subdomain) routes are
// refused before, because the default ingress controller disallows them.

import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';

type Json = Record<string, unknown>;

export const Reason = {
  HostAlreadyClaimed: 'HostAlreadyClaimed',
  RouteNotAdmitted: 'RouteNotAdmitted',
  NoHostValue: 'NoHostValue',
} as const;

export const WILDCARD_NOT_ALLOWED = 'wildcard routes are not allowed';
export const NO_HOST_VALUE = 'no host value was defined for the route';

export type Verdict =
  | { admitted: true }
  | { admitted: false; reason: string; message: string };

/** This router's Admitted condition on a route as it stands, if any. */
export interface PriorCondition {
  status: string;
  reason?: string;
  message?: string;
}

function o(v: unknown): Json {
  return isPlainObject(v) ? v : {};
}

function s(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

export function routeKey(r: KubeObject): string {
  return `${r.metadata.namespace}/${r.metadata.name}`;
}

/**
 * RouteLessThan: older creationTimestamp first. Timestamps have one-second
 * resolution; upstream breaks ties by uid (random), we break them by name,
 * then namespace, then uid, so ties resolve the same way every time.
 */
export function routeLessThan(a: KubeObject, b: KubeObject): boolean {
  const ta = s(a.metadata.creationTimestamp);
  const tb = s(b.metadata.creationTimestamp);
  if (ta !== tb) return ta < tb;
  const na = s(a.metadata.name);
  const nb = s(b.metadata.name);
  if (na !== nb) return na < nb;
  const sa = s(a.metadata.namespace);
  const sb = s(b.metadata.namespace);
  if (sa !== sb) return sa < sb;
  return s(a.metadata.uid) < s(b.metadata.uid);
}

/** The host a router serves a route on: spec.host, or <spec.subdomain>.<router domain>. */
export function servedHost(route: KubeObject, routerDomain: string): string {
  const spec = o(route.spec);
  const host = s(spec.host);
  if (host) return host;
  const sub = s(spec.subdomain);
  return sub ? `${sub}.${routerDomain}` : '';
}

export function isWildcard(route: KubeObject): boolean {
  return s(o(route.spec).wildcardPolicy) === 'Subdomain';
}

/** hasExistingMatch: same path, or a passthrough route already holds the host for TLS routes. */
function pathTaken(admitted: KubeObject[], route: KubeObject): boolean {
  const spec = o(route.spec);
  return admitted.some((a) => {
    const aspec = o(a.spec);
    if (s(aspec.path) === s(spec.path)) return true;
    return isPlainObject(aspec.tls) && isPlainObject(spec.tls) && s(aspec.tls.termination) === 'passthrough';
  });
}

/**
 * The verdict for every route claiming one host (wildcard routes excluded).
 * `prior` gives this router's current Admitted condition of a route: a route
 * already rejected for the host keeps its message (the router records the
 * reason when the rejection happens), and a route that loses a host it held
 * is told who displaced it.
 */
export function judgeHostClaims(routes: KubeObject[], host: string, prior: (r: KubeObject) => PriorCondition | undefined): Map<string, Verdict> {
  // Within one second a route that already serves the host stays ahead, so a
  // tie never takes a host away from its current holder.
  const holds = (r: KubeObject): boolean => prior(r)?.status === 'True';
  const sorted = [...routes].sort((a, b) => {
    if (s(a.metadata.creationTimestamp) === s(b.metadata.creationTimestamp) && holds(a) !== holds(b)) return holds(a) ? -1 : 1;
    return routeLessThan(a, b) ? -1 : routeLessThan(b, a) ? 1 : 0;
  });
  const out = new Map<string, Verdict>();
  if (!sorted.length) return out;
  const owner = sorted[0];
  const ownerNamespace = owner.metadata.namespace;
  const admitted: KubeObject[] = [];
  for (const r of sorted) {
    if (r.metadata.namespace === ownerNamespace && !pathTaken(admitted, r)) {
      admitted.push(r);
      out.set(routeKey(r), { admitted: true });
      continue;
    }
    const was = prior(r);
    let message: string;
    if (was?.status === 'False' && was.reason === Reason.HostAlreadyClaimed && was.message) {
      message = was.message;
    } else if (was?.status === 'True') {
      const ownerWasAdmitted = prior(owner)?.status === 'True';
      message = owner.metadata.namespace !== r.metadata.namespace && !ownerWasAdmitted
        ? `namespace ${ownerNamespace} owns hostname ${host}`
        : `replaced by older route ${owner.metadata.name}`;
    } else if (owner.metadata.namespace === r.metadata.namespace) {
      message = `route ${owner.metadata.name} already exposes ${host} and is older`;
    } else {
      message = `a route in another namespace holds ${host} and is older than ${r.metadata.name}`;
    }
    out.set(routeKey(r), { admitted: false, reason: Reason.HostAlreadyClaimed, message });
  }
  return out;
}
