// A router's entry in a Route's status.ingress[], written as the router's
// StatusAdmitter does (pkg/router/controller/status.go recordIngressCondition):
// one entry per routerName with host, wildcardPolicy, routerCanonicalHostname
// and the Admitted condition; the entry changes only when one of those or the
// condition (type, status, reason, message) differs, and then the condition's
// lastTransitionTime is now.

import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import type { PriorCondition, Verdict } from './host-claims.ts';
import { jsonClone } from '../../api/json-clone.ts';

type Json = Record<string, unknown>;

export const ADMITTED = 'Admitted';

export interface IngressTarget {
  routerName: string;
  host: string;
  wildcardPolicy: string;
  routerCanonicalHostname: string;
}

function s(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function ingressList(route: KubeObject): Json[] {
  const st = isPlainObject(route.status) ? route.status : {};
  return Array.isArray(st.ingress) ? st.ingress.filter(isPlainObject) : [];
}

function conditionsOf(entry: Json): Json[] {
  return Array.isArray(entry.conditions) ? entry.conditions.filter(isPlainObject) : [];
}

/** This router's Admitted condition on the route. */
export function admittedCondition(route: KubeObject, routerName: string): PriorCondition | undefined {
  const entry = ingressList(route).find((i) => i.routerName === routerName);
  const c = entry && conditionsOf(entry).find((x) => x.type === ADMITTED);
  if (!c) return undefined;
  return { status: s(c.status), ...(c.reason !== undefined ? { reason: s(c.reason) } : {}), ...(c.message !== undefined ? { message: s(c.message) } : {}) };
}

function conditionFor(v: Verdict): Json {
  return v.admitted ? { type: ADMITTED, status: 'True' } : { type: ADMITTED, status: 'False', reason: v.reason, message: v.message };
}

function sameCondition(a: Json, b: Json): boolean {
  return s(a.type) === s(b.type) && s(a.status) === s(b.status) && s(a.reason) === s(b.reason) && s(a.message) === s(b.message);
}

/**
 * The route's status with this router's entry brought up to date, or
 * undefined when nothing would change (no write then).
 */
export function ingressStatusFor(route: KubeObject, target: IngressTarget, verdict: Verdict, now: string): Json | undefined {
  const want = conditionFor(verdict);
  const ingress = ingressList(route).map((i) => jsonClone(i));
  const entry = ingress.find((i) => i.routerName === target.routerName);
  if (!entry) {
    ingress.push({
      host: target.host,
      routerName: target.routerName,
      conditions: [{ ...want, lastTransitionTime: now }],
      wildcardPolicy: target.wildcardPolicy,
      routerCanonicalHostname: target.routerCanonicalHostname,
    });
  } else {
    const conds = conditionsOf(entry);
    const existing = conds.find((c) => c.type === ADMITTED);
    const unchanged = s(entry.host) === target.host && s(entry.wildcardPolicy) === target.wildcardPolicy
      && s(entry.routerCanonicalHostname) === target.routerCanonicalHostname && !!existing && sameCondition(existing, want);
    if (unchanged) return undefined;
    entry.host = target.host;
    entry.wildcardPolicy = target.wildcardPolicy;
    entry.routerCanonicalHostname = target.routerCanonicalHostname;
    const next = { ...want, lastTransitionTime: now };
    entry.conditions = existing ? conds.map((c) => (c === existing ? next : c)) : [...conds, next];
  }
  return { ...(isPlainObject(route.status) ? jsonClone(route.status) : {}), ingress };
}
