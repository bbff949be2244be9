// Whether a LoadBalancer address answers on the node network: MetalLB's
// speaker announces it (ARP, layer 2) from one node and says so with a
// ServiceL2Status. When no node announces it, the address is silent, and the
// reason is one of the speaker's conditions (§7.3): no L2Advertisement covers
// the pool, no endpoint can serve, or no node qualifies.

import { formatNet, parseAddressRange } from '../kinds/metallb/ipaddresspool.ts';
import { fromLabelSelectorObject, matchesLabels, type LabelSelectorObject } from '../store/label-selector.ts';
import type { KubeObject } from '../api/object.ts';
import { inCidr } from './ip-address.ts';
import { METALLB_NAMESPACE, Resources, type NetworkSnapshot, type ServiceView } from './network-view.ts';

export type Announcement = { announced: true; node: string } | { announced: false; why: string };

const EXCLUDE_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';

type Json = Record<string, unknown>;
const rec = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const selectors = (v: unknown): LabelSelectorObject[] => (Array.isArray(v) ? v.map((x) => rec(x) as LabelSelectorObject) : []);

function selectorMatches(sel: LabelSelectorObject, labels: Record<string, string>): boolean {
  try {
    return matchesLabels(fromLabelSelectorObject(sel), labels);
  } catch {
    return false;
  }
}

/** The L2Advertisements that apply to a pool: those naming it, selecting it, or naming no pool at all. */
function advertisementsFor(snapshot: NetworkSnapshot, pool: string | undefined): KubeObject[] {
  const poolObj = pool ? snapshot.list(Resources.pools, METALLB_NAMESPACE).find((p) => p.metadata.name === pool) : undefined;
  return snapshot.list(Resources.l2Advertisements, METALLB_NAMESPACE).filter((ad) => {
    const spec = rec(ad.spec);
    const names = strings(spec.ipAddressPools);
    const sels = selectors(spec.ipAddressPoolSelectors);
    if (!names.length && !sels.length) return true;
    if (pool && names.includes(pool)) return true;
    return !!poolObj && sels.some((s) => selectorMatches(s, poolObj.metadata.labels ?? {}));
  });
}

export function lbAnnouncement(snapshot: NetworkSnapshot, svc: ServiceView): Announcement {
  const status = snapshot.l2Statuses.get(`${svc.namespace}/${svc.name}`);
  if (status) return { announced: true, node: status.node };
  const poolText = svc.pool ? `IPAddressPool ${svc.pool}` : 'its IPAddressPool';
  const ads = advertisementsFor(snapshot, svc.pool);
  if (!ads.length) return { announced: false, why: `no L2Advertisement in ${METALLB_NAMESPACE} covers ${poolText}` };
  const eps = snapshot.endpoints(svc).filter((e) => e.ready || e.serving);
  if (!eps.length) return { announced: false, why: `Service ${svc.namespace}/${svc.name} has no ready endpoints, and MetalLB announces an address only while an endpoint can serve it` };
  const localNodes = new Set(eps.map((e) => e.nodeName).filter((n): n is string => !!n));
  const candidates = [...snapshot.nodes.values()].filter((n) => ads.some((ad) => {
    const sels = selectors(rec(ad.spec).nodeSelectors);
    return !sels.length || sels.some((s) => selectorMatches(s, n.labels));
  }));
  if (!candidates.length) return { announced: false, why: `no node matches the nodeSelectors of the L2Advertisements that cover ${poolText}` };
  const eligible = candidates.filter((n) => n.reachable && n.ready && !n.networkUnavailable && !(EXCLUDE_LABEL in n.labels)
    && (svc.externalTrafficPolicy !== 'Local' || localNodes.has(n.name)));
  if (!eligible.length) {
    const why = svc.externalTrafficPolicy === 'Local'
      ? 'with externalTrafficPolicy Local only a node running a ready endpoint may announce it, and none of those can'
      : 'every node that could announce it is down, not Ready, cut off or excluded from external load balancers';
    return { announced: false, why };
  }
  return { announced: false, why: 'no MetalLB speaker has announced it yet' };
}

/** The IPAddressPool whose ranges hold an address, if any. */
export function poolHolding(snapshot: NetworkSnapshot, ip: string): string | undefined {
  for (const pool of snapshot.list(Resources.pools, METALLB_NAMESPACE)) {
    for (const range of strings(rec(pool.spec).addresses)) {
      const parsed = parseAddressRange(range.trim());
      if ('nets' in parsed && parsed.nets.some((n) => n.ip.length === 4 && inCidr(ip, formatNet(n)))) return pool.metadata.name;
    }
  }
  return undefined;
}
