// Which node announces a LoadBalancer address in layer 2 mode (MetalLB's
// speaker/layer2_controller.go ShouldAnnounce, internal/config
// L2Advertisements): pure, from the Service, its EndpointSlices, the
// L2Advertisements of its pool and the nodes whose speakers are alive. Every
// speaker computes the same order (preference weights, then sha256 of
// "node#ip"), so the first candidate is the one that answers ARP.

import { createHash } from 'node:crypto';
import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import {
  fromLabelSelectorObject, matchesLabels, type LabelSelector, type LabelSelectorObject,
} from '../../store/label-selector.ts';
import { Annotation, DEPRECATED_ANNOTATION_PREFIX } from './allocator.ts';

export const EXCLUDE_FROM_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';

export interface L2Advertisement {
  name: string;
  /** Pools it announces (by name), or every pool. */
  pools: Set<string> | 'all';
  /** Nodes it may announce from. */
  nodes: Set<string>;
  /** Interfaces to announce on; empty means every interface. */
  interfaces: string[];
  serviceSelectors: LabelSelector[];
  /** Preference weight per node (preferredNodeSelectors). */
  preferred: Map<string, number>;
}

function rec(v: unknown): Record<string, unknown> {
  return isPlainObject(v) ? v : {};
}

function selectors(v: unknown): LabelSelector[] {
  const out: LabelSelector[] = [];
  for (const s of Array.isArray(v) ? v : []) {
    try {
      const sel = fromLabelSelectorObject(rec(s) as LabelSelectorObject);
      if (sel) out.push(sel);
    } catch {
      // MetalLB rejects the configuration; a selector it cannot parse selects nothing here.
      out.push([{ key: '', op: 'in', values: [] }]);
    }
  }
  return out;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** l2AdvertisementFromCR + setL2AdvertisementsToPools: what each L2Advertisement covers. */
export function parseL2Advertisements(advs: readonly KubeObject[], pools: readonly KubeObject[], nodes: readonly KubeObject[]): L2Advertisement[] {
  return advs.map((a) => {
    const spec = rec(a.spec);
    const byName = strings(spec.ipAddressPools);
    const poolSelectors = selectors(spec.ipAddressPoolSelectors);
    const poolSet: Set<string> | 'all' = byName.length === 0 && poolSelectors.length === 0
      ? 'all'
      : new Set([...byName, ...pools.filter((p) => poolSelectors.some((s) => matchesLabels(s, p.metadata.labels))).map((p) => p.metadata.name!)]);
    const nodeSelectors = selectors(spec.nodeSelectors);
    const selected = nodes.filter((n) => nodeSelectors.length === 0 || nodeSelectors.some((s) => matchesLabels(s, n.metadata.labels)));
    const preferred = new Map<string, number>();
    for (const p of Array.isArray(spec.preferredNodeSelectors) ? spec.preferredNodeSelectors : []) {
      const weight = typeof rec(p).weight === 'number' ? rec(p).weight as number : 0;
      const sel = selectors([rec(p).preference])[0];
      for (const n of selected) if (sel && matchesLabels(sel, n.metadata.labels)) preferred.set(n.metadata.name!, (preferred.get(n.metadata.name!) ?? 0) + weight);
    }
    return {
      name: a.metadata.name!,
      pools: poolSet,
      nodes: new Set(selected.map((n) => n.metadata.name!)),
      interfaces: strings(spec.interfaces),
      serviceSelectors: selectors(spec.serviceSelectors),
      preferred,
    };
  });
}

/** The advertisements of a pool that apply to the Service (serviceSelectors). */
export function advertisementsFor(ads: readonly L2Advertisement[], pool: string, svc: KubeObject): L2Advertisement[] {
  return ads.filter((a) => (a.pools === 'all' || a.pools.has(pool))
    && (a.serviceSelectors.length === 0 || a.serviceSelectors.some((s) => matchesLabels(s, svc.metadata.labels))));
}

/** epslices.EndpointCanServe: ready unset or true, or serving. */
export function endpointCanServe(conditions: unknown): boolean {
  const c = rec(conditions);
  return c.ready === undefined || c.ready === null || c.ready === true || c.serving === true;
}

function servingEndpoints(slices: readonly KubeObject[]): Record<string, unknown>[] {
  return slices.flatMap((s) => (Array.isArray(s.endpoints) ? s.endpoints.filter(isPlainObject) : [])).filter((e) => endpointCanServe(e.conditions));
}

function conditionStatus(node: KubeObject, type: string): string | undefined {
  const conds = rec(node.status).conditions;
  const c = (Array.isArray(conds) ? conds : []).map(rec).find((x) => x.type === type);
  return typeof c?.status === 'string' ? c.status : undefined;
}

export const nodeReady = (node: KubeObject): boolean => conditionStatus(node, 'Ready') === 'True';

/** Node facts the election looks at (a change in them can move an announcement). */
export function nodeEligibilityFacts(node: KubeObject): unknown {
  return {
    ready: conditionStatus(node, 'Ready') ?? null,
    network: conditionStatus(node, 'NetworkUnavailable') ?? null,
    labels: node.metadata.labels ?? {},
  };
}

function hasSharedIP(svc: KubeObject): boolean {
  const a = svc.metadata.annotations ?? {};
  return Annotation.allowSharedIP in a || `${DEPRECATED_ANNOTATION_PREFIX}/allow-shared-ip` in a;
}

export interface Election {
  /** The announcing node, if any. */
  node?: string;
  /** Why no node announces (MetalLB's deleteReason), when none does. */
  reason?: string;
  /** The advertisements that apply to the Service. */
  ads: L2Advertisement[];
}

/**
 * ShouldAnnounce, for all speakers at once. `speakerUp` says whether a node's
 * speaker is a live member (the node is up and Ready).
 */
export function electL2Leader(
  svc: KubeObject, ips: readonly string[], ads: readonly L2Advertisement[], slices: readonly KubeObject[],
  nodes: readonly KubeObject[], speakerUp: (node: KubeObject) => boolean,
): Election {
  const forSvc = [...ads];
  const serving = servingEndpoints(slices);
  if (serving.length === 0) return { reason: 'notOwner', ads: forSvc };
  if (hasSharedIP(svc) && forSvc.some((a) => a.serviceSelectors.length > 0)) return { reason: 'sharedIPWithServiceSelector', ads: forSvc };
  const speakers = new Set(nodes.filter((n) => speakerUp(n)
    && conditionStatus(n, 'NetworkUnavailable') !== 'True'
    && !(n.metadata.labels && EXCLUDE_FROM_LB_LABEL in n.metadata.labels)
    && forSvc.some((a) => a.nodes.has(n.metadata.name!))).map((n) => n.metadata.name!));
  let candidates = [...speakers];
  if (rec(svc.spec).externalTrafficPolicy === 'Local') {
    const withEndpoint = new Set(serving.map((e) => e.nodeName).filter((n): n is string => typeof n === 'string'));
    candidates = candidates.filter((n) => withEndpoint.has(n));
  }
  if (candidates.length === 0) return { reason: 'notOwner', ads: forSvc };
  const first = sortL2Candidates(candidates, ips[0], forSvc)[0];
  return { node: first, ads: forSvc };
}

/** Highest summed preference first, then sha256(node + "#" + ip): the same order on every speaker. */
export function sortL2Candidates(candidates: readonly string[], ip: string, ads: readonly L2Advertisement[]): string[] {
  const score = (n: string): number => ads.reduce((s, a) => s + (a.preferred.get(n) ?? 0), 0);
  const hash = (n: string): string => createHash('sha256').update(`${n}#${ip}`).digest('hex');
  return [...candidates]
    .map((n) => ({ n, s: score(n), h: hash(n) }))
    .sort((a, b) => (b.s - a.s) || (a.h < b.h ? -1 : a.h > b.h ? 1 : 0))
    .map((x) => x.n);
}

/**
 * The interfaces the announcing node's advertisements name; undefined when
 * one of them announces on every interface.
 */
export function announcedInterfaces(ads: readonly L2Advertisement[], node: string): string[] | undefined {
  const mine = ads.filter((a) => a.nodes.has(node));
  if (mine.some((a) => a.interfaces.length === 0)) return undefined;
  return [...new Set(mine.flatMap((a) => a.interfaces))].sort();
}
