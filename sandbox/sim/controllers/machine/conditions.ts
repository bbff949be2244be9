// Machine API conditions (machine.openshift.io/v1beta1 Condition): like
// metav1 conditions plus a severity; the transition time moves whenever the
// status, reason, severity or message changes (openshift's conditions.Set).

import { rfc3339 } from '../../api/age.ts';
import type { KubeObject } from '../../api/object.ts';

export interface MachineCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  severity?: 'Error' | 'Warning' | 'Info';
  reason?: string;
  message?: string;
  lastTransitionTime: string;
}

export type ConditionInput = Omit<MachineCondition, 'lastTransitionTime'>;

function sameState(a: MachineCondition, b: ConditionInput): boolean {
  return a.status === b.status && (a.reason ?? '') === (b.reason ?? '') && (a.severity ?? '') === (b.severity ?? '') && (a.message ?? '') === (b.message ?? '');
}

/** A new condition list with `c` set; other conditions keep their order. */
export function setCondition(list: readonly MachineCondition[] | undefined, c: ConditionInput, now: number): MachineCondition[] {
  const out = [...(list ?? [])].map((x) => ({ ...x }));
  const i = out.findIndex((x) => x.type === c.type);
  const clean: ConditionInput = { type: c.type, status: c.status };
  if (c.severity) clean.severity = c.severity;
  if (c.reason) clean.reason = c.reason;
  if (c.message) clean.message = c.message;
  if (i < 0) {
    out.push({ ...clean, lastTransitionTime: rfc3339(now) });
  } else {
    const ltt = sameState(out[i], clean) ? out[i].lastTransitionTime : rfc3339(now);
    out[i] = { ...clean, lastTransitionTime: ltt };
  }
  return out;
}

export function getCondition(obj: KubeObject | undefined, type: string): MachineCondition | undefined {
  const conds = (obj?.status as { conditions?: MachineCondition[] } | undefined)?.conditions;
  return conds?.find((c) => c.type === type);
}

/** A Node's condition of a type (Ready, MemoryPressure …). */
export function nodeCondition(node: KubeObject | undefined, type: string): { type: string; status: string; reason?: string; lastTransitionTime?: string } | undefined {
  const conds = (node?.status as { conditions?: { type: string; status: string; reason?: string; lastTransitionTime?: string }[] } | undefined)?.conditions;
  return conds?.find((c) => c.type === type);
}
