// The taint-eviction controller (the former NoExecute taint manager): a pod on
// a node with NoExecute taints it does not tolerate is deleted at once; one
// that tolerates them for a while (the default 300 s for not-ready and
// unreachable) is deleted when the shortest tolerationSeconds has run out.
// The deletion is a plain graceful DELETE preceded by the pod condition
// DisruptionTarget (DeletionByTaintManager): no eviction, so no PDB and no
// eviction webhook. On a dead node no kubelet finishes it, so the pod stays
// Terminating.

import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import { rfc3339 } from '../../api/age.ts';
import type { Deadline } from '../../clock.ts';
import type { Controller, ReconcileResult } from '../../runtime/controller.ts';
import { keyOf, splitKey } from '../../runtime/controller.ts';
import { isNotFound } from '../../runtime/client.ts';
import { matchingTolerations, minTolerationSeconds, type Taint, type Toleration } from '../../scheduling/taints.ts';
import type { StoreEvent } from '../../store/object-store.ts';
import type { ControllerDeps } from '../types.ts';
import { jsonClone } from '../../api/json-clone.ts';

export const EVENT_SOURCE = 'taint-eviction-controller';

export const Reason = {
  TaintManagerEviction: 'TaintManagerEviction',
  DeletionByTaintManager: 'DeletionByTaintManager',
} as const;

export const DISRUPTION_MESSAGE = 'Taint manager: deleting due to NoExecute taint';

function rec(v: unknown): Record<string, unknown> {
  return isPlainObject(v) ? v : {};
}

function noExecuteTaints(node: KubeObject | undefined): Taint[] {
  const t = rec(node?.spec).taints;
  return (Array.isArray(t) ? t as Taint[] : []).filter((x) => x.effect === 'NoExecute');
}

/**
 * When the pod must go, in cluster ms: now-ish (its earliest taint's time)
 * when a NoExecute taint is not tolerated, the taint time plus the shortest
 * tolerationSeconds (simulated: `deadline` is Clock.deadline) otherwise,
 * undefined when it may stay for ever.
 */
export function evictionDeadline(taints: Taint[], tolerations: Toleration[], now: number, deadline: Deadline): number | undefined {
  if (!taints.length) return undefined;
  const { all, used } = matchingTolerations(taints, tolerations);
  if (!all) return now;
  const seconds = minTolerationSeconds(used);
  if (seconds === Infinity) return undefined;
  const added = taints.map((t) => (t.timeAdded ? Date.parse(t.timeAdded) : NaN)).filter((x) => !Number.isNaN(x));
  const since = added.length ? Math.min(...added) : now;
  return deadline(since, seconds);
}

export function taintEvictionController(deps: ControllerDeps): Controller {
  const { client, clock } = deps;
  const recorder = deps.recorder({ component: EVENT_SOURCE });

  async function evict(pod: KubeObject, now: number): Promise<void> {
    const status = jsonClone(rec(pod.status)) as { conditions?: { type: string }[] };
    status.conditions = [
      ...(status.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget'),
      { type: 'DisruptionTarget', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(now), reason: Reason.DeletionByTaintManager, message: DISRUPTION_MESSAGE } as { type: string },
    ];
    await client.updateStatus('pods', { ...jsonClone(pod), status });
    await recorder.event(pod, 'Normal', Reason.TaintManagerEviction, `Marking for deletion Pod ${pod.metadata.namespace}/${pod.metadata.name}`);
    await client.delete('pods', pod.metadata.namespace, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } });
  }

  async function reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const pod = client.get('pods', namespace, name);
    if (!pod || pod.metadata.deletionTimestamp) return;
    const nodeName = rec(pod.spec).nodeName;
    if (typeof nodeName !== 'string' || !nodeName) return;
    const now = clock.now();
    const tolerations = (Array.isArray(rec(pod.spec).tolerations) ? rec(pod.spec).tolerations : []) as Toleration[];
    const deadline = evictionDeadline(noExecuteTaints(client.get('nodes', undefined, nodeName)), tolerations, now, (t, s) => clock.deadline(t, s));
    if (deadline === undefined) return;
    if (now < deadline) return { requeueAfter: clock.simSecondsUntil(deadline) };
    try {
      await evict(pod, now);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
  }

  const podsOn = (node: string): string[] => client.list('pods').filter((p) => rec(p.spec).nodeName === node && !p.metadata.deletionTimestamp).map(keyOf);

  function mapNode(node: KubeObject, ev: StoreEvent | undefined): string[] {
    const now = noExecuteTaints(node);
    const before = ev?.previous ? noExecuteTaints(ev.previous) : [];
    if (!now.length && !before.length) return [];
    if (ev?.type === 'MODIFIED' && JSON.stringify(now) === JSON.stringify(before)) return [];
    return podsOn(node.metadata.name!);
  }

  return {
    name: 'taint-eviction',
    watches: [
      { resource: 'pods', map: (p) => (rec(p.spec).nodeName && !p.metadata.deletionTimestamp ? [keyOf(p)] : []) },
      { resource: 'nodes', map: mapNode },
    ],
    reconcile,
  };
}
