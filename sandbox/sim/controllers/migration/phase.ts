// The local live-migration phase machine of virt-controller's migration
// controller (updateStatus + processMigrationPhase), as pure functions over
// the migration, its VMI and its target pod. One call moves at most one step.

import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import type { Elapsed } from '../../clock.ts';

export type MigrationPhase =
  | '' | 'Pending' | 'Scheduling' | 'Scheduled' | 'PreparingTarget' | 'TargetReady' | 'Running' | 'Succeeded' | 'Failed';

/** Event reasons of the migration controller (pkg/controller constants). */
export const Reason = {
  FailedMigration: 'FailedMigration',
  SuccessfulMigration: 'SuccessfulMigration',
  SuccessfulCreate: 'SuccessfulCreate',
  FailedCreate: 'FailedCreate',
  SuccessfulDelete: 'SuccessfulDelete',
  FailedDelete: 'FailedDelete',
  SuccessfulHandOver: 'SuccessfulHandOver',
  SuccessfulAbortMigration: 'SuccessfulAbortMigration',
  FailedAbortMigration: 'FailedAbortMigration',
  MigrationTargetPodUnschedulable: 'migrationTargetPodUnschedulable',
  MigrationBackoff: 'MigrationBackoff',
} as const;

export const Message = {
  vmiGone: 'Migration failed because vmi does not exist.',
  vmiShutdown: 'Migration failed vmi shutdown during migration.',
  canceled: 'Migration failed due to being canceled',
  targetPodDown: 'Migration failed because target pod shutdown during migration',
  targetPodRemoved: 'Migration target pod was removed during active migration.',
  stateCleared: "VMI's migration state was cleared during the active migration.",
  stateTakenOver: "VMI's migration state was taken over by another migration job during active migration.",
  sourceFailed: 'source node reported migration failed',
  notEligible: 'VMI is not eligible for migration because another migration job is in progress.',
  succeeded: 'Source node reported migration succeeded',
} as const;

export const ABORT_REQUESTED_CONDITION = 'migrationAbortRequested';

/** VMI status.migrationState (the fields the simulator uses). */
export interface MigrationState {
  migrationUid?: string;
  sourceNode?: string;
  sourcePod?: string;
  targetNode?: string;
  targetPod?: string;
  targetNodeAddress?: string;
  targetDirectMigrationNodePorts?: Record<string, number>;
  targetNodeDomainDetected?: boolean;
  targetNodeDomainReadyTimestamp?: string;
  startTimestamp?: string;
  endTimestamp?: string;
  completed?: boolean;
  failed?: boolean;
  failureReason?: string;
  abortRequested?: boolean;
  abortStatus?: 'Aborting' | 'Succeeded' | 'Failed';
  mode?: 'PreCopy' | 'PostCopy' | 'Paused';
  migrationConfiguration?: Record<string, unknown>;
  migrationNetworkType?: string;
}

type Json = Record<string, unknown>;

function obj(v: unknown): Json {
  return isPlainObject(v) ? v : {};
}

export function migrationPhase(m: KubeObject): MigrationPhase {
  const p = obj(m.status).phase;
  return (typeof p === 'string' ? p : '') as MigrationPhase;
}

export function isFinalPhase(p: MigrationPhase): boolean {
  return p === 'Succeeded' || p === 'Failed';
}

/** The phase says a target pod should already exist. */
export function targetIsCreated(p: MigrationPhase): boolean {
  return p !== '' && p !== 'Pending';
}

/** The phase says the VMI has been told about the migration (handoff done). */
export function targetIsHandedOff(p: MigrationPhase): boolean {
  return p !== '' && p !== 'Pending' && p !== 'Scheduling' && p !== 'Scheduled';
}

/** Running phases (virt-controller counts these against the parallel limits). */
export function migrationIsRunning(p: MigrationPhase): boolean {
  return p !== '' && p !== 'Pending' && !isFinalPhase(p);
}

export function vmiMigrationState(vmi: KubeObject | undefined): MigrationState | undefined {
  const ms = obj(vmi?.status).migrationState;
  return isPlainObject(ms) ? (ms as MigrationState) : undefined;
}

export function vmiPhase(vmi: KubeObject): string {
  const p = obj(vmi.status).phase;
  return typeof p === 'string' ? p : '';
}

export function vmiIsFinal(vmi: KubeObject): boolean {
  const p = vmiPhase(vmi);
  return p === 'Succeeded' || p === 'Failed';
}

function podPhase(pod: KubeObject): string {
  const p = obj(pod.status).phase;
  return typeof p === 'string' ? p : '';
}

interface ContainerStatus {
  name: string;
  ready?: boolean;
  state?: { running?: unknown; terminated?: unknown; waiting?: unknown };
}

function containerStatuses(pod: KubeObject): ContainerStatus[] {
  const cs = obj(pod.status).containerStatuses;
  return Array.isArray(cs) ? (cs as ContainerStatus[]) : [];
}

/** PodIsDown: the pod finished. */
export function podIsDown(pod: KubeObject): boolean {
  const p = podPhase(pod);
  return p === 'Succeeded' || p === 'Failed';
}

/** IsPodDownOrGoingDown: finished, compute exited, or being deleted. */
export function podIsDownOrGoingDown(pod: KubeObject): boolean {
  return podIsDown(pod) || !!pod.metadata.deletionTimestamp
    || containerStatuses(pod).some((c) => c.name === 'compute' && !!c.state?.terminated);
}

/**
 * virt-controller's IsPodReady for launcher pods: Running, the compute
 * container started (its readiness belongs to the VMI) and the others ready.
 * The pod's Ready condition is not consulted: it waits on a readiness gate.
 */
export function launcherPodReady(pod: KubeObject): boolean {
  if (podIsDownOrGoingDown(pod)) return false;
  for (const c of containerStatuses(pod)) {
    if (c.name === 'compute' || c.name === 'istio-proxy') {
      if (!c.state?.running) return false;
    } else if (!c.ready) return false;
  }
  return podPhase(pod) === 'Running';
}

function hasCondition(o: KubeObject | undefined, type: string, status?: string): boolean {
  const cs = obj(o?.status).conditions;
  return Array.isArray(cs) && cs.some((c) => obj(c).type === type && (status === undefined || obj(c).status === status));
}

export interface MigrationFacts {
  migration: KubeObject;
  /** Undefined when the VMI no longer exists. */
  vmi?: KubeObject;
  /** The migration's target launcher pod, if one exists. */
  targetPod?: KubeObject;
  /** The VMI's migrationState belongs to another migration that is not final (canMigrateVMI false). */
  otherMigrationActive: boolean;
}

export interface MigrationEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface MigrationStep {
  phase: MigrationPhase;
  event?: MigrationEvent;
  /** Add the migrationAbortRequested condition. */
  abortRequested?: boolean;
}

const failed = (message: string, abortRequested = false): MigrationStep => ({
  phase: 'Failed', event: { type: 'Warning', reason: Reason.FailedMigration, message }, ...(abortRequested ? { abortRequested } : {}),
});

/**
 * The next phase of a migration: failures first (updateStatus), then the
 * normal progression (processMigrationPhase). Returns the current phase when
 * nothing changes.
 */
export function nextMigrationStep(f: MigrationFacts): MigrationStep {
  const { migration: m, vmi, targetPod } = f;
  const phase = migrationPhase(m);
  const uid = m.metadata.uid;
  if (isFinalPhase(phase)) return { phase };
  if (!vmi) return failed(Message.vmiGone);
  if (vmiIsFinal(vmi)) return failed(Message.vmiShutdown);
  const ms = vmiMigrationState(vmi);
  const handedOff = ms !== undefined && ms.migrationUid === uid;
  const deleting = !!m.metadata.deletionTimestamp;
  if (deleting && !handedOff) return failed(Message.canceled, !hasCondition(m, ABORT_REQUESTED_CONDITION));
  if (targetPod && podIsDown(targetPod)) return failed(Message.targetPodDown);
  if (targetIsCreated(phase) && !targetPod) return failed(Message.targetPodRemoved);
  if (targetIsHandedOff(phase) && !ms) return failed(Message.stateCleared);
  if (targetIsHandedOff(phase) && ms && ms.migrationUid !== uid) return failed(Message.stateTakenOver);
  if (handedOff && ms.failed) return failed(Message.sourceFailed);
  if (deleting && !hasCondition(m, ABORT_REQUESTED_CONDITION)) return { phase, abortRequested: true };

  switch (phase) {
    case '':
      return f.otherMigrationActive ? failed(Message.notEligible) : { phase: 'Pending' };
    case 'Pending':
      return targetPod ? { phase: 'Scheduling' } : { phase };
    case 'Scheduling':
      return targetPod && launcherPodReady(targetPod) ? { phase: 'Scheduled' } : { phase };
    case 'Scheduled':
      return handedOff && ms.targetNode ? { phase: 'PreparingTarget' } : { phase };
    case 'PreparingTarget':
      return handedOff && ms.targetNode && ms.targetNodeAddress ? { phase: 'TargetReady' } : { phase };
    case 'TargetReady':
      return handedOff && ms.startTimestamp ? { phase: 'Running' } : { phase };
    case 'Running':
      if (handedOff && ms.completed
        && !hasCondition(vmi, 'HotVCPUChange')
        && !hasCondition(vmi, 'HotMemoryChange', 'True')
        && !hasCondition(vmi, 'MigrationRequired', 'True')) {
        return { phase: 'Succeeded', event: { type: 'Normal', reason: Reason.SuccessfulMigration, message: Message.succeeded } };
      }
      return { phase };
    default:
      return { phase };
  }
}

/** Seconds virt-controller waits for a Pending target pod: unschedulable, and any reason. */
export const UNSCHEDULABLE_PENDING_TIMEOUT_SECONDS = 5 * 60;
export const CATCH_ALL_PENDING_TIMEOUT_SECONDS = 15 * 60;

/** Finalized migrations kept per VMI; older ones are deleted. */
export const FINALIZED_MIGRATIONS_KEPT = 5;

/**
 * Finalized migrations of one VMI to garbage-collect: all but the newest
 * FINALIZED_MIGRATIONS_KEPT (by creation time), ignoring ones already deleting.
 */
export function migrationsToCollect(migrations: KubeObject[]): KubeObject[] {
  const finalized = migrations
    .filter((m) => isFinalPhase(migrationPhase(m)) && !m.metadata.deletionTimestamp)
    .sort((a, b) => Date.parse(a.metadata.creationTimestamp ?? '') - Date.parse(b.metadata.creationTimestamp ?? ''));
  return finalized.slice(0, Math.max(0, finalized.length - FINALIZED_MIGRATIONS_KEPT));
}

/**
 * Backoff for evacuation (and workload-update) migrations after failures
 * (handleMigrationBackoff): 20 s after the first failed predecessor, doubling
 * per further failure back to the last success. Returns the (simulated)
 * seconds left, or 0; `elapsed` is Clock.elapsed.
 */
export function migrationBackoffSeconds(migration: KubeObject, sameVmi: KubeObject[], elapsed: Elapsed): number {
  const ann = migration.metadata.annotations ?? {};
  if (ann['kubevirt.io/evacuationMigration'] === undefined && ann['kubevirt.io/workloadUpdateMigration'] === undefined) return 0;
  const eligible = sameVmi.filter((m) => {
    const a = m.metadata.annotations ?? {};
    return a['kubevirt.io/evacuationMigration'] !== undefined || a['kubevirt.io/workloadUpdateMigration'] !== undefined;
  });
  if (eligible.length < 2) return 0;
  const newestFirst = [...eligible].sort((a, b) => Date.parse(b.metadata.creationTimestamp ?? '') - Date.parse(a.metadata.creationTimestamp ?? ''));
  if (newestFirst[0].metadata.uid !== migration.metadata.uid) return 0;
  let backoff = 0;
  for (const m of newestFirst.slice(1)) {
    const p = migrationPhase(m);
    if (p === 'Succeeded') break;
    if (m.metadata.deletionTimestamp) continue;
    if (p === 'Failed') backoff = backoff === 0 ? 20 : backoff * 2;
  }
  if (backoff === 0) return 0;
  const ts = obj(newestFirst[1].status).phaseTransitionTimestamps;
  const failedAt = (Array.isArray(ts) ? ts.map(obj) : []).find((t) => t.phase === 'Failed')?.phaseTransitionTimestamp;
  return Math.max(0, backoff - elapsed(typeof failedAt === 'string' ? Date.parse(failedAt) : 0) / 1000);
}
