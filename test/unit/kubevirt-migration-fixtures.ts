// A bare cluster for migration/evacuation/eviction tests: the API pipeline with
// the default admission plugins and the bootstrap nodes, but no controllers
// running, so a test calls one reconcile and looks at what it wrote.

import { ManualClock } from '../../sandbox/sim/clock.ts';
import { ObjectStore } from '../../sandbox/sim/store/object-store.ts';
import { RestStorage } from '../../sandbox/sim/api/rest-storage.ts';
import type { AdmissionPlugin } from '../../sandbox/sim/api/admission.ts';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { rfc3339 } from '../../sandbox/sim/api/age.ts';
import { clusterRegistry } from '../../sandbox/sim/cluster.ts';
import { definitions } from '../../sandbox/sim/kinds/index.ts';
import { ClusterClient } from '../../sandbox/sim/runtime/client.ts';
import { EventRecorder } from '../../sandbox/sim/runtime/events.ts';
import { ContainerLogs } from '../../sandbox/sim/runtime/container-logs.ts';
import type { ControllerDeps } from '../../sandbox/sim/controllers/types.ts';
import type { GuestRuntimeApi } from '../../sandbox/sim/guest/types.ts';
import { bootstrapObjects } from '../../sandbox/sim/topology.ts';
import { kubevirtEvictionPlugin } from '../../sandbox/sim/admission/kubevirt-eviction.ts';
import { kubevirtMigrationPlugin } from '../../sandbox/sim/admission/kubevirt-migration.ts';

export const CONTROLLER = 'system:serviceaccount:openshift-cnv:kubevirt-controller';
export const HANDLER = 'system:serviceaccount:openshift-cnv:kubevirt-handler';
export const VMI = 'kubevirt.io/virtualmachineinstances';
export const VMIM = 'kubevirt.io/virtualmachineinstancemigrations';

export interface Bare {
  clock: ManualClock;
  storage: RestStorage;
  admin: ClusterClient;
  /** A client acting as a KubeVirt component (may write VMI status). */
  as(user: string): ClusterClient;
  deps(user: string): ControllerDeps;
  events(): KubeObject[];
}

export async function bareCluster(plugins?: AdmissionPlugin[]): Promise<Bare> {
  const clock = new ManualClock('2026-03-01T10:00:00Z');
  const registry = clusterRegistry();
  let storage!: RestStorage;
  const as = (user: string): ClusterClient => new ClusterClient(storage, user, user.split(':').pop()!);
  storage = new RestStorage(new ObjectStore(), registry, definitions, clock, plugins ?? [
    kubevirtEvictionPlugin(async (vmi) => { await as('system:serviceaccount:openshift-cnv:kubevirt-apiserver').update(VMI, vmi); }),
    kubevirtMigrationPlugin(),
  ]);
  const admin = new ClusterClient(storage, 'system:admin', 'test');
  for (const obj of bootstrapObjects({ workers: 3, controlPlanes: 1 }, clock.now())) {
    const i = obj.apiVersion.indexOf('/');
    const kind = registry.kind(i < 0 ? '' : obj.apiVersion.slice(0, i), i < 0 ? obj.apiVersion : obj.apiVersion.slice(i + 1), obj.kind)!;
    const key = registry.storeKey(kind);
    await admin.create(key, obj);
    if (obj.status !== undefined && kind.subresources?.status) {
      const stored = admin.get(key, obj.metadata.namespace, obj.metadata.name!)!;
      await admin.updateStatus(key, { ...structuredClone(stored), status: obj.status });
    }
  }
  const logs = new ContainerLogs();
  return {
    clock, storage, admin, as,
    deps: (user) => {
      const client = as(user);
      return { client, clock, registry, logs, guests: noGuests, recorder: (source) => new EventRecorder(client, clock, source) };
    },
    events: () => admin.list('events'),
  };
}

/** Guests told they migrated (the handler's completion step), in order. */
export const migratedGuests: { vmiUid: string; ip: string; node?: string }[] = [];

/** The migration controllers only tell a guest it moved; any other use fails the test. */
const noGuests = new Proxy({}, {
  get: (_t, prop) => {
    if (prop === 'migrated') return (vmiUid: string, ip: string, node?: string) => { migratedGuests.push({ vmiUid, ip, node }); };
    throw new Error(`guests.${String(prop)} is not expected in these tests`);
  },
}) as GuestRuntimeApi;

type J = Record<string, any>;

export function vmiSpec(over: J = {}): J {
  return {
    domain: {
      memory: { guest: '1Gi' },
      devices: {
        disks: [{ name: 'rootdisk', disk: { bus: 'virtio' } }],
        interfaces: [{ name: 'default', masquerade: {} }],
      },
    },
    networks: [{ name: 'default', pod: {} }],
    volumes: [{ name: 'rootdisk', containerDisk: { image: 'quay.io/containerdisks/fedora:40' } }],
    ...over,
  };
}

export interface VmiOptions {
  name?: string;
  node?: string;
  strategy?: string;
  migratable?: boolean | { reason: string; message: string };
  phase?: string;
  podIP?: string;
  status?: J;
}

/** A Running VMI on `node` with its Running launcher pod. */
export async function runningVmi(b: Bare, o: VmiOptions = {}): Promise<{ vmi: KubeObject; pod: KubeObject }> {
  const name = o.name ?? 'vm1';
  const node = o.node ?? 'worker-0';
  const podIP = o.podIP ?? '10.128.16.5';
  const kv = b.as(CONTROLLER);
  const spec = vmiSpec(o.strategy ? { evictionStrategy: o.strategy } : {});
  let vmi = await b.admin.create(VMI, { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name, namespace: 'default' }, spec });
  const pod = await launcherPod(b, vmi, node, podIP);
  const t = rfc3339(b.clock.now());
  const m = o.migratable ?? true;
  const migratableCond = m === true
    ? { type: 'LiveMigratable', status: 'True', lastProbeTime: null, lastTransitionTime: null }
    : m === false ? undefined : { type: 'LiveMigratable', status: 'False', reason: m.reason, message: m.message, lastProbeTime: null, lastTransitionTime: null };
  vmi = await kv.update(VMI, {
    ...structuredClone(vmi),
    metadata: { ...structuredClone(vmi.metadata), labels: { ...(vmi.metadata.labels ?? {}), 'kubevirt.io/nodeName': node } },
    status: {
      ...structuredClone(vmi.status as J),
      phase: o.phase ?? 'Running',
      nodeName: node,
      conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: t }, ...(migratableCond ? [migratableCond] : [])],
      interfaces: [{ name: 'default', ipAddress: podIP, ipAddresses: [podIP], infoSource: 'domain', podInterfaceName: 'eth0', linkState: 'up' }],
      activePods: { [pod.metadata.uid!]: node },
      ...(o.status ?? {}),
    },
  });
  return { vmi, pod };
}

/** A launcher pod of the VMI, bound to `node` (undefined: not scheduled) and Running with `ip` when bound. */
export async function launcherPod(b: Bare, vmi: KubeObject, node: string | undefined, ip: string, extraLabels: Record<string, string> = {}): Promise<KubeObject> {
  const kv = b.as(CONTROLLER);
  let pod = await kv.create('pods', {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      generateName: `virt-launcher-${vmi.metadata.name}-`, namespace: vmi.metadata.namespace,
      labels: { 'kubevirt.io': 'virt-launcher', 'kubevirt.io/created-by': vmi.metadata.uid!, 'vm.kubevirt.io/name': vmi.metadata.name!, ...extraLabels },
      annotations: { 'kubevirt.io/domain': vmi.metadata.name!, 'kubectl.kubernetes.io/default-container': 'compute' },
      ownerReferences: [{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', name: vmi.metadata.name!, uid: vmi.metadata.uid!, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      ...(node ? { nodeName: node } : {}),
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 60,
      nodeSelector: { 'kubevirt.io/schedulable': 'true' },
      readinessGates: [{ conditionType: 'kubevirt.io/virtual-machine-unpaused' }],
      containers: [{ name: 'compute', image: 'registry.redhat.io/container-native-virtualization/virt-launcher:v4.19' }],
    },
  });
  if (node) pod = await podRunning(b, pod, ip);
  return pod;
}

export async function podRunning(b: Bare, pod: KubeObject, ip: string): Promise<KubeObject> {
  const t = rfc3339(b.clock.now());
  return b.admin.updateStatus('pods', {
    ...structuredClone(pod),
    status: {
      phase: 'Running', podIP: ip, podIPs: [{ ip }], startTime: t,
      conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: t }],
      containerStatuses: [{ name: 'compute', image: 'virt-launcher', imageID: '', ready: true, restartCount: 0, started: true, state: { running: { startedAt: t } }, lastState: {} }],
    },
  });
}

export async function bindPod(b: Bare, pod: KubeObject, node: string): Promise<KubeObject> {
  return b.admin.bind(pod.metadata.namespace!, pod.metadata.name!, node);
}

export function get(b: Bare, resource: string, name: string, ns = 'default'): KubeObject | undefined {
  return b.admin.get(resource, ns, name);
}

export function eventsFor(b: Bare, name: string): { type: string; reason: string; message: string }[] {
  return b.events().filter((e) => (e.involvedObject as J).name === name).map((e) => ({ type: e.type as string, reason: e.reason as string, message: e.message as string }));
}
