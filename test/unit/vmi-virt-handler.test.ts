// virt-handler, one reconcile at a time, against a real API pipeline and a
// scripted guest runtime.

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
import { rfc3339 } from '../../sandbox/sim/api/age.ts';
import type { ControllerDeps } from '../../sandbox/sim/controllers/types.ts';
import type { BootOptions, GuestInfo, GuestRuntimeApi, ShutoffReason } from '../../sandbox/sim/guest/types.ts';
import { virtHandlerController, DOMAIN_START_SECONDS } from '../../sandbox/sim/controllers/virt-handler/controller.ts';

type J = Record<string, any>;
const VMI = 'kubevirt.io/virtualmachineinstances';

/** A guest runtime whose guests do what the test says, and a log of what virt-handler asked. */
class ScriptedGuests implements Partial<GuestRuntimeApi> {
  readonly guests = new Map<string, GuestInfo>();
  readonly calls: string[] = [];
  readonly bootOptions: (BootOptions | undefined)[] = [];
  private readonly listeners: ((uid: string) => void)[] = [];

  boot(vmi: KubeObject, ip: string, options?: BootOptions): GuestInfo {
    this.calls.push(`boot ${vmi.metadata.name} ${ip}`);
    this.bootOptions.push(options);
    const g: GuestInfo = {
      vmiUid: vmi.metadata.uid!, namespace: vmi.metadata.namespace!, vmiName: vmi.metadata.name!, hostname: vmi.metadata.name!,
      state: 'Booting', bootStartedAt: 0, services: [], agentConnected: false, ip,
    };
    this.guests.set(g.vmiUid, g);
    return g;
  }
  get(uid: string): GuestInfo | undefined {
    return this.guests.get(uid);
  }
  set(uid: string, change: Partial<GuestInfo>): void {
    Object.assign(this.guests.get(uid)!, change);
    for (const l of this.listeners) l(uid);
  }
  destroy(uid: string, reason: ShutoffReason = 'Destroyed'): void {
    this.calls.push(`destroy ${reason}`);
    const g = this.guests.get(uid);
    if (g) Object.assign(g, { state: 'Shutoff', shutoffReason: reason, agentConnected: false });
  }
  shutdown(_uid: string): void {
    this.calls.push('shutdown');
  }
  pause(uid: string): void {
    this.calls.push('pause');
    this.set(uid, { state: 'Paused' });
  }
  unpause(uid: string): void {
    this.calls.push('unpause');
    this.set(uid, { state: 'Running' });
  }
  forget(uid: string): void {
    this.calls.push('forget');
    this.guests.delete(uid);
  }
  onChange(listener: (uid: string) => void): () => void {
    this.listeners.push(listener);
    return () => {};
  }
}

async function setup(opts: { sources?: boolean } = { sources: true }) {
  const clock = new ManualClock('2026-01-01T00:00:00Z');
  const store = new ObjectStore();
  const registry = clusterRegistry();
  const storage = new RestStorage(store, registry, definitions, clock);
  const admin = new ClusterClient(storage, 'kube:admin', 'kubectl');
  const kubevirt = new ClusterClient(storage, 'system:serviceaccount:openshift-cnv:kubevirt-handler', 'virt-handler');
  await admin.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ha' } });
  const guests = new ScriptedGuests();
  const deps = {
    client: kubevirt, clock, registry, logs: new ContainerLogs(),
    recorder: (src: { component: string; host?: string }) => new EventRecorder(kubevirt, clock, src),
    guests: guests as unknown as GuestRuntimeApi,
  } as ControllerDeps;
  const c = virtHandlerController(deps);
  // What a runner that knows event sources does: guest changes enqueue VMI keys.
  const enqueued: string[] = [];
  if (opts.sources) for (const s of c.sources ?? []) s((k) => enqueued.push(k));
  const vmi = () => admin.get(VMI, 'ha', 'web1')!;
  const events = () => admin.list('events', 'ha').map((e) => `${e.type} ${e.reason} ${e.message} (${(e.source as J).component}/${(e.source as J).host ?? ''})`);

  /** What virt-controller and the kubelet would have done: a VMI Scheduled on worker-0 with a running pod. */
  async function scheduled(spec: J = {}, meta: J = {}): Promise<KubeObject> {
    const v = await admin.create(VMI, {
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance',
      metadata: { name: 'web1', namespace: 'ha', ...meta },
      spec: {
        domain: { memory: { guest: '1Gi' }, devices: { disks: [{ name: 'rootdisk', disk: { bus: 'virtio' } }] } },
        volumes: [{ name: 'rootdisk', containerDisk: { image: 'quay.io/containerdisks/fedora:41' } }],
        ...spec,
      },
    });
    const pod = await admin.create('pods', {
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        name: 'virt-launcher-web1-abcde', namespace: 'ha',
        labels: { 'kubevirt.io': 'virt-launcher', 'kubevirt.io/created-by': v.metadata.uid! },
        annotations: { 'kubevirt.io/domain': 'web1' },
        ownerReferences: [{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', name: 'web1', uid: v.metadata.uid!, controller: true, blockOwnerDeletion: true }],
      },
      spec: { nodeName: 'worker-0', restartPolicy: 'Never', terminationGracePeriodSeconds: 60, containers: [{ name: 'compute', image: 'virt-launcher' }] },
    });
    await admin.updateStatus('pods', { ...structuredClone(pod), status: { ...(pod.status as J), phase: 'Running', podIP: '10.128.16.7', podIPs: [{ ip: '10.128.16.7' }] } });
    const next = structuredClone(admin.get(VMI, 'ha', 'web1')!);
    (next.status as J).phase = 'Scheduled';
    (next.status as J).nodeName = 'worker-0';
    (next.status as J).phaseTransitionTimestamps.push({ phase: 'Scheduled', phaseTransitionTimestamp: rfc3339(clock.now()) });
    return new ClusterClient(storage, 'system:serviceaccount:openshift-cnv:kubevirt-controller', 'virt-controller').update(VMI, next);
  }

  /** Scheduled, then booted and Running. */
  async function running(spec: J = {}, meta: J = {}): Promise<string> {
    const v = await scheduled(spec, meta);
    await c.reconcile('ha/web1');
    clock.advance(DOMAIN_START_SECONDS);
    await c.reconcile('ha/web1');
    assert.equal((vmi().status as J).phase, 'Running');
    return v.metadata.uid!;
  }
  return { clock, admin, storage, guests, c, vmi, events, scheduled, running, enqueued };
}

const cond = (o: KubeObject, type: string): J | undefined => ((o.status as J).conditions ?? []).find((c: J) => c.type === type);

test('a Scheduled VMI is booted once the domain start delay passed, then Running', async () => {
  const t = await setup();
  await t.scheduled();
  const r = await t.c.reconcile('ha/web1');
  assert.deepEqual(r, { requeueAfter: DOMAIN_START_SECONDS });
  assert.deepEqual(t.guests.calls, []);
  t.clock.advance(DOMAIN_START_SECONDS);
  await t.c.reconcile('ha/web1');
  assert.deepEqual(t.guests.calls, ['boot web1 10.128.16.7']);
  const v = t.vmi();
  const st = v.status as J;
  assert.equal(st.phase, 'Running');
  assert.deepEqual(st.phaseTransitionTimestamps.map((p: J) => p.phase), ['Pending', 'Scheduled', 'Running']);
  assert.equal(st.interfaces[0].ipAddress, '10.128.16.7');
  assert.equal(st.interfaces[0].name, 'default');
  assert.equal(st.interfaces[0].infoSource, 'domain');
  assert.deepEqual(st.guestOSInfo, {});
  assert.equal(st.migrationMethod, 'BlockMigration');
  // The cluster default binding for the pod network is bridge: not migratable.
  assert.equal(cond(v, 'LiveMigratable')?.reason, 'InterfaceNotLiveMigratable');
  assert.equal(cond(v, 'AgentConnected'), undefined);
  assert.deepEqual(t.events(), ['Normal Started VirtualMachineInstance started. (virt-handler/worker-0)']);
  // Booting is not repeated.
  await t.c.reconcile('ha/web1');
  assert.deepEqual(t.guests.calls, ['boot web1 10.128.16.7']);
});

test('guest agent: AgentConnected, guest OS info and guest-agent interface info while connected', async () => {
  const t = await setup();
  const uid = await t.running({ domain: { memory: { guest: '1Gi' }, devices: { disks: [{ name: 'rootdisk', disk: {} }], interfaces: [{ name: 'default', masquerade: {} }] } }, networks: [{ name: 'default', pod: {} }] });
  assert.equal(cond(t.vmi(), 'LiveMigratable')?.status, 'True');
  const os = { id: 'fedora', name: 'Fedora Linux', prettyName: 'Fedora Linux 41 (Cloud Edition)', version: '41 (Cloud Edition)', versionId: '41', kernelRelease: '6.11.4-301.fc41.x86_64', kernelVersion: '#1 SMP', machine: 'x86_64' };
  t.guests.set(uid, { state: 'Running', agentConnected: true, os });
  await t.c.reconcile('ha/web1');
  let v = t.vmi();
  assert.equal(cond(v, 'AgentConnected')?.status, 'True');
  assert.deepEqual((v.status as J).guestOSInfo, os);
  assert.equal((v.status as J).interfaces[0].infoSource, 'domain, guest-agent');
  assert.equal((v.status as J).interfaces[0].interfaceName, 'eth0');
  t.guests.set(uid, { agentConnected: false });
  await t.c.reconcile('ha/web1');
  v = t.vmi();
  assert.equal(cond(v, 'AgentConnected'), undefined);
});

test('guest power-off: Succeeded with a Normal Stopped event', async () => {
  const t = await setup();
  const uid = await t.running();
  t.guests.set(uid, { state: 'Shutoff', shutoffReason: 'Shutdown' });
  await t.c.reconcile('ha/web1');
  assert.equal((t.vmi().status as J).phase, 'Succeeded');
  assert.ok(t.events().includes('Normal Stopped The VirtualMachineInstance was shut down. (virt-handler/worker-0)'));
});

test('guest crash: Failed with a Warning Stopped event', async () => {
  const t = await setup();
  const uid = await t.running();
  t.guests.set(uid, { state: 'Shutoff', shutoffReason: 'Crashed' });
  await t.c.reconcile('ha/web1');
  assert.equal((t.vmi().status as J).phase, 'Failed');
  assert.ok(t.events().includes('Warning Stopped The VirtualMachineInstance crashed. (virt-handler/worker-0)'));
});

test('the Paused condition pauses and unpauses the domain', async () => {
  const t = await setup();
  const uid = await t.running();
  t.guests.set(uid, { state: 'Running' });
  const paused = structuredClone(t.vmi());
  (paused.status as J).conditions.push({ type: 'Paused', status: 'True', reason: 'PausedByUser', message: 'VMI was paused by user', lastProbeTime: null, lastTransitionTime: rfc3339(t.clock.now()) });
  // virt-api's pause subresource sets the condition.
  const kv = new ClusterClient(t.storage, 'system:serviceaccount:openshift-cnv:kubevirt-apiserver', 'virt-api');
  await kv.update(VMI, paused);
  await t.c.reconcile('ha/web1');
  assert.equal(t.guests.get(uid)!.state, 'Paused');
  const unpaused = structuredClone(t.vmi());
  (unpaused.status as J).conditions = (unpaused.status as J).conditions.filter((c: J) => c.type !== 'Paused');
  await kv.update(VMI, unpaused);
  await t.c.reconcile('ha/web1');
  assert.equal(t.guests.get(uid)!.state, 'Running');
  assert.deepEqual(t.guests.calls.slice(-2), ['pause', 'unpause']);
});

test('deleting the VMI: ACPI shutdown first, destroy when the grace period is over', async () => {
  const t = await setup();
  const uid = await t.running({ terminationGracePeriodSeconds: 20 });
  await t.admin.delete(VMI, 'ha', 'web1');
  const r = await t.c.reconcile('ha/web1');
  assert.deepEqual(t.guests.calls.slice(1), ['shutdown']);
  assert.deepEqual(r, { requeueAfter: 20 });
  assert.ok(t.events().includes('Normal ShuttingDown Signaled Graceful Shutdown (virt-handler/worker-0)'));
  t.clock.advance(10);
  await t.c.reconcile('ha/web1');
  assert.deepEqual(t.guests.calls.slice(1), ['shutdown'], 'signalled once');
  t.clock.advance(10);
  await t.c.reconcile('ha/web1');
  assert.deepEqual(t.guests.calls.slice(1), ['shutdown', 'destroy Destroyed']);
  assert.equal((t.vmi().status as J).phase, 'Failed', 'destroyed with ACPI on');
  void uid;
});

test('a guest that shuts down within the grace period ends Succeeded', async () => {
  const t = await setup();
  const uid = await t.running();
  await t.admin.delete(VMI, 'ha', 'web1');
  await t.c.reconcile('ha/web1');
  t.guests.set(uid, { state: 'Shutoff', shutoffReason: 'Shutdown' });
  await t.c.reconcile('ha/web1');
  assert.equal((t.vmi().status as J).phase, 'Succeeded');
});

test('the launcher pod deleted: graceful shutdown; gone: the domain is destroyed', async () => {
  const t = await setup();
  await t.running();
  await t.admin.delete('pods', 'ha', 'virt-launcher-web1-abcde');
  await t.c.reconcile('ha/web1');
  assert.deepEqual(t.guests.calls.slice(1), ['shutdown']);
  await t.admin.delete('pods', 'ha', 'virt-launcher-web1-abcde', { gracePeriodSeconds: 0 });
  await t.c.reconcile('ha/web1');
  assert.deepEqual(t.guests.calls.slice(1), ['shutdown', 'destroy Destroyed']);
  assert.equal((t.vmi().status as J).phase, 'Failed');
});

test('a launcher pod that failed (liveness probe killed compute) fails the VMI', async () => {
  const t = await setup();
  await t.running();
  const pod = t.admin.get('pods', 'ha', 'virt-launcher-web1-abcde')!;
  await t.admin.updateStatus('pods', { ...structuredClone(pod), status: { ...structuredClone(pod.status as J), phase: 'Failed' } });
  await t.c.reconcile('ha/web1');
  assert.deepEqual(t.guests.calls.slice(1), ['destroy Destroyed']);
  assert.equal((t.vmi().status as J).phase, 'Failed');
  assert.ok(t.events().includes('Warning Stopped The VirtualMachineInstance crashed. (virt-handler/worker-0)'));
});

test('nothing happens on a node whose kubelet and virt-handler are stopped', async () => {
  const t = await setup();
  await t.scheduled();
  await t.admin.create('sim.virtlab.dev/faults', { apiVersion: 'sim.virtlab.dev/v1alpha1', kind: 'Fault', metadata: { name: 'stop-worker-0' }, spec: { type: 'KubeletStop', target: { kind: 'Node', name: 'worker-0' } } });
  t.clock.advance(DOMAIN_START_SECONDS);
  await t.c.reconcile('ha/web1');
  assert.deepEqual(t.guests.calls, []);
  assert.equal((t.vmi().status as J).phase, 'Scheduled');
  const faultWatch = t.c.watches.find((w) => w.resource === 'sim.virtlab.dev/faults')!;
  assert.deepEqual(faultWatch.map(t.admin.get('sim.virtlab.dev/faults', undefined, 'stop-worker-0')!, undefined), ['ha/web1']);
});

test('a vanished VMI takes its domain with it; guest changes map back to the VMI', async () => {
  const t = await setup();
  const uid = await t.running();
  t.enqueued.length = 0;
  t.guests.set(uid, { agentConnected: true });
  assert.deepEqual(t.enqueued, ['ha/web1']);
  // Force the VMI away (finalizer dropped by hand).
  const v = structuredClone(t.vmi());
  v.metadata.finalizers = [];
  await t.admin.update(VMI, v);
  await t.admin.delete(VMI, 'ha', 'web1');
  assert.equal(t.admin.get(VMI, 'ha', 'web1'), undefined);
  await t.c.reconcile('ha/web1');
  assert.deepEqual(t.guests.calls.slice(-2), ['destroy Destroyed', 'forget']);
});

test('user data from a Secret is handed to boot()', async () => {
  const t = await setup();
  await t.admin.create('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'web1-ci', namespace: 'ha' }, data: { userdata: Buffer.from('#cloud-config\npackages: [httpd]\n').toString('base64') } });
  await t.running({
    domain: { memory: { guest: '1Gi' }, devices: { disks: [{ name: 'rootdisk', disk: {} }, { name: 'ci', disk: {} }] } },
    volumes: [{ name: 'rootdisk', containerDisk: { image: 'quay.io/containerdisks/fedora:41' } }, { name: 'ci', cloudInitNoCloud: { userDataSecretRef: { name: 'web1-ci' } } }],
  });
  assert.deepEqual(t.guests.bootOptions, [{ userData: '#cloud-config\npackages: [httpd]\n' }]);
});

test('without pushed guest changes a running guest is re-checked every second', async () => {
  const t = await setup({ sources: false });
  await t.scheduled();
  await t.c.reconcile('ha/web1');
  t.clock.advance(DOMAIN_START_SECONDS);
  assert.deepEqual(await t.c.reconcile('ha/web1'), { requeueAfter: 1 });
});
