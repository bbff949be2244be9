// The EndpointSlice plan for one Service: endpoints and their conditions,
// grouping by resolved ports, in-place updates, the placeholder slice, reuse
// of stale slices, labels and owner, missing nodes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { planSlices, type PlanInput, type SliceEndpoint } from '../../sandbox/sim/controllers/endpointslice/slices.ts';
import { pod, service, type J } from './endpoints-fixtures.ts';

const nodes: Record<string, KubeObject> = {
  'worker-0': { apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-0', labels: { 'topology.kubernetes.io/zone': 'zone-a' } } },
  'worker-1': { apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-1', labels: { 'topology.kubernetes.io/zone': 'zone-b' } } },
};

function plan(o: Partial<PlanInput> & { service: KubeObject }) {
  return planSlices({ pods: [], existing: [], node: (n) => nodes[n], ...o });
}

/** A slice as the API server stored it after a create. */
function stored(s: KubeObject, name: string): KubeObject {
  return { ...structuredClone(s), metadata: { ...structuredClone(s.metadata), name, resourceVersion: '5', uid: `uid-${name}` } };
}

const eps = (s: KubeObject): SliceEndpoint[] => s.endpoints as SliceEndpoint[];

test('one slice with every selected pod: conditions, node, zone, target; labels, owner, ports', () => {
  const svc = service('front', { clusterIP: '172.30.0.10', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }] }, { app: 'shop' });
  const p = plan({
    service: svc,
    triggerTime: Date.parse('2026-01-01T00:00:00Z'),
    pods: [
      pod('a'),
      pod('b', { ip: '10.128.4.7', node: 'worker-1', ready: false }),
      pod('c', { ip: '10.128.4.8', node: 'worker-1', deleting: true }),
      pod('d', { ip: '' }),
      pod('e', { ip: '10.128.4.9', phase: 'Failed' }),
    ],
  });
  assert.equal(p.create.length, 1);
  assert.deepEqual(p.update, []);
  assert.deepEqual(p.delete, []);
  const s = p.create[0];
  assert.deepEqual(s.metadata, {
    generateName: 'front-', namespace: 'ha',
    labels: { app: 'shop', 'kubernetes.io/service-name': 'front', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
    ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'front', uid: 'svc-front', controller: true, blockOwnerDeletion: true }],
    annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': '2026-01-01T00:00:00Z' },
  });
  assert.equal(s.addressType, 'IPv4');
  assert.deepEqual(s.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  assert.deepEqual(eps(s), [
    { addresses: ['10.128.2.5'], conditions: { ready: true, serving: true, terminating: false },
      targetRef: { kind: 'Pod', namespace: 'ha', name: 'a', uid: 'uid-a' }, nodeName: 'worker-0', zone: 'zone-a' },
    { addresses: ['10.128.4.7'], conditions: { ready: false, serving: false, terminating: false },
      targetRef: { kind: 'Pod', namespace: 'ha', name: 'b', uid: 'uid-b' }, nodeName: 'worker-1', zone: 'zone-b' },
    // A terminating pod stays listed: serving as its readiness says, never ready.
    { addresses: ['10.128.4.8'], conditions: { ready: false, serving: true, terminating: true },
      targetRef: { kind: 'Pod', namespace: 'ha', name: 'c', uid: 'uid-c' }, nodeName: 'worker-1', zone: 'zone-b' },
  ]);
});

test('headless: the headless label and pod hostnames; unnamed ports have an empty name', () => {
  const svc = service('db', { clusterIP: 'None', ports: [{ port: 3306, protocol: 'TCP', targetPort: 3306 }] });
  const p = plan({ service: svc, pods: [pod('a', { hostname: 'db-0', subdomain: 'db' })] });
  const s = p.create[0];
  assert.equal(s.metadata.labels!['service.kubernetes.io/headless'], '');
  assert.deepEqual(s.ports, [{ name: '', port: 3306, protocol: 'TCP' }]);
  assert.equal(eps(s)[0].hostname, 'db-0');
});

test('publishNotReadyAddresses: every endpoint ready, terminating ones too', () => {
  const svc = service('peers', { clusterIP: 'None', publishNotReadyAddresses: true });
  const p = plan({ service: svc, pods: [pod('a', { ready: false }), pod('b', { ip: '10.128.2.6', deleting: true })] });
  assert.deepEqual(eps(p.create[0]).map((e) => e.conditions), [
    { ready: true, serving: false, terminating: false },
    { ready: true, serving: true, terminating: true },
  ]);
});

test('pods resolving a named port differently land in different slices', () => {
  const svc = service('front', { ports: [{ name: 'web', port: 80, protocol: 'TCP', targetPort: 'http' }] });
  const p = plan({ service: svc, pods: [
    pod('a', { ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] }),
    pod('b', { ip: '10.128.2.6', ports: [{ name: 'http', containerPort: 8081, protocol: 'TCP' }] }),
    pod('c', { ip: '10.128.2.7' }),
  ] });
  assert.deepEqual(p.create.map((s) => [s.ports, eps(s).map((e) => e.addresses[0])]), [
    [[{ name: 'web', port: 8080, protocol: 'TCP' }], ['10.128.2.5']],
    [[{ name: 'web', port: 8081, protocol: 'TCP' }], ['10.128.2.6']],
    // Without the named port the pod is listed with no ports, as upstream.
    [[], ['10.128.2.7']],
  ]);
});

test('no pods: one placeholder slice, kept as is on the next pass', () => {
  const svc = service('front');
  const p = plan({ service: svc });
  assert.equal(p.create.length, 1);
  assert.deepEqual([p.create[0].ports, p.create[0].endpoints], [[], []]);
  const placeholder = stored(p.create[0], 'front-abcde');
  const again = plan({ service: svc, existing: [placeholder] });
  assert.deepEqual([again.create, again.update, again.delete], [[], [], []]);
  // The first pod turns the placeholder into the real slice (same name).
  const withPod = plan({ service: svc, existing: [placeholder], pods: [pod('a')] });
  assert.deepEqual([withPod.create, withPod.delete], [[], []]);
  assert.equal(withPod.update[0].metadata.name, 'front-abcde');
  assert.deepEqual(withPod.update[0].ports, [{ name: '', port: 8080, protocol: 'TCP' }]);
  assert.equal(eps(withPod.update[0]).length, 1);
});

test('in place: unchanged pods write nothing; a readiness change updates; a gone pod is dropped', () => {
  const svc = service('front');
  const first = plan({ service: svc, pods: [pod('a'), pod('b', { ip: '10.128.2.6' })] });
  const slice = stored(first.create[0], 'front-xyz12');
  const same = plan({ service: svc, existing: [slice], pods: [pod('a', { rv: '9' }), pod('b', { ip: '10.128.2.6' })] });
  assert.deepEqual([same.create, same.update, same.delete], [[], [], []], 'nothing changed');

  const notReady = plan({ service: svc, existing: [slice], pods: [pod('a'), pod('b', { ip: '10.128.2.6', ready: false })] });
  assert.deepEqual(notReady.update.map((s) => s.metadata.name), ['front-xyz12']);
  assert.deepEqual(eps(notReady.update[0]).map((e) => e.conditions.ready), [true, false]);

  const gone = plan({ service: svc, existing: [slice], pods: [pod('a')] });
  assert.deepEqual(eps(gone.update[0]).map((e) => e.addresses[0]), ['10.128.2.5']);

  // A migrated pod (new pod, new IP) replaces the old endpoint.
  const moved = plan({ service: svc, existing: [slice], pods: [pod('a'), pod('b2', { ip: '10.128.4.7', node: 'worker-1' })] });
  assert.deepEqual(eps(moved.update[0]).map((e) => [e.addresses[0], e.targetRef?.name, e.zone]), [['10.128.2.5', 'a', 'zone-a'], ['10.128.4.7', 'b2', 'zone-b']]);

  // A label change on the Service is mirrored even with the same endpoints.
  const relabelled = plan({ service: service('front', {}, { team: 'blue' }), existing: [slice], pods: [pod('a'), pod('b', { ip: '10.128.2.6' })] });
  assert.equal(relabelled.update[0].metadata.labels!.team, 'blue');
});

test('slices of another owner or of a port set no longer wanted are deleted', () => {
  const svc = service('front');
  const first = plan({ service: svc, pods: [pod('a')] });
  const foreign = stored(first.create[0], 'front-old11');
  foreign.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Service', name: 'front', uid: 'svc-previous', controller: true }];
  const p = plan({ service: svc, existing: [foreign], pods: [pod('a')] });
  assert.equal(p.create.length, 1, 'an old Service\'s slice is not reused');
  assert.deepEqual(p.delete.map((s) => s.metadata.name), ['front-old11']);

  const mine = stored(first.create[0], 'front-mine1');
  const newPorts = plan({ service: service('front', { ports: [{ port: 80, protocol: 'TCP', targetPort: 9090 }] }), existing: [mine], pods: [pod('a')] });
  assert.deepEqual([newPorts.create.length, newPorts.delete.length], [0, 0], 'the stale slice is reused for the new port set');
  assert.deepEqual(newPorts.update[0].ports, [{ name: '', port: 9090, protocol: 'TCP' }]);
});

test('more than 100 endpoints spread over slices of at most 100', () => {
  const svc = service('big');
  const pods = Array.from({ length: 230 }, (_, i) => pod(`p${i}`, { ip: `10.128.${Math.floor(i / 200)}.${i % 200}` }));
  const p = plan({ service: svc, pods });
  assert.deepEqual(p.create.map((s) => eps(s).length), [100, 100, 30]);
});

test('a pod on a node that does not exist is skipped with an error, unless not-ready addresses are published', () => {
  const svc = service('front');
  const p = plan({ service: svc, pods: [pod('a'), pod('b', { ip: '10.128.2.6', node: 'gone' })] });
  assert.deepEqual(p.errors, ['skipping Pod b for Service ha/front: Node gone Not Found']);
  assert.deepEqual(eps(p.create[0]).map((e) => e.targetRef?.name), ['a']);
  const published = plan({ service: service('front', { publishNotReadyAddresses: true }), pods: [pod('b', { ip: '10.128.2.6', node: 'gone' })] });
  assert.deepEqual(published.errors, []);
  assert.deepEqual(eps(published.create[0]).map((e) => [e.nodeName, e.zone]), [['gone', undefined]]);
});

test('IPv6 families get IPv6 slices; the old IPv4 slice goes', () => {
  const v4 = plan({ service: service('front'), pods: [pod('a')] });
  const old = stored(v4.create[0], 'front-v4aaa');
  const p = plan({ service: service('front', { ipFamilies: ['IPv6'] }), existing: [old], pods: [pod('a')] });
  assert.deepEqual(p.delete.map((s) => s.metadata.name), ['front-v4aaa']);
  assert.equal(p.create.length, 1, 'a placeholder IPv6 slice (the pod has no IPv6 address)');
  assert.equal((p.create[0] as J).addressType, 'IPv6');
  assert.deepEqual(p.create[0].endpoints, []);
});
