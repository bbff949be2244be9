// kubevirt.io/v1 VirtualMachineInstance: a running (or scheduled) virtual
// machine. No status subresource: status is written through the main resource,
// and virt-api's mutating webhook puts back the old status for everyone but
// KubeVirt's own service accounts. Admission: the
// virtualmachineinstances-create-validator and -update-validator webhooks.

import type { StatusCause } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import { parseQuantity } from '../core/quantity.ts';
import { obj } from '../schema.ts';
import type { AdmissionResult, KindDef, Operation, StrategyContext } from '../types.ts';
import {
  applyVmiSpecDefaults, asArr, asObj, cause, ensureObj, isKubeVirtServiceAccount, jsonEqual, kubevirtDenial, reservedLabels,
  validateArchSettings, validateVmiMetadata, validateVmiSpec, vmiSpecSchema, vmiStatusSchema,
} from './vmi-spec-schema.ts';
import type { Json } from './vmi-spec-schema.ts';
import { jsonClone } from '../../api/json-clone.ts';

export const VMI_CREATE_WEBHOOK = 'virtualmachineinstances-create-validator.kubevirt.io';
export const VMI_UPDATE_WEBHOOK = 'virtualmachineinstances-update-validator.kubevirt.io';
/** Added to every new VMI; removed by virt-controller once the launcher pods are gone. */
export const VMI_FINALIZER = 'kubevirt.io/foregroundDeleteVirtualMachine';
/** UID virt-launcher runs as when the Root feature gate is off. */
const NONROOT_UID = 107;

function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function isZero(q: unknown): boolean {
  return (parseQuantity(q) ?? 0) === 0;
}

/** Volumes must each be used by a disk or filesystem (VMI only). */
function validateVolumeDisks(spec: Json): StatusCause[] {
  const devices = asObj(asObj(spec.domain)?.devices) ?? {};
  const names = new Set<string>();
  for (const d of [...asArr(devices.disks), ...asArr(devices.filesystems)]) {
    const n = asObj(d)?.name;
    if (typeof n === 'string') names.add(n);
  }
  const causes: StatusCause[] = [];
  asArr(spec.volumes).forEach((raw, i) => {
    const v = asObj(raw) ?? {};
    if (v.memoryDump !== undefined) return;
    const name = typeof v.name === 'string' ? v.name : '';
    if (!names.has(name)) {
      const f = `spec.domain.volumes[${i}].name`;
      causes.push(cause('FieldValueInvalid', `${f} '${name}' not found.`, f));
    }
  });
  return causes;
}

/** Some memory must be requested once defaults are applied (ValidateVirtualMachineInstanceMandatoryFields). */
function validateMandatoryFields(spec: Json): StatusCause[] {
  const domain = asObj(spec.domain) ?? {};
  if (!isZero(asObj(asObj(domain.resources)?.requests)?.memory)) return [];
  const memory = asObj(domain.memory);
  if (!memory || (memory.guest === undefined && memory.hugepages === undefined)) {
    return [cause('FieldValueRequired', "no memory requested, at least one of 'spec.domain.memory.guest', 'spec.domain.memory.hugepages.size' or 'spec.domain.resources.requests.memory' must be set")];
  }
  return [];
}

export function admitVirtualMachineInstance(vmi: KubeObject, old: KubeObject | undefined, op: Operation, ctx: StrategyContext): AdmissionResult {
  if (ctx.subresource !== '') return {};
  if (op === 'CREATE') {
    const spec = asObj(vmi.spec) ?? {};
    const causes = [
      ...validateVmiSpec(spec, 'spec'),
      ...validateVolumeDisks(spec),
      ...validateMandatoryFields(spec),
      ...validateVmiMetadata(vmi.metadata as Json, 'metadata', ctx.user),
      ...validateArchSettings(spec, 'spec'),
    ];
    return causes.length ? { denied: kubevirtDenial(VMI_CREATE_WEBHOOK, causes) } : {};
  }
  if (op === 'UPDATE' && old) {
    const sa = isKubeVirtServiceAccount(ctx.user);
    if (!sa && !jsonEqual(vmi.spec, old.spec)) {
      return { denied: kubevirtDenial(VMI_UPDATE_WEBHOOK, [cause('FieldValueNotSupported', 'update of VMI object is restricted')]) };
    }
    if (!sa && !jsonEqual(reservedLabels(vmi.metadata.labels), reservedLabels(old.metadata.labels))) {
      return { denied: kubevirtDenial(VMI_UPDATE_WEBHOOK, [cause('FieldValueNotSupported', 'modification of the following reserved kubevirt.io/ labels on a VMI object is prohibited')]) };
    }
  }
  return {};
}

export const virtualMachineInstanceKind: KindDef = {
  group: 'kubevirt.io',
  version: 'v1',
  kind: 'VirtualMachineInstance',
  plural: 'virtualmachineinstances',
  singular: 'virtualmachineinstance',
  namespaced: true,
  shortNames: ['vmi', 'vmis'],
  categories: ['all'],
  custom: true,
  schemaName: 'io.kubevirt.v1.VirtualMachineInstance',
  schema: obj({ spec: vmiSpecSchema, status: vmiStatusSchema }, { required: ['spec'] }),
  description: 'A running instance of a virtual machine. Each one runs in its own virt-launcher pod; a VirtualMachine creates and deletes its instances according to its run strategy.',
  printerColumns: [
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    { name: 'IP', type: 'string', jsonPath: '.status.interfaces[0].ipAddress' },
    { name: 'NodeName', type: 'string', jsonPath: '.status.nodeName' },
    { name: 'Ready', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
    { name: 'Live-Migratable', type: 'string', jsonPath: ".status.conditions[?(@.type=='LiveMigratable')].status", priority: 1 },
    { name: 'Paused', type: 'string', jsonPath: ".status.conditions[?(@.type=='Paused')].status", priority: 1 },
  ],
  // The mutating webhook acts on create only.
  prepareForCreate(vmi, ctx) {
    const spec = asObj(vmi.spec);
    if (spec) applyVmiSpecDefaults(spec, vmi.metadata.namespace ?? '', vmi.metadata.name ?? '');
    const finalizers = vmi.metadata.finalizers ?? [];
    if (!finalizers.includes(VMI_FINALIZER)) vmi.metadata.finalizers = [...finalizers, VMI_FINALIZER];
    const status = asObj(vmi.status) ?? {};
    status.phase = 'Pending';
    status.phaseTransitionTimestamps = [...asArr(status.phaseTransitionTimestamps), { phase: 'Pending', phaseTransitionTimestamp: rfc3339(ctx.now) }];
    if (status.guestOSInfo === undefined) status.guestOSInfo = {};
    status.runtimeUser = NONROOT_UID;
    const domain = spec ? ensureObj(spec, 'domain') : undefined;
    const cpu = asObj(domain?.cpu);
    if (cpu && status.currentCPUTopology === undefined) {
      const topo: Json = {};
      for (const k of ['cores', 'sockets', 'threads']) if (typeof cpu[k] === 'number' && cpu[k] !== 0) topo[k] = cpu[k];
      status.currentCPUTopology = topo;
    }
    const guest = asObj(domain?.memory)?.guest;
    if (guest !== undefined) status.memory = { guestAtBoot: guest, guestCurrent: guest, guestRequested: guest };
    vmi.status = status;
  },
  prepareForUpdate(vmi, old, ctx) {
    // Only KubeVirt may change the status of a VMI.
    if (isKubeVirtServiceAccount(ctx.user)) return;
    if (old.status === undefined) delete vmi.status;
    else vmi.status = jsonClone(old.status);
  },
  admit: admitVirtualMachineInstance,
};
