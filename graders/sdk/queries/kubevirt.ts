// KubeVirt reads: VMs, VMIs, migrations and the virt-launcher pods that run
// the VMIs (the pod is what Services, probes and nodes actually see).

import type { V1Pod } from '@kubernetes/client-node';
import type { VirtualMachine, VirtualMachineInstance, VirtualMachineInstanceMigration } from '../kinds.ts';
import type { ClusterConnection } from '../types.ts';
import { apiClients, getCustom, listCustom, readOrThrow, Resources, selectorString, type ListOptions } from './client.ts';

export const LauncherLabels = {
  app: 'kubevirt.io',
  createdBy: 'kubevirt.io/created-by',
  vmName: 'vm.kubevirt.io/name',
  migrationJob: 'kubevirt.io/migrationJobUID',
} as const;
const DOMAIN_ANNOTATION = 'kubevirt.io/domain';

export function getVm(conn: ClusterConnection, namespace: string, name: string): Promise<VirtualMachine | undefined> {
  return getCustom<VirtualMachine>(conn, Resources.vms, namespace, name);
}

export function listVms(conn: ClusterConnection, namespace: string | undefined, opts?: ListOptions): Promise<VirtualMachine[]> {
  return listCustom<VirtualMachine>(conn, Resources.vms, namespace, opts);
}

export function getVmi(conn: ClusterConnection, namespace: string, name: string): Promise<VirtualMachineInstance | undefined> {
  return getCustom<VirtualMachineInstance>(conn, Resources.vmis, namespace, name);
}

export function listVmis(conn: ClusterConnection, namespace: string | undefined, opts?: ListOptions): Promise<VirtualMachineInstance[]> {
  return listCustom<VirtualMachineInstance>(conn, Resources.vmis, namespace, opts);
}

/** Migrations in a namespace, oldest first; with vmiName only those of that VMI. */
export async function listMigrations(
  conn: ClusterConnection, namespace: string, opts: ListOptions & { vmiName?: string } = {},
): Promise<VirtualMachineInstanceMigration[]> {
  const all = await listCustom<VirtualMachineInstanceMigration>(conn, Resources.migrations, namespace, opts);
  return all
    .filter((m) => opts.vmiName === undefined || m.spec?.vmiName === opts.vmiName)
    .sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''));
}

/** The VMI a virt-launcher pod runs (its domain annotation, owner or vm.kubevirt.io/name label). */
export function vmiForPod(pod: V1Pod): string | undefined {
  const meta = pod.metadata;
  return meta?.annotations?.[DOMAIN_ANNOTATION]
    ?? meta?.ownerReferences?.find((r) => r.kind === 'VirtualMachineInstance')?.name
    ?? meta?.labels?.[LauncherLabels.vmName];
}

function createdMs(p: V1Pod): number {
  const t = p.metadata?.creationTimestamp;
  return t instanceof Date ? t.getTime() : t ? Date.parse(String(t)) : 0;
}

/**
 * Every virt-launcher pod of the VMI, oldest first: by `kubevirt.io/created-by`
 * = VMI uid, or (for a VMI read without uid, or pods from before a restore)
 * by `vm.kubevirt.io/name` and the domain annotation.
 */
export async function launcherPods(conn: ClusterConnection, vmi: VirtualMachineInstance): Promise<V1Pod[]> {
  const { core } = apiClients(conn);
  const namespace = vmi.metadata.namespace ?? 'default';
  const what = `virt-launcher pods of VMI ${namespace}/${vmi.metadata.name}`;
  let pods: V1Pod[] = [];
  if (vmi.metadata.uid) {
    const list = await readOrThrow(core.listNamespacedPod({ namespace, labelSelector: `${LauncherLabels.createdBy}=${vmi.metadata.uid}` }), what);
    pods = list.items;
  }
  if (pods.length === 0) {
    const labelSelector = selectorString({ [LauncherLabels.app]: 'virt-launcher', [LauncherLabels.vmName]: vmi.spec?.hostname ?? vmi.metadata.name });
    const list = await readOrThrow(core.listNamespacedPod({ namespace, labelSelector }), what);
    pods = list.items.filter((p) => vmiForPod(p) === vmi.metadata.name
      && (!vmi.metadata.uid || !p.metadata?.labels?.[LauncherLabels.createdBy] || p.metadata.labels[LauncherLabels.createdBy] === vmi.metadata.uid));
  }
  return pods.sort((a, b) => createdMs(a) - createdMs(b));
}

function finished(p: V1Pod): boolean {
  return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
}

/**
 * The launcher pod that runs the VMI now: not finished, on the VMI's node when
 * it has one (during a migration the target pod runs elsewhere), preferring a
 * pod that is not being deleted, then the newest.
 */
export async function launcherPod(conn: ClusterConnection, vmi: VirtualMachineInstance): Promise<V1Pod | undefined> {
  const pods = (await launcherPods(conn, vmi)).filter((p) => !finished(p));
  const node = vmi.status?.nodeName;
  const onNode = node ? pods.filter((p) => p.spec?.nodeName === node) : [];
  const candidates = onNode.length ? onNode : pods.filter((p) => !p.metadata?.labels?.[LauncherLabels.migrationJob]);
  const pool = candidates.length ? candidates : pods;
  const alive = pool.filter((p) => !p.metadata?.deletionTimestamp);
  const pick = alive.length ? alive : pool;
  return pick[pick.length - 1];
}
