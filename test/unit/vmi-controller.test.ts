// The VMI controller, one reconcile at a time against a real API pipeline
// (no runner, no kubelet, no scheduler: the test plays them).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { ManualClock } from '../../sandbox/sim/clock.ts';
import { ObjectStore } from '../../sandbox/sim/store/object-store.ts';
import { RestStorage } from '../../sandbox/sim/api/rest-storage.ts';
import { clusterRegistry } from '../../sandbox/sim/cluster.ts';
import { definitions } from '../../sandbox/sim/kinds/index.ts';
import { ClusterClient } from '../../sandbox/sim/runtime/client.ts';
import { EventRecorder } from '../../sandbox/sim/runtime/events.ts';
import { ContainerLogs } from '../../sandbox/sim/runtime/container-logs.ts';
import type { ControllerDeps } from '../../sandbox/sim/controllers/types.ts';
import type { GuestRuntimeApi } from '../../sandbox/sim/guest/types.ts';
import { vmiController } from '../../sandbox/sim/controllers/vmi/controller.ts';
import { rfc3339 } from '../../sandbox/sim/api/age.ts';

type J = Record<string, any>;
const VMI = 'kubevirt.io/virtualmachineinstances';
const CONTROLLER = 'system:serviceaccount:openshift-cnv:kubevirt-controller';

async function setup() {
  const clock = new ManualClock('2026-01-01T00:00:00Z');
  const store = new ObjectStore();
  const registry = clusterRegistry();
  const storage = new RestStorage(store, registry, definitions, clock);
  const admin = new ClusterClient(storage, 'kube:admin', 'kubectl');
  const kubevirt = new ClusterClient(storage, CONTROLLER, 'virt-controller');
  await admin.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ha' } });
  const deps: ControllerDeps = {
    client: kubevirt, clock, registry, logs: new ContainerLogs(),
    recorder: (src) => new EventRecorder(kubevirt, clock, src),
    guests: {} as GuestRuntimeApi,
  };
  const c = vmiController(deps);
  const vmi = () => admin.get(VMI, 'ha', 'web1')!;
  const pods = () => admin.list('pods', 'ha');
  const events = () => admin.list('events', 'ha').map((e) => `${e.type} ${e.reason} ${e.message} (${(e.source as J).component})`);
  /** The scheduler's binding. */
  const bind = async (pod: KubeObject, node: string) => {
    const next = structuredClone(pod);
    (next.spec as J).nodeName = node;
    (next.status as J).conditions = [...((next.status as J).conditions ?? []).filter((x: J) => x.type !== 'PodScheduled'),
      { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(clock.now()) }];
    await storage.writeSubresource(registry.resource('', 'v1', 'pods')!, next, pod, { user: 'system:kube-scheduler', fieldManager: 'default-scheduler', subresource: 'binding' });
  };
  /** The kubelet starting the containers. */
  const run = async (name: string, ip = '10.128.16.2') => {
    const pod = admin.get('pods', 'ha', name)!;
    const st = structuredClone(pod.status) as J;
    st.phase = 'Running';
    st.podIP = ip;
    st.podIPs = [{ ip }];
    st.containerStatuses = (pod.spec as J).containers.map((x: J) => ({ name: x.name, image: x.image, imageID: '', ready: x.name !== 'compute', restartCount: 0, started: true, state: { running: { startedAt: rfc3339(clock.now()) } } }));
    st.conditions = [...(st.conditions ?? []).filter((x: J) => x.type !== 'Ready'),
      { type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [compute]', lastProbeTime: null, lastTransitionTime: rfc3339(clock.now()) }];
    await admin.updateStatus('pods', { ...structuredClone(pod), status: st });
  };
  return { clock, admin, kubevirt, storage, c, vmi, pods, events, bind, run };
}

function vmiObject(name = 'web1'): KubeObject {
  return {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance',
    metadata: { name, namespace: 'ha', labels: { app: 'web' } },
    spec: {
      domain: { memory: { guest: '1Gi' }, devices: { disks: [{ name: 'rootdisk', disk: { bus: 'virtio' } }], interfaces: [{ name: 'default', masquerade: {} }] } },
      networks: [{ name: 'default', pod: {} }],
      volumes: [{ name: 'rootdisk', containerDisk: { image: 'quay.io/containerdisks/fedora:41' } }],
    },
  };
}

const cond = (o: KubeObject, type: string): J | undefined => ((o.status as J).conditions ?? []).find((c: J) => c.type === type);

test('a new VMI gets one launcher pod and moves to Scheduling', async () => {
  const t = await setup();
  await t.admin.create(VMI, vmiObject());
  await t.c.reconcile('ha/web1');
  const [pod] = t.pods();
  assert.equal(t.pods().length, 1);
  assert.match(pod.metadata.name!, /^virt-launcher-web1-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  const v = t.vmi();
  assert.equal((v.status as J).phase, 'Scheduling');
  assert.deepEqual((v.status as J).phaseTransitionTimestamps.map((p: J) => p.phase), ['Pending', 'Scheduling']);
  assert.deepEqual((v.status as J).activePods, { [pod.metadata.uid!]: '' });
  assert.match((v.status as J).launcherContainerImageVersion, /virt-launcher/);
  assert.equal(cond(v, 'Ready')?.reason, 'GuestNotRunning');
  assert.deepEqual(t.events(), [`Normal SuccessfulCreate Created virtual machine pod ${pod.metadata.name} (virtualmachine-controller)`]);
  // The readiness gate is set at once.
  assert.equal(cond(t.pods()[0], 'kubevirt.io/virtual-machine-unpaused')?.status, 'True');

  // The next pass (Scheduling) copies the pod's QoS class; after that, nothing more to do.
  await t.c.reconcile('ha/web1');
  assert.equal((t.vmi().status as J).qosClass, 'Burstable');
  const rv = t.vmi().metadata.resourceVersion;
  await t.c.reconcile('ha/web1');
  assert.equal(t.pods().length, 1);
  assert.equal(t.vmi().metadata.resourceVersion, rv);
});

test('an unschedulable pod shows on the VMI; a running pod makes it Scheduled', async () => {
  const t = await setup();
  await t.admin.create(VMI, vmiObject());
  await t.c.reconcile('ha/web1');
  let pod = t.pods()[0];
  const unsched = { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/4 nodes are available: 3 Insufficient devices.kubevirt.io/kvm.', lastProbeTime: null, lastTransitionTime: rfc3339(t.clock.now()) };
  await t.admin.updateStatus('pods', { ...structuredClone(pod), status: { ...structuredClone(pod.status as J), conditions: [...((pod.status as J).conditions ?? []), unsched] } });
  await t.c.reconcile('ha/web1');
  assert.deepEqual(cond(t.vmi(), 'PodScheduled'), unsched);
  assert.equal((t.vmi().status as J).phase, 'Scheduling');

  pod = t.pods()[0];
  await t.bind(pod, 'worker-1');
  t.clock.advance(2);
  await t.run(pod.metadata.name!);
  await t.c.reconcile('ha/web1');
  const v = t.vmi();
  assert.equal((v.status as J).phase, 'Scheduled');
  assert.equal((v.status as J).nodeName, 'worker-1');
  assert.equal(v.metadata.labels!['kubevirt.io/nodeName'], 'worker-1');
  assert.equal((v.status as J).qosClass, 'Burstable');
  assert.equal((v.status as J).migrationTransport, 'Unix');
  assert.equal(cond(v, 'PodScheduled'), undefined);
  assert.equal((v.status as J).interfaces, undefined, 'the IP comes from virt-handler once the domain runs');
  assert.deepEqual((v.status as J).activePods, { [pod.metadata.uid!]: 'worker-1' });
  assert.equal(cond(v, 'Ready')?.reason, 'GuestNotRunning');

  await t.c.reconcile('ha/web1');
  pod = t.pods()[0];
  assert.equal(pod.metadata.labels!['kubevirt.io/nodeName'], 'worker-1');
  assert.equal(pod.metadata.annotations!['descheduler.alpha.kubernetes.io/request-evict-only'], '');
});

test('Ready copies the pod once Running; Paused flips the pod gate', async () => {
  const t = await setup();
  await t.admin.create(VMI, vmiObject());
  await t.c.reconcile('ha/web1');
  const pod = t.pods()[0];
  await t.bind(pod, 'worker-0');
  await t.run(pod.metadata.name!);
  await t.c.reconcile('ha/web1');
  // virt-handler reports Running; the kubelet reports the pod Ready.
  const v = structuredClone(t.vmi());
  (v.status as J).phase = 'Running';
  await t.kubevirt.update(VMI, v);
  const p = structuredClone(t.pods()[0]);
  (p.status as J).conditions = (p.status as J).conditions.map((x: J) => (x.type === 'Ready' ? { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:04Z' } : x));
  await t.admin.updateStatus('pods', p);
  await t.c.reconcile('ha/web1');
  assert.deepEqual(cond(t.vmi(), 'Ready'), { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:04Z' });

  const paused = structuredClone(t.vmi());
  (paused.status as J).conditions.push({ type: 'Paused', status: 'True', reason: 'PausedByUser', message: 'VMI was paused by user', lastProbeTime: null, lastTransitionTime: rfc3339(t.clock.now()) });
  await t.kubevirt.update(VMI, paused);
  await t.c.reconcile('ha/web1');
  const gate = cond(t.pods()[0], 'kubevirt.io/virtual-machine-unpaused')!;
  assert.equal(gate.status, 'False');
  assert.equal(gate.reason, 'Paused');
  assert.equal(gate.message, 'the virtual machine is paused');
});

test('the launcher pod vanishing fails a Running VMI; the finalizer goes once no pod is left', async () => {
  const t = await setup();
  await t.admin.create(VMI, vmiObject());
  await t.c.reconcile('ha/web1');
  const pod = t.pods()[0];
  await t.bind(pod, 'worker-0');
  await t.run(pod.metadata.name!);
  await t.c.reconcile('ha/web1');
  const v = structuredClone(t.vmi());
  (v.status as J).phase = 'Running';
  await t.kubevirt.update(VMI, v);
  assert.deepEqual(t.vmi().metadata.finalizers, ['kubevirt.io/foregroundDeleteVirtualMachine']);

  await t.admin.delete('pods', 'ha', pod.metadata.name!, { gracePeriodSeconds: 0 });
  await t.c.reconcile('ha/web1');
  assert.equal((t.vmi().status as J).phase, 'Failed');
  assert.equal(cond(t.vmi(), 'Ready')?.reason, 'PodNotExists');
  await t.c.reconcile('ha/web1');
  assert.deepEqual(t.vmi().metadata.finalizers ?? [], []);
  assert.equal((t.vmi().status as J).launcherContainerImageVersion, undefined);
  assert.deepEqual((t.vmi().status as J).activePods, {});
});

test('deleting a VMI deletes its launcher pod, fails it and releases the finalizer', async () => {
  const t = await setup();
  await t.admin.create(VMI, vmiObject());
  await t.c.reconcile('ha/web1');
  const pod = t.pods()[0];
  await t.admin.delete(VMI, 'ha', 'web1');
  assert.ok(t.vmi().metadata.deletionTimestamp);
  await t.c.reconcile('ha/web1');
  // An unbound pod goes at once.
  assert.equal(t.pods().length, 0);
  assert.equal((t.vmi().status as J).phase, 'Failed');
  assert.ok(t.events().includes(`Normal SuccessfulDelete Deleted virtual machine pod ${pod.metadata.name} (virtualmachine-controller)`));
  await t.c.reconcile('ha/web1');
  assert.equal(t.admin.get(VMI, 'ha', 'web1'), undefined);
});

test('a VMI deleted before it got a pod fails without one', async () => {
  const t = await setup();
  await t.admin.create(VMI, vmiObject());
  await t.admin.delete(VMI, 'ha', 'web1');
  await t.c.reconcile('ha/web1');
  assert.equal(t.pods().length, 0);
  assert.equal((t.vmi().status as J).phase, 'Failed');
  await t.c.reconcile('ha/web1');
  assert.equal(t.admin.get(VMI, 'ha', 'web1'), undefined);
});

test('watches map launcher pods to their VMI', async () => {
  const t = await setup();
  await t.admin.create(VMI, vmiObject());
  await t.c.reconcile('ha/web1');
  const podWatch = t.c.watches.find((w) => w.resource === 'pods')!;
  assert.deepEqual(podWatch.map(t.pods()[0], undefined), ['ha/web1']);
  assert.deepEqual(podWatch.map({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', namespace: 'ha' } }, undefined), []);
});

test('a refused pod creation: Warning FailedCreate, Synchronized=False, retried', async () => {
  const t = await setup();
  await t.admin.create(VMI, vmiObject());
  // A namespace being deleted refuses new pods.
  await t.admin.delete('namespaces', undefined, 'ha');
  await assert.rejects(t.c.reconcile('ha/web1'));
  const sync = cond(t.vmi(), 'Synchronized')!;
  assert.equal(sync.status, 'False');
  assert.equal(sync.reason, 'FailedCreate');
  assert.match(sync.message, /^failed to create virtual machine pod: /);
  assert.equal((t.vmi().status as J).phase, 'Pending');
  assert.equal(t.pods().length, 0);
});

test('currentLauncherPod: the pod on status.nodeName; during a migration the source until nodeName moves', async () => {
  const { currentLauncherPod } = await import('../../sandbox/sim/controllers/vmi/controller.ts');
  const pod = (name: string, node: string | undefined, created: string, labels: Record<string, string> = {}): KubeObject => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, creationTimestamp: created, labels }, spec: node ? { nodeName: node } : {},
  });
  const source = pod('virt-launcher-a-src', 'worker-0', '2026-01-01T00:00:00Z');
  const pendingTarget = pod('virt-launcher-a-tgt', undefined, '2026-01-01T00:05:00Z', { 'kubevirt.io/migrationJobUID': 'm1' });
  const boundTarget = pod('virt-launcher-a-tgt', 'worker-1', '2026-01-01T00:05:00Z', { 'kubevirt.io/migrationJobUID': 'm1' });
  assert.equal(currentLauncherPod([source, pendingTarget], 'worker-0')?.metadata.name, 'virt-launcher-a-src');
  assert.equal(currentLauncherPod([source, boundTarget], 'worker-0')?.metadata.name, 'virt-launcher-a-src', 'newer target elsewhere is not current');
  assert.equal(currentLauncherPod([source, boundTarget], 'worker-1')?.metadata.name, 'virt-launcher-a-tgt', 'after nodeName moved');
  assert.equal(currentLauncherPod([boundTarget], 'worker-0'), undefined, 'no pod on the node');
  assert.equal(currentLauncherPod([source, pod('virt-launcher-a-new', undefined, '2026-01-01T00:09:00Z')], undefined)?.metadata.name, 'virt-launcher-a-new', 'unscheduled VMI: newest');
  const older = pod('virt-launcher-a-old', 'worker-0', '2025-12-31T23:00:00Z');
  assert.equal(currentLauncherPod([older, source], 'worker-0')?.metadata.name, 'virt-launcher-a-src', 'newest on the node');
});
