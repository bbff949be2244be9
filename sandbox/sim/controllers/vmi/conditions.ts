// VMI and launcher-pod conditions virt-controller derives (reference §2.2,
// §2.5): pure functions that return the new condition lists.

import { isPodDownOrGoingDown, Phase } from './phase.ts';
import { UNPAUSED_CONDITION } from './launcher-pod.ts';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown' | string;
  reason?: string;
  message?: string;
  lastProbeTime: string | null;
  lastTransitionTime: string | null;
}

export const ConditionType = {
  Ready: 'Ready',
  PodScheduled: 'PodScheduled',
  Paused: 'Paused',
  LiveMigratable: 'LiveMigratable',
  AgentConnected: 'AgentConnected',
  Synchronized: 'Synchronized',
} as const;

export const Reason = {
  PodNotExists: 'PodNotExists',
  PodTerminating: 'PodTerminating',
  GuestNotRunning: 'GuestNotRunning',
  PodConditionMissing: 'PodConditionMissing',
  NotPaused: 'NotPaused',
  Paused: 'Paused',
} as const;

export const Message = {
  PodNotExists: 'virt-launcher pod has not yet been scheduled',
  PodTerminating: 'virt-launcher pod is terminating',
  GuestNotRunning: 'Guest VM is not reported as running',
  PodConditionMissing: 'virt-launcher pod is missing the Ready condition',
  NotPaused: 'the virtual machine is not paused',
  Paused: 'the virtual machine is paused',
} as const;

interface PodLike {
  metadata: { deletionTimestamp?: string };
  status?: unknown;
}

export function conditionsOf(o: object | undefined): Condition[] {
  const c = ((o as { status?: unknown } | undefined)?.status as { conditions?: unknown } | undefined)?.conditions;
  return Array.isArray(c) ? (c as Condition[]) : [];
}

export function findCondition(list: readonly Condition[], type: string): Condition | undefined {
  return list.find((c) => c.type === type);
}

/**
 * Puts a condition in the list: replaces one of the same type only when its
 * status, reason or message differ (timestamps stay put otherwise); appends new types.
 */
export function upsertCondition(list: readonly Condition[], cond: Condition): Condition[] {
  const i = list.findIndex((c) => c.type === cond.type);
  if (i < 0) return [...list, cond];
  const cur = list[i];
  if (cur.status === cond.status && (cur.reason ?? '') === (cond.reason ?? '') && (cur.message ?? '') === (cond.message ?? '')) return [...list];
  const out = [...list];
  out[i] = cond;
  return out;
}

export function removeCondition(list: readonly Condition[], type: string): Condition[] {
  return list.filter((c) => c.type !== type);
}

/** The VMI Ready condition from its phase and launcher pod (§2.5, syncReadyConditionFromPod). */
export function readyCondition(phase: string | undefined, pod: PodLike | undefined, now: string): Condition {
  const falseWith = (reason: string, message: string): Condition =>
    ({ type: ConditionType.Ready, status: 'False', reason, message, lastProbeTime: now, lastTransitionTime: now });
  if (!pod) return falseWith(Reason.PodNotExists, Message.PodNotExists);
  if (isPodDownOrGoingDown(pod)) return falseWith(Reason.PodTerminating, Message.PodTerminating);
  if (phase !== Phase.Running) return falseWith(Reason.GuestNotRunning, Message.GuestNotRunning);
  const podReady = findCondition(conditionsOf(pod), 'Ready');
  if (!podReady) return falseWith(Reason.PodConditionMissing, Message.PodConditionMissing);
  const c: Condition = { type: ConditionType.Ready, status: podReady.status, lastProbeTime: podReady.lastProbeTime ?? null, lastTransitionTime: podReady.lastTransitionTime ?? null };
  if (podReady.reason) c.reason = podReady.reason;
  if (podReady.message) c.message = podReady.message;
  return c;
}

/**
 * The VMI conditions after copying the pod's PodScheduled condition: present
 * (copied) while the pod says False, removed otherwise.
 */
export function withPodScheduled(list: readonly Condition[], pod: PodLike): Condition[] {
  const podCond = findCondition(conditionsOf(pod), 'PodScheduled');
  if (podCond && podCond.status === 'False') {
    const c: Condition = { type: ConditionType.PodScheduled, status: 'False', lastProbeTime: podCond.lastProbeTime ?? null, lastTransitionTime: podCond.lastTransitionTime ?? null };
    if (podCond.reason) c.reason = podCond.reason;
    if (podCond.message) c.message = podCond.message;
    return upsertCondition(list, c);
  }
  return removeCondition(list, ConditionType.PodScheduled);
}

export function isPausedCondition(list: readonly Condition[]): boolean {
  return findCondition(list, ConditionType.Paused)?.status === 'True';
}

/**
 * The launcher pod's kubevirt.io/virtual-machine-unpaused condition as it
 * should be, or undefined when the pod already has it right.
 */
export function desiredUnpausedCondition(vmiPaused: boolean, pod: PodLike, now: string): Condition | undefined {
  const cur = findCondition(conditionsOf(pod), UNPAUSED_CONDITION);
  if (vmiPaused) {
    // Only a True gate is flipped, as virt-controller does.
    if (cur?.status !== 'True') return undefined;
    return { type: UNPAUSED_CONDITION, status: 'False', reason: Reason.Paused, message: Message.Paused, lastProbeTime: now, lastTransitionTime: now };
  }
  if (cur?.status === 'True') return undefined;
  return { type: UNPAUSED_CONDITION, status: 'True', reason: Reason.NotPaused, message: Message.NotPaused, lastProbeTime: now, lastTransitionTime: now };
}

/** A failed sync step: its reason (FailedCreate, ErrImagePull, ...) and error text. */
export interface SyncError {
  reason: string;
  message: string;
}

/**
 * The Synchronized condition (CheckFailure): False with the sync error's
 * reason and message while there is one, removed once a sync succeeds.
 */
export function withSyncFailure(list: readonly Condition[], err: SyncError | undefined, now: string): Condition[] {
  if (!err) return removeCondition(list, ConditionType.Synchronized);
  const cur = findCondition(list, ConditionType.Synchronized);
  if (cur?.status === 'False' && cur.reason === err.reason) return [...list];
  return [...removeCondition(list, ConditionType.Synchronized),
    { type: ConditionType.Synchronized, status: 'False', reason: err.reason, message: err.message, lastProbeTime: null, lastTransitionTime: now }];
}

/** An image pull error of one of the pod's containers (checkForContainerImageError). */
export function containerImageError(pod: object): SyncError | undefined {
  const st = (pod as { status?: { initContainerStatuses?: unknown[]; containerStatuses?: unknown[] } }).status ?? {};
  for (const c of [...(st.initContainerStatuses ?? []), ...(st.containerStatuses ?? [])]) {
    const waiting = (c as { state?: { waiting?: { reason?: string; message?: string } } }).state?.waiting;
    if (waiting?.reason === 'ErrImagePull' || waiting?.reason === 'ImagePullBackOff') return { reason: waiting.reason, message: waiting.message ?? '' };
  }
  return undefined;
}
