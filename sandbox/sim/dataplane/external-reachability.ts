// What a client outside the cluster (the student's shell, a browser, a
// grader) can reach, exactly as on a real cluster: route hosts and the
// ingress VIP (the router), LoadBalancer addresses a node announces, and
// NodePorts on node addresses. Cluster IPs, pod IPs and *.svc names exist
// only inside; the answer says so, and how to expose the Service instead.

import { lbAnnouncement, poolHolding } from './announcement.ts';
import { INGRESS_VIP, isIngressHost, ROUTER_HTTP_PORT, ROUTER_HTTPS_PORT } from './ingress.ts';
import { inCidr, isIPv4 } from './ip-address.ts';
import type { NetworkSnapshot, NodeView, ServicePort, ServiceView } from './network-view.ts';

export type ExternalTarget =
  | { kind: 'router' }
  | { kind: 'load-balancer'; service: ServiceView; port: ServicePort; node: string }
  | { kind: 'node-port'; service: ServiceView; port: ServicePort; node: NodeView }
  /** Nothing answers: a client times out. */
  | { kind: 'silent'; text: string }
  /** Something answers with a reset: connection refused. */
  | { kind: 'refused'; text: string }
  /** The address or name does not exist outside the cluster. */
  | { kind: 'unreachable'; text: string };

const EXPOSE_HINT = (svc: ServiceView): string =>
  `To reach it from outside, expose the Service with a Route (oc expose service ${svc.name} -n ${svc.namespace}) or make it a LoadBalancer or NodePort Service.`;

/** `web.ha-lab.svc`, `web.ha-lab.svc.cluster.local` → the Service, when the name has that shape. */
function serviceOfName(snapshot: NetworkSnapshot, host: string): { svc?: ServiceView; shaped: boolean } {
  const m = /^([^.]+)\.([^.]+)\.svc(?:\.cluster\.local)?$/.exec(host);
  if (!m) return { shaped: /\.svc(\.cluster\.local)?$|\.cluster\.local$/.test(host) };
  return { svc: snapshot.service(m[2], m[1]), shaped: true };
}

export function classifyExternal(snapshot: NetworkSnapshot, rawHost: string, port: number): ExternalTarget {
  const host = rawHost.trim().toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (!isIPv4(host)) {
    if (isIngressHost(snapshot, host)) return routerOn(host, port);
    const named = serviceOfName(snapshot, host);
    if (named.svc) {
      return { kind: 'unreachable', text: `${host} is the in-cluster DNS name of Service ${named.svc.namespace}/${named.svc.name}; cluster DNS names do not resolve outside the cluster, so it is not reachable from outside the cluster. ${EXPOSE_HINT(named.svc)}` };
    }
    if (named.shaped) {
      return { kind: 'unreachable', text: `${host} is a cluster-internal DNS name (and no such Service exists); it is not reachable from outside the cluster. Expose a Service with a Route, or as a LoadBalancer or NodePort Service.` };
    }
    const node = snapshot.nodes.get(host);
    if (node?.internalIP) return classifyAddress(snapshot, node.internalIP, port, host);
    return { kind: 'unreachable', text: `Could not resolve host ${host}: it is not a Route host, a LoadBalancer address or a node of this cluster, so it is not reachable from outside the cluster.` };
  }
  return classifyAddress(snapshot, host, port, host);
}

function routerOn(host: string, port: number): ExternalTarget {
  if (port === ROUTER_HTTP_PORT || port === ROUTER_HTTPS_PORT) return { kind: 'router' };
  return { kind: 'refused', text: `Failed to connect to ${host} port ${port}: connection refused (the router listens on ports ${ROUTER_HTTP_PORT} and ${ROUTER_HTTPS_PORT} only).` };
}

function classifyAddress(snapshot: NetworkSnapshot, ip: string, port: number, asked: string): ExternalTarget {
  const where = asked === ip ? `${ip} port ${port}` : `${asked} (${ip}) port ${port}`;
  if (ip === INGRESS_VIP) return routerOn(ip, port);

  const lbServices = snapshot.servicesByLoadBalancerIP.get(ip);
  if (lbServices?.length) {
    const svc = lbServices.find((s) => s.ports.some((p) => p.port === port));
    const owner = svc ?? lbServices[0];
    const ann = lbAnnouncement(snapshot, owner);
    if (!ann.announced) {
      return { kind: 'silent', text: `Connection to ${where} timed out: ${ip} is assigned to Service ${owner.namespace}/${owner.name}${owner.pool ? ` from IPAddressPool ${owner.pool}` : ''}, but the address is not announced by any node: ${ann.why}.` };
    }
    const node = snapshot.nodes.get(ann.node);
    if (node && !node.reachable) {
      return { kind: 'silent', text: `Connection to ${where} timed out: node ${node.name} announces ${ip} but ${node.poweredOff ? 'is powered off' : 'is cut off from the network'}.` };
    }
    if (!svc) return { kind: 'silent', text: `Connection to ${where} timed out: no LoadBalancer Service on ${ip} has port ${port} (${lbServices.map((s) => `${s.namespace}/${s.name}: ${s.ports.map((p) => p.port).join(', ')}`).join('; ')}).` };
    return { kind: 'load-balancer', service: svc, port: svc.ports.find((p) => p.port === port)!, node: ann.node };
  }

  const node = snapshot.nodesByIP.get(ip);
  if (node) {
    if (!node.reachable) {
      return { kind: 'silent', text: `Connection to ${where} timed out: node ${node.name} ${node.poweredOff ? 'is powered off' : 'is cut off from the network'}.` };
    }
    const svc = snapshot.servicesByNodePort.get(port);
    const sp = svc?.ports.find((p) => p.nodePort === port);
    if (svc && sp) return { kind: 'node-port', service: svc, port: sp, node };
    return { kind: 'refused', text: `Failed to connect to ${where}: connection refused (no NodePort Service uses port ${port} on node ${node.name}; NodePorts are 30000-32767).` };
  }

  const clusterSvc = snapshot.servicesByClusterIP.get(ip);
  if (clusterSvc) {
    return { kind: 'unreachable', text: `${ip} is the cluster IP of Service ${clusterSvc.namespace}/${clusterSvc.name}; cluster IPs are not reachable from outside the cluster. ${EXPOSE_HINT(clusterSvc)}` };
  }
  if (snapshot.serviceNetworks.some((c) => inCidr(ip, c))) {
    return { kind: 'unreachable', text: `${ip} is in the service network (${snapshot.serviceNetworks.join(', ')}); cluster IPs are not reachable from outside the cluster. Expose the Service with a Route, or as a LoadBalancer or NodePort Service.` };
  }
  const pod = snapshot.podsByIP.get(ip);
  if (pod) {
    return { kind: 'unreachable', text: `${ip} is the IP of pod ${pod.namespace}/${pod.name}; pod IPs are not reachable from outside the cluster. Put a Service in front of it and expose that with a Route, or as a LoadBalancer or NodePort Service.` };
  }
  if (snapshot.clusterNetworks.some((c) => inCidr(ip, c))) {
    return { kind: 'unreachable', text: `${ip} is in the pod network (${snapshot.clusterNetworks.join(', ')}); pod IPs are not reachable from outside the cluster.` };
  }
  const pool = poolHolding(snapshot, ip);
  if (pool) {
    return { kind: 'silent', text: `Connection to ${where} timed out: ${ip} belongs to IPAddressPool ${pool}, but no Service has been assigned this address, so no node announces it.` };
  }
  return { kind: 'unreachable', text: `${ip} is not an address of this cluster (not a Route host, a LoadBalancer address or a node), so it is not reachable from outside the cluster.` };
}
