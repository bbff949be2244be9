// kubevirt.io/v1 VirtualMachineInstanceMigration: a request to live-migrate
// one VMI. The mutating webhook labels it with the VMI name and adds the
// migration finalizer; migration-create-validator checks what it can without
// reading other objects (the VMI lookups are a cluster admission plugin).

import type { StatusCause } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import { arr, dateTime, freeform, obj, str, stringMap } from '../schema.ts';
import type { AdmissionResult, KindDef, Operation, StrategyContext } from '../types.ts';
import { asObj, cause, isKubeVirtServiceAccount, jsonEqual, kubevirtClusterConfig, kubevirtConditions, kubevirtDenial } from './vmi-spec-schema.ts';

export const MIGRATION_CREATE_WEBHOOK = 'migration-create-validator.kubevirt.io';
export const MIGRATION_UPDATE_WEBHOOK = 'migration-update-validator.kubevirt.io';
export const MIGRATION_VMI_LABEL = 'kubevirt.io/vmi-name';
export const MIGRATION_FINALIZER = 'kubevirt.io/migrationJobFinalize';

const migrationSpecSchema = obj({
  vmiName: str('Name of the VirtualMachineInstance to migrate, in the same namespace.'),
  addedNodeSelector: stringMap('Extra node labels the target node must carry; can only narrow where the VMI may go.'),
  priority: str('Queue priority: system-critical, user-triggered or system-maintenance. Only virt-controller may set it.'),
  sendTo: freeform('Source side of a decentralized migration.'),
  receive: freeform('Target side of a decentralized migration.'),
}, { description: 'Which VMI to migrate.' });

const migrationStatusSchema = {
  ...obj({
    phase: str('Pending, Scheduling, Scheduled, PreparingTarget, TargetReady, Running, Succeeded or Failed.'),
    conditions: kubevirtConditions('Conditions such as migrationAbortRequested or migrationRejectedByResourceQuota.'),
    phaseTransitionTimestamps: arr(obj({
      phase: str('Phase entered.'),
      phaseTransitionTimestamp: dateTime('When it was entered.'),
    }), 'History of phase changes.'),
    migrationState: freeform('Copy of the VMI migration state for this migration.'),
    synchronizationAddresses: arr(str(), 'Addresses used by decentralized migrations.'),
  }, { description: 'Progress of the migration; written by virt-controller.' }),
  'x-kubernetes-preserve-unknown-fields': true,
};

function isFinal(m: KubeObject): boolean {
  const phase = asObj(m.status)?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

export function admitMigration(m: KubeObject, old: KubeObject | undefined, op: Operation, ctx: StrategyContext): AdmissionResult {
  if (ctx.subresource !== '') return {};
  const spec = asObj(m.spec) ?? {};
  if (op === 'CREATE') {
    if (typeof spec.vmiName !== 'string' || spec.vmiName === '') {
      return { denied: kubevirtDenial(MIGRATION_CREATE_WEBHOOK, [cause('FieldValueRequired', 'vmiName is missing', 'spec.vmiName')]) };
    }
    if (spec.priority !== undefined && spec.priority !== null && !isKubeVirtServiceAccount(ctx.user)) {
      return { denied: kubevirtDenial(MIGRATION_CREATE_WEBHOOK, [cause('FieldValueForbidden', 'Migration priority queue, only virt-controller is allowed to set priority field', 'spec.migrationPriority')]) };
    }
    if ((spec.sendTo !== undefined || spec.receive !== undefined) && !kubevirtClusterConfig.featureGates.has('DecentralizedLiveMigration')) {
      return { denied: kubevirtDenial(MIGRATION_CREATE_WEBHOOK, [cause('FieldValueNotSupported', 'DecentralizedLiveMigration feature gate is not enabled in kubevirt resource')]) };
    }
    return {};
  }
  if (op === 'UPDATE' && old) {
    if (!jsonEqual(m.spec, old.spec)) {
      return { denied: kubevirtDenial(MIGRATION_UPDATE_WEBHOOK, [cause('FieldValueNotSupported', "update of Migration object's spec is restricted")]) };
    }
    const causes: StatusCause[] = [];
    const oldLabels = old.metadata.labels;
    if (!isFinal(m) && oldLabels) {
      const oldHas = Object.prototype.hasOwnProperty.call(oldLabels, MIGRATION_VMI_LABEL);
      const newLabels = m.metadata.labels;
      if (!newLabels) {
        if (oldHas) causes.push(cause('FieldValueNotSupported', "selector label can't be removed from an in-flight migration"));
      } else if (oldHas && (!Object.prototype.hasOwnProperty.call(newLabels, MIGRATION_VMI_LABEL) || newLabels[MIGRATION_VMI_LABEL] !== oldLabels[MIGRATION_VMI_LABEL])) {
        causes.push(cause('FieldValueNotSupported', "selector label can't be modified on an in-flight migration"));
      }
    }
    if (causes.length) return { denied: kubevirtDenial(MIGRATION_UPDATE_WEBHOOK, causes) };
  }
  return {};
}

export const migrationKind: KindDef = {
  group: 'kubevirt.io',
  version: 'v1',
  kind: 'VirtualMachineInstanceMigration',
  plural: 'virtualmachineinstancemigrations',
  singular: 'virtualmachineinstancemigration',
  namespaced: true,
  shortNames: ['vmim', 'vmims'],
  categories: ['all'],
  custom: true,
  subresources: { status: true },
  schemaName: 'io.kubevirt.v1.VirtualMachineInstanceMigration',
  schema: obj({ spec: migrationSpecSchema, status: migrationStatusSchema }, { required: ['spec'] }),
  description: 'A request to live-migrate a running VirtualMachineInstance to another node. Deleting it while it runs cancels the migration.',
  printerColumns: [
    { name: 'Phase', type: 'string', description: 'The current phase of VM instance migration', jsonPath: '.status.phase' },
    { name: 'VMI', type: 'string', description: 'The name of the VMI to perform the migration on', jsonPath: '.spec.vmiName' },
  ],
  // The mutating webhook (migration-create-mutator) acts on create only.
  prepareForCreate(m) {
    delete m.status;
    const vmiName = asObj(m.spec)?.vmiName;
    m.metadata.labels = { ...(m.metadata.labels ?? {}), [MIGRATION_VMI_LABEL]: typeof vmiName === 'string' ? vmiName : '' };
    const finalizers = m.metadata.finalizers ?? [];
    if (!finalizers.includes(MIGRATION_FINALIZER)) m.metadata.finalizers = [...finalizers, MIGRATION_FINALIZER];
  },
  admit: admitMigration,
};
