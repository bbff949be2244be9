// The VirtualMachineInstance a VM starts (SetupVMIFromVM in KubeVirt's vm.go)
// and the question RestartRequired asks: does the running instance still match
// the VM template? Pure functions.

import type { KubeObject, OwnerReference } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import { applyVmiSpecDefaults, stableUUID } from '../../kinds/kubevirt/index.ts';
import { jsonClone } from '../../api/json-clone.ts';

/** Finalizer on the VM and on each VMI it creates. */
export const VM_CONTROLLER_FINALIZER = 'kubevirt.io/virtualMachineControllerFinalize';
/** VMI annotation: the VM generation the instance was started from (or found equivalent to). */
export const VM_GENERATION_ANNOTATION = 'kubevirt.io/vm-generation';

type Json = Record<string, unknown>;

function obj(v: unknown): Json | undefined {
  return isPlainObject(v) ? v : undefined;
}

function templateOf(vm: KubeObject): Json {
  return obj(obj(vm.spec)?.template) ?? {};
}

export function controllerRefTo(vm: KubeObject): OwnerReference {
  return { apiVersion: vm.apiVersion, kind: vm.kind, name: vm.metadata.name!, uid: vm.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

/** The VMI for `vm`: same name and namespace, template labels/annotations and spec, controller reference, finalizer, generation annotation. */
export function newVmiForVm(vm: KubeObject, opts: { startPaused: boolean }): KubeObject {
  const template = templateOf(vm);
  const meta = jsonClone(obj(template.metadata) ?? {}) as Json;
  const spec = jsonClone(obj(template.spec) ?? {}) as Json;
  if (opts.startPaused) spec.startStrategy = 'Paused';
  const domain = obj(spec.domain) ?? (spec.domain = {}) as Json;
  const firmware = obj(domain.firmware) ?? (domain.firmware = {}) as Json;
  if (typeof firmware.uuid !== 'string' || firmware.uuid === '') firmware.uuid = stableUUID(vm.metadata.namespace ?? '', vm.metadata.name!);
  const annotations = { ...(obj(meta.annotations) as Record<string, string> | undefined ?? {}), [VM_GENERATION_ANNOTATION]: String(vm.metadata.generation ?? 1) };
  const labels = obj(meta.labels) as Record<string, string> | undefined;
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstance',
    metadata: {
      name: vm.metadata.name,
      namespace: vm.metadata.namespace,
      ...(labels && Object.keys(labels).length ? { labels: { ...labels } } : {}),
      annotations,
      ownerReferences: [controllerRefTo(vm)],
      finalizers: [VM_CONTROLLER_FINALIZER],
    },
    spec,
    status: { virtualMachineRevisionName: `revision-start-vm-${vm.metadata.uid}-${vm.metadata.generation ?? 1}` },
  };
}

/** The generation recorded on the VMI, if it carries a valid one. */
export function vmiGeneration(vmi: KubeObject): number | undefined {
  const v = vmi.metadata.annotations?.[VM_GENERATION_ANNOTATION];
  if (v === undefined || !/^-?\d+$/.test(v)) return undefined;
  return Number(v);
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}

/**
 * Whether the VMI's spec is what the VM template would produce now (the
 * template spec with the VMI defaults applied). KubeVirt compares against the
 * spec saved in a ControllerRevision at start; the simulator has none, so it
 * compares with the instance itself. The start strategy of a paused start and,
 * when `ignoreGracePeriod`, a grace period shortened by stop/restart are not
 * template changes.
 */
export function templateMatchesVmi(vm: KubeObject, vmi: KubeObject, opts: { ignoreGracePeriod: boolean }): boolean {
  const want = jsonClone(obj(templateOf(vm).spec) ?? {}) as Json;
  applyVmiSpecDefaults(want, vm.metadata.namespace ?? '', vm.metadata.name ?? '');
  const have = jsonClone(obj(vmi.spec) ?? {}) as Json;
  if (want.startStrategy === undefined) delete have.startStrategy;
  if (opts.ignoreGracePeriod) {
    delete want.terminationGracePeriodSeconds;
    delete have.terminationGracePeriodSeconds;
  }
  return jsonEqual(want, have);
}
