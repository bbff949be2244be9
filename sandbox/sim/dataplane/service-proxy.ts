// The Service proxy (kube-proxy / OVN-Kubernetes load balancers): a
// connection to a Service port goes to one ready endpoint picked at random,
// or, with sessionAffinity ClientIP, to the endpoint the client used last as
// long as it used it within the affinity timeout (cluster clock). The target
// port comes from the EndpointSlice port named like the Service port, so a
// named targetPort resolves per pod.

import type { Clock } from '../clock.ts';
import { deliverToPod, type DeliveryContext, type Origin } from './delivery.ts';
import type { Delivery } from './http-message.ts';
import type { EndpointView, NetworkSnapshot, ServicePort, ServiceView } from './network-view.ts';

export interface Backend {
  ip: string;
  port: number;
  nodeName?: string;
  podName?: string;
}

interface AffinityEntry {
  backend: string;
  lastUsed: number;
}

const backendKey = (b: Backend): string => `${b.ip}:${b.port}`;

/** The endpoints a Service port sends traffic to, with the port number each serves it on. */
export function serviceBackends(snapshot: NetworkSnapshot, svc: ServiceView, port: ServicePort, onlyNode?: string): Backend[] {
  const resolve = (eps: EndpointView[]): Backend[] => {
    const out: Backend[] = [];
    for (const e of eps) {
      if (onlyNode !== undefined && e.nodeName !== onlyNode) continue;
      const p = e.ports.find((x) => x.name === port.name && x.protocol === port.protocol);
      if (!p || !p.port) continue;
      const b: Backend = { ip: e.ip, port: p.port };
      if (e.nodeName) b.nodeName = e.nodeName;
      if (e.podName) b.podName = e.podName;
      if (!out.some((x) => backendKey(x) === backendKey(b))) out.push(b);
    }
    return out;
  };
  const all = snapshot.endpoints(svc);
  const ready = resolve(all.filter((e) => e.ready));
  if (ready.length) return ready;
  // With no ready endpoint left, terminating ones that still serve keep the Service alive (KEP-1669).
  return resolve(all.filter((e) => e.terminating && e.serving));
}

export class ServiceProxy {
  /** ClientIP affinity per Service port: client address → the backend it was sent to. */
  private readonly affinity = new Map<string, { service: string; clients: Map<string, AffinityEntry> }>();
  /** The snapshot the affinity tables were last checked against. */
  private checked?: NetworkSnapshot;

  constructor(private readonly clock: Clock, private readonly random: () => number) {}

  /** The backend for one new connection, or undefined when the Service port has none. */
  pick(snapshot: NetworkSnapshot, svc: ServiceView, port: ServicePort, clientIp: string, onlyNode?: string): Backend | undefined {
    this.forgetGoneServices(snapshot);
    const backends = serviceBackends(snapshot, svc, port, onlyNode);
    if (!backends.length) return undefined;
    const timeout = svc.clientIpAffinitySeconds;
    if (timeout === undefined) return backends[Math.floor(this.random() * backends.length) % backends.length];
    const service = `${svc.namespace}/${svc.name}`;
    const tableKey = `${service}:${port.name}:${port.port}`;
    let table = this.affinity.get(tableKey)?.clients;
    if (!table) {
      table = new Map();
      this.affinity.set(tableKey, { service, clients: table });
    }
    const now = this.clock.now();
    const seen = table.get(clientIp);
    // The timeout runs from the client's last packet, as iptables' `recent --rcheck --seconds` does.
    const kept = seen && this.clock.elapsed(seen.lastUsed) < timeout * 1000 ? backends.find((b) => backendKey(b) === seen.backend) : undefined;
    const chosen = kept ?? backends[Math.floor(this.random() * backends.length) % backends.length];
    table.set(clientIp, { backend: backendKey(chosen), lastUsed: now });
    return chosen;
  }

  /**
   * Affinity goes with its Service (kube-proxy deletes the rules), and entries
   * past the Service's timeout are forgotten, so the tables stay as large as
   * the clients of the moment.
   */
  private forgetGoneServices(snapshot: NetworkSnapshot): void {
    if (snapshot === this.checked) return;
    this.checked = snapshot;
    for (const [key, { service, clients }] of [...this.affinity]) {
      const svc = snapshot.services.get(service);
      const timeout = svc?.clientIpAffinitySeconds;
      if (timeout === undefined) {
        this.affinity.delete(key);
        continue;
      }
      for (const [client, e] of [...clients]) if (this.clock.elapsed(e.lastUsed) >= timeout * 1000) clients.delete(client);
      if (!clients.size) this.affinity.delete(key);
    }
  }

  /**
   * A connection to a Service port, carried to the chosen endpoint. With
   * `localTo`, only endpoints on that node qualify (externalTrafficPolicy
   * Local for traffic entering there).
   */
  forward(ctx: DeliveryContext, svc: ServiceView, port: ServicePort, method: string, path: string, clientIp: string, from: Origin, localTo?: string): Delivery {
    const backend = this.pick(ctx.snapshot, svc, port, clientIp, localTo);
    if (!backend && localTo !== undefined) {
      // Local policy drops what arrives at a node without a local endpoint.
      return { error: 'timeout', detail: `Service ${svc.namespace}/${svc.name} has externalTrafficPolicy Local and no ready endpoint on node ${localTo}` };
    }
    if (!backend) {
      // kube-proxy rejects connections to a Service without endpoints (ICMP port unreachable).
      return { error: 'refused', detail: `Service ${svc.namespace}/${svc.name} port ${port.port} has no ready endpoints` };
    }
    return deliverToPod(ctx, backend.ip, backend.port, method, path, from);
  }
}
