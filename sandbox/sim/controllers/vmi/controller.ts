// virt-controller's VMI controller (reference §2.1–2.5): creates the
// virt-launcher pod of a new VMI, follows it through Scheduling to Scheduled,
// fails the VMI when its pod disappears, keeps the Ready condition and the
// pod's unpaused readiness gate in step, and on deletion removes the pods and
// then the VMI's finalizer. From Scheduled on, virt-handler owns the VMI's
// runtime status; this controller only watches for a vanished pod.

import type { KubeObject } from '../../api/object.ts';
import { rfc3339 } from '../../api/age.ts';
import type { Controller, ReconcileResult } from '../../runtime/controller.ts';
import { keyOf, splitKey } from '../../runtime/controller.ts';
import { jsonEqual } from '../../kinds/kubevirt/vmi-spec-schema.ts';
import { VMI_FINALIZER } from '../../kinds/kubevirt/virtualmachineinstance.ts';
import type { ControllerDeps } from '../types.ts';
import {
  Annotations, COMPUTE_CONTAINER, Labels, isLauncherPodOf, launcherOwnerName, renderLauncherPod,
} from './launcher-pod.ts';
import { isFinalPhase, isLauncherPodReady, isPodFinal, nextVmiPhase, Phase, withPhaseTransition } from './phase.ts';
import {
  conditionsOf, containerImageError, desiredUnpausedCondition, isPausedCondition, readyCondition, upsertCondition, withPodScheduled,
  withSyncFailure, type Condition, type SyncError,
} from './conditions.ts';
import { jsonClone } from '../../api/json-clone.ts';

export const VMI_RESOURCE = 'kubevirt.io/virtualmachineinstances';
const VM_RESOURCE = 'kubevirt.io/virtualmachines';
/** Added to VM-owned VMIs by the VM controller; removed here if the VM is gone. */
const VM_CONTROLLER_FINALIZER = 'kubevirt.io/virtualMachineControllerFinalize';
export const EVENT_SOURCE = 'virtualmachine-controller';

export const Reason = {
  SuccessfulCreate: 'SuccessfulCreate',
  FailedCreate: 'FailedCreate',
  SuccessfulDelete: 'SuccessfulDelete',
  FailedDelete: 'FailedDelete',
} as const;

interface VmiStatus {
  phase?: string;
  nodeName?: string;
  qosClass?: string;
  conditions?: Condition[];
  phaseTransitionTimestamps?: { phase: string; phaseTransitionTimestamp: string }[];
  activePods?: Record<string, string>;
  launcherContainerImageVersion?: string;
  migrationTransport?: string;
  [k: string]: unknown;
}

function statusOf(o: KubeObject): VmiStatus {
  return (o.status ?? {}) as VmiStatus;
}

function creation(o: KubeObject): number {
  return Date.parse(o.metadata.creationTimestamp ?? '') || 0;
}

/**
 * The pod the VMI runs in (upstream CurrentVMIPod): the newest launcher pod on
 * the VMI's status.nodeName, or the newest of all before the VMI has a node.
 * During a migration that is the source pod until the VMI's nodeName moves to
 * the target; the target pod (elsewhere, or not yet bound) is never taken
 * early, so the Ready condition and the unpaused readiness gate follow the
 * pod that actually runs the domain.
 */
export function currentLauncherPod(pods: KubeObject[], nodeName: string | undefined): KubeObject | undefined {
  let cur: KubeObject | undefined;
  for (const p of pods) {
    if (nodeName && (p.spec as { nodeName?: string }).nodeName !== nodeName) continue;
    if (!cur || creation(cur) < creation(p)) cur = p;
  }
  return cur;
}

export function vmiController(deps: ControllerDeps): Controller {
  const { client, clock } = deps;
  const recorder = deps.recorder({ component: EVENT_SOURCE });

  function launcherPods(vmi: KubeObject): KubeObject[] {
    return client.list('pods', vmi.metadata.namespace).filter((p) => isLauncherPodOf(p, vmi.metadata.uid));
  }

  /** Deletes every launcher pod not already on its way out (deleteAllMatchingPods). */
  async function deletePods(vmi: KubeObject, pods: KubeObject[]): Promise<void> {
    for (const pod of pods) {
      if (pod.metadata.deletionTimestamp && !isPodFinal(pod)) continue;
      try {
        await client.delete('pods', pod.metadata.namespace, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } });
      } catch (e) {
        await recorder.event(vmi, 'Warning', Reason.FailedDelete, `Failed to delete virtual machine pod ${pod.metadata.name}`);
        throw e;
      }
      await recorder.event(vmi, 'Normal', Reason.SuccessfulDelete, `Deleted virtual machine pod ${pod.metadata.name}`);
    }
  }

  /** Creates the launcher pod; a refusal is returned as the sync error (the pass still reports, then retries). */
  async function createPod(vmi: KubeObject): Promise<{ pod: KubeObject } | { error: SyncError & { cause: unknown } }> {
    try {
      const pod = await client.create('pods', renderLauncherPod(vmi));
      await recorder.event(vmi, 'Normal', Reason.SuccessfulCreate, `Created virtual machine pod ${pod.metadata.name}`);
      return { pod };
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      await recorder.event(vmi, 'Warning', Reason.FailedCreate, `Error creating pod: ${text}`);
      return { error: { reason: Reason.FailedCreate, message: `failed to create virtual machine pod: ${text}`, cause: e } };
    }
  }

  /** Pod-side bookkeeping: the unpaused gate, the node label, the evict-only annotation. */
  async function syncPod(vmi: KubeObject, pod: KubeObject, now: string): Promise<void> {
    const gate = desiredUnpausedCondition(isPausedCondition(conditionsOf(vmi)), pod, now);
    if (gate && !isPodFinal(pod)) {
      await client.patch('pods', pod.metadata.namespace, pod.metadata.name!, 'strategic', { status: { conditions: [gate] } }, 'status');
    }
    const nodeLabel = vmi.metadata.labels?.[Labels.nodeName];
    const podLabel = pod.metadata.labels?.[Labels.nodeName];
    const labels: Record<string, string | null> = {};
    if (nodeLabel !== podLabel) labels[Labels.nodeName] = nodeLabel ?? null;
    const annotations: Record<string, string> = {};
    if (isLauncherPodReady(pod) && !vmi.metadata.deletionTimestamp && pod.metadata.annotations?.[Annotations.evictOnly] === undefined) {
      annotations[Annotations.evictOnly] = '';
    }
    if (Object.keys(labels).length || Object.keys(annotations).length) {
      const metadata: Record<string, unknown> = {};
      if (Object.keys(labels).length) metadata.labels = labels;
      if (Object.keys(annotations).length) metadata.annotations = annotations;
      await client.patch('pods', pod.metadata.namespace, pod.metadata.name!, 'merge', { metadata });
    }
  }

  function hasOwnerVM(vmi: KubeObject): boolean {
    const ref = (vmi.metadata.ownerReferences ?? []).find((r) => r.controller === true && r.kind === 'VirtualMachine');
    if (!ref) return false;
    return client.get(VM_RESOURCE, vmi.metadata.namespace, ref.name)?.metadata.uid === ref.uid;
  }

  async function reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const vmi = client.get(VMI_RESOURCE, namespace, name);
    if (!vmi) return;
    const now = rfc3339(clock.now());
    const status = statusOf(vmi);
    const deleting = vmi.metadata.deletionTimestamp !== undefined;
    const final = isFinalPhase(status.phase);
    let pods = launcherPods(vmi);
    let pod = currentLauncherPod(pods, status.nodeName);
    let syncError: (SyncError & { cause?: unknown }) | undefined;

    // ---- sync: act on pods ----
    if (deleting) {
      await deletePods(vmi, pods);
      pods = launcherPods(vmi);
      pod = currentLauncherPod(pods, status.nodeName);
    } else if (!final && !pod && (!status.phase || status.phase === Phase.Pending)) {
      const created = await createPod(vmi);
      if ('error' in created) syncError = created.error;
      else {
        pod = created.pod;
        pods = [created.pod];
      }
    }
    if (pod) await syncPod(vmi, pod, now);

    // ---- updateStatus: report ----
    const next = jsonClone(vmi) as KubeObject;
    const st = statusOf(next);
    next.status = st;

    if (pods.length || st.activePods !== undefined) {
      st.activePods = Object.fromEntries(pods.map((p) => [p.metadata.uid!, (p.spec as { nodeName?: string }).nodeName ?? '']));
    }
    let conds = upsertCondition(conditionsOf(vmi), readyCondition(status.phase, pod, now));
    if (pod) {
      const compute = ((pod.spec as { containers?: { name: string; image: string }[] }).containers ?? []).find((c) => c.name === COMPUTE_CONTAINER);
      if (compute) st.launcherContainerImageVersion = compute.image;
    }

    const phase = nextVmiPhase({ phase: status.phase, deleting, pod });
    if (status.phase === Phase.Scheduling && pod) {
      const qos = (pod.status as { qosClass?: string } | undefined)?.qosClass;
      if (qos) st.qosClass = qos;
      else delete st.qosClass;
      conds = withPodScheduled(conds, pod);
      syncError ??= containerImageError(pod);
    }
    if (phase === Phase.Scheduled && status.phase !== Phase.Scheduled && pod) {
      const nodeName = (pod.spec as { nodeName?: string }).nodeName ?? '';
      next.metadata.labels = { ...(next.metadata.labels ?? {}), [Labels.nodeName]: nodeName };
      st.nodeName = nodeName;
      if (pod.metadata.annotations?.[Annotations.migrationTransportUnix] !== undefined) st.migrationTransport = 'Unix';
    }
    if (final && pods.length === 0) {
      next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== VMI_FINALIZER);
      delete st.launcherContainerImageVersion;
      if (!hasOwnerVM(vmi) && next.metadata.finalizers.length) {
        next.metadata.finalizers = next.metadata.finalizers.filter((f) => f !== VM_CONTROLLER_FINALIZER);
      }
    }
    // Synchronized reports sync errors while virt-controller owns the VMI (not yet Scheduled).
    if (status.phase !== Phase.Scheduled && status.phase !== Phase.Running) conds = withSyncFailure(conds, syncError, now);
    st.conditions = conds;
    st.phase = phase;
    st.phaseTransitionTimestamps = withPhaseTransition(status.phaseTransitionTimestamps, status.phase, phase, now);

    const changed = !jsonEqual(vmi.status, next.status) || !jsonEqual(vmi.metadata.finalizers ?? [], next.metadata.finalizers ?? [])
      || !jsonEqual(vmi.metadata.labels ?? {}, next.metadata.labels ?? {});
    if (changed) await client.update(VMI_RESOURCE, next);
    // A failed pod creation is retried with backoff.
    if (syncError?.cause !== undefined) throw syncError.cause;
  }

  return {
    name: 'vmi',
    watches: [
      { resource: VMI_RESOURCE, map: (o) => [keyOf(o)] },
      {
        resource: 'pods',
        map: (p) => {
          const owner = launcherOwnerName(p);
          return owner ? [`${p.metadata.namespace}/${owner}`] : [];
        },
      },
      // A VMI whose VM disappears may need the VM controller's finalizer removed.
      { resource: VM_RESOURCE, map: (vm) => [keyOf(vm)] },
    ],
    reconcile,
  };
}
