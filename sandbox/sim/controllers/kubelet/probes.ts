// The kubelet's probe workers as a pure state machine (pkg/kubelet/prober/worker.go):
// when a probe runs, and what a run does to the published result.
//
// A worker ticks every periodSeconds from the container's start; runs before
// initialDelaySeconds are skipped. Readiness starts as Failure, liveness as
// Success, startup as Unknown. A result is published only after
// successThreshold successes or failureThreshold failures in a row; a
// published liveness or startup failure kills the container and puts the
// worker on hold until the container is replaced. Liveness and readiness do
// not run until the startup probe (if any) has succeeded.

export type ProbeKind = 'readiness' | 'liveness' | 'startup';
export type ProbeResult = 'success' | 'failure' | 'unknown';

export interface ProbeTiming {
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  successThreshold: number;
  failureThreshold: number;
}

/** Kubernetes defaults for unset (or < 1) values; initialDelaySeconds defaults to 0. */
export const PROBE_DEFAULTS: ProbeTiming = {
  initialDelaySeconds: 0,
  periodSeconds: 10,
  timeoutSeconds: 1,
  successThreshold: 1,
  failureThreshold: 3,
};

function positive(v: unknown, dflt: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 1 ? Math.floor(v) : dflt;
}

export function probeTiming(probe: Record<string, unknown>): ProbeTiming {
  const delay = probe.initialDelaySeconds;
  return {
    initialDelaySeconds: typeof delay === 'number' && delay > 0 ? Math.floor(delay) : 0,
    periodSeconds: positive(probe.periodSeconds, PROBE_DEFAULTS.periodSeconds),
    timeoutSeconds: positive(probe.timeoutSeconds, PROBE_DEFAULTS.timeoutSeconds),
    successThreshold: positive(probe.successThreshold, PROBE_DEFAULTS.successThreshold),
    failureThreshold: positive(probe.failureThreshold, PROBE_DEFAULTS.failureThreshold),
  };
}

export interface ProbeWorker {
  kind: ProbeKind;
  /** The published result (what the status manager sees). */
  result: ProbeResult;
  /** Outcome of the last run and how many runs in a row had it. */
  lastRun?: 'success' | 'failure';
  run: number;
  /** Stopped after killing the container; a new container gets a new worker. */
  onHold: boolean;
  /** Ms of the last run, if any, on nextRunAt's timeline (the kubelet uses simulated ms since the container started). */
  lastRunAt?: number;
}

export function newWorker(kind: ProbeKind): ProbeWorker {
  return { kind, result: kind === 'readiness' ? 'failure' : kind === 'liveness' ? 'success' : 'unknown', run: 0, onHold: false };
}

/**
 * When the worker runs next: the first tick (startedAt + k·period) not before
 * the initial delay and after the last run; undefined when on hold.
 */
export function nextRunAt(w: ProbeWorker, t: ProbeTiming, startedAt: number): number | undefined {
  if (w.onHold) return undefined;
  const period = t.periodSeconds * 1000;
  const firstTick = Math.ceil((t.initialDelaySeconds * 1000) / period);
  const afterLast = w.lastRunAt === undefined ? 0 : Math.floor((w.lastRunAt - startedAt) / period) + 1;
  return startedAt + Math.max(firstTick, afterLast) * period;
}

export interface RunOutcome {
  worker: ProbeWorker;
  /** The published result changed. */
  changed: boolean;
  /** A liveness or startup failure was published: the container must be killed. */
  kill: boolean;
}

/** Applies one probe run (doProbe's threshold logic). */
export function recordRun(w: ProbeWorker, ok: boolean, t: ProbeTiming, at: number): RunOutcome {
  const outcome = ok ? 'success' : 'failure';
  const run = w.lastRun === outcome ? w.run + 1 : 1;
  let next: ProbeWorker = { ...w, lastRun: outcome, run, lastRunAt: at };
  const below = ok ? run < t.successThreshold : run < t.failureThreshold;
  if (below) return { worker: next, changed: false, kill: false };
  const changed = next.result !== outcome;
  next = { ...next, result: outcome };
  if (!ok && (w.kind === 'liveness' || w.kind === 'startup')) {
    return { worker: { ...next, onHold: true, run: 0 }, changed, kill: true };
  }
  return { worker: next, changed, kill: false };
}

/** Whether a probe of this kind runs now, given the startup probe's state. */
export function probeActive(kind: ProbeKind, startupResult: ProbeResult | undefined): boolean {
  if (kind === 'startup') return startupResult !== 'success';
  return startupResult === undefined || startupResult === 'success';
}

/** Container started = no startup probe, or it succeeded. */
export function containerStarted(startupResult: ProbeResult | undefined): boolean {
  return startupResult === undefined || startupResult === 'success';
}

/** Container ready = started, and no readiness probe or it succeeded. */
export function containerReady(startupResult: ProbeResult | undefined, readinessResult: ProbeResult | undefined): boolean {
  return containerStarted(startupResult) && (readinessResult === undefined || readinessResult === 'success');
}

/** "Readiness", "Liveness", "Startup" as kubelet events name them. */
export function probeKindTitle(kind: ProbeKind): string {
  return kind[0].toUpperCase() + kind.slice(1);
}
