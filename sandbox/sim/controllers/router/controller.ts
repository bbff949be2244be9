// The default router's route admission (the openshift-router pods of
// IngressController "default", service account openshift-ingress/router):
// for every Route it writes its status.ingress[] entry, Admitted True with the
// host it serves, or Admitted False with the reason (HostAlreadyClaimed when an
// older route holds the host, RouteNotAdmitted for wildcard routes,
// NoHostValue without a host). Host claims are judged per host, so the queue
// key is the host; a route whose host changes requeues both hosts, and a
// change of the ingress config requeues every host. Status is written only
// when it changes.

import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import { rfc3339 } from '../../api/age.ts';
import type { Controller } from '../../runtime/controller.ts';
import type { ControllerDeps } from '../types.ts';
import {
  DEFAULT_ROUTER_NAME, INGRESS_CONFIG, INGRESS_CONFIG_NAME, ingressDomain, routerCanonicalHostname,
} from '../../kinds/openshift/ingress-config.ts';
import {
  NO_HOST_VALUE, Reason, WILDCARD_NOT_ALLOWED, isWildcard, judgeHostClaims, routeKey, servedHost, type Verdict,
} from './host-claims.ts';
import { admittedCondition, ingressStatusFor } from './status.ts';
import { jsonClone } from '../../api/json-clone.ts';

export const ROUTES = 'route.openshift.io/routes';

/** Queue keys: `host:<host>` for a claimed host, `route:<ns>/<name>` for a route without one. */
const HOST_KEY = 'host:';
const ROUTE_KEY = 'route:';

function wildcardPolicyOf(route: KubeObject): string {
  const p = isPlainObject(route.spec) ? route.spec.wildcardPolicy : undefined;
  return typeof p === 'string' && p !== '' ? p : 'None';
}

export function routerController(deps: ControllerDeps): Controller {
  const { client, clock } = deps;
  const routerName = DEFAULT_ROUTER_NAME;

  const config = (): KubeObject | undefined => client.get(INGRESS_CONFIG, undefined, INGRESS_CONFIG_NAME);

  function keyFor(route: KubeObject, domain: string): string {
    const host = servedHost(route, domain);
    return host ? `${HOST_KEY}${host}` : `${ROUTE_KEY}${routeKey(route)}`;
  }

  function keysOf(route: KubeObject, previous?: KubeObject): string[] {
    const domain = ingressDomain(config());
    const keys = new Set([keyFor(route, domain)]);
    if (previous) keys.add(keyFor(previous, domain));
    return [...keys];
  }

  async function write(route: KubeObject, verdict: Verdict, host: string, cfg: KubeObject | undefined): Promise<void> {
    const status = ingressStatusFor(route, {
      routerName,
      host,
      wildcardPolicy: wildcardPolicyOf(route),
      routerCanonicalHostname: routerCanonicalHostname(cfg, routerName),
    }, verdict, rfc3339(clock.now()));
    if (!status) return;
    await client.updateStatus(ROUTES, { ...jsonClone(route), status });
  }

  async function reconcileHost(host: string): Promise<void> {
    const cfg = config();
    const domain = ingressDomain(cfg);
    const claiming: KubeObject[] = [];
    for (const r of client.list(ROUTES)) {
      if (r.metadata.deletionTimestamp || servedHost(r, domain) !== host) continue;
      if (isWildcard(r)) {
        await write(r, { admitted: false, reason: Reason.RouteNotAdmitted, message: WILDCARD_NOT_ALLOWED }, host, cfg);
        continue;
      }
      claiming.push(r);
    }
    const verdicts = judgeHostClaims(claiming, host, (r) => admittedCondition(r, routerName));
    // Losers first, so a host is never shown as served by two routes at once.
    const ordered = [...claiming].sort((a, b) => Number(verdicts.get(routeKey(a))!.admitted) - Number(verdicts.get(routeKey(b))!.admitted));
    for (const r of ordered) await write(r, verdicts.get(routeKey(r))!, host, cfg);
  }

  async function reconcileHostless(key: string): Promise<void> {
    const i = key.indexOf('/');
    const route = client.get(ROUTES, key.slice(0, i), key.slice(i + 1));
    if (!route || route.metadata.deletionTimestamp) return;
    const cfg = config();
    if (servedHost(route, ingressDomain(cfg)) !== '') return;
    await write(route, { admitted: false, reason: Reason.NoHostValue, message: NO_HOST_VALUE }, '', cfg);
  }

  return {
    name: 'router',
    watches: [
      { resource: ROUTES, map: (r, ev) => keysOf(r, ev?.previous) },
      {
        resource: INGRESS_CONFIG,
        map: (c) => (c.metadata.name === INGRESS_CONFIG_NAME ? client.list(ROUTES).flatMap((r) => keysOf(r)) : []),
      },
    ],
    async reconcile(key) {
      if (key.startsWith(HOST_KEY)) await reconcileHost(key.slice(HOST_KEY.length));
      else if (key.startsWith(ROUTE_KEY)) await reconcileHostless(key.slice(ROUTE_KEY.length));
    },
  };
}
