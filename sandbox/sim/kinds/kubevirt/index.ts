// The KubeVirt kinds: kubevirt.io/v1 and instancetype.kubevirt.io/v1beta1.

import type { KindDef } from '../types.ts';
import { instancetypeKinds } from './instancetypes.ts';
import { migrationKind } from './migration.ts';
import { virtualMachineKind } from './virtualmachine.ts';
import { virtualMachineInstanceKind } from './virtualmachineinstance.ts';

export { virtualMachineKind, admitVirtualMachine, VM_WEBHOOK, RUNNING_DEPRECATED_WARNING } from './virtualmachine.ts';
export { virtualMachineInstanceKind, admitVirtualMachineInstance, VMI_CREATE_WEBHOOK, VMI_UPDATE_WEBHOOK, VMI_FINALIZER } from './virtualmachineinstance.ts';
export { migrationKind, admitMigration, MIGRATION_CREATE_WEBHOOK, MIGRATION_UPDATE_WEBHOOK, MIGRATION_VMI_LABEL, MIGRATION_FINALIZER } from './migration.ts';
export * from './instancetypes.ts';
export {
  kubevirtClusterConfig, isKubeVirtServiceAccount, applyVmiSpecDefaults, applyVmTemplateSpecDefaults, applyProbeDefaults, applyWatchdogDefaults,
  validateVmiSpec, vmiTerminationGracePeriodSeconds, DEFAULT_GRACE_PERIOD_SECONDS, stableUUID, kubevirtDenial,
} from './vmi-spec-schema.ts';
export type { KubeVirtClusterConfig } from './vmi-spec-schema.ts';

export const kubevirtKinds: KindDef[] = [
  virtualMachineKind,
  virtualMachineInstanceKind,
  migrationKind,
  ...instancetypeKinds,
];
