// The OpenShift router (HAProxy) for HTTP and edge-terminated HTTPS: the
// admitted route for the Host header and path, its backend of ready
// endpoints weighted like the router's template does, the balance algorithm,
// the sticky cookie, and `option redispatch` when a server refuses or does not
// answer. No route, or no server left: the "Application is not available" page.

import { BackendBalancer, isBalanceAlgorithm, type BalanceAlgorithm, type WeightedServer } from './balance.ts';
import { deliverToPod, type DeliveryContext } from './delivery.ts';
import { headerValue, isFailure, type DataPlaneRequest, type DataPlaneResponse, type HeaderList } from './http-message.ts';
import type { NetworkSnapshot, RouteView } from './network-view.ts';
import { hostOf, matchRoute } from './route-match.ts';
import { applicationNotAvailable, badGateway, redirectToHttps } from './router-pages.ts';
import { cookieName, cookiesDisabled, cookieValue, endpointId, requestCookie, setCookieHeader } from './sticky-cookie.ts';

export const BALANCE_ANNOTATION = 'haproxy.router.openshift.io/balance';
export const HSTS_ANNOTATION = 'haproxy.router.openshift.io/hsts_header';

/** One `server` line of a route backend. */
export interface RouteServer extends WeightedServer {
  /** The router's endpoint ID; the sticky cookie's value is its md5. */
  id: string;
  cookie: string;
  service: string;
  ip: string;
  port: number;
  portName: string;
  nodeName?: string;
  podName?: string;
}

export interface RouteBackend {
  servers: RouteServer[];
  /** Backends of the route (to + alternateBackends) with weight > 0, whether or not they have endpoints. */
  activeServiceUnits: number;
}

type Json = Record<string, unknown>;
const rec = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

interface ServiceUnit {
  name: string;
  weight: number;
}

function serviceUnits(route: RouteView): ServiceUnit[] {
  const spec = rec(route.object.spec);
  const refs = [rec(spec.to), ...(Array.isArray(spec.alternateBackends) ? spec.alternateBackends.map(rec) : [])];
  return refs
    .filter((r) => (str(r.kind) || 'Service') === 'Service' && str(r.name))
    .map((r) => ({ name: str(r.name), weight: typeof r.weight === 'number' ? r.weight : 100 }));
}

/** spec.port.targetPort as the router compares it: a service port name or an endpoint port number. */
function preferredPort(route: RouteView): string | undefined {
  const tp = rec(rec(route.object.spec).port).targetPort;
  if (typeof tp === 'number') return String(tp);
  if (typeof tp === 'string' && tp !== '') return tp;
  return undefined;
}

/** The servers of a route's backend: ready endpoints of each Service, weighted like the router template. */
export function routeBackend(snapshot: NetworkSnapshot, route: RouteView): RouteBackend {
  const units = serviceUnits(route);
  const prefer = preferredPort(route);
  const perUnit = units.map((u) => {
    const svc = snapshot.service(route.namespace, u.name);
    const servers: RouteServer[] = [];
    for (const e of svc ? snapshot.endpoints(svc) : []) {
      if (!e.ready) continue;
      for (const p of e.ports) {
        if (p.protocol === 'UDP' || !p.port) continue;
        if (prefer !== undefined && p.name !== prefer && String(p.port) !== prefer) continue;
        const id = endpointId({ podName: e.podName, service: u.name, portName: p.name, ip: e.ip, port: p.port });
        if (servers.some((s) => s.id === id)) continue;
        const s: RouteServer = { id, cookie: cookieValue(id), service: u.name, ip: e.ip, port: p.port, portName: p.name, weight: 0 };
        if (e.nodeName) s.nodeName = e.nodeName;
        if (e.podName) s.podName = e.podName;
        servers.push(s);
      }
    }
    return { unit: u, servers };
  });
  // calculateServiceWeights: one active service → weight 1 per endpoint; several →
  // the service weight spread over its endpoints, scaled so the largest is 256.
  const active = perUnit.filter((x) => x.servers.length > 0 && x.unit.weight > 0);
  if (active.length === 1) {
    for (const x of perUnit) for (const s of x.servers) s.weight = x.unit.weight > 0 ? 1 : 0;
  } else {
    const per = perUnit.map((x) => (x.servers.length ? x.unit.weight / x.servers.length : 0));
    const max = Math.max(0, ...per);
    const scale = max > 0 ? 256 / max : 0;
    perUnit.forEach((x, i) => {
      const w = Math.trunc(Math.fround(per[i]) * Math.fround(scale));
      for (const s of x.servers) s.weight = per[i] > 0 && w < 1 ? 1 : w;
    });
  }
  return { servers: perUnit.flatMap((x) => x.servers), activeServiceUnits: units.filter((u) => u.weight > 0).length };
}

/** The balance line of the backend: the annotation when valid, roundrobin for split traffic, else the router default. */
export function balanceAlgorithm(route: RouteView, activeServiceUnits: number, routerDefault: BalanceAlgorithm = 'random'): BalanceAlgorithm {
  const wanted = route.annotations[BALANCE_ANNOTATION];
  if (isBalanceAlgorithm(wanted)) return wanted;
  return activeServiceUnits > 1 ? 'roundrobin' : routerDefault;
}

export interface RouterOptions {
  random: () => number;
  /** ROUTER_LOAD_BALANCE_ALGORITHM (OpenShift 4.11+: random). */
  defaultAlgorithm?: BalanceAlgorithm;
}

export class Router {
  private readonly balancers = new Map<string, BackendBalancer>();
  /** The snapshot the balancers were last checked against. */
  private checked?: NetworkSnapshot;

  constructor(private readonly options: RouterOptions) {}

  handle(ctx: DeliveryContext, request: DataPlaneRequest): DataPlaneResponse {
    const snapshot = ctx.snapshot;
    this.forgetGoneRoutes(snapshot);
    const hostHeader = headerValue(request.headers, 'host') ?? request.host;
    const route = matchRoute(snapshot, request.scheme, hostOf(hostHeader), request.path);
    if (!route) return applicationNotAvailable(request.method);
    if (request.scheme === 'http' && route.termination && route.insecurePolicy === 'Redirect') return redirectToHttps(hostHeader, request.path);

    const backend = routeBackend(snapshot, route);
    const algorithm = balanceAlgorithm(route, backend.activeServiceUnits, this.options.defaultAlgorithm);
    const balancer = this.balancerOf(route);
    const sticky = route.termination !== 'passthrough' && !cookiesDisabled(route.annotations);
    const name = cookieName(route.namespace, route.name, route.annotations);
    const sent = sticky ? requestCookie(request.headers, name) : undefined;
    // A cookie naming a server still in the backend wins, even a weight-0 one; any other value counts as none.
    let server: RouteServer | undefined = sent ? backend.servers.find((s) => s.cookie === sent) : undefined;
    const tried = new Set<string>();
    for (;;) {
      server ??= balancer.choose(algorithm, backend.servers, request.clientIp, this.options.random, tried) as RouteServer | undefined;
      if (!server) return applicationNotAvailable(request.method);
      const answer = deliverToPod(ctx, server.ip, server.port, request.method, request.path, {});
      if (!isFailure(answer)) return this.respond(route, answer, sticky && sent !== server.cookie ? { name, value: server.cookie } : undefined);
      if (answer.error === 'protocol') return badGateway(request.method);
      // option redispatch: after its retries on this server, HAProxy tries another one.
      tried.add(server.id);
      server = undefined;
    }
  }

  /** A route no longer served takes its backend's state with it, as a reload drops the HAProxy backend. */
  private forgetGoneRoutes(snapshot: NetworkSnapshot): void {
    if (snapshot === this.checked) return;
    this.checked = snapshot;
    if (!this.balancers.size) return;
    const live = new Set<string>();
    for (const routes of snapshot.routesByHost.values()) for (const r of routes) live.add(`${r.namespace}/${r.name}`);
    for (const key of [...this.balancers.keys()]) if (!live.has(key)) this.balancers.delete(key);
  }

  private balancerOf(route: RouteView): BackendBalancer {
    const key = `${route.namespace}/${route.name}`;
    let b = this.balancers.get(key);
    if (!b) {
      b = new BackendBalancer();
      this.balancers.set(key, b);
    }
    return b;
  }

  private respond(route: RouteView, answer: DataPlaneResponse, cookie: { name: string; value: string } | undefined): DataPlaneResponse {
    // HAProxy 2.x writes every header name in lower case on HTTP/1.
    let headers: HeaderList = answer.headers.map(([k, v]) => [k.toLowerCase(), v]);
    if (route.termination === 'edge' || route.termination === 'reencrypt') {
      const hsts = route.annotations[HSTS_ANNOTATION];
      if (hsts) headers = [...headers.filter(([k]) => k !== 'strict-transport-security'), ['strict-transport-security', hsts]];
    }
    headers = applyResponseHeaderActions(route, headers);
    if (cookie) {
      const secure = (route.termination === 'edge' || route.termination === 'reencrypt') && route.insecurePolicy !== 'Allow';
      headers.push(['set-cookie', setCookieHeader(cookie.name, cookie.value, secure ? { annotations: route.annotations } : undefined)]);
      // `nocache`: a response that sets the cookie must not be cached by shared caches.
      headers.push(['cache-control', 'private']);
    }
    return { ...answer, headers };
  }
}

/** spec.httpHeaders.actions.response: Set replaces a header, Delete removes it. */
function applyResponseHeaderActions(route: RouteView, headers: HeaderList): HeaderList {
  const actions = rec(rec(rec(route.object.spec).httpHeaders).actions).response;
  if (!Array.isArray(actions)) return headers;
  let out = headers;
  for (const a of actions.map(rec)) {
    const name = str(a.name).toLowerCase();
    const action = rec(a.action);
    if (!name) continue;
    out = out.filter(([k]) => k !== name);
    if (action.type === 'Set') out.push([name, str(rec(action.set).value)]);
  }
  return out;
}
