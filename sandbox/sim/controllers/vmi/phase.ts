// The VMI phases virt-controller moves (reference §2.1): pure functions over
// the VMI phase, its deletion and what the launcher pod shows. Phases after
// Scheduled belong to virt-handler, except Failed when the pod is gone.

import type { KubeObject } from '../../api/object.ts';
import { COMPUTE_CONTAINER } from './launcher-pod.ts';

export const Phase = {
  Unset: '',
  Pending: 'Pending',
  Scheduling: 'Scheduling',
  Scheduled: 'Scheduled',
  Running: 'Running',
  Succeeded: 'Succeeded',
  Failed: 'Failed',
  WaitingForSync: 'WaitingForSync',
  Unknown: 'Unknown',
} as const;

export type VmiPhase = (typeof Phase)[keyof typeof Phase];

export function isFinalPhase(phase: string | undefined): boolean {
  return phase === Phase.Succeeded || phase === Phase.Failed;
}

/** "" or Pending: no launcher pod was created yet. */
export function isUnprocessed(phase: string | undefined): boolean {
  return !phase || phase === Phase.Pending;
}

interface PodLike {
  metadata: { deletionTimestamp?: string };
  status?: unknown;
}

interface ContainerStatus {
  name: string;
  ready?: boolean;
  state?: { running?: unknown; terminated?: unknown; waiting?: unknown };
}

function podStatus(pod: PodLike): { phase?: string; containerStatuses?: ContainerStatus[] } {
  return (pod.status ?? {}) as { phase?: string; containerStatuses?: ContainerStatus[] };
}

function computeTerminated(pod: PodLike): boolean {
  return (podStatus(pod).containerStatuses ?? []).some((c) => c.name === COMPUTE_CONTAINER && c.state?.terminated !== undefined);
}

/** Succeeded or Failed. */
export function isPodFinal(pod: PodLike): boolean {
  const p = podStatus(pod).phase;
  return p === 'Succeeded' || p === 'Failed';
}

/** The pod finished, its compute container stopped, or it is being deleted. */
export function isPodDownOrGoingDown(pod: PodLike): boolean {
  return isPodFinal(pod) || computeTerminated(pod) || pod.metadata.deletionTimestamp !== undefined;
}

/**
 * virt-controller's "pod ready": running, compute started (its own readiness
 * may wait for a VMI probe or the unpaused gate), every other container ready.
 */
export function isLauncherPodReady(pod: PodLike): boolean {
  if (isPodDownOrGoingDown(pod)) return false;
  for (const c of podStatus(pod).containerStatuses ?? []) {
    if (c.name === COMPUTE_CONTAINER) {
      if (c.state?.running === undefined) return false;
    } else if (!c.ready) {
      return false;
    }
  }
  return podStatus(pod).phase === 'Running';
}

export interface PhaseFacts {
  phase: string | undefined;
  /** The VMI has a deletionTimestamp. */
  deleting: boolean;
  /** The current launcher pod, if one exists. */
  pod?: PodLike;
}

/** The phase virt-controller gives a VMI (one step per pass). */
export function nextVmiPhase(f: PhaseFacts): string {
  const phase = f.phase ?? '';
  if (isUnprocessed(phase)) {
    if (f.pod) return Phase.Scheduling;
    if (f.deleting) return Phase.Failed;
    return Phase.Pending;
  }
  switch (phase) {
    case Phase.Scheduling:
      if (!f.pod) return Phase.Failed;
      if (isLauncherPodReady(f.pod) && !f.deleting) return Phase.Scheduled;
      if (isPodDownOrGoingDown(f.pod)) return Phase.Failed;
      return Phase.Scheduling;
    case Phase.Scheduled:
    case Phase.Running:
      return f.pod ? phase : Phase.Failed;
    default:
      return phase;
  }
}

/** The phaseTransitionTimestamps list after a phase change (unchanged when the phase is the same). */
export function withPhaseTransition(list: unknown, from: string | undefined, to: string, at: string): { phase: string; phaseTransitionTimestamp: string }[] {
  const current = Array.isArray(list) ? (list as { phase: string; phaseTransitionTimestamp: string }[]) : [];
  if ((from ?? '') === to) return current;
  return [...current, { phase: to, phaseTransitionTimestamp: at }];
}

/** When the VMI entered a phase (the last transition to it), in ms. */
export function phaseEnteredAt(vmi: KubeObject, phase: string): number | undefined {
  const list = ((vmi.status as { phaseTransitionTimestamps?: { phase: string; phaseTransitionTimestamp: string }[] } | undefined)?.phaseTransitionTimestamps) ?? [];
  for (let i = list.length - 1; i >= 0; i--) {
    if (list[i].phase === phase) {
      const t = Date.parse(list[i].phaseTransitionTimestamp);
      return Number.isNaN(t) ? undefined : t;
    }
  }
  return undefined;
}
