// status.printableStatus of a VirtualMachine (setPrintableStatus in KubeVirt's
// vm.go, reference §1.4): an ordered rule table, first match wins. Storage
// facts (DataVolumes, PVCs) are passed in rather than looked up.

import type { Condition } from './conditions.ts';
import { findCondition } from './conditions.ts';
import { RunStrategy, isFinalPhase } from './strategy.ts';

export const PrintableStatus = {
  Terminating: 'Terminating',
  Stopping: 'Stopping',
  Migrating: 'Migrating',
  Paused: 'Paused',
  Running: 'Running',
  ErrorPvcNotFound: 'ErrorPvcNotFound',
  DataVolumeError: 'DataVolumeError',
  ErrorUnschedulable: 'ErrorUnschedulable',
  Provisioning: 'Provisioning',
  WaitingForVolumeBinding: 'WaitingForVolumeBinding',
  ErrImagePull: 'ErrImagePull',
  ImagePullBackOff: 'ImagePullBackOff',
  Starting: 'Starting',
  CrashLoopBackOff: 'CrashLoopBackOff',
  Stopped: 'Stopped',
  WaitingForReceiver: 'WaitingForReceiver',
  Unknown: 'Unknown',
} as const;

export type PrintableStatusName = (typeof PrintableStatus)[keyof typeof PrintableStatus];

export interface PrintableVmi {
  phase: string;
  deleting: boolean;
  conditions: readonly Condition[];
  /** status.migrationState start/end, ms since the epoch. */
  migrationStart?: number;
  migrationEnd?: number;
}

export interface PrintableFacts {
  now: number;
  vmDeleting: boolean;
  vmi: PrintableVmi | undefined;
  /** The controller created an instance in this pass (not yet observed). */
  startExpected: boolean;
  /** The controller deleted the instance in this pass (not yet observed). */
  stopExpected: boolean;
  /** The effective run strategy; undefined when it cannot be determined. */
  strategy: string | undefined;
  startFailureCount: number;
  setToStart: boolean;
  dataVolumeError: boolean;
  dataVolumeProvisioning: boolean;
  pvcUnbound: boolean;
}

function hasCondition(vmi: PrintableVmi | undefined, type: string, status: string, reason?: string): boolean {
  const c = findCondition(vmi?.conditions, type);
  return !!c && c.status === status && (reason === undefined || c.reason === reason);
}

function paused(vmi: PrintableVmi): boolean {
  return hasCondition(vmi, 'Paused', 'True');
}

function migrating(f: PrintableFacts): boolean {
  const m = f.vmi;
  if (!m || m.migrationStart === undefined || m.migrationStart > f.now) return false;
  return !(m.migrationEnd !== undefined && m.migrationEnd <= f.now);
}

function syncFailed(vmi: PrintableVmi | undefined, reason: string): boolean {
  return hasCondition(vmi, 'Synchronized', 'False', reason);
}

export interface PrintableRule {
  status: PrintableStatusName;
  when: (f: PrintableFacts) => boolean;
}

/** In order of precedence. */
export const PRINTABLE_STATUS_RULES: readonly PrintableRule[] = [
  { status: PrintableStatus.Terminating, when: (f) => f.vmDeleting },
  { status: PrintableStatus.Stopping, when: (f) => !!f.vmi && !isFinalPhase(f.vmi.phase) && (f.vmi.deleting || f.stopExpected) },
  { status: PrintableStatus.Migrating, when: migrating },
  { status: PrintableStatus.Paused, when: (f) => f.vmi?.phase === 'Running' && paused(f.vmi) },
  { status: PrintableStatus.Running, when: (f) => f.vmi?.phase === 'Running' && !paused(f.vmi) },
  { status: PrintableStatus.ErrorPvcNotFound, when: (f) => syncFailed(f.vmi, 'FailedPvcNotFound') },
  { status: PrintableStatus.DataVolumeError, when: (f) => f.dataVolumeError },
  { status: PrintableStatus.ErrorUnschedulable, when: (f) => hasCondition(f.vmi, 'PodScheduled', 'False', 'Unschedulable') },
  { status: PrintableStatus.Provisioning, when: (f) => f.dataVolumeProvisioning },
  { status: PrintableStatus.WaitingForVolumeBinding, when: (f) => f.setToStart && f.pvcUnbound },
  { status: PrintableStatus.ErrImagePull, when: (f) => syncFailed(f.vmi, 'ErrImagePull') },
  { status: PrintableStatus.ImagePullBackOff, when: (f) => syncFailed(f.vmi, 'ImagePullBackOff') },
  {
    status: PrintableStatus.Starting,
    when: (f) => (f.vmi ? ['', 'Pending', 'Scheduling', 'Scheduled'].includes(f.vmi.phase) : f.startExpected),
  },
  {
    status: PrintableStatus.CrashLoopBackOff,
    when: (f) => (!f.vmi || isFinalPhase(f.vmi.phase)) && !f.startExpected && f.startFailureCount > 0
      && (f.strategy === RunStrategy.Always || f.strategy === RunStrategy.RerunOnFailure || f.strategy === RunStrategy.Once),
  },
  { status: PrintableStatus.Stopped, when: (f) => (f.vmi ? isFinalPhase(f.vmi.phase) : !f.startExpected) },
  { status: PrintableStatus.WaitingForReceiver, when: (f) => f.strategy === RunStrategy.WaitAsReceiver && (!f.vmi || f.vmi.phase === 'WaitingForSync') },
];

export function derivePrintableStatus(f: PrintableFacts): PrintableStatusName {
  return PRINTABLE_STATUS_RULES.find((r) => r.when(f))?.status ?? PrintableStatus.Unknown;
}
