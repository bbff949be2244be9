// PodGC (kube-controller-manager's pod garbage collector), the two rules the
// course needs: pods bound to a Node that no longer exists are, after a 40 s
// quarantine, marked Failed with DisruptionTarget (DeletionByPodGC) and
// force-deleted; pods being deleted on a NotReady node that carries the
// out-of-service taint are marked Failed and force-deleted. Both release a
// VMI stuck behind a pod that no kubelet will ever finish.

import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import { rfc3339 } from '../../api/age.ts';
import type { Controller, ReconcileResult } from '../../runtime/controller.ts';
import { keyOf, splitKey } from '../../runtime/controller.ts';
import { isNotFound } from '../../runtime/client.ts';
import type { ControllerDeps } from '../types.ts';
import { TaintKey } from './health.ts';
import { jsonClone } from '../../api/json-clone.ts';

/** How long a node must stay missing before its pods are collected. */
export const ORPHAN_QUARANTINE_SECONDS = 40;

export const Reason = {
  DeletionByPodGC: 'DeletionByPodGC',
} as const;

export const ORPHAN_MESSAGE = 'PodGC: node no longer exists';

function rec(v: unknown): Record<string, unknown> {
  return isPlainObject(v) ? v : {};
}

function isTerminal(pod: KubeObject): boolean {
  const phase = rec(pod.status).phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

function nodeNotReady(node: KubeObject): boolean {
  const c = rec(node.status).conditions;
  return !(Array.isArray(c) ? c : []).some((x) => rec(x).type === 'Ready' && rec(x).status === 'True');
}

function outOfService(node: KubeObject): boolean {
  const t = rec(node.spec).taints;
  return (Array.isArray(t) ? t : []).some((x) => rec(x).key === TaintKey.OutOfService && rec(x).effect === 'NoExecute');
}

export function podGcController(deps: ControllerDeps): Controller {
  const { client, clock } = deps;
  /** When PodGC first saw each missing node gone. */
  const missingSince = new Map<string, number>();

  /** markFailedAndDeletePodWithCondition: phase Failed (if not final), the condition if any, then DELETE with grace 0. */
  async function markFailedAndDelete(pod: KubeObject, condition?: { reason: string; message: string }): Promise<void> {
    const now = rfc3339(clock.now());
    if (!isTerminal(pod) || condition) {
      const status = jsonClone(rec(pod.status)) as { phase?: string; conditions?: { type: string }[] };
      if (!isTerminal(pod)) status.phase = 'Failed';
      if (condition) {
        status.conditions = [
          ...(status.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget'),
          { type: 'DisruptionTarget', status: 'True', lastProbeTime: null, lastTransitionTime: now, ...condition } as { type: string },
        ];
      }
      await client.updateStatus('pods', { ...jsonClone(pod), status });
    }
    await client.delete('pods', pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
  }

  async function reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const pod = client.get('pods', namespace, name);
    if (!pod) return;
    const nodeName = rec(pod.spec).nodeName;
    if (typeof nodeName !== 'string' || !nodeName) return;
    const now = clock.now();
    const node = client.get('nodes', undefined, nodeName);
    try {
      if (!node) {
        let since = missingSince.get(nodeName);
        if (since === undefined) missingSince.set(nodeName, (since = now));
        const due = clock.deadline(since, ORPHAN_QUARANTINE_SECONDS);
        if (now < due) return { requeueAfter: clock.simSecondsUntil(due) };
        await markFailedAndDelete(pod, { reason: Reason.DeletionByPodGC, message: ORPHAN_MESSAGE });
        return;
      }
      missingSince.delete(nodeName);
      if (pod.metadata.deletionTimestamp && outOfService(node) && nodeNotReady(node)) await markFailedAndDelete(pod);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
  }

  const podsOn = (node: string): string[] => client.list('pods').filter((p) => rec(p.spec).nodeName === node).map(keyOf);

  return {
    name: 'pod-gc',
    watches: [
      {
        resource: 'pods',
        map: (p, ev) => {
          if (ev?.type === 'DELETED') return [];
          const n = rec(p.spec).nodeName;
          if (typeof n !== 'string' || !n) return [];
          return !client.get('nodes', undefined, n) || p.metadata.deletionTimestamp ? [keyOf(p)] : [];
        },
      },
      {
        resource: 'nodes',
        map: (n, ev) => (ev?.type === 'DELETED' || outOfService(n) ? podsOn(n.metadata.name!) : []),
      },
    ],
    reconcile,
  };
}
