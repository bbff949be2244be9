// Pure rules of the node lifecycle controller (kube-controller-manager
// nodelifecycle, reference §6 and §10.1): when a node's kubelet counts as
// silent, what its conditions become then, and which taints its conditions
// and cordon flag call for.

import type { Deadline } from '../../clock.ts';
import type { Taint } from '../../scheduling/taints.ts';

/** --node-monitor-grace-period (Kubernetes 1.32). */
export const NODE_MONITOR_GRACE_SECONDS = 50;
/** --node-startup-grace-period: a node that never posted status gets this long. */
export const NODE_STARTUP_GRACE_SECONDS = 60;

export const TaintKey = {
  NotReady: 'node.kubernetes.io/not-ready',
  Unreachable: 'node.kubernetes.io/unreachable',
  Unschedulable: 'node.kubernetes.io/unschedulable',
  OutOfService: 'node.kubernetes.io/out-of-service',
} as const;

/** Taints this controller owns; any other taint on a node is left alone. */
const MANAGED = new Set<string>([TaintKey.NotReady, TaintKey.Unreachable, TaintKey.Unschedulable]);

export const Reason = {
  NodeStatusUnknown: 'NodeStatusUnknown',
  NodeStatusNeverUpdated: 'NodeStatusNeverUpdated',
  NodeNotReady: 'NodeNotReady',
} as const;

export const Message = {
  StoppedPosting: 'Kubelet stopped posting node status.',
  NeverPosted: 'Kubelet never posted node status.',
} as const;

/** Conditions the controller turns Unknown when the kubelet falls silent. */
export const MONITORED_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

export interface NodeCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

/**
 * When the node's kubelet is last known to have reported (Lease renewal or a
 * heartbeat in the Ready condition), and the deadline after which it counts
 * as silent: the grace period after that, or the startup grace period after
 * creation for a node that never posted status. The grace periods are
 * simulated time: `deadline` is Clock.deadline.
 */
export function silentAfter(conditions: NodeCondition[], leaseRenewed: number | undefined, createdAt: number, deadline: Deadline): number {
  const ready = conditions.find((c) => c.type === 'Ready');
  if (!ready) return deadline(createdAt, NODE_STARTUP_GRACE_SECONDS);
  const beat = ready.lastHeartbeatTime ? Date.parse(ready.lastHeartbeatTime) : NaN;
  const last = Math.max(Number.isNaN(beat) ? -Infinity : beat, leaseRenewed ?? -Infinity);
  return deadline(Number.isFinite(last) ? last : createdAt, NODE_MONITOR_GRACE_SECONDS);
}

/**
 * The conditions once the kubelet is silent: the monitored ones become
 * Unknown (NodeStatusUnknown, or NodeStatusNeverUpdated for missing ones),
 * keeping their heartbeat time; `changed` tells whether anything moved.
 */
export function silentConditions(conditions: NodeCondition[], now: string, createdAt: string): { conditions: NodeCondition[]; changed: boolean } {
  const out = conditions.map((c) => ({ ...c }));
  let changed = false;
  for (const type of MONITORED_CONDITIONS) {
    const c = out.find((x) => x.type === type);
    if (!c) {
      out.push({ type, status: 'Unknown', lastHeartbeatTime: createdAt, lastTransitionTime: now, reason: Reason.NodeStatusNeverUpdated, message: Message.NeverPosted });
      changed = true;
    } else if (c.status !== 'Unknown') {
      c.status = 'Unknown';
      c.reason = Reason.NodeStatusUnknown;
      c.message = Message.StoppedPosting;
      c.lastTransitionTime = now;
      changed = true;
    }
  }
  return { conditions: out, changed };
}

/**
 * The node's taints as the controller wants them: not-ready for Ready=False,
 * unreachable for Ready=Unknown (each NoSchedule and NoExecute),
 * unschedulable:NoSchedule while cordoned; other taints untouched, existing
 * ones kept with their timeAdded.
 */
export function desiredTaints(current: Taint[], readyStatus: string | undefined, unschedulable: boolean, now: string): Taint[] {
  const want: Taint[] = [];
  const key = readyStatus === 'False' ? TaintKey.NotReady : readyStatus === 'Unknown' ? TaintKey.Unreachable : undefined;
  if (key) want.push({ key, effect: 'NoSchedule' }, { key, effect: 'NoExecute' });
  if (unschedulable) want.push({ key: TaintKey.Unschedulable, effect: 'NoSchedule' });
  const kept = current.filter((t) => !MANAGED.has(t.key) || want.some((w) => w.key === t.key && w.effect === t.effect));
  for (const w of want) {
    if (!kept.some((t) => t.key === w.key && t.effect === w.effect)) kept.push({ ...w, timeAdded: now });
  }
  return kept;
}

export function sameTaints(a: Taint[], b: Taint[]): boolean {
  return a.length === b.length && a.every((t) => b.some((u) => u.key === t.key && u.effect === t.effect && (u.value ?? '') === (t.value ?? '')));
}
