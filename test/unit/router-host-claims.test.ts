// The default router's host claims and its status.ingress entry: who wins a
// host, the HostAlreadyClaimed messages, and when the entry changes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { judgeHostClaims, routeLessThan, servedHost, type PriorCondition } from '../../sandbox/sim/controllers/router/host-claims.ts';
import { admittedCondition, ingressStatusFor } from '../../sandbox/sim/controllers/router/status.ts';

const HOST = 'web-lab.apps.ocp4.example.com';

function route(ns: string, name: string, created: string, spec: Record<string, unknown> = {}, status?: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'route.openshift.io/v1', kind: 'Route',
    metadata: { namespace: ns, name, uid: `uid-${ns}-${name}`, creationTimestamp: `2026-03-01T10:00:${created}Z` },
    spec: { host: HOST, to: { kind: 'Service', name: 'web', weight: 100 }, wildcardPolicy: 'None', ...spec },
    ...(status ? { status } : {}),
  };
}

type Prior = (r: KubeObject) => PriorCondition | undefined;
const nothingBefore: Prior = () => undefined;

function verdicts(routes: KubeObject[], prior: Prior = nothingBefore): Record<string, unknown> {
  return Object.fromEntries(judgeHostClaims(routes, HOST, prior));
}

test('the oldest route wins; a tie in creationTimestamp goes to the current holder, then by name', () => {
  assert.ok(routeLessThan(route('lab', 'b', '01'), route('lab', 'a', '02')));
  assert.ok(routeLessThan(route('lab', 'a', '01'), route('lab', 'b', '01')));
  // Within one second, the route already serving the host keeps it.
  const serving = (r: KubeObject): PriorCondition | undefined => (r.metadata.name === 'b' ? { status: 'True' } : undefined);
  assert.deepEqual(verdicts([route('lab', 'a', '01'), route('lab', 'b', '01')], serving)['lab/b'], { admitted: true });
  assert.deepEqual(verdicts([route('lab', 'new', '05'), route('lab', 'old', '01')]), {
    'lab/old': { admitted: true },
    'lab/new': { admitted: false, reason: 'HostAlreadyClaimed', message: `route old already exposes ${HOST} and is older` },
  });
});

test('the owner namespace shares the host across paths; other namespaces are refused even with another path', () => {
  const v = verdicts([
    route('lab', 'root', '01'), route('lab', 'api', '02', { path: '/api' }), route('other', 'x', '03', { path: '/x' }), route('lab', 'root2', '04'),
  ]);
  assert.deepEqual(v['lab/api'], { admitted: true });
  assert.deepEqual(v['other/x'], { admitted: false, reason: 'HostAlreadyClaimed', message: `a route in another namespace holds ${HOST} and is older than x` });
  assert.deepEqual(v['lab/root2'], { admitted: false, reason: 'HostAlreadyClaimed', message: `route root already exposes ${HOST} and is older` });
  // A passthrough route holds the host for every TLS route, whatever the path.
  const pt = verdicts([route('lab', 'pt', '01', { tls: { termination: 'passthrough' } }), route('lab', 'edge', '02', { path: '/e', tls: { termination: 'edge' } })]);
  assert.equal((pt['lab/edge'] as { admitted: boolean }).admitted, false);
});

test('messages depend on what the route had: kept when already rejected, "replaced"/"owns" when it loses the host', () => {
  const older = route('lab', 'older', '01');
  const was = route('lab', 'was', '02');
  const stillRejected = (r: KubeObject): PriorCondition | undefined =>
    (r.metadata.name === 'was' ? { status: 'False', reason: 'HostAlreadyClaimed', message: 'route gone already exposes it and is older' } : undefined);
  assert.deepEqual(verdicts([older, was], stillRejected)['lab/was'], { admitted: false, reason: 'HostAlreadyClaimed', message: 'route gone already exposes it and is older' });
  const hadIt = (r: KubeObject): PriorCondition | undefined => (r.metadata.name === 'was' ? { status: 'True' } : undefined);
  assert.deepEqual(verdicts([older, was], hadIt)['lab/was'], { admitted: false, reason: 'HostAlreadyClaimed', message: 'replaced by older route older' });
  // After a deletion, a route of another namespace that was waiting becomes the owner.
  const waiting = route('other', 'waiting', '01');
  const ownsMsg = verdicts([waiting, was], hadIt)['lab/was'];
  assert.deepEqual(ownsMsg, { admitted: false, reason: 'HostAlreadyClaimed', message: `namespace other owns hostname ${HOST}` });
});

test('servedHost: spec.host, else <subdomain>.<router domain>, else nothing', () => {
  assert.equal(servedHost(route('lab', 'a', '01'), 'apps.x'), HOST);
  assert.equal(servedHost(route('lab', 'a', '01', { host: '', subdomain: 'shop' }), 'apps.x'), 'shop.apps.x');
  assert.equal(servedHost(route('lab', 'a', '01', { host: '' }), 'apps.x'), '');
});

test('the ingress entry is written once, changes only with its content, and leaves other routers alone', () => {
  const target = { routerName: 'default', host: HOST, wildcardPolicy: 'None', routerCanonicalHostname: 'router-default.apps.ocp4.example.com' };
  const other = { host: HOST, routerName: 'sharded', conditions: [{ type: 'Admitted', status: 'True', lastTransitionTime: '2026-03-01T09:00:00Z' }], wildcardPolicy: 'None' };
  const r = route('lab', 'a', '01', {}, { ingress: [other] });
  const first = ingressStatusFor(r, target, { admitted: true }, '2026-03-01T10:00:05Z')!;
  assert.deepEqual(first.ingress, [other, {
    host: HOST, routerName: 'default', conditions: [{ type: 'Admitted', status: 'True', lastTransitionTime: '2026-03-01T10:00:05Z' }],
    wildcardPolicy: 'None', routerCanonicalHostname: 'router-default.apps.ocp4.example.com',
  }]);
  const stored = { ...r, status: first };
  assert.equal(ingressStatusFor(stored, target, { admitted: true }, '2026-03-01T10:05:00Z'), undefined, 'no change, no write');
  assert.deepEqual(admittedCondition(stored, 'default'), { status: 'True' });
  const rejected = ingressStatusFor(stored, target, { admitted: false, reason: 'HostAlreadyClaimed', message: 'm' }, '2026-03-01T10:06:00Z')!;
  assert.deepEqual((rejected.ingress as Record<string, unknown>[])[1].conditions, [
    { type: 'Admitted', status: 'False', reason: 'HostAlreadyClaimed', message: 'm', lastTransitionTime: '2026-03-01T10:06:00Z' },
  ]);
  // A new canonical host name (the ingress domain changed) is a change too.
  assert.ok(ingressStatusFor(stored, { ...target, routerCanonicalHostname: 'router-default.apps.other' }, { admitted: true }, '2026-03-01T10:07:00Z'));
});
