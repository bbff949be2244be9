// Kubernetes label selectors (metav1.LabelSelector) as the Machine API and
// MetalLB apply them to Machines, pools and nodes, and in the words a
// message shows them.

import type { LabelSelector } from './kinds.ts';

const OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

/**
 * Whether the labels satisfy the selector: every matchLabels pair and every
 * matchExpressions requirement (In, NotIn, Exists, DoesNotExist). An empty or
 * absent selector selects everything; an unknown operator selects nothing
 * (the API server would reject it).
 */
export function labelSelectorMatches(selector: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector?.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of selector?.matchExpressions ?? []) {
    if (!OPERATORS.has(e.operator)) return false;
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    const listed = has && (e.values ?? []).includes(l[e.key]);
    if (e.operator === 'In' && !listed) return false;
    if (e.operator === 'NotIn' && listed) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/**
 * "machine.openshift.io/cluster-api-machine-role=worker,zone In (a,b)"; an
 * empty selector as "(empty: every <what>)", since it selects them all.
 */
export function describeLabelSelector(selector: LabelSelector | undefined, what: string): string {
  const parts = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector?.matchExpressions ?? []) parts.push(`${e.key} ${e.operator}${e.values?.length ? ` (${e.values.join(',')})` : ''}`);
  return parts.length ? parts.join(',') : `(empty: every ${what})`;
}
