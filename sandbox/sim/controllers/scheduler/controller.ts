// kube-scheduler (default-scheduler): binds pending pods to nodes through the
// pods/binding subresource. A pod nothing fits gets PodScheduled=False
// (Unschedulable) with the scheduler's message and a FailedScheduling event,
// and is tried again when nodes or bound pods change (or after 5 minutes, as
// the scheduling queue flushes unschedulable pods).

import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import { rfc3339 } from '../../api/age.ts';
import { jsonEqual } from '../../kinds/core/table-cells.ts';
import type { Controller, ReconcileResult } from '../../runtime/controller.ts';
import { keyOf, splitKey } from '../../runtime/controller.ts';
import { isConflict, isNotFound } from '../../runtime/client.ts';
import type { StoreEvent } from '../../store/object-store.ts';
import type { ControllerDeps } from '../types.ts';
import { nodeInfos, schedule } from './fit.ts';
import { jsonClone } from '../../api/json-clone.ts';

export const SCHEDULER_NAME = 'default-scheduler';
/** podMaxInUnschedulablePodsDuration: unschedulable pods are retried at least this often. */
export const UNSCHEDULABLE_RETRY_SECONDS = 300;

export const Reason = {
  Scheduled: 'Scheduled',
  FailedScheduling: 'FailedScheduling',
  Unschedulable: 'Unschedulable',
} as const;

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
}

function rec(v: unknown): Record<string, unknown> {
  return isPlainObject(v) ? v : {};
}

function isTerminal(pod: KubeObject | undefined): boolean {
  const phase = rec(pod?.status).phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Pods this scheduler must place: no node yet, ours, alive, not gated. */
export function needsScheduling(pod: KubeObject): boolean {
  const spec = rec(pod.spec);
  if (spec.nodeName) return false;
  if ((spec.schedulerName ?? SCHEDULER_NAME) !== SCHEDULER_NAME) return false;
  if (pod.metadata.deletionTimestamp || isTerminal(pod)) return false;
  return !(Array.isArray(spec.schedulingGates) && spec.schedulingGates.length > 0);
}

/** Whether a node change can make a pending pod fit (not heartbeats or annotations). */
function nodeChangeMatters(ev: StoreEvent | undefined): boolean {
  if (!ev) return false;
  if (ev.type !== 'MODIFIED' || !ev.previous) return true;
  const a = ev.object;
  const b = ev.previous;
  return !jsonEqual(a.spec, b.spec) || !jsonEqual(a.metadata.labels, b.metadata.labels)
    || !jsonEqual(rec(a.status).allocatable, rec(b.status).allocatable);
}

export function schedulerController(deps: ControllerDeps): Controller {
  const { client, clock } = deps;
  const recorder = deps.recorder({ component: SCHEDULER_NAME });

  const pendingKeys = (): string[] => client.list('pods').filter(needsScheduling).map(keyOf);

  function mapPod(pod: KubeObject, ev: StoreEvent | undefined): string[] {
    if (ev?.type !== 'DELETED' && needsScheduling(pod)) {
      // Our own status writes (PodScheduled=False) are no reason to try again; spec changes (tolerations) are.
      const statusOnly = ev?.type === 'MODIFIED' && ev.previous && needsScheduling(ev.previous) && jsonEqual(pod.spec, ev.previous.spec);
      return statusOnly ? [] : [keyOf(pod)];
    }
    // Resources came free: a bound pod went away or finished.
    const freed = ev?.type === 'DELETED' || (ev?.type === 'MODIFIED' && isTerminal(pod) && !isTerminal(ev.previous));
    return freed && rec(pod.spec).nodeName ? pendingKeys() : [];
  }

  async function markUnschedulable(pod: KubeObject, message: string): Promise<void> {
    const status = jsonClone(rec(pod.status)) as { conditions?: Condition[] };
    const conditions = status.conditions ?? [];
    const old = conditions.find((c) => c.type === 'PodScheduled');
    const next: Condition = {
      type: 'PodScheduled', status: 'False', lastProbeTime: null,
      lastTransitionTime: old?.status === 'False' && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(clock.now()),
      reason: Reason.Unschedulable, message,
    };
    if (old && jsonEqual(old, next)) return;
    status.conditions = [...conditions.filter((c) => c.type !== 'PodScheduled'), next];
    await client.updateStatus('pods', { ...jsonClone(pod), status });
  }

  async function reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const pod = client.get('pods', namespace, name);
    if (!pod || !needsScheduling(pod)) return;
    const result = schedule(pod, nodeInfos(client.list('nodes'), client.list('pods')));
    if ('node' in result) {
      try {
        await client.bind(namespace!, name, result.node);
      } catch (e) {
        if (isConflict(e) || isNotFound(e)) return;
        throw e;
      }
      await recorder.event(pod, 'Normal', Reason.Scheduled, `Successfully assigned ${namespace}/${name} to ${result.node}`);
      return;
    }
    try {
      await markUnschedulable(pod, result.message);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    await recorder.event(pod, 'Warning', Reason.FailedScheduling, result.message);
    return { requeueAfter: UNSCHEDULABLE_RETRY_SECONDS };
  }

  return {
    name: 'scheduler',
    watches: [
      { resource: 'pods', map: mapPod },
      { resource: 'nodes', map: (_n, ev) => (nodeChangeMatters(ev) ? pendingKeys() : []) },
    ],
    reconcile,
  };
}
