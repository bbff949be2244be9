// The cluster network as a guest sees it (GuestNetwork): cluster DNS with the
// VMI namespace's search list, and HTTP to cluster IPs, pod IPs, route hosts,
// LoadBalancer addresses and NodePorts, leaving from the guest's pod IP and
// node, so a NetworkPartition on either end cuts the traffic.

import type { GuestHttpRequest, GuestHttpResult, GuestInfo, GuestNetwork } from '../guest/types.ts';
import { dataPlaneOf, type DataPlaneHost } from './dataplane.ts';
import { resolveName } from './dns.ts';
import { isFailure, type HeaderList } from './http-message.ts';
import { isIPv4 } from './ip-address.ts';

export function clusterGuestNetwork(host: DataPlaneHost): GuestNetwork {
  return {
    resolve(from: GuestInfo, name: string) {
      return resolveName(dataPlaneOf(host).view.current(), name, from.namespace);
    },
    http(from: GuestInfo, request: GuestHttpRequest): GuestHttpResult {
      const plane = dataPlaneOf(host);
      const snapshot = plane.view.current();
      const ip = isIPv4(request.host) ? request.host : resolveName(snapshot, request.host, from.namespace)?.addresses[0];
      if (!ip) return { error: 'unresolved' };
      const node = snapshot.podsByIP.get(from.ip)?.nodeName ?? from.node;
      const headers: HeaderList = Object.entries(request.headers);
      const scheme = request.url.startsWith('https:') ? 'https' : 'http';
      const d = plane.fromInside(
        { method: request.method, host: ip, port: request.port, path: request.path || '/', scheme, headers, clientIp: from.ip },
        { ip: from.ip, ...(node ? { node } : {}) },
      );
      if (isFailure(d)) return { error: d.error };
      const out: Record<string, string> = {};
      for (const [k, v] of d.headers) out[k] = v;
      return { status: d.status, headers: out, body: d.body };
    },
  };
}
