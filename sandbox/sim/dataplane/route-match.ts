// Which admitted route serves a request: the Host header picks the host, the
// longest route path that is a prefix of the request path (on a segment
// boundary, as the router's map regexps require) picks the route. Plain HTTP
// reaches routes without TLS and those whose insecure policy is Allow or
// Redirect; HTTPS reaches the TLS routes.

import type { NetworkSnapshot, RouteView } from './network-view.ts';

/** The host name of a Host header: lower case, without port or trailing dot. */
export function hostOf(hostHeader: string): string {
  let h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  if (colon >= 0) h = h.slice(0, colon);
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

/** The router's path match: "/" matches everything, "/shop" matches /shop and /shop/…, "/shop/" matches /shop/…. */
export function pathMatches(routePath: string, requestPath: string): boolean {
  const base = requestPath.split('?')[0] || '/';
  if (routePath.replace(/\/+$/, '') === '') return true;
  if (routePath.endsWith('/')) return base.startsWith(routePath);
  return base === routePath || base.startsWith(`${routePath}/`);
}

export function servedOver(route: RouteView, scheme: 'http' | 'https'): boolean {
  if (scheme === 'https') return route.termination !== undefined;
  if (!route.termination) return true;
  if (route.termination === 'passthrough') return route.insecurePolicy === 'Redirect';
  return route.insecurePolicy === 'Allow' || route.insecurePolicy === 'Redirect';
}

export function matchRoute(snapshot: NetworkSnapshot, scheme: 'http' | 'https', host: string, path: string): RouteView | undefined {
  const candidates = (snapshot.routesByHost.get(host) ?? []).filter((r) => servedOver(r, scheme));
  // Longest path first; the list is oldest first, and a stable sort keeps that order for equal paths.
  const ordered = [...candidates].sort((a, b) => b.path.length - a.path.length);
  return ordered.find((r) => pathMatches(r.path, path));
}
