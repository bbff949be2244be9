// Cluster DNS as CoreDNS answers it inside the cluster: Services as
// <svc>.<ns>.svc.cluster.local (the cluster IP; for a headless Service the
// ready endpoints' addresses, and <hostname>.<svc>.<ns>.svc.cluster.local per
// endpoint), pods as <a-b-c-d>.<ns>.pod.cluster.local, route hosts and
// *.apps.<domain> as the ingress VIP, node names as node addresses. Short
// names go through the pod's search list with ndots:5, as in resolv.conf.

import { DNS_SERVICE_IP } from '../topology.ts';
import { INGRESS_VIP, isIngressHost } from './ingress.ts';
import { isIPv4, undashIp } from './ip-address.ts';
import type { NetworkSnapshot, ServiceView } from './network-view.ts';

export const CLUSTER_DOMAIN = 'cluster.local';
/** The DNS Service's cluster IP (openshift-dns/dns-default); guests get it over DHCP. */
export const CLUSTER_DNS_IP = DNS_SERVICE_IP;
const NDOTS = 5;

export interface DnsAnswer {
  /** The canonical name, followed by the queried alias when a CNAME was followed (getent's layout). */
  name: string;
  addresses: string[];
}

/** The search list of a pod (and of a VMI's guest, which gets it over DHCP) in `namespace`. */
export function searchDomains(namespace: string): string[] {
  return [`${namespace}.svc.${CLUSTER_DOMAIN}`, `svc.${CLUSTER_DOMAIN}`, CLUSTER_DOMAIN];
}

function serviceAnswer(snapshot: NetworkSnapshot, svc: ServiceView, fqdn: string, depth: number): DnsAnswer | undefined {
  if (svc.externalName) {
    const target = lookup(snapshot, svc.externalName.toLowerCase().replace(/\.$/, ''), depth + 1);
    return target ? { name: `${target.name.split(' ')[0]} ${fqdn}`, addresses: target.addresses } : undefined;
  }
  if (svc.clusterIP) return { name: fqdn, addresses: [svc.clusterIP] };
  if (!svc.headless) return undefined;
  const eps = snapshot.endpoints(svc).filter((e) => e.ready || svc.publishNotReadyAddresses);
  const addresses = [...new Set(eps.map((e) => e.ip))];
  return addresses.length ? { name: fqdn, addresses } : undefined;
}

/** A query for one fully qualified name (no search list). */
export function lookup(snapshot: NetworkSnapshot, fqdn: string, depth = 0): DnsAnswer | undefined {
  if (depth > 8) return undefined;
  if (isIPv4(fqdn)) return { name: fqdn, addresses: [fqdn] };
  const svcZone = `.svc.${CLUSTER_DOMAIN}`;
  const podZone = `.pod.${CLUSTER_DOMAIN}`;
  if (fqdn.endsWith(svcZone)) {
    const labels = fqdn.slice(0, -svcZone.length).split('.');
    if (labels.length === 2) {
      const svc = snapshot.service(labels[1], labels[0]);
      return svc ? serviceAnswer(snapshot, svc, fqdn, depth) : undefined;
    }
    if (labels.length === 3) {
      const svc = snapshot.service(labels[2], labels[1]);
      if (!svc?.headless) return undefined;
      const eps = snapshot.endpoints(svc).filter((e) => e.ready || svc.publishNotReadyAddresses);
      const byName = eps.filter((e) => e.hostname === labels[0]).map((e) => e.ip);
      const ip = undashIp(labels[0]);
      const addresses = byName.length ? byName : eps.filter((e) => e.ip === ip).map((e) => e.ip);
      return addresses.length ? { name: fqdn, addresses: [...new Set(addresses)] } : undefined;
    }
    return undefined;
  }
  if (fqdn.endsWith(podZone)) {
    const labels = fqdn.slice(0, -podZone.length).split('.');
    const ip = labels.length === 2 ? undashIp(labels[0]) : undefined;
    return ip ? { name: fqdn, addresses: [ip] } : undefined;
  }
  if (fqdn.endsWith(`.${CLUSTER_DOMAIN}`) || fqdn === CLUSTER_DOMAIN) return undefined;
  if (isIngressHost(snapshot, fqdn)) return { name: fqdn, addresses: [INGRESS_VIP] };
  const node = snapshot.nodes.get(fqdn);
  if (node?.internalIP) return { name: fqdn, addresses: [node.internalIP] };
  return undefined;
}

/** A lookup as a pod in `namespace` makes it: the search list first for names with fewer than 5 dots. */
export function resolveName(snapshot: NetworkSnapshot, name: string, namespace: string): DnsAnswer | undefined {
  const n = name.trim().toLowerCase();
  if (!n) return undefined;
  if (n.endsWith('.')) return lookup(snapshot, n.slice(0, -1));
  if (isIPv4(n)) return { name: n, addresses: [n] };
  const dots = (n.match(/\./g) ?? []).length;
  const candidates = searchDomains(namespace).map((d) => `${n}.${d}`);
  const order = dots >= NDOTS ? [n, ...candidates] : [...candidates, n];
  for (const q of order) {
    const a = lookup(snapshot, q);
    if (a) return a;
  }
  return undefined;
}
