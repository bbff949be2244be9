// A MachineHealthCheck as the Machine API reads it: which Machines it
// watches (and which of them a MachineSet would replace), the unhealthy
// conditions and their timeouts, and how many unhealthy Machines
// maxUnhealthy tolerates before it stops remediating.

import type { Machine, MachineHealthCheck } from './kinds.ts';
import { durationSeconds } from './duration.ts';
import { labelSelectorMatches } from './label-selector.ts';

/** A Machine that a MachineSet controls: remediation deletes it and the MachineSet creates a replacement (control-plane Machines have none). */
export function isMachineSetMachine(m: Machine): boolean {
  return (m.metadata.ownerReferences ?? []).some((r) => r.kind === 'MachineSet' && r.controller !== false);
}

/** Which Machines a MachineHealthCheck watches, among those not being deleted. */
export interface MhcCoverage {
  /** The Machines not being deleted. */
  machines: Machine[];
  /** Those a MachineSet controls (the workers). */
  workers: Machine[];
  /** Those the MHC's selector selects. */
  selected: Machine[];
  /** Selected, but no MachineSet would replace them (control-plane Machines). */
  others: Machine[];
  /** Workers the selector leaves out. */
  missed: Machine[];
}

export function mhcCoverage(mhc: MachineHealthCheck, machines: readonly Machine[]): MhcCoverage {
  const live = machines.filter((m) => !m.metadata.deletionTimestamp);
  const workers = live.filter(isMachineSetMachine);
  const selected = live.filter((m) => labelSelectorMatches(mhc.spec?.selector, m.metadata.labels));
  return {
    machines: live,
    workers,
    selected,
    others: selected.filter((m) => !isMachineSetMachine(m)),
    missed: workers.filter((w) => !selected.includes(w)),
  };
}

/** The MHC's unhealthy condition for a node condition type and status (Ready=Unknown…), if it has one. */
export function unhealthyCondition(
  mhc: MachineHealthCheck, status: 'True' | 'False' | 'Unknown', type = 'Ready',
): MachineHealthCheck['spec']['unhealthyConditions'][number] | undefined {
  return (mhc.spec?.unhealthyConditions ?? []).find((u) => u.type === type && u.status === status);
}

/** That condition's timeout in seconds; undefined when there is no such condition or its timeout is not a duration. */
export function unhealthyTimeoutSeconds(mhc: MachineHealthCheck, status: 'True' | 'False' | 'Unknown', type = 'Ready'): number | undefined {
  return durationSeconds(unhealthyCondition(mhc, status, type)?.timeout);
}

/**
 * How many unhealthy Machines out of `total` spec.maxUnhealthy tolerates: all
 * when it is unset, a number as it is, a percentage of the total rounded down
 * (as the controller does), anything else none.
 */
export function toleratedUnhealthy(max: number | string | undefined, total: number): number {
  if (max === undefined) return total;
  if (typeof max === 'number') return max;
  const percent = /^(\d+)%$/.exec(max);
  if (percent) return Math.floor((Number(percent[1]) * total) / 100);
  return /^\d+$/.test(max) ? Number(max) : 0;
}
