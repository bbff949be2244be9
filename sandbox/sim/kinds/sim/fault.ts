// sim.virtlab.dev/v1alpha1 Fault: a failure injected into the simulated world
// (a node loses power, its kubelet stops, its network is cut, a guest service
// stops, a guest kernel hangs or crashes). Faults are API objects so that they
// are visible (`kubectl get faults`), undoable (delete the fault) and recorded.
// The fault controller applies guest faults; node faults are states that the
// kubelet, virt-handler and data plane read (sandbox/sim/faults/queries.ts).

import type { FieldErrorLike } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import { dateTime, enumOf, obj, str } from '../schema.ts';
import type { KindDef } from '../types.ts';
import { forbidden, notSupported, required } from '../core/field-errors.ts';
import { jsonEqual } from '../core/table-cells.ts';

export const FAULT_GROUP = 'sim.virtlab.dev';
export const FAULT_VERSION = 'v1alpha1';
export const FAULT_API_VERSION = `${FAULT_GROUP}/${FAULT_VERSION}`;
/** Store key of the Fault resource. */
export const FAULTS = `${FAULT_GROUP}/faults`;
/** Lets the fault controller see a deletion and heal what can be healed. */
export const HEAL_FINALIZER = 'sim.virtlab.dev/heal';

export const NODE_FAULT_TYPES = ['NodePowerOff', 'KubeletStop', 'NetworkPartition'] as const;
export const GUEST_FAULT_TYPES = ['ServiceStop', 'GuestKernelHang', 'GuestCrash'] as const;
export const FAULT_TYPES = [...NODE_FAULT_TYPES, ...GUEST_FAULT_TYPES] as const;

export type NodeFaultType = typeof NODE_FAULT_TYPES[number];
export type GuestFaultType = typeof GUEST_FAULT_TYPES[number];
export type FaultType = typeof FAULT_TYPES[number];

/** Pending: a guest fault waiting for its VMI's guest to run. */
export type FaultPhase = 'Pending' | 'Active' | 'Cleared';

export interface FaultTarget {
  kind: string;
  name: string;
  namespace?: string;
}

export interface FaultSpec {
  type: FaultType;
  target: FaultTarget;
  /** ServiceStop only: the systemd unit in the guest (httpd, mariadb, …). */
  service?: string;
}

export interface FaultStatus {
  phase?: FaultPhase;
  activatedAt?: string;
  clearedAt?: string;
  /** What the fault did or is waiting for, in words. */
  message?: string;
  /** Guest faults: uid of the VMI the fault was applied to (applied once per guest). */
  appliedTo?: string;
}

export interface Fault extends KubeObject {
  spec: FaultSpec;
  status?: FaultStatus;
}

export function isNodeFaultType(t: unknown): t is NodeFaultType {
  return (NODE_FAULT_TYPES as readonly unknown[]).includes(t);
}

export function isGuestFaultType(t: unknown): t is GuestFaultType {
  return (GUEST_FAULT_TYPES as readonly unknown[]).includes(t);
}

/** The kind a fault of this type targets. */
export function targetKindFor(type: FaultType): 'Node' | 'VirtualMachineInstance' {
  return isNodeFaultType(type) ? 'Node' : 'VirtualMachineInstance';
}

/** The spec of a stored fault, tolerating anything (the store only holds validated faults, but readers stay defensive). */
export function faultSpec(f: KubeObject): Partial<FaultSpec> {
  return isPlainObject(f.spec) ? f.spec as Partial<FaultSpec> : {};
}

function validateFault(f: KubeObject): FieldErrorLike[] {
  const errs: FieldErrorLike[] = [];
  if (!isPlainObject(f.spec)) return [required('spec')];
  const spec = f.spec as Record<string, unknown>;
  const type = spec.type;
  if (type === undefined || type === '') errs.push(required('spec.type', `one of ${FAULT_TYPES.join(', ')}`));
  else if (!(FAULT_TYPES as readonly unknown[]).includes(type)) errs.push(notSupported('spec.type', type, FAULT_TYPES));
  const target = isPlainObject(spec.target) ? spec.target : undefined;
  if (!target) {
    errs.push(required('spec.target', 'the Node or VirtualMachineInstance the fault acts on'));
  } else {
    if (typeof target.name !== 'string' || target.name === '') errs.push(required('spec.target.name', 'the name of the target'));
    if ((FAULT_TYPES as readonly unknown[]).includes(type)) {
      const want = targetKindFor(type as FaultType);
      if (target.kind !== want) errs.push(notSupported('spec.target.kind', target.kind ?? '', [want]));
      const ns = target.namespace;
      if (want === 'Node' && ns !== undefined && ns !== '') {
        errs.push(forbidden('spec.target.namespace', 'a Node is cluster-scoped: leave the namespace empty'));
      }
      if (want === 'VirtualMachineInstance' && (typeof ns !== 'string' || ns === '')) {
        errs.push(required('spec.target.namespace', 'the namespace of the VirtualMachineInstance'));
      }
    }
  }
  const service = spec.service;
  if (type === 'ServiceStop') {
    if (typeof service !== 'string' || service === '') errs.push(required('spec.service', 'the guest service to stop, e.g. httpd'));
  } else if (service !== undefined && service !== '') {
    errs.push(forbidden('spec.service', 'only ServiceStop faults name a service'));
  }
  return errs;
}

export const faultKind: KindDef = {
  group: FAULT_GROUP,
  version: FAULT_VERSION,
  kind: 'Fault',
  plural: 'faults',
  singular: 'fault',
  namespaced: false,
  shortNames: ['fault'],
  categories: ['virtlab'],
  custom: true,
  subresources: { status: true },
  schemaName: 'dev.virtlab.sim.v1alpha1.Fault',
  schema: obj({
    spec: obj({
      type: enumOf([...FAULT_TYPES], 'What fails: NodePowerOff, KubeletStop and NetworkPartition target a Node; ServiceStop, GuestKernelHang and GuestCrash target a VirtualMachineInstance.'),
      target: obj({
        kind: str('Node or VirtualMachineInstance; defaults from the type.'),
        name: str('Name of the target.'),
        namespace: str('Namespace of a VirtualMachineInstance target; empty for a Node.'),
      }, { description: 'The object the fault acts on.', required: ['name'] }),
      service: str('ServiceStop only: the guest service (systemd unit) to stop, e.g. httpd.'),
    }, { description: 'The fault to inject. Immutable: delete the fault to undo it.', required: ['type', 'target'] }),
    status: obj({
      phase: enumOf(['Pending', 'Active', 'Cleared'], 'Pending while a guest fault waits for its guest to run; Active while the fault is in effect; Cleared once it has been undone.'),
      activatedAt: dateTime('When the fault took effect.'),
      clearedAt: dateTime('When the fault was undone.'),
      message: str('What the fault did, or what it waits for.'),
      appliedTo: str('Guest faults: UID of the VirtualMachineInstance the fault was applied to.'),
    }, { description: 'Whether the fault is in effect.' }),
  }, { required: ['spec'] }),
  description: 'A failure injected into the simulated cluster: node power-off, kubelet stop, network partition, guest service stop, guest kernel hang or crash. Delete the fault to undo it.',
  printerColumns: [
    { name: 'Type', type: 'string', description: 'What fails', jsonPath: '.spec.type' },
    { name: 'Target', type: 'string', description: 'The Node or VirtualMachineInstance it acts on', jsonPath: '.spec.target.name' },
    { name: 'Phase', type: 'string', description: 'Active or Cleared', jsonPath: '.status.phase' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
  defaults(f) {
    const spec = f.spec;
    if (!isPlainObject(spec)) return;
    if (isPlainObject(spec.target) && (spec.target.kind === undefined || spec.target.kind === '')
      && (FAULT_TYPES as readonly unknown[]).includes(spec.type)) {
      spec.target.kind = targetKindFor(spec.type as FaultType);
    }
  },
  prepareForCreate(f) {
    delete f.status;
  },
  validate: validateFault,
  validateUpdate(f, old) {
    if (!jsonEqual(f.spec, old.spec)) {
      return [forbidden('spec', 'a fault cannot be changed: delete it and create a new one')];
    }
    return [];
  },
};
