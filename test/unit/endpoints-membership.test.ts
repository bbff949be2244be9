// Which pods back a Service and on which ports (shared by the endpoints and
// EndpointSlice controllers), the subsets of core/v1 Endpoints, and the
// last-change trigger time.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  findPort, podEndpointsChanged, rfc3339Nano, servicesForPodEvent, shouldPodBeInEndpoints, shouldSetHostname,
} from '../../sandbox/sim/controllers/endpoints/membership.ts';
import { TriggerTimeTracker } from '../../sandbox/sim/controllers/endpoints/trigger-time.ts';
import { pod, service, type J } from './endpoints-fixtures.ts';


test('a pod belongs in endpoints with an IP and not finished; terminating only when asked', () => {
  assert.equal(shouldPodBeInEndpoints(pod('a'), false), true);
  assert.equal(shouldPodBeInEndpoints(pod('a', { ready: false }), false), true, 'not ready pods are listed (as not ready)');
  assert.equal(shouldPodBeInEndpoints(pod('a', { ip: '' }), true), false, 'no IP yet');
  assert.equal(shouldPodBeInEndpoints(pod('a', { phase: 'Succeeded' }), true), false);
  assert.equal(shouldPodBeInEndpoints(pod('a', { phase: 'Failed' }), true), false);
  assert.equal(shouldPodBeInEndpoints(pod('a', { deleting: true }), false), false);
  assert.equal(shouldPodBeInEndpoints(pod('a', { deleting: true }), true), true);
});

test('targetPort: a number as is, a name through the containers\' ports with the same protocol', () => {
  const p = pod('a', { ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'dns', containerPort: 5353, protocol: 'UDP' }] });
  assert.equal(findPort(p, { port: 80, targetPort: 9090, protocol: 'TCP' }), 9090);
  assert.equal(findPort(p, { port: 80, targetPort: 'http', protocol: 'TCP' }), 8080);
  assert.equal(findPort(p, { port: 80, targetPort: 'http', protocol: 'UDP' }), undefined, 'protocol must match');
  assert.equal(findPort(p, { port: 53, targetPort: 'dns', protocol: 'UDP' }), 5353);
  assert.equal(findPort(p, { port: 80, targetPort: 'metrics', protocol: 'TCP' }), undefined);
  assert.equal(findPort(pod('b'), { port: 80, targetPort: 'http' }), undefined, 'no ports declared');
  // A restartable init container (sidecar) counts; a plain init container does not.
  const side = pod('c');
  (side.spec as J).initContainers = [{ name: 'proxy', image: 'x', restartPolicy: 'Always', ports: [{ name: 'proxy', containerPort: 15001 }] },
    { name: 'init', image: 'x', ports: [{ name: 'init', containerPort: 1 }] }];
  assert.equal(findPort(side, { port: 80, targetPort: 'proxy', protocol: 'TCP' }), 15001);
  assert.equal(findPort(side, { port: 80, targetPort: 'init', protocol: 'TCP' }), undefined);
});

test('hostname only when the pod names the Service as its subdomain', () => {
  const svc = service('web', { clusterIP: 'None' });
  assert.equal(shouldSetHostname(pod('a', { hostname: 'web-1', subdomain: 'web' }), svc), true);
  assert.equal(shouldSetHostname(pod('a', { hostname: 'web-1', subdomain: 'other' }), svc), false);
  assert.equal(shouldSetHostname(pod('a', { subdomain: 'web' }), svc), false);
});

test('pod changes: which matter, and which Services to sync', () => {
  const front = service('front');
  const back = service('back', { selector: { tier: 'backend' } });
  const manual = service('manual', { selector: undefined });
  const empty = service('empty', { selector: {} });
  const all = [front, back, manual, empty];
  const a = pod('a', { rv: '1' });
  assert.deepEqual(servicesForPodEvent(() => all, a), ['ha/front'], 'selector-less and empty selectors match nothing');
  // A status write that changes nothing the endpoints show.
  const annotated = structuredClone(a);
  annotated.metadata.resourceVersion = '2';
  annotated.metadata.annotations = { x: 'y' };
  assert.deepEqual(podEndpointsChanged(a, annotated), { podChanged: false, labelsChanged: false });
  assert.deepEqual(servicesForPodEvent(() => all, annotated, a), []);
  // Readiness, IP and deletion changes sync the selecting Services.
  const notReady = pod('a', { rv: '2', ready: false });
  assert.deepEqual(podEndpointsChanged(a, notReady), { podChanged: true, labelsChanged: false });
  assert.deepEqual(servicesForPodEvent(() => all, notReady, a), ['ha/front']);
  assert.deepEqual(servicesForPodEvent(() => all, pod('a', { rv: '2', ip: '10.128.4.7' }), a), ['ha/front']);
  assert.deepEqual(servicesForPodEvent(() => all, pod('a', { rv: '2', deleting: true }), a), ['ha/front']);
  // A label move syncs the Services that differ; with a pod change too, both sets.
  const moved = pod('a', { rv: '2', labels: { tier: 'backend' } });
  assert.deepEqual(servicesForPodEvent(() => all, moved, a).sort(), ['ha/back', 'ha/front']);
  const both = pod('a', { rv: '2', labels: { tier: 'frontend', extra: '1' } });
  assert.deepEqual(servicesForPodEvent(() => all, both, a), [], 'still selected by the same Services, nothing else changed');
  const bothChanged = pod('a', { rv: '2', labels: { tier: 'frontend', extra: '1' }, ready: false });
  assert.deepEqual(servicesForPodEvent(() => all, bothChanged, a), ['ha/front']);
  // A resync (same resourceVersion) is ignored.
  assert.deepEqual(servicesForPodEvent(() => all, a, a), []);
});

test('trigger time: the Service creation first, then the earliest readiness change since the last sync', () => {
  const t = new TriggerTimeTracker();
  const svc = service('front');
  const a = pod('a', { readySince: '2026-01-01T00:00:30Z' });
  const b = pod('b', { readySince: '2026-01-01T00:00:40Z' });
  assert.equal(t.compute(svc, [a, b]), Date.parse('2026-01-01T00:00:00Z'), 'first sync of a Service');
  assert.equal(t.compute(svc, [a, b]), undefined, 'nothing changed since');
  const b2 = pod('b', { readySince: '2026-01-01T00:02:00Z' });
  const c = pod('c', { readySince: '2026-01-01T00:01:30Z' });
  assert.equal(t.compute(svc, [a, b2, c]), Date.parse('2026-01-01T00:01:30Z'));
  t.deleteService('ha', 'front');
  assert.equal(t.compute(svc, [a]), Date.parse('2026-01-01T00:00:00Z'), 'forgotten after deletion');
  assert.equal(rfc3339Nano(Date.parse('2026-01-01T00:01:30Z')), '2026-01-01T00:01:30Z');
  assert.equal(rfc3339Nano(Date.parse('2026-01-01T00:01:30.120Z')), '2026-01-01T00:01:30.12Z');
});
