// One cluster's data plane: the router, the Service proxy and the last hop to
// pods, over one view of the cluster's objects. Traffic from outside goes
// through the reachability rules of a real cluster's edge; traffic from
// inside (a guest's curl) reaches cluster IPs and pod IPs too. One instance
// per cluster keeps the balancers' rotation and ClientIP affinity shared by
// every entry point.

import type { Clock } from '../clock.ts';
import { deliverToPod, pathOpen, type DeliveryContext, type GuestDeliveryTarget, type Origin } from './delivery.ts';
import { classifyExternal } from './external-reachability.ts';
import { isFailure, textResponse, type DataPlaneRequest, type DataPlaneResponse, type Delivery, type DeliveryFailure } from './http-message.ts';
import { INGRESS_VIP, ROUTER_HTTP_PORT, ROUTER_HTTPS_PORT } from './ingress.ts';
import { NetworkView, type NetworkReader } from './network-view.ts';
import { Router } from './router.ts';
import { ServiceProxy } from './service-proxy.ts';
import type { BalanceAlgorithm } from './balance.ts';

/** What a data plane needs of its cluster. */
export interface DataPlaneHost {
  readonly store: NetworkReader;
  readonly clock: Clock;
  readonly guests: GuestDeliveryTarget;
}

export interface DataPlaneOptions {
  /** Source of randomness for `random` balancing and the Service proxy (tests pass a seeded one). */
  random?: () => number;
  /** The router's ROUTER_LOAD_BALANCE_ALGORITHM. */
  routerAlgorithm?: BalanceAlgorithm;
}

/** The address outside clients appear from: the machine network's gateway, where the student's workstation sits. */
export const EXTERNAL_CLIENT_IP = '192.168.126.1';

/** Where an in-cluster request comes from. */
export interface InsideOrigin extends Origin {
  ip: string;
}

export class DataPlane {
  readonly view: NetworkView;
  readonly router: Router;
  readonly services: ServiceProxy;

  constructor(private readonly host: DataPlaneHost, options: DataPlaneOptions = {}) {
    const random = options.random ?? Math.random;
    this.view = new NetworkView(host.store);
    this.router = new Router({ random, ...(options.routerAlgorithm ? { defaultAlgorithm: options.routerAlgorithm } : {}) });
    this.services = new ServiceProxy(host.clock, random);
  }

  context(): DeliveryContext {
    return { snapshot: this.view.current(), guests: this.host.guests, now: this.host.clock.now() };
  }

  /** A request from outside the cluster, answered as the edge of a real cluster would. */
  fromOutside(request: DataPlaneRequest): DataPlaneResponse {
    const ctx = this.context();
    const target = classifyExternal(ctx.snapshot, request.host, request.port);
    const where = `${request.host} port ${request.port}`;
    switch (target.kind) {
      case 'router':
        return this.router.handle(ctx, request);
      case 'load-balancer': {
        const local = target.service.externalTrafficPolicy === 'Local' ? target.node : undefined;
        const d = this.services.forward(ctx, target.service, target.port, request.method, request.path, request.clientIp, { node: target.node }, local);
        return isFailure(d) ? failureAnswer(where, d) : d;
      }
      case 'node-port': {
        const local = target.service.externalTrafficPolicy === 'Local' ? target.node.name : undefined;
        const d = this.services.forward(ctx, target.service, target.port, request.method, request.path, request.clientIp, { node: target.node.name }, local);
        return isFailure(d) ? failureAnswer(where, d) : d;
      }
      case 'silent':
        return textResponse(504, `virtlab proxy: ${target.text}\n`);
      case 'refused':
      case 'unreachable':
        return textResponse(502, `virtlab proxy: ${target.text}\n`);
    }
  }

  /** A request from a pod or guest to an address (names already resolved). */
  fromInside(request: DataPlaneRequest, origin: InsideOrigin): Delivery {
    const ctx = this.context();
    const snapshot = ctx.snapshot;
    const ip = request.host;
    const where = `${ip}:${request.port}`;
    const req = { ...request, clientIp: origin.ip };
    if (ip === INGRESS_VIP) {
      if (request.port !== ROUTER_HTTP_PORT && request.port !== ROUTER_HTTPS_PORT) return { error: 'refused', detail: `${where}: connection refused` };
      const routerPath = pathOpen(snapshot, origin, undefined);
      if (!routerPath.open) return { error: 'timeout', detail: `${where}: connection timed out (${routerPath.why})` };
      return this.router.handle(ctx, { ...req, scheme: request.port === ROUTER_HTTPS_PORT ? 'https' : 'http' });
    }
    const svc = snapshot.servicesByClusterIP.get(ip) ?? snapshot.servicesByLoadBalancerIP.get(ip)?.find((s) => s.ports.some((p) => p.port === request.port));
    if (svc) {
      const port = svc.ports.find((p) => p.port === request.port);
      // A port the Service does not define matches no load-balancing rule: the packets are dropped.
      if (!port) return { error: 'timeout', detail: `${where}: connection timed out (Service ${svc.namespace}/${svc.name} has no port ${request.port})` };
      return this.services.forward(ctx, svc, port, request.method, request.path, origin.ip, origin);
    }
    const node = snapshot.nodesByIP.get(ip);
    if (node) {
      const open = pathOpen(snapshot, origin, node.name);
      if (!open.open) return { error: 'timeout', detail: `${where}: connection timed out (${open.why})` };
      const np = snapshot.servicesByNodePort.get(request.port);
      const port = np?.ports.find((p) => p.nodePort === request.port);
      if (np && port) return this.services.forward(ctx, np, port, request.method, request.path, origin.ip, { node: node.name }, np.externalTrafficPolicy === 'Local' ? node.name : undefined);
      return { error: 'refused', detail: `${where}: connection refused` };
    }
    return deliverToPod(ctx, ip, request.port, request.method, request.path, origin);
  }
}

/** A proxy's answer when the connection it made on the client's behalf failed. */
export function failureAnswer(where: string, d: DeliveryFailure): DataPlaneResponse {
  switch (d.error) {
    case 'timeout':
      return textResponse(504, `virtlab proxy: Connection to ${where} timed out: ${d.detail}.\n`);
    case 'protocol':
      return textResponse(502, `virtlab proxy: ${where} did not answer in HTTP: ${d.detail}.\n`);
    case 'unresolved':
      return textResponse(502, `virtlab proxy: Could not resolve host: ${d.detail}.\n`);
    default:
      return textResponse(502, `virtlab proxy: Failed to connect to ${where}: connection refused (${d.detail}).\n`);
  }
}

const planes = new WeakMap<object, DataPlane>();

/** The data plane of a cluster, made on first use and shared by the guest network and the external proxy. */
export function dataPlaneOf(host: DataPlaneHost, options?: DataPlaneOptions): DataPlane {
  let p = planes.get(host);
  if (!p) {
    p = new DataPlane(host, options);
    planes.set(host, p);
  }
  return p;
}
