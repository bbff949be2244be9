// The KubeVirt VirtualMachine controller (virt-controller's vm.go): keeps a
// VirtualMachineInstance of each VM according to its run strategy and the
// queued start/stop requests, and reports what it sees in the VM status
// (created, ready, printableStatus, conditions, crash-loop backoff,
// generations). It only creates and deletes VMIs and reads their status; the
// VMI lifecycle belongs to other controllers.
//
// One pass = sync (act) then updateStatus (report), as in KubeVirt. Facts about
// what this pass did (an instance created or deleted but not yet observed)
// play the part of KubeVirt's expectations.

import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import { rfc3339 } from '../../api/age.ts';
import { deepEqual } from '../../api/rest-storage.ts';
import type { Controller, ReconcileResult } from '../../runtime/controller.ts';
import { keyOf, splitKey } from '../../runtime/controller.ts';
import type { EventRecorder } from '../../runtime/events.ts';
import type { ControllerDeps } from '../types.ts';
import { backoffSecondsLeft, nextStartFailure, type PhaseTransition, type StartFailure, type VmiRunFacts } from './backoff.ts';
import { type Condition, type SyncError, VmCondition, removeCondition, setRestartRequired, syncConditions } from './conditions.ts';
import { VM_CONTROLLER_FINALIZER, VM_GENERATION_ANNOTATION, controllerRefTo, newVmiForVm, templateMatchesVmi, vmiGeneration } from './instance.ts';
import { derivePrintableStatus, type PrintableVmi } from './printable-status.ts';
import {
  RunStrategy, StateChangeAction, type StateChangeRequest, type VmiFacts, decideRunStrategyAction, effectiveRunStrategy, firstRequestDone,
  hasStartPausedRequest, hasStopRequestFor, isFinalPhase, isSetToStart,
} from './strategy.ts';
import { jsonClone } from '../../api/json-clone.ts';

const VMS = 'kubevirt.io/virtualmachines';
const VMIS = 'kubevirt.io/virtualmachineinstances';
const ORPHAN_FINALIZER = 'orphan';

export const VM_CONTROLLER_NAME = 'virtualmachine-controller';

/** Written on every VM before anything else (the API version the controller last observed). */
export const API_VERSION_ANNOTATIONS: Readonly<Record<string, string>> = {
  'kubevirt.io/latest-observed-api-version': 'v1',
  'kubevirt.io/storage-observed-api-version': 'v1',
};

export const Reason = {
  SuccessfulCreate: 'SuccessfulCreate',
  FailedCreate: 'FailedCreate',
  SuccessfulDelete: 'SuccessfulDelete',
  FailedDelete: 'FailedDelete',
} as const;

interface VmStatus {
  created?: boolean;
  ready?: boolean;
  printableStatus?: string;
  conditions?: Condition[];
  stateChangeRequests?: StateChangeRequest[];
  startFailure?: StartFailure;
  observedGeneration?: number;
  desiredGeneration?: number;
  runStrategy?: string;
  [field: string]: unknown;
}

interface VmiStatus {
  phase?: string;
  conditions?: Condition[];
  phaseTransitionTimestamps?: PhaseTransition[];
  migrationState?: { startTimestamp?: string; endTimestamp?: string };
}

/** What one pass did that the cache does not show yet. */
interface Pass {
  startExpected: boolean;
  stopExpected: boolean;
  syncError?: SyncError;
  requeueAfter?: number;
}

function vmiStatus(vmi: KubeObject): VmiStatus {
  return (isPlainObject(vmi.status) ? vmi.status : {}) as VmiStatus;
}

function vmiFacts(vmi: KubeObject | undefined): VmiFacts | undefined {
  if (!vmi) return undefined;
  return { uid: vmi.metadata.uid!, phase: vmiStatus(vmi).phase ?? '', deleting: !!vmi.metadata.deletionTimestamp };
}

function runFacts(vmi: KubeObject | undefined): VmiRunFacts | undefined {
  if (!vmi) return undefined;
  const s = vmiStatus(vmi);
  return { uid: vmi.metadata.uid!, phase: s.phase ?? '', phaseTransitionTimestamps: Array.isArray(s.phaseTransitionTimestamps) ? s.phaseTransitionTimestamps : [] };
}

function printableVmi(vmi: KubeObject | undefined): PrintableVmi | undefined {
  if (!vmi) return undefined;
  const s = vmiStatus(vmi);
  const time = (t: string | undefined): number | undefined => (t ? Date.parse(t) : undefined);
  return {
    phase: s.phase ?? '',
    deleting: !!vmi.metadata.deletionTimestamp,
    conditions: Array.isArray(s.conditions) ? s.conditions : [],
    migrationStart: time(s.migrationState?.startTimestamp),
    migrationEnd: time(s.migrationState?.endTimestamp),
  };
}

function controllerOf(o: KubeObject): { kind: string; name: string; uid: string } | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** VMI events wake the VM that controls it (or, for an orphan, the VM of the same name that may adopt it). */
function vmKeysForVmi(vmi: KubeObject): string[] {
  const ref = controllerOf(vmi);
  if (ref) return ref.kind === 'VirtualMachine' ? [`${vmi.metadata.namespace}/${ref.name}`] : [];
  return [keyOf(vmi)];
}

export function vmController(deps: ControllerDeps): Controller {
  const { client, clock } = deps;
  const recorder: EventRecorder = deps.recorder({ component: VM_CONTROLLER_NAME });

  async function reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    let vm = client.get(VMS, namespace, name);
    if (!vm) return;

    // First the observed API version annotations; the write brings the VM back.
    if (Object.entries(API_VERSION_ANNOTATIONS).some(([k, v]) => vm!.metadata.annotations?.[k] !== v)) {
      const next = jsonClone(vm);
      next.metadata.annotations = { ...(next.metadata.annotations ?? {}), ...API_VERSION_ANNOTATIONS };
      await client.update(VMS, next);
      return;
    }

    const original = vm;
    let vmi = await claim(vm, client.get(VMIS, namespace, name));
    const status: VmStatus = jsonClone((isPlainObject(vm.status) ? vm.status : {}) as VmStatus);
    const pass: Pass = { startExpected: false, stopExpected: false };
    const now = clock.now();

    // ---- sync ----
    if (vm.metadata.deletionTimestamp) {
      if (!vmi || vm.metadata.finalizers?.includes(ORPHAN_FINALIZER)) {
        await removeFinalizer(VMS, vm);
        const left = client.get(VMS, namespace, name);
        if (!left || left.metadata.uid !== original.metadata.uid) return;
        vm = left;
      } else {
        await stopVmi(vm, vmi, status, pass);
      }
    } else {
      vm = await addVmFinalizer(vm);
      vmi = await bumpGenerationAnnotation(vm, vmi, status.stateChangeRequests ?? []);
      const eff = effectiveRunStrategy(vm.spec as Record<string, unknown>);
      if ('error' in eff) {
        pass.syncError = { reason: Reason.FailedCreate, message: `Error fetching RunStrategy: ${eff.error}` };
      } else {
        vm = await syncRunStrategy(vm, vmi, eff.strategy, status, pass);
        if (!pass.syncError && vmi) {
          status.conditions = templateMatchesVmi(vm, vmi, { ignoreGracePeriod: ignoresGracePeriod(vmi, status.stateChangeRequests ?? []) })
            ? removeCondition(status.conditions ?? [], VmCondition.RestartRequired)
            : setRestartRequired(status.conditions ?? [], rfc3339(now));
        }
      }
    }

    // ---- report ----
    await updateStatus(vm, original, vmi, status, pass, now);
    if (pass.syncError) throw new Error(`${pass.syncError.reason}: ${pass.syncError.message}`);
    return pass.requeueAfter !== undefined ? { requeueAfter: pass.requeueAfter } : undefined;
  }

  /** Act on the run strategy table; returns the VM as last written. */
  async function syncRunStrategy(vm: KubeObject, vmi: KubeObject | undefined, strategy: string, status: VmStatus, pass: Pass): Promise<KubeObject> {
    const requests = status.stateChangeRequests ?? [];
    const action = decideRunStrategyAction({
      strategy,
      vmi: vmiFacts(vmi),
      requests,
      recordedStrategy: status.runStrategy ?? '',
      backoffSecondsLeft: backoffSecondsLeft(status.startFailure, (t) => clock.simSecondsUntil(t)),
    });
    switch (action.kind) {
      case 'none':
        return vm;
      case 'wait':
        pass.requeueAfter = action.seconds;
        return vm;
      case 'create':
        await startVmi(vm, requests, status, pass);
        return vm;
      case 'delete': {
        await stopVmi(vm, vmi!, status, pass);
        if (pass.syncError || !action.requestStart) return vm;
        // RerunOnFailure after a failure: delete, then ask for a new start.
        try {
          const patched = await client.patch(VMS, vm.metadata.namespace, vm.metadata.name!, 'json',
            [{ op: 'add', path: '/status/stateChangeRequests', value: [...requests, { action: StateChangeAction.Start }] }], 'status');
          status.stateChangeRequests = jsonClone(((patched.status ?? {}) as VmStatus).stateChangeRequests ?? []);
          return patched;
        } catch (e) {
          pass.syncError = { reason: Reason.FailedDelete, message: `failed to patch VM with start action: ${message(e)}` };
          return vm;
        }
      }
      case 'switchToAlways': {
        // Halted with a queued Start (start --paused): the spec becomes Always / running: true.
        const next = jsonClone(vm);
        const spec = next.spec as Record<string, unknown>;
        if (spec.runStrategy !== undefined && spec.runStrategy !== null) spec.runStrategy = RunStrategy.Always;
        else spec.running = true;
        try {
          return await client.update(VMS, next);
        } catch (e) {
          pass.syncError = { reason: Reason.FailedCreate, message: `Failure while starting VMI: ${message(e)}` };
          return vm;
        }
      }
      case 'error':
        pass.syncError = { reason: Reason.FailedCreate, message: action.message };
        return vm;
    }
  }

  async function startVmi(vm: KubeObject, requests: readonly StateChangeRequest[], status: VmStatus, pass: Pass): Promise<void> {
    status.conditions = removeCondition(status.conditions ?? [], VmCondition.RestartRequired);
    const vmi = newVmiForVm(vm, { startPaused: hasStartPausedRequest(requests) });
    try {
      await client.create(VMIS, vmi);
    } catch (e) {
      await recorder.event(vm, 'Warning', Reason.FailedCreate, `Error creating virtual machine instance: ${message(e)}`);
      pass.syncError = { reason: Reason.FailedCreate, message: `Failure while starting VMI: ${message(e)}` };
      return;
    }
    pass.startExpected = true;
    await recorder.event(vm, 'Normal', Reason.SuccessfulCreate, `Started the virtual machine by creating the new virtual machine instance ${vm.metadata.name}`);
  }

  async function stopVmi(vm: KubeObject, vmi: KubeObject, status: VmStatus, pass: Pass): Promise<void> {
    if (vmi.metadata.deletionTimestamp) return;
    try {
      const r = await client.delete(VMIS, vmi.metadata.namespace, vmi.metadata.name!, { preconditions: { uid: vmi.metadata.uid } });
      if (!r) return;
    } catch (e) {
      await recorder.event(vm, 'Warning', Reason.FailedDelete, `Error deleting virtual machine instance ${vmi.metadata.name}: ${message(e)}`);
      pass.syncError = { reason: Reason.FailedDelete, message: `Failure attempting to delete VMI: ${message(e)}` };
      return;
    }
    pass.stopExpected = true;
    status.conditions = removeCondition(status.conditions ?? [], VmCondition.RestartRequired);
    await recorder.event(vm, 'Normal', Reason.SuccessfulDelete, `Stopped the virtual machine by deleting the virtual machine instance ${vmi.metadata.uid}`);
  }

  /** The VMI of the same name: ours if we control it; an orphan is adopted; another controller's is not ours. */
  async function claim(vm: KubeObject, vmi: KubeObject | undefined): Promise<KubeObject | undefined> {
    if (!vmi) return undefined;
    const ref = controllerOf(vmi);
    if (ref) return ref.uid === vm.metadata.uid ? vmi : undefined;
    if (vm.metadata.deletionTimestamp || vmi.metadata.deletionTimestamp) return undefined;
    return client.patch(VMIS, vmi.metadata.namespace, vmi.metadata.name!, 'merge', {
      metadata: { ownerReferences: [...(vmi.metadata.ownerReferences ?? []), controllerRefTo(vm)], uid: vmi.metadata.uid },
    });
  }

  async function addVmFinalizer(vm: KubeObject): Promise<KubeObject> {
    const finalizers = vm.metadata.finalizers ?? [];
    if (finalizers.includes(VM_CONTROLLER_FINALIZER)) return vm;
    return client.patch(VMS, vm.metadata.namespace, vm.metadata.name!, 'json', finalizerPatch(vm, [...finalizers, VM_CONTROLLER_FINALIZER]));
  }

  async function removeFinalizer(resource: string, o: KubeObject): Promise<void> {
    // The freshest cached copy: other controllers edit finalizers too (the patch tests the list).
    const fresh = client.get(resource, o.metadata.namespace, o.metadata.name!);
    if (!fresh || fresh.metadata.uid !== o.metadata.uid) return;
    const finalizers = fresh.metadata.finalizers ?? [];
    if (!finalizers.includes(VM_CONTROLLER_FINALIZER)) return;
    await client.patch(resource, fresh.metadata.namespace, fresh.metadata.name!, 'json', finalizerPatch(fresh, finalizers.filter((f) => f !== VM_CONTROLLER_FINALIZER)));
  }

  /** A VMI whose spec still matches the template is marked as running the VM's current generation. */
  async function bumpGenerationAnnotation(vm: KubeObject, vmi: KubeObject | undefined, requests: readonly StateChangeRequest[]): Promise<KubeObject | undefined> {
    if (!vmi) return vmi;
    const generation = vm.metadata.generation ?? 1;
    if (vmiGeneration(vmi) === generation) return vmi;
    if (!templateMatchesVmi(vm, vmi, { ignoreGracePeriod: ignoresGracePeriod(vmi, requests) })) return vmi;
    const old = vmi.metadata.annotations;
    const next = { ...(old ?? {}), [VM_GENERATION_ANNOTATION]: String(generation) };
    const ops = old
      ? [{ op: 'test', path: '/metadata/annotations', value: old }, { op: 'replace', path: '/metadata/annotations', value: next }]
      : [{ op: 'add', path: '/metadata/annotations', value: next }];
    return client.patch(VMIS, vmi.metadata.namespace, vmi.metadata.name!, 'json', ops);
  }

  async function updateStatus(vm: KubeObject, original: KubeObject, vmi: KubeObject | undefined, status: VmStatus, pass: Pass, now: number): Promise<void> {
    const nowText = rfc3339(now);
    if (vmi) status.created = true;
    else delete status.created;
    const vmiConds = vmi ? (vmiStatus(vmi).conditions ?? []) : [];
    if (vmiConds.some((c) => c.type === VmCondition.Ready && c.status === 'True')) status.ready = true;
    else delete status.ready;
    if (vmi) {
      const g = vmiGeneration(vmi);
      if (g !== undefined) {
        status.observedGeneration = g;
        status.desiredGeneration = vm.metadata.generation ?? 1;
      }
    }

    // Recorded once an instance exists, so RerunOnFailure can tell a first start from a restart.
    const origEff = effectiveRunStrategy(original.spec as Record<string, unknown>);
    if (status.runStrategy || status.created) status.runStrategy = 'strategy' in origEff ? origEff.strategy : 'Unknown';

    const facts = vmiFacts(vmi);
    let requests = status.stateChangeRequests ?? [];
    if (firstRequestDone(requests, facts)) requests = requests.slice(1);
    if (requests.length) status.stateChangeRequests = requests;
    else delete status.stateChangeRequests;

    const eff = effectiveRunStrategy(vm.spec as Record<string, unknown>);
    const strategy = 'strategy' in eff ? eff.strategy : undefined;
    const startFailure = nextStartFailure(status.startFailure, strategy, runFacts(vmi), vm.metadata.uid ?? '', now, (t, s) => clock.deadline(t, s));
    if (startFailure) status.startFailure = startFailure;
    else delete status.startFailure;

    const conditions = syncConditions(status.conditions ?? [], vmi ? { conditions: vmiConds } : undefined, pass.syncError, nowText);
    if (conditions.length) status.conditions = conditions;
    else delete status.conditions;

    status.printableStatus = derivePrintableStatus({
      now,
      vmDeleting: !!vm.metadata.deletionTimestamp,
      vmi: printableVmi(vmi),
      startExpected: pass.startExpected,
      stopExpected: pass.stopExpected,
      strategy,
      startFailureCount: status.startFailure?.consecutiveFailCount ?? 0,
      setToStart: strategy !== undefined && isSetToStart(strategy, facts, requests, status.runStrategy ?? ''),
      dataVolumeError: false,
      dataVolumeProvisioning: false,
      pvcUnbound: false,
    });

    if (!deepEqual(status, vm.status ?? {})) {
      await client.updateStatus(VMS, { ...jsonClone(vm), status });
    }
    // The VM has recorded what it needed from a finished instance: let it go.
    if (vmi && isFinalPhase(facts!.phase)) await removeFinalizer(VMIS, vmi);
  }

  return {
    name: VM_CONTROLLER_NAME,
    watches: [
      { resource: VMS, map: (vm) => [keyOf(vm)] },
      { resource: VMIS, map: vmKeysForVmi },
    ],
    reconcile,
  };
}

/** A grace period shortened by stop/restart is not a template change while the instance is going away. */
function ignoresGracePeriod(vmi: KubeObject, requests: readonly StateChangeRequest[]): boolean {
  return !!vmi.metadata.deletionTimestamp || hasStopRequestFor(requests, vmi.metadata.uid!);
}

function finalizerPatch(o: KubeObject, next: string[]): unknown[] {
  const cur = o.metadata.finalizers;
  return cur === undefined
    ? [{ op: 'add', path: '/metadata/finalizers', value: next }]
    : [{ op: 'test', path: '/metadata/finalizers', value: cur }, { op: 'replace', path: '/metadata/finalizers', value: next }];
}
