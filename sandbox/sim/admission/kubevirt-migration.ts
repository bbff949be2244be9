// The part of KubeVirt's migration-create-validator.kubevirt.io that reads
// other objects (virt-api migration-create-admitter): the VMI must exist, not
// be final, not be LiveMigratable=False, and have no migration in flight.
// The object-only checks (vmiName missing, priority, decentralized gate) are in
// kinds/kubevirt/migration.ts and run first. These denials come from
// ToAdmissionResponseError: HTTP 400 with no reason, as virt-api sends them.

import type { AdmissionPlugin, ClusterReader } from '../api/admission.ts';
import type { KubeObject } from '../api/object.ts';
import { isPlainObject } from '../api/object.ts';
import type { AdmissionResult } from '../kinds/types.ts';
import { MIGRATION_CREATE_WEBHOOK, MIGRATION_VMI_LABEL } from '../kinds/kubevirt/index.ts';

const VMI_RESOURCE = 'kubevirt.io/virtualmachineinstances';
const VMIM_RESOURCE = 'kubevirt.io/virtualmachineinstancemigrations';

type Json = Record<string, unknown>;

function obj(v: unknown): Json {
  return isPlainObject(v) ? v : {};
}

function phaseOf(o: KubeObject): string {
  const p = obj(o.status).phase;
  return typeof p === 'string' ? p : '';
}

/** Why a new migration of `vmiName` must be refused, or undefined to accept it. */
export function migrationCreateRefusal(migration: KubeObject, cluster: ClusterReader): string | undefined {
  const spec = obj(migration.spec);
  const vmiName = typeof spec.vmiName === 'string' ? spec.vmiName : '';
  const ns = migration.metadata.namespace ?? '';
  const vmi = cluster.get(VMI_RESOURCE, ns, vmiName);
  if (!vmi) return `the VMI "${ns}/${vmiName}" does not exist`;
  const phase = phaseOf(vmi);
  if (phase === 'Succeeded' || phase === 'Failed') return 'Cannot migrate VMI in finalized state.';
  const decentralized = spec.sendTo !== undefined || spec.receive !== undefined;
  const conds = obj(vmi.status).conditions;
  for (const c of Array.isArray(conds) ? conds.map(obj) : []) {
    if (c.type !== 'LiveMigratable' || c.status !== 'False') continue;
    // Cross-cluster migrations copy the disks, so unshared disks do not block them.
    if (c.reason === 'DisksNotLiveMigratable' && decentralized) continue;
    return `Cannot migrate VMI, Reason: ${String(c.reason ?? '')}, Message: ${String(c.message ?? '')}`;
  }
  for (const m of cluster.list(VMIM_RESOURCE, ns)) {
    if (m.metadata.labels?.[MIGRATION_VMI_LABEL] !== vmiName) continue;
    const p = phaseOf(m);
    if (p === 'Succeeded' || p === 'Failed') continue;
    return `in-flight migration detected. Active migration job (${m.metadata.uid}) is currently already in progress for VMI ${String(obj(m.spec).vmiName ?? '')}.`;
  }
  return undefined;
}

export function kubevirtMigrationPlugin(): AdmissionPlugin {
  return {
    name: 'KubeVirtMigrationCreate',
    resources: [VMIM_RESOURCE],
    phase: 'validating',
    admit(req, cluster): AdmissionResult {
      if (req.operation !== 'CREATE' || req.subresource !== '') return {};
      // A missing vmiName is the kind's own (422) denial, which comes first.
      const vmiName = obj(req.object.spec).vmiName;
      if (typeof vmiName !== 'string' || vmiName === '') return {};
      const why = migrationCreateRefusal(req.object, cluster);
      return why === undefined ? {} : { denied: { webhook: MIGRATION_CREATE_WEBHOOK, code: 400, reason: '', message: why } };
    },
  };
}
