// The node lifecycle controller (kube-controller-manager's node-controller,
// reference §6 and §10.1): a node whose kubelet has not renewed its Lease or
// posted status for the 50 s grace period gets Ready (and the pressure
// conditions) Unknown; nodes get the not-ready / unreachable taints (NoSchedule
// and NoExecute) while Ready is False / Unknown and the unschedulable taint
// while cordoned, and lose them when healthy again; pods on a node that is not
// Ready are marked not Ready. Deleting pods because of those taints is the
// taint-eviction controller's job; orphaned pods are PodGC's.

import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import { rfc3339 } from '../../api/age.ts';
import type { Controller, ReconcileResult } from '../../runtime/controller.ts';
import { isConflict, isNotFound } from '../../runtime/client.ts';
import type { Taint } from '../../scheduling/taints.ts';
import type { ControllerDeps } from '../types.ts';
import { desiredTaints, Reason, sameTaints, silentAfter, silentConditions, type NodeCondition } from './health.ts';
import { jsonClone } from '../../api/json-clone.ts';
import { ignoringHeartbeats } from '../../runtime/heartbeats.ts';

export const LEASES = 'coordination.k8s.io/leases';
export const LEASE_NAMESPACE = 'kube-node-lease';
export const EVENT_SOURCE = 'node-controller';

function rec(v: unknown): Record<string, unknown> {
  return isPlainObject(v) ? v : {};
}

function conditionsOf(o: KubeObject): NodeCondition[] {
  const c = rec(o.status).conditions;
  return Array.isArray(c) ? c as NodeCondition[] : [];
}

function podReady(pod: KubeObject): boolean {
  return conditionsOf(pod).some((c) => c.type === 'Ready' && c.status === 'True');
}

export function nodeLifecycleController(deps: ControllerDeps): Controller {
  const { client, clock } = deps;
  const recorder = deps.recorder({ component: EVENT_SOURCE });

  function leaseRenewed(name: string): number | undefined {
    const lease = client.get(LEASES, LEASE_NAMESPACE, name);
    const t = rec(lease?.spec).renewTime;
    const ms = typeof t === 'string' ? Date.parse(t) : NaN;
    return Number.isNaN(ms) ? undefined : ms;
  }

  /** Ready=Unknown and friends once the kubelet is silent; returns the node as stored afterwards and when to look again. */
  async function monitorHealth(node: KubeObject, now: number): Promise<{ node: KubeObject; recheckAt?: number }> {
    const conditions = conditionsOf(node);
    const deadline = silentAfter(conditions, leaseRenewed(node.metadata.name!), Date.parse(node.metadata.creationTimestamp ?? '') || now, (t, s) => clock.deadline(t, s));
    if (now < deadline) return { node, recheckAt: deadline };
    const wasReady = conditions.find((c) => c.type === 'Ready')?.status === 'True';
    const next = silentConditions(conditions, rfc3339(now), node.metadata.creationTimestamp ?? rfc3339(now));
    if (!next.changed) return { node };
    const updated = await client.updateStatus('nodes', { ...jsonClone(node), status: { ...jsonClone(rec(node.status)), conditions: next.conditions } });
    if (wasReady) await recorder.event(node, 'Normal', Reason.NodeNotReady, `Node ${node.metadata.name} status is now: NodeNotReady`);
    return { node: updated };
  }

  async function syncTaints(node: KubeObject, now: number): Promise<void> {
    const spec = rec(node.spec);
    const current = (Array.isArray(spec.taints) ? spec.taints : []) as Taint[];
    const ready = conditionsOf(node).find((c) => c.type === 'Ready')?.status;
    const want = desiredTaints(current, ready, spec.unschedulable === true, rfc3339(now));
    if (sameTaints(current, want)) return;
    const next = jsonClone(node);
    const nextSpec = rec(next.spec);
    if (want.length) nextSpec.taints = want;
    else delete nextSpec.taints;
    next.spec = nextSpec;
    await client.update('nodes', next);
  }

  /** MarkPodsNotReady: pods on a node that is not Ready lose their Ready condition. */
  async function markPodsNotReady(node: KubeObject, now: number): Promise<void> {
    const name = node.metadata.name!;
    for (const pod of client.list('pods')) {
      if (rec(pod.spec).nodeName !== name || !podReady(pod)) continue;
      const status = jsonClone(rec(pod.status)) as { conditions?: NodeCondition[] };
      status.conditions = (status.conditions ?? []).map((c) => (c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: rfc3339(now) } : c));
      try {
        await client.updateStatus('pods', { ...jsonClone(pod), status });
      } catch (e) {
        if (isNotFound(e) || isConflict(e)) continue;
        throw e;
      }
      await recorder.event(pod, 'Warning', Reason.NodeNotReady, 'Node is not ready');
    }
  }

  async function reconcile(name: string): Promise<ReconcileResult | void> {
    let node = client.get('nodes', undefined, name);
    if (!node) return;
    const now = clock.now();
    const health = await monitorHealth(node, now);
    node = health.node;
    await syncTaints(node, now);
    const ready = conditionsOf(node).find((c) => c.type === 'Ready')?.status;
    if (ready !== 'True') await markPodsNotReady(node, now);
    if (health.recheckAt !== undefined) return { requeueAfter: Math.max(0.001, clock.simSecondsUntil(health.recheckAt)) };
  }

  return {
    name: 'node-lifecycle',
    watches: [
      ignoringHeartbeats({ resource: 'nodes', map: (n) => [n.metadata.name!] }),
      ignoringHeartbeats({ resource: LEASES, map: (l) => (l.metadata.namespace === LEASE_NAMESPACE ? [l.metadata.name!] : []) }),
      // A pod that turns Ready on a node that is not: mark it again.
      { resource: 'pods', map: (p) => { const n = rec(p.spec).nodeName; return typeof n === 'string' && n && podReady(p) ? [n] : []; } },
    ],
    reconcile,
  };
}
