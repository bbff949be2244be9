// How long the kubelet takes to act on a probe, from its timings and the
// Kubernetes defaults (periodSeconds 10, failureThreshold 3,
// successThreshold 1, timeoutSeconds 1): how long a behavioural check must
// give a probe to notice a failure, or a recovery.

import type { Probe } from './kinds.ts';

/** Seconds of failing probes before the kubelet acts (marks not ready, or restarts): periodSeconds × failureThreshold plus one probe timeout. */
export function probeFailureSeconds(p: Probe): number {
  return (p.periodSeconds ?? 10) * (p.failureThreshold ?? 3) + (p.timeoutSeconds ?? 1);
}

/** Seconds of passing probes before a failed probe counts as passing again: periodSeconds × successThreshold. */
export function probeSuccessSeconds(p: Probe): number {
  return (p.periodSeconds ?? 10) * (p.successThreshold ?? 1);
}
