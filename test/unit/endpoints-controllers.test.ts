// The endpoints and EndpointSlice controllers, one reconcile at a time
// against the real API pipeline (no runner: the test plays the kubelet).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { ManualClock } from '../../sandbox/sim/clock.ts';
import { ObjectStore } from '../../sandbox/sim/store/object-store.ts';
import { RestStorage } from '../../sandbox/sim/api/rest-storage.ts';
import { KindRegistry } from '../../sandbox/sim/kinds/registry.ts';
import { allKinds, definitions } from '../../sandbox/sim/kinds/index.ts';
import { ClusterClient } from '../../sandbox/sim/runtime/client.ts';
import { EventRecorder } from '../../sandbox/sim/runtime/events.ts';
import { ContainerLogs } from '../../sandbox/sim/runtime/container-logs.ts';
import type { ControllerDeps } from '../../sandbox/sim/controllers/types.ts';
import type { GuestRuntimeApi } from '../../sandbox/sim/guest/types.ts';
import { rfc3339 } from '../../sandbox/sim/api/age.ts';
import { endpointsController } from '../../sandbox/sim/controllers/endpoints/controller.ts';
import { endpointSliceController } from '../../sandbox/sim/controllers/endpointslice/controller.ts';
import type { J } from './endpoints-fixtures.ts';

const SLICES = 'discovery.k8s.io/endpointslices';

async function setup() {
  const clock = new ManualClock('2026-01-01T00:00:00Z');
  const store = new ObjectStore();
  const registry = new KindRegistry(allKinds);
  const storage = new RestStorage(store, registry, definitions, clock);
  const admin = new ClusterClient(storage, 'kube:admin', 'kubectl');
  const deps = (user: string, manager: string): ControllerDeps => {
    const client = new ClusterClient(storage, user, manager);
    return { client, clock, registry, logs: new ContainerLogs(), recorder: (src) => new EventRecorder(client, clock, src), guests: {} as GuestRuntimeApi };
  };
  await admin.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ha' } });
  for (const [name, zone] of [['worker-0', 'zone-a'], ['worker-1', 'zone-b']]) {
    await admin.create('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'topology.kubernetes.io/zone': zone } } });
  }
  const ep = endpointsController(deps('system:serviceaccount:kube-system:endpoint-controller', 'endpoint-controller'));
  const es = endpointSliceController(deps('system:serviceaccount:kube-system:endpointslice-controller', 'endpointslice-controller'));
  const sync = async (svc = 'front') => {
    await ep.reconcile(`ha/${svc}`);
    await es.reconcile(`ha/${svc}`);
  };
  const endpoints = (name = 'front') => admin.get('endpoints', 'ha', name);
  const slices = (svc = 'front') => admin.list(SLICES, 'ha').filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === svc);
  /** A pod as the scheduler and kubelet leave it: bound, running, with an IP and a Ready condition. */
  const runPod = async (name: string, o: { ip: string; node?: string; ready?: boolean; labels?: Record<string, string>; ports?: J[] }) => {
    await admin.create('pods', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ha', labels: o.labels ?? { tier: 'frontend' } },
      spec: { nodeName: o.node ?? 'worker-0', containers: [{ name: 'web', image: 'httpd', ...(o.ports ? { ports: o.ports } : {}) }] },
    });
    await setReady(name, o.ready ?? true, o.ip);
  };
  const setReady = async (name: string, ready: boolean, ip?: string) => {
    const pod = admin.get('pods', 'ha', name)!;
    const st = structuredClone(pod.status ?? {}) as J;
    st.phase = 'Running';
    if (ip) { st.podIP = ip; st.podIPs = [{ ip }]; }
    st.conditions = [...(st.conditions ?? []).filter((c: J) => c.type !== 'Ready'),
      { type: 'Ready', status: ready ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: rfc3339(clock.now()) }];
    await admin.updateStatus('pods', { ...structuredClone(pod), status: st });
  };
  const createService = (name: string, spec: J, labels?: Record<string, string>) => admin.create('services', {
    apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'ha', ...(labels ? { labels } : {}) }, spec,
  });
  const events = () => admin.list('events', 'ha').map((e) => `${e.type} ${e.reason} ${e.message}`);
  return { clock, admin, ep, es, sync, endpoints, slices, runPod, setReady, createService, events };
}

const frontSpec = { selector: { tier: 'frontend' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] };

test('Endpoints and an EndpointSlice for the ready pods; no write when nothing changed', async () => {
  const t = await setup();
  await t.runPod('web-1', { ip: '10.128.2.5' });
  await t.runPod('web-2', { ip: '10.128.4.7', node: 'worker-1' });
  await t.runPod('other', { ip: '10.128.4.8', labels: { tier: 'backend' } });
  await t.createService('front', frontSpec, { app: 'shop' });
  await t.sync();

  const ep = t.endpoints()!;
  assert.deepEqual(ep.subsets, [{
    addresses: [
      { ip: '10.128.2.5', nodeName: 'worker-0', targetRef: { kind: 'Pod', namespace: 'ha', name: 'web-1', uid: t.admin.get('pods', 'ha', 'web-1')!.metadata.uid } },
      { ip: '10.128.4.7', nodeName: 'worker-1', targetRef: { kind: 'Pod', namespace: 'ha', name: 'web-2', uid: t.admin.get('pods', 'ha', 'web-2')!.metadata.uid } },
    ],
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  }]);
  // No cluster IP is allocated in this test, so the Service counts as headless.
  assert.deepEqual(ep.metadata.labels, { app: 'shop', 'service.kubernetes.io/headless': '' });
  assert.equal(ep.metadata.annotations!['endpoints.kubernetes.io/last-change-trigger-time'], '2026-01-01T00:00:00Z');

  const [slice] = t.slices();
  assert.equal(t.slices().length, 1);
  assert.match(slice.metadata.name!, /^front-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.equal(slice.metadata.labels!['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
  assert.deepEqual((slice.endpoints as J[]).map((e) => [e.addresses[0], e.conditions.ready, e.nodeName, e.zone]),
    [['10.128.2.5', true, 'worker-0', 'zone-a'], ['10.128.4.7', true, 'worker-1', 'zone-b']]);

  const rvs = [t.endpoints()!.metadata.resourceVersion, slice.metadata.resourceVersion];
  t.clock.advance(30);
  await t.sync();
  assert.deepEqual([t.endpoints()!.metadata.resourceVersion, t.slices()[0].metadata.resourceVersion], rvs, 'nothing written');
});

test('readiness, deletion and label changes move the pods; the trigger time follows', async () => {
  const t = await setup();
  await t.createService('front', frontSpec);
  await t.runPod('web-1', { ip: '10.128.2.5' });
  await t.runPod('web-2', { ip: '10.128.4.7', node: 'worker-1' });
  await t.sync();
  t.clock.advance(60);
  await t.setReady('web-2', false);
  await t.sync();
  let ep = t.endpoints()!;
  assert.deepEqual((ep.subsets as J[])[0].addresses.map((a: J) => a.ip), ['10.128.2.5']);
  assert.deepEqual((ep.subsets as J[])[0].notReadyAddresses.map((a: J) => a.ip), ['10.128.4.7']);
  assert.equal(ep.metadata.annotations!['endpoints.kubernetes.io/last-change-trigger-time'], '2026-01-01T00:01:00Z');
  assert.deepEqual((t.slices()[0].endpoints as J[]).map((e) => e.conditions), [
    { ready: true, serving: true, terminating: false }, { ready: false, serving: false, terminating: false },
  ]);

  // Terminating: gone from Endpoints, still in the slice as terminating.
  await t.admin.delete('pods', 'ha', 'web-1', { gracePeriodSeconds: 30 });
  assert.ok(t.admin.get('pods', 'ha', 'web-1')?.metadata.deletionTimestamp);
  await t.sync();
  ep = t.endpoints()!;
  assert.deepEqual((ep.subsets as J[]).map((s) => [s.addresses, s.notReadyAddresses?.map((a: J) => a.ip)]), [[undefined, ['10.128.4.7']]]);
  assert.deepEqual((t.slices()[0].endpoints as J[]).map((e) => [e.targetRef.name, e.conditions]), [
    ['web-1', { ready: false, serving: true, terminating: true }], ['web-2', { ready: false, serving: false, terminating: false }],
  ]);

  // Relabelled away: out of both.
  const p = t.admin.get('pods', 'ha', 'web-2')!;
  await t.admin.update('pods', { ...structuredClone(p), metadata: { ...structuredClone(p.metadata), labels: { tier: 'retired' } } });
  await t.admin.delete('pods', 'ha', 'web-1', { gracePeriodSeconds: 0 });
  await t.sync();
  assert.equal(t.endpoints()!.subsets, undefined);
  const [slice] = t.slices();
  assert.deepEqual([slice.endpoints, slice.ports], [[], []], 'the slice is now the empty placeholder');
  const out = t.admin.list('endpoints', 'ha');
  assert.equal(out.length, 1);
});

test('pods map to the Services that select them before and after a change', async () => {
  const t = await setup();
  await t.createService('front', frontSpec);
  await t.createService('back', { selector: { tier: 'backend' }, ports: [{ port: 80, targetPort: 8080 }] });
  await t.runPod('web-1', { ip: '10.128.2.5' });
  const pod = t.admin.get('pods', 'ha', 'web-1')!;
  const podsWatch = t.ep.watches.find((w) => w.resource === 'pods')!;
  assert.deepEqual(podsWatch.map(pod, undefined), ['ha/front']);
  const moved = { ...structuredClone(pod), metadata: { ...structuredClone(pod.metadata), resourceVersion: '99999', labels: { tier: 'backend' } } };
  assert.deepEqual(podsWatch.map(moved, { type: 'MODIFIED', resource: 'pods', object: moved, previous: pod, rv: 99999 }).sort(), ['ha/back', 'ha/front']);
});

test('selector-less Services keep the Endpoints they are given; ExternalName gets none', async () => {
  const t = await setup();
  await t.runPod('web-1', { ip: '10.128.2.5' });
  await t.createService('manual', { ports: [{ port: 80, targetPort: 8080 }] });
  const given = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'manual', namespace: 'ha' }, subsets: [{ addresses: [{ ip: '192.168.10.4' }], ports: [{ port: 8080 }] }] };
  await t.admin.create('endpoints', given);
  const rv = t.endpoints('manual')!.metadata.resourceVersion;
  await t.sync('manual');
  assert.equal(t.endpoints('manual')!.metadata.resourceVersion, rv);
  assert.deepEqual(t.slices('manual'), []);

  await t.createService('ext', { type: 'ExternalName', externalName: 'db.example.com', selector: { tier: 'frontend' } });
  await t.sync('ext');
  assert.equal(t.endpoints('ext'), undefined);
  assert.deepEqual(t.slices('ext'), []);
});

test('a deleted Service loses its Endpoints; a Service without pods gets an empty Endpoints and a placeholder slice', async () => {
  const t = await setup();
  await t.createService('front', frontSpec);
  await t.sync();
  assert.equal(t.endpoints()!.subsets, undefined);
  assert.equal(t.slices().length, 1);
  assert.deepEqual([t.slices()[0].endpoints, t.slices()[0].ports], [[], []]);
  await t.admin.delete('services', 'ha', 'front');
  await t.sync();
  assert.equal(t.endpoints(), undefined);
  // The slice goes with its owner (the garbage collector's job, not run here).
  assert.equal(t.slices()[0].metadata.ownerReferences![0].kind, 'Service');
});

test('a slice edited by someone else is put right; a pod on a missing node is retried with an event', async () => {
  const t = await setup();
  await t.createService('front', frontSpec);
  await t.runPod('web-1', { ip: '10.128.2.5' });
  await t.sync();
  const slice = t.slices()[0];
  const slicesWatch = t.es.watches.find((w) => w.resource === SLICES)!;
  const edited = structuredClone(slice);
  edited.endpoints = [];
  const updated = await t.admin.update(SLICES, edited);
  assert.deepEqual(slicesWatch.map(updated, { type: 'MODIFIED', resource: SLICES, object: updated, previous: slice, rv: 1 }), ['ha/front']);
  await t.sync();
  assert.deepEqual((t.slices()[0].endpoints as J[]).map((e) => e.addresses[0]), ['10.128.2.5']);

  await t.runPod('web-2', { ip: '10.128.4.7', node: 'worker-9' });
  await assert.rejects(t.es.reconcile('ha/front'), /skipping Pod web-2 for Service ha\/front: Node worker-9 Not Found/);
  assert.ok(t.events().includes('Warning FailedToUpdateEndpointSlices Error updating Endpoint Slices for Service ha/front: skipping Pod web-2 for Service ha/front: Node worker-9 Not Found'));
  assert.deepEqual((t.slices()[0].endpoints as J[]).map((e) => e.addresses[0]), ['10.128.2.5']);
});
