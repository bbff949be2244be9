// The router (HAProxy) as a client outside the cluster sees it: balance
// algorithms, the sticky cookie (name, value, re-pick when its endpoint leaves
// the backend or stops answering), route matching, weights, TLS policies and
// the "Application is not available" page. The state is built through the API
// as the route, endpoint-slice and kubelet controllers would write it.

import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  createRoute, createService, header, NS, outside, ROUTES, runGuest, servedBy, startNetLab, writeSlice, type NetLab,
} from './dataplane-fixtures.ts';
import { DataPlane } from '../../sandbox/sim/dataplane/dataplane.ts';
import { isFailure, type DataPlaneResponse } from '../../sandbox/sim/dataplane/http-message.ts';
import { seeded } from './dataplane-fixtures.ts';

const HOST = 'web-ha-lab.apps.ocp4.example.com';
const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

const WEB1 = { ip: '10.128.16.10', pod: 'virt-launcher-web-1-x5abc', node: 'worker-0' };
const WEB2 = { ip: '10.128.18.10', pod: 'virt-launcher-web-2-x5abc', node: 'worker-1' };
const CANARY = { ip: '10.128.20.10', pod: 'virt-launcher-canary-x6abc', node: 'worker-2' };

function get(lab: NetLab, url: string, cookie?: string): DataPlaneResponse {
  return lab.plane.fromOutside(outside(url, cookie ? [['Cookie', cookie]] : []));
}

/** name=value of the Set-Cookie header. */
function cookieOf(r: DataPlaneResponse): string | undefined {
  return header(r, 'set-cookie')?.split(';')[0];
}

describe('router', () => {
  let lab: NetLab;

  before(async () => {
    lab = await startNetLab();
    await runGuest(lab, 'web-1', WEB1.ip, WEB1.node);
    await runGuest(lab, 'web-2', WEB2.ip, WEB2.node);
    await runGuest(lab, 'canary', CANARY.ip, CANARY.node);
    await lab.cluster.advance(120);
    await createService(lab, 'web', { clusterIP: '172.30.10.10', ports: [{ name: 'http', port: 80, targetPort: 8080 }] });
    await createService(lab, 'canary', { clusterIP: '172.30.10.11', ports: [{ name: 'http', port: 80, targetPort: 8080 }] });
    await writeSlice(lab, 'canary', [CANARY], [{ name: 'http', port: 8080 }]);
  });
  after(() => lab.close());

  beforeEach(async () => {
    // Every test starts from two ready web endpoints, a fresh data plane and a fresh route.
    await writeSlice(lab, 'web', [WEB1, WEB2], [{ name: 'http', port: 8080 }]);
    lab.cluster.guests.startService('uid-web-1', 'httpd');
    lab.cluster.guests.startService('uid-web-2', 'httpd');
    lab.plane = new DataPlane(lab.cluster, { random: seeded(11) });
    for (const r of lab.admin.list(ROUTES, NS)) await lab.admin.delete(ROUTES, NS, r.metadata.name!);
  });

  it('balances at random by default, and sets the sticky cookie named by the route hash', async () => {
    await createRoute(lab, 'web', HOST, { to: { kind: 'Service', name: 'web' }, port: { targetPort: 'http' } });
    const seen = new Map<string, number>();
    for (let i = 0; i < 20; i++) {
      const r = get(lab, `http://${HOST}/`);
      assert.equal(r.status, 200);
      seen.set(servedBy(r), (seen.get(servedBy(r)) ?? 0) + 1);
    }
    assert.deepEqual([...seen.keys()].sort(), ['web-1', 'web-2']);
    const r = get(lab, `http://${HOST}/`);
    const vm = servedBy(r);
    const ep = vm === 'web-1' ? WEB1 : WEB2;
    // Cookie name: md5 of " <namespace>:<name>"; value: md5 of the endpoint ID.
    assert.equal(header(r, 'set-cookie'), `${md5(' ha-lab:web')}=${md5(`pod:${ep.pod}:web:http:${ep.ip}:8080`)}; path=/; HttpOnly`);
    assert.equal(header(r, 'cache-control'), 'private');
    // HAProxy 2.x writes header names in lower case; the guest's own headers pass through.
    assert.deepEqual(r.headers.map(([k]) => k), ['date', 'server', 'content-length', 'content-type', 'set-cookie', 'cache-control']);
  });

  it('keeps a client with the cookie on one VM without setting it again', async () => {
    await createRoute(lab, 'web', HOST, { to: { kind: 'Service', name: 'web' } });
    const first = get(lab, `http://${HOST}/`);
    const cookie = cookieOf(first)!;
    for (let i = 0; i < 10; i++) {
      const r = get(lab, `http://${HOST}/`, `${cookie}; other=1`);
      assert.equal(servedBy(r), servedBy(first));
      assert.equal(header(r, 'set-cookie'), undefined, 'insert indirect: no new cookie while it still names the server');
    }
    // An unknown value counts as no cookie.
    const stranger = get(lab, `http://${HOST}/`, `${cookie.split('=')[0]}=0123456789abcdef0123456789abcdef`);
    assert.ok(header(stranger, 'set-cookie'));
  });

  it('re-picks and re-sets the cookie when its endpoint goes not ready', async () => {
    await createRoute(lab, 'web', HOST, { to: { kind: 'Service', name: 'web' } }, { 'router.openshift.io/cookie_name': 'web_sticky' });
    const first = get(lab, `http://${HOST}/`);
    const cookie = cookieOf(first)!;
    assert.match(cookie, /^web_sticky=[0-9a-f]{32}$/);
    const sticky = servedBy(first);
    const other = sticky === 'web-1' ? 'web-2' : 'web-1';
    await writeSlice(lab, 'web', [{ ...WEB1, ready: sticky !== 'web-1' }, { ...WEB2, ready: sticky !== 'web-2' }], [{ name: 'http', port: 8080 }]);
    const moved = get(lab, `http://${HOST}/`, cookie);
    assert.equal(servedBy(moved), other);
    const fresh = cookieOf(moved)!;
    assert.ok(fresh.startsWith('web_sticky=') && fresh !== cookie, `a new cookie, got ${fresh}`);
    assert.equal(servedBy(get(lab, `http://${HOST}/`, fresh)), other);
  });

  it('redispatches to another server when the cookie\'s server refuses, with a new cookie', async () => {
    await createRoute(lab, 'web', HOST, { to: { kind: 'Service', name: 'web' } });
    const first = get(lab, `http://${HOST}/`);
    const sticky = servedBy(first);
    lab.cluster.guests.stopService(`uid-${sticky}`, 'httpd');
    const r = get(lab, `http://${HOST}/`, cookieOf(first));
    assert.equal(r.status, 200);
    assert.notEqual(servedBy(r), sticky);
    assert.notEqual(cookieOf(r), cookieOf(first));
  });

  it('names the cookie from router.openshift.io/cookie_name only when it is a plain token', async () => {
    await createRoute(lab, 'good', HOST, { path: '/good', to: { kind: 'Service', name: 'web' } }, { 'router.openshift.io/cookie_name': 'Session-1_a' });
    await createRoute(lab, 'bad', HOST, { path: '/bad', to: { kind: 'Service', name: 'web' } }, { 'router.openshift.io/cookie_name': 'my cookie' });
    assert.match(cookieOf(get(lab, `http://${HOST}/good`))!, /^Session-1_a=/);
    assert.equal(cookieOf(get(lab, `http://${HOST}/bad`))!.split('=')[0], md5(' ha-lab:bad'));
  });

  it('sets no cookie when disable_cookies parses as true (Go ParseBool)', async () => {
    for (const [i, v] of ['true', 'True', '1', 't'].entries()) {
      await createRoute(lab, `off-${i}`, HOST, { path: `/off${i}`, to: { kind: 'Service', name: 'web' } }, { 'haproxy.router.openshift.io/disable_cookies': v });
      const r = get(lab, `http://${HOST}/off${i}`);
      assert.equal(r.status, 404, 'the guest has no such file, but the route matched');
      assert.equal(header(r, 'set-cookie'), undefined, `disable_cookies: ${v}`);
    }
    await createRoute(lab, 'on', HOST, { path: '/on', to: { kind: 'Service', name: 'web' } }, { 'haproxy.router.openshift.io/disable_cookies': 'yes' });
    assert.ok(header(get(lab, `http://${HOST}/on`), 'set-cookie'), '"yes" is not a Go boolean');
  });

  it('honours the balance annotation: roundrobin alternates, source keeps a client, leastconn rotates', async () => {
    const at = (name: string): string => `http://${name}-ha-lab.apps.ocp4.example.com/`;
    await createRoute(lab, 'rr', 'rr-ha-lab.apps.ocp4.example.com', { to: { kind: 'Service', name: 'web' } }, { 'haproxy.router.openshift.io/balance': 'roundrobin' });
    const rr = Array.from({ length: 6 }, () => servedBy(get(lab, at('rr'))));
    assert.deepEqual(rr, [rr[0], rr[1], rr[0], rr[1], rr[0], rr[1]]);
    assert.notEqual(rr[0], rr[1]);
    assert.match(rr[0], /^web-\d$/);
    await createRoute(lab, 'src', 'src-ha-lab.apps.ocp4.example.com', { to: { kind: 'Service', name: 'web' } }, { 'haproxy.router.openshift.io/balance': 'source' });
    const src = new Set(Array.from({ length: 10 }, () => servedBy(get(lab, at('src')))));
    assert.equal(src.size, 1);
    assert.match([...src][0], /^web-\d$/);
    await createRoute(lab, 'lc', 'lc-ha-lab.apps.ocp4.example.com', { to: { kind: 'Service', name: 'web' } }, { 'haproxy.router.openshift.io/balance': 'leastconn' });
    const lc = new Set(Array.from({ length: 4 }, () => servedBy(get(lab, at('lc')))));
    assert.deepEqual([...lc].sort(), ['web-1', 'web-2']);
    // An invalid value is ignored: the default (random) applies.
    await createRoute(lab, 'bogus', 'bogus-ha-lab.apps.ocp4.example.com', { to: { kind: 'Service', name: 'web' } }, { 'haproxy.router.openshift.io/balance': 'fastest' });
    assert.equal(get(lab, at('bogus')).status, 200);
  });

  it('drops a deleted route\'s rotation: the route created again starts from the first server', async () => {
    const annotations = { 'haproxy.router.openshift.io/balance': 'roundrobin' };
    await createRoute(lab, 'web', HOST, { to: { kind: 'Service', name: 'web' } }, annotations);
    const first = servedBy(get(lab, `http://${HOST}/`));
    await lab.admin.delete(ROUTES, NS, 'web');
    assert.equal(get(lab, `http://${HOST}/`).status, 503);
    await createRoute(lab, 'web', HOST, { to: { kind: 'Service', name: 'web' } }, annotations);
    assert.equal(servedBy(get(lab, `http://${HOST}/`)), first);
  });

  it('splits traffic by alternateBackends weights with roundrobin, and honours a cookie for a weight-0 backend', async () => {
    await createRoute(lab, 'split', HOST, {
      to: { kind: 'Service', name: 'web', weight: 200 },
      alternateBackends: [{ kind: 'Service', name: 'canary', weight: 50 }],
      port: { targetPort: 8080 },
    });
    // Per endpoint: web 200/2 = 100, canary 50/1 = 50 → scaled to 256 and 128.
    const counts = new Map<string, number>();
    for (let i = 0; i < 640; i++) {
      const vm = servedBy(get(lab, `http://${HOST}/`));
      counts.set(vm, (counts.get(vm) ?? 0) + 1);
    }
    assert.deepEqual(Object.fromEntries([...counts].sort()), { canary: 128, 'web-1': 256, 'web-2': 256 });

    await lab.admin.delete(ROUTES, NS, 'split');
    await createRoute(lab, 'drain', HOST, { to: { kind: 'Service', name: 'web' }, alternateBackends: [{ kind: 'Service', name: 'canary', weight: 0 }] });
    const canaryCookie = `${md5(' ha-lab:drain')}=${md5(`pod:${CANARY.pod}:canary:http:${CANARY.ip}:8080`)}`;
    for (let i = 0; i < 10; i++) assert.notEqual(servedBy(get(lab, `http://${HOST}/`)), 'canary');
    assert.equal(servedBy(get(lab, `http://${HOST}/`, canaryCookie)), 'canary', 'weight 0 keeps existing sessions');
  });

  it('matches the Host header and the longest path prefix on segment boundaries', async () => {
    await createService(lab, 'empty', { clusterIP: '172.30.10.12', ports: [{ name: 'http', port: 80, targetPort: 8080 }] });
    await createRoute(lab, 'root', HOST, { to: { kind: 'Service', name: 'web' } });
    await createRoute(lab, 'shop', HOST, { path: '/shop', to: { kind: 'Service', name: 'empty' } });
    // The /shop route wins for /shop and /shop/…, and its Service has no endpoints.
    assert.equal(get(lab, `http://${HOST}/shop`).status, 503);
    assert.equal(get(lab, `http://${HOST}/shop/cart?x=1`).status, 503);
    assert.equal(get(lab, `http://${HOST}/shopping`).status, 404, '/shopping is not under /shop: the root route serves it');
    assert.match(servedBy(get(lab, `http://${HOST.toUpperCase()}:80/`)), /^web-\d$/);
    const none = get(lab, 'http://other-ha-lab.apps.ocp4.example.com/');
    assert.equal(none.status, 503);
    assert.equal(none.version, '1.0');
    assert.match(none.body, /<h1>Application is not available<\/h1>/);
    assert.match(none.body, /No route has this host name\./);
  });

  it('serves only admitted routes, and answers 503 when no endpoint is ready', async () => {
    await createRoute(lab, 'web', HOST, { to: { kind: 'Service', name: 'web' } }, {}, false);
    assert.equal(get(lab, `http://${HOST}/`).status, 503);
    await lab.admin.delete(ROUTES, NS, 'web');
    await createRoute(lab, 'web', HOST, { to: { kind: 'Service', name: 'web' } });
    await writeSlice(lab, 'web', [{ ...WEB1, ready: false }, { ...WEB2, ready: false }], [{ name: 'http', port: 8080 }]);
    const r = get(lab, `http://${HOST}/`);
    assert.equal(r.status, 503);
    assert.equal(header(r, 'set-cookie'), undefined);
  });

  it('picks endpoints by targetPort: a service port name or an endpoint port number, as the router compares them', async () => {
    await createRoute(lab, 'byname', HOST, { path: '/a', to: { kind: 'Service', name: 'web' }, port: { targetPort: 'http' } });
    await createRoute(lab, 'bynumber', HOST, { path: '/b', to: { kind: 'Service', name: 'web' }, port: { targetPort: 8080 } });
    await createRoute(lab, 'byserviceport', HOST, { path: '/c', to: { kind: 'Service', name: 'web' }, port: { targetPort: 80 } });
    assert.equal(get(lab, `http://${HOST}/a`).status, 404);
    assert.equal(get(lab, `http://${HOST}/b`).status, 404);
    // The router matches numbers against endpoint ports, so the Service's port 80 selects nothing.
    assert.equal(get(lab, `http://${HOST}/c`).status, 503);
  });

  it('follows insecureEdgeTerminationPolicy for plain HTTP to an edge route', async () => {
    await createRoute(lab, 'none', HOST, { path: '/none', to: { kind: 'Service', name: 'web' }, tls: { termination: 'edge' } });
    await createRoute(lab, 'redirect', HOST, { path: '/redirect', to: { kind: 'Service', name: 'web' }, tls: { termination: 'edge', insecureEdgeTerminationPolicy: 'Redirect' } });
    await createRoute(lab, 'allow', HOST, { path: '/allow', to: { kind: 'Service', name: 'web' }, tls: { termination: 'edge', insecureEdgeTerminationPolicy: 'Allow' } });
    assert.equal(get(lab, `http://${HOST}/none`).status, 503);
    const redirect = get(lab, `http://${HOST}/redirect?q=1`);
    assert.equal(redirect.status, 302);
    assert.equal(header(redirect, 'location'), `https://${HOST}/redirect?q=1`);
    const allow = get(lab, `http://${HOST}/allow`);
    assert.equal(allow.status, 404);
    assert.match(header(allow, 'set-cookie')!, /; path=\/; HttpOnly$/, 'Allow: the cookie is not Secure');
    const secure = get(lab, `https://${HOST}/none`);
    assert.equal(secure.status, 404);
    assert.match(header(secure, 'set-cookie')!, /; path=\/; HttpOnly; Secure; SameSite=None$/);
    // A route without TLS is not on the HTTPS frontend.
    await createRoute(lab, 'plain', 'plain-ha-lab.apps.ocp4.example.com', { to: { kind: 'Service', name: 'web' } });
    assert.equal(get(lab, 'https://plain-ha-lab.apps.ocp4.example.com/').status, 503);
  });

  it('answers 503 when every server is down, and 502 when a server does not speak HTTP', async () => {
    await createRoute(lab, 'web', HOST, { to: { kind: 'Service', name: 'web' } });
    lab.cluster.guests.stopService('uid-web-1', 'httpd');
    lab.cluster.guests.stopService('uid-web-2', 'httpd');
    assert.equal(get(lab, `http://${HOST}/`).status, 503);
    await createService(lab, 'ssh', { clusterIP: '172.30.10.22', ports: [{ name: 'ssh', port: 22 }] });
    await writeSlice(lab, 'ssh', [WEB1], [{ name: 'ssh', port: 22 }]);
    await createRoute(lab, 'ssh', 'ssh-ha-lab.apps.ocp4.example.com', { to: { kind: 'Service', name: 'ssh' } });
    const r = lab.plane.fromOutside(outside('http://ssh-ha-lab.apps.ocp4.example.com/'));
    assert.ok(!isFailure(r));
    assert.equal(r.status, 502);
  });
});
