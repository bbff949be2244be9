// Which machines a MachineSet deletes first when it scales down: each policy
// maps a machine to a priority (higher goes first), as machine-api-operator's
// delete_policy.go. Machines already deleting or annotated for deletion always
// lead; Random prefers machines without a Node, then picks at random.

import type { KubeObject } from '../../api/object.ts';
import type { Elapsed } from '../../clock.ts';

export type DeletePolicy = 'Random' | 'Newest' | 'Oldest';

/** Annotation that marks a machine to go first (and its older spelling). */
export const DELETE_MACHINE_ANNOTATION = 'machine.openshift.io/delete-machine';
export const OLD_DELETE_MACHINE_ANNOTATION = 'machine.openshift.io/cluster-api-delete-machine';

const MUST_DELETE = 100;
const BETTER_DELETE = 50;
const PREFER_DELETE = 40;
const COULD_DELETE = 20;
const MUST_NOT_DELETE = 0;
const SECONDS_PER_HUNDRED_DAYS = 8640000;

function marked(m: KubeObject): boolean {
  const a = m.metadata.annotations ?? {};
  return !!a[DELETE_MACHINE_ANNOTATION] || !!a[OLD_DELETE_MACHINE_ANNOTATION];
}

function failed(m: KubeObject): boolean {
  const s = (m.status ?? {}) as { errorReason?: string; errorMessage?: string };
  return s.errorReason !== undefined || s.errorMessage !== undefined;
}

function oldest(m: KubeObject, elapsed: Elapsed): number {
  if (m.metadata.deletionTimestamp || marked(m) || failed(m)) return MUST_DELETE;
  if (!m.metadata.creationTimestamp) return MUST_NOT_DELETE;
  const age = elapsed(Date.parse(m.metadata.creationTimestamp)) / 1000;
  if (age < 0) return MUST_NOT_DELETE;
  return BETTER_DELETE * (1 - Math.exp(-age / SECONDS_PER_HUNDRED_DAYS));
}

function newest(m: KubeObject, elapsed: Elapsed): number {
  if (m.metadata.deletionTimestamp || marked(m) || failed(m)) return MUST_DELETE;
  return MUST_DELETE - oldest(m, elapsed);
}

function random(m: KubeObject): number {
  if (m.metadata.deletionTimestamp) return MUST_DELETE;
  if (marked(m) || failed(m)) return BETTER_DELETE;
  if (!(m.status as { nodeRef?: unknown } | undefined)?.nodeRef) return PREFER_DELETE;
  return COULD_DELETE;
}

export function isDeletePolicy(p: unknown): p is DeletePolicy {
  return p === 'Random' || p === 'Newest' || p === 'Oldest';
}

/**
 * The `diff` machines to delete, highest priority first; among equal
 * priorities the order is random (Go's unstable sort), drawn from `rand`.
 * `elapsed` gives a machine's (simulated) age from its creationTimestamp (Clock.elapsed).
 */
export function machinesToDelete(machines: readonly KubeObject[], diff: number, policy: DeletePolicy | undefined, elapsed: Elapsed, rand: () => number = Math.random): KubeObject[] {
  if (diff <= 0) return [];
  if (diff >= machines.length) return [...machines];
  const prio = policy === 'Newest' ? (m: KubeObject) => newest(m, elapsed) : policy === 'Oldest' ? (m: KubeObject) => oldest(m, elapsed) : random;
  const ranked = machines.map((m) => ({ m, p: prio(m), tie: rand() }));
  ranked.sort((a, b) => b.p - a.p || a.tie - b.tie);
  return ranked.slice(0, diff).map((r) => r.m);
}
