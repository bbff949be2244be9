// Where the router is reached: the ingress VIP on the machine network, which
// the wildcard DNS record *.apps.<domain> and every admitted route host point
// to (as on a bare-metal OpenShift cluster). Data only: nothing listens on it.

import type { NetworkSnapshot } from './network-view.ts';

/** The ingress VIP (the installer's ingressVIPs), on the node network 192.168.126.0/24 next to the nodes. */
export const INGRESS_VIP = '192.168.126.4';

/** The router's HTTP and HTTPS ports on the VIP. */
export const ROUTER_HTTP_PORT = 80;
export const ROUTER_HTTPS_PORT = 443;

/** The host names the ingress VIP answers for: admitted route hosts and anything under the apps domain. */
export function isIngressHost(snapshot: NetworkSnapshot, host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (snapshot.routesByHost.has(h)) return true;
  return snapshot.appsDomains.some((d) => h.endsWith(`.${d}`));
}
