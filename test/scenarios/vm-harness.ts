// A cluster for VM controller stories: the Kubernetes controllers and the
// KubeVirt VM controller run; the other KubeVirt controllers do not, and the
// test plays their part on the VMI (phases and conditions as virt-handler,
// finalizers as virt-controller's VMI controller). Time is a ManualClock.

import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { rfc3339 } from '../../sandbox/sim/api/age.ts';
import { ManualClock } from '../../sandbox/sim/clock.ts';
import type { Cluster } from '../../sandbox/sim/cluster.ts';
import { controllerFactories } from '../../sandbox/sim/controllers/index.ts';
import { vmController } from '../../sandbox/sim/controllers/vm/controller.ts';
import { SimHost } from '../../sandbox/sim/host.ts';
import type { ClusterClient } from '../../sandbox/sim/runtime/client.ts';

export const VMS = 'kubevirt.io/virtualmachines';
export const VMIS = 'kubevirt.io/virtualmachineinstances';
export const NS = 'default';
export const HANDLER = 'system:serviceaccount:openshift-cnv:kubevirt-handler';
export const VMI_CONTROLLER = 'system:serviceaccount:openshift-cnv:kubevirt-controller';

/**
 * Leaves the Kubernetes controllers and the VM controller in the list every
 * cluster of this test process starts (each test file runs in its own process).
 */
export function onlyVmControllerFromKubeVirt(): void {
  for (let i = controllerFactories.length - 1; i >= 0; i--) {
    const f = controllerFactories[i];
    if (f.serviceAccount.namespace !== 'kube-system' && f.create !== vmController) controllerFactories.splice(i, 1);
  }
}

export interface VmSim {
  host: SimHost;
  cluster: Cluster;
  clock: ManualClock;
  admin: ClusterClient;
  handler: ClusterClient;
  advance(seconds: number): Promise<void>;
  close(): void;
}

export async function startVmSim(): Promise<VmSim> {
  onlyVmControllerFromKubeVirt();
  const clock = new ManualClock('2026-03-01T10:00:00Z');
  const host = new SimHost();
  const cluster = await host.createCluster({ name: `vm-${Math.random().toString(36).slice(2)}`, clock, topology: { workers: 1, controlPlanes: 1 } });
  await cluster.settle();
  return {
    host, cluster, clock,
    admin: cluster.client('kube:admin', 'kubectl'),
    handler: cluster.client(HANDLER, 'virt-handler'),
    advance: (s) => cluster.advance(s),
    close: () => host.deleteCluster(cluster.name),
  };
}

export function vmManifest(name: string, run: { runStrategy?: string; running?: boolean }, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name, namespace: NS, labels: { app: name } },
    spec: {
      ...run,
      template: {
        metadata: { labels: { app: name, 'kubevirt.io/domain': name }, annotations: { 'vm.kubevirt.io/flavor': 'small' } },
        spec: {
          domain: {
            devices: { disks: [{ name: 'rootdisk', disk: { bus: 'virtio' } }], interfaces: [{ name: 'default', masquerade: {} }] },
            resources: { requests: { memory: '1Gi' } },
          },
          networks: [{ name: 'default', pod: {} }],
          volumes: [{ name: 'rootdisk', containerDisk: { image: 'quay.io/containerdisks/fedora:41' } }],
        },
      },
      ...extra,
    },
  };
}

export function vmOf(sim: VmSim, name: string): KubeObject | undefined {
  return sim.admin.get(VMS, NS, name);
}

export function vmiOf(sim: VmSim, name: string): KubeObject | undefined {
  return sim.admin.get(VMIS, NS, name);
}

export function statusOf(o: KubeObject | undefined): Record<string, any> {
  return (o?.status ?? {}) as Record<string, any>;
}

/** Collects the distinct printableStatus values of a VM as they are stored, in order, starting with the current one. */
export function recordPrintable(sim: VmSim, name: string): string[] {
  const seen: string[] = [];
  const current = statusOf(vmOf(sim, name)).printableStatus as string | undefined;
  if (current !== undefined) seen.push(current);
  sim.cluster.store.watch(VMS, (ev) => {
    if (ev.object.metadata.name !== name) return;
    const p = statusOf(ev.object).printableStatus as string | undefined;
    if (p !== undefined && seen[seen.length - 1] !== p) seen.push(p);
  });
  return seen;
}

/** Writes the VMI status as virt-handler would: a phase (with its transition timestamp) and conditions. */
export async function setVmi(sim: VmSim, name: string, change: { phase?: string; ready?: boolean; conditions?: Record<string, unknown>[]; extra?: Record<string, unknown> }): Promise<void> {
  const vmi = vmiOf(sim, name);
  if (!vmi) throw new Error(`no VMI ${name}`);
  const next = structuredClone(vmi);
  const status = (next.status ?? {}) as Record<string, any>;
  const now = rfc3339(sim.clock.now());
  if (change.phase && change.phase !== status.phase) {
    status.phase = change.phase;
    status.phaseTransitionTimestamps = [...(status.phaseTransitionTimestamps ?? []), { phase: change.phase, phaseTransitionTimestamp: now }];
  }
  let conds: Record<string, unknown>[] = change.conditions ?? status.conditions ?? [];
  if (change.ready !== undefined) {
    conds = conds.filter((c) => c.type !== 'Ready');
    conds.push(change.ready
      ? { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: now }
      : { type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime: now, reason: 'GuestNotRunning', message: 'Guest VM is not reported as running' });
  }
  status.conditions = conds;
  Object.assign(status, change.extra ?? {});
  next.status = status;
  await sim.handler.update(VMIS, next);
  await sim.cluster.settle();
}

/**
 * Plays the end of a VMI deletion: virt-handler reports the guest shut down
 * (Succeeded) if it was not final yet, then virt-controller's VMI controller
 * drops its finalizer once the launcher pod is gone.
 */
export async function finishVmiDeletion(sim: VmSim, name: string): Promise<void> {
  let vmi = vmiOf(sim, name);
  if (!vmi?.metadata.deletionTimestamp) throw new Error(`VMI ${name} is not being deleted`);
  const phase = statusOf(vmi).phase;
  if (phase !== 'Failed' && phase !== 'Succeeded') {
    await setVmi(sim, name, { phase: 'Succeeded', ready: false });
    vmi = vmiOf(sim, name)!;
  }
  const c = sim.cluster.client(VMI_CONTROLLER, 'virt-controller');
  await c.patch(VMIS, NS, name, 'merge', { metadata: { finalizers: (vmi.metadata.finalizers ?? []).filter((f) => f !== 'kubevirt.io/foregroundDeleteVirtualMachine') } });
  await sim.cluster.settle();
}

/** A VMI that fails: phase Failed (and, when being deleted, its deletion finishes). */
export async function failVmi(sim: VmSim, name: string, phase: 'Failed' | 'Succeeded' = 'Failed'): Promise<void> {
  await setVmi(sim, name, { phase, ready: false });
}

export async function runVmi(sim: VmSim, name: string): Promise<void> {
  await setVmi(sim, name, { phase: 'Scheduling' });
  await setVmi(sim, name, { phase: 'Scheduled', extra: { nodeName: 'worker-0' } });
  await setVmi(sim, name, { phase: 'Running', ready: true, conditions: [{ type: 'LiveMigratable', status: 'True', lastProbeTime: null, lastTransitionTime: null }] });
}

export function eventsFor(sim: VmSim, name: string): { reason: string; message: string; type: string; source: Record<string, unknown> }[] {
  return sim.admin.list('events', NS)
    .filter((e) => (e.involvedObject as Record<string, unknown>).name === name && (e.involvedObject as Record<string, unknown>).kind === 'VirtualMachine')
    .map((e) => ({ reason: e.reason as string, message: e.message as string, type: e.type as string, source: e.source as Record<string, unknown> }));
}
