// VM status conditions (syncConditions in KubeVirt's vm.go): Ready mirrored
// from the VMI, every other VMI condition copied verbatim, Failure from the
// controller's own sync errors, RestartRequired when the template changed
// under a running instance. Pure functions over condition lists.

export interface Condition {
  type: string;
  status: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string | null;
  reason?: string;
  message?: string;
}

export const VmCondition = {
  Ready: 'Ready',
  Failure: 'Failure',
  RestartRequired: 'RestartRequired',
  Paused: 'Paused',
} as const;

export const ConditionReason = {
  VMINotExists: 'VMINotExists',
  VMIConditionMissing: 'VMIConditionMissing',
} as const;

export const ConditionMessage = {
  VMINotExists: 'VMI does not exist',
  VMIConditionMissing: 'VMI is missing the Ready condition',
  RestartRequired: 'a non-live-updatable field was changed in the template spec',
} as const;

/** A controller sync error: reported as the Failure condition. */
export interface SyncError {
  reason: string;
  message: string;
}

/** Conditions the VM owns itself; the others mirror the VMI. */
const NOT_MIRRORED: ReadonlySet<string> = new Set([VmCondition.Ready, VmCondition.Failure, VmCondition.RestartRequired]);

/** A condition in the VM's JSON shape: both timestamps present (null when unset), reason and message only when non-empty. */
export function condition(c: Condition): Condition {
  const out: Condition = { type: c.type, status: c.status, lastProbeTime: c.lastProbeTime ?? null, lastTransitionTime: c.lastTransitionTime ?? null };
  if (c.reason) out.reason = c.reason;
  if (c.message) out.message = c.message;
  return out;
}

export function findCondition(conds: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conds?.find((c) => c.type === type);
}

/** Sets a condition, replacing an existing one only when its status or reason differs (timestamps stay otherwise). */
export function updateCondition(conds: readonly Condition[], c: Condition): Condition[] {
  const i = conds.findIndex((x) => x.type === c.type);
  if (i < 0) return [...conds, condition(c)];
  const cur = conds[i];
  if (cur.status === c.status && (cur.reason ?? '') === (c.reason ?? '')) return [...conds];
  const out = [...conds];
  out[i] = condition(c);
  return out;
}

export function removeCondition(conds: readonly Condition[], type: string): Condition[] {
  return conds.filter((c) => c.type !== type);
}

/** The VM's Ready condition for the instance (or its absence). */
export function readyCondition(vmiConditions: readonly Condition[] | undefined, vmiExists: boolean, now: string): Condition {
  if (!vmiExists) {
    return { type: VmCondition.Ready, status: 'False', reason: ConditionReason.VMINotExists, message: ConditionMessage.VMINotExists, lastProbeTime: now, lastTransitionTime: now };
  }
  const ready = findCondition(vmiConditions, VmCondition.Ready);
  if (!ready) {
    return { type: VmCondition.Ready, status: 'False', reason: ConditionReason.VMIConditionMissing, message: ConditionMessage.VMIConditionMissing, lastProbeTime: now, lastTransitionTime: now };
  }
  return { ...ready, type: VmCondition.Ready };
}

/**
 * All conditions after one pass: Ready and Failure always; when an instance
 * exists, its other conditions are copied and VM conditions it no longer has
 * are dropped (when none exists, earlier copies stay, as in KubeVirt).
 */
export function syncConditions(
  conds: readonly Condition[],
  vmi: { conditions: readonly Condition[] } | undefined,
  syncError: SyncError | undefined,
  now: string,
): Condition[] {
  let out = updateCondition(conds, readyCondition(vmi?.conditions, !!vmi, now));
  out = syncError
    ? updateCondition(out, { type: VmCondition.Failure, status: 'True', reason: syncError.reason, message: syncError.message, lastTransitionTime: now })
    : removeCondition(out, VmCondition.Failure);
  if (!vmi) return out;
  const present = new Set<string>();
  for (const c of vmi.conditions) {
    if (NOT_MIRRORED.has(c.type)) continue;
    present.add(c.type);
    out = updateCondition(out, c);
  }
  return out.filter((c) => NOT_MIRRORED.has(c.type) || present.has(c.type));
}

export function setRestartRequired(conds: readonly Condition[], now: string): Condition[] {
  return updateCondition(conds, { type: VmCondition.RestartRequired, status: 'True', message: ConditionMessage.RestartRequired, lastTransitionTime: now });
}
