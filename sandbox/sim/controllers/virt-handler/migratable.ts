// The LiveMigratable condition and migration method virt-handler reports
// (reference §5.5): volumes first (RWO PVCs block, local disks make it a block
// migration), then the pod network binding. Pure: PVCs are looked up through
// the function passed in.

import type { KubeObject } from '../../api/object.ts';
import { arr, obj } from '../../runtime/json-fields.ts';

export const MigratableReason = {
  DisksNotLiveMigratable: 'DisksNotLiveMigratable',
  InterfaceNotLiveMigratable: 'InterfaceNotLiveMigratable',
} as const;

export const ALLOW_POD_BRIDGE_MIGRATION = 'kubevirt.io/allow-pod-bridge-network-live-migration';

export const MigratableMessage = {
  pvcNotShared: (claim: string) => `cannot migrate VMI: PVC ${claim} is not shared, live migration requires that all PVCs must be shared (using ReadWriteMany access mode)`,
  pvcUnknown: (claim: string) => `cannot migrate VMI: Unable to determine if PVC ${claim} is shared, live migration requires that all PVCs must be shared (using ReadWriteMany access mode)`,
  hostDisk: 'cannot migrate VMI with non-shared HostDisk',
  interface: 'cannot migrate VMI which does not use masquerade or a migratable plugin to connect to the pod network',
} as const;

export interface MigratableCondition {
  type: 'LiveMigratable';
  status: 'True' | 'False';
  reason?: string;
  message?: string;
  lastProbeTime: null;
  lastTransitionTime: null;
}

export interface Migratability {
  condition: MigratableCondition;
  method: 'LiveMigration' | 'BlockMigration';
}

function notMigratable(reason: string, message: string): MigratableCondition {
  return { type: 'LiveMigratable', status: 'False', reason, message, lastProbeTime: null, lastTransitionTime: null };
}

/** Whether the VMI can be live-migrated, and how its disks would move. */
export function migratability(vmi: KubeObject, pvc: (claim: string) => KubeObject | undefined): Migratability {
  const spec = obj(vmi.spec);
  let block = false;
  let diskError: string | undefined;
  for (const v of arr(spec.volumes)) {
    const claim = (obj(v.persistentVolumeClaim).claimName ?? obj(v.dataVolume).name) as string | undefined;
    if (typeof claim === 'string' && claim) {
      const p = pvc(claim);
      const modes = obj(p?.spec).accessModes;
      if (!p || !Array.isArray(modes)) diskError ??= MigratableMessage.pvcUnknown(claim);
      else if (!modes.includes('ReadWriteMany')) diskError ??= MigratableMessage.pvcNotShared(claim);
    } else if (v.hostDisk !== undefined) {
      diskError ??= MigratableMessage.hostDisk;
    } else {
      // containerDisk, cloudInit, emptyDisk, configMap, ...: copied with the domain.
      block = true;
    }
  }
  const method = block ? 'BlockMigration' : 'LiveMigration';
  if (diskError) return { condition: notMigratable(MigratableReason.DisksNotLiveMigratable, diskError), method };

  const podNetworks = new Set(arr(spec.networks).filter((n) => n.pod !== undefined).map((n) => n.name));
  const allowBridge = vmi.metadata.annotations?.[ALLOW_POD_BRIDGE_MIGRATION] !== undefined;
  for (const iface of arr(obj(obj(spec.domain).devices).interfaces)) {
    if (podNetworks.has(iface.name) && iface.bridge !== undefined && !allowBridge) {
      return { condition: notMigratable(MigratableReason.InterfaceNotLiveMigratable, MigratableMessage.interface), method };
    }
  }
  return { condition: { type: 'LiveMigratable', status: 'True', lastProbeTime: null, lastTransitionTime: null }, method };
}
