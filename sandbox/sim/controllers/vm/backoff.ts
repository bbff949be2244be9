// Crash-loop backoff of VM starts (calculateStartBackoffTime and
// syncStartFailureStatus in KubeVirt's vm.go): a start failure is a VMI that
// became final without ever reaching Running; the n-th failure in a row delays
// the next start by 10 s × n² plus up to half of that again, capped at 300 s.
// KubeVirt draws the extra part at random; here it is derived from the VM uid
// and the count, so a run is reproducible.

import { createHash } from 'node:crypto';
import { rfc3339 } from '../../api/age.ts';
import type { Deadline } from '../../clock.ts';
import { RunStrategy, isFinalPhase } from './strategy.ts';

export const MAX_START_BACKOFF_SECONDS = 300;
const MIN_INTERVAL_SECONDS = 10;

export interface StartFailure {
  consecutiveFailCount: number;
  lastFailedVMIUID: string;
  retryAfterTimestamp: string;
}

/** A number in 0..range-1 that depends only on the seed and the count. */
export function jitter(seed: string, count: number, range: number): number {
  if (range <= 1) return 0;
  const h = createHash('sha256').update(`${seed}/${count}`).digest();
  return h.readUInt32BE(0) % range;
}

/** Seconds to wait after the `failCount`-th consecutive start failure. */
export function startBackoffSeconds(failCount: number, seed: string, maxDelay = MAX_START_BACKOFF_SECONDS): number {
  const n = failCount <= 0 ? 1 : failCount;
  const interval = Math.max(Math.floor(maxDelay / 30), MIN_INTERVAL_SECONDS);
  let delay = interval * n * n;
  delay += jitter(seed, n, Math.floor(delay / 2) + 1);
  return Math.min(delay, maxDelay);
}

export interface PhaseTransition {
  phase?: string;
  phaseTransitionTimestamp?: string;
}

export interface VmiRunFacts {
  uid: string;
  phase: string;
  phaseTransitionTimestamps: readonly PhaseTransition[];
}

export function wasEverRunning(vmi: VmiRunFacts | undefined): boolean {
  return !!vmi && vmi.phaseTransitionTimestamps.some((t) => t.phase === 'Running');
}

/** Final without ever having been Running. */
export function failedEarly(vmi: VmiRunFacts | undefined): boolean {
  return !!vmi && isFinalPhase(vmi.phase) && !wasEverRunning(vmi);
}

const RESTARTING_STRATEGIES: readonly string[] = [RunStrategy.Always, RunStrategy.RerunOnFailure, RunStrategy.Once];

/**
 * The next status.startFailure: cleared once an instance reached Running or
 * when the strategy never restarts by itself; a new early failure (not yet
 * counted, by VMI uid) increments the count and sets the retry time: the
 * (real) time at which the simulated backoff delay has passed (`deadline` is
 * Clock.deadline).
 */
export function nextStartFailure(
  current: StartFailure | undefined,
  strategy: string | undefined,
  vmi: VmiRunFacts | undefined,
  seed: string,
  now: number,
  deadline: Deadline,
): StartFailure | undefined {
  if (wasEverRunning(vmi)) return undefined;
  if (strategy !== undefined && !RESTARTING_STRATEGIES.includes(strategy)) return undefined;
  if (!vmi || !failedEarly(vmi)) return current;
  if (current && current.lastFailedVMIUID === vmi.uid) return current;
  const count = (current?.consecutiveFailCount ?? 0) + 1;
  const delay = startBackoffSeconds(count, seed);
  return { consecutiveFailCount: count, lastFailedVMIUID: vmi.uid, retryAfterTimestamp: rfc3339(deadline(wholeSeconds(now) * 1000, delay)) };
}

function wholeSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/**
 * Whole (simulated) seconds left before the next start may happen, rounded
 * up (0 when none is pending); `secondsUntil` is Clock.simSecondsUntil.
 */
export function backoffSecondsLeft(sf: StartFailure | undefined, secondsUntil: (realMs: number) => number): number {
  if (!sf?.retryAfterTimestamp) return 0;
  const retry = Date.parse(sf.retryAfterTimestamp);
  if (Number.isNaN(retry)) return 0;
  const diff = Math.ceil(secondsUntil(retry));
  return diff > 0 ? diff : 0;
}
