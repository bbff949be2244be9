// What the VM controller does for each run strategy (reference §1.3), as pure
// functions over plain facts: the effective strategy, the queued state change
// requests (virtctl start/stop/restart) and the decision for one pass.

export const RunStrategy = {
  Always: 'Always',
  RerunOnFailure: 'RerunOnFailure',
  Manual: 'Manual',
  Halted: 'Halted',
  Once: 'Once',
  WaitAsReceiver: 'WaitAsReceiver',
} as const;

export type RunStrategyName = (typeof RunStrategy)[keyof typeof RunStrategy];

export const StateChangeAction = { Start: 'Start', Stop: 'Stop' } as const;

export interface StateChangeRequest {
  action: string;
  /** UID of the VMI a Stop applies to. */
  uid?: string;
  data?: Record<string, string>;
}

/** The data key and value of a "start paused" request. */
export const START_PAUSED_KEY = 'paused';
export const START_PAUSED_TRUE = 'true';

/** What the controller needs to know about the VM's instance, if there is one. */
export interface VmiFacts {
  uid: string;
  /** status.phase; "" when unset. */
  phase: string;
  /** The VMI has a deletionTimestamp. */
  deleting: boolean;
}

export function isFinalPhase(phase: string): boolean {
  return phase === 'Succeeded' || phase === 'Failed';
}

interface RunFields {
  running?: unknown;
  runStrategy?: unknown;
}

/**
 * spec.running / spec.runStrategy → the strategy in effect (VirtualMachine.RunStrategy()):
 * running true → Always, false → Halted, else runStrategy, else Halted. Both set is an error
 * (the admission webhook normally prevents it).
 */
export function effectiveRunStrategy(spec: RunFields | undefined): { strategy: string } | { error: string } {
  const running = spec?.running;
  const rs = spec?.runStrategy;
  const hasRunning = running !== undefined && running !== null;
  const hasStrategy = rs !== undefined && rs !== null;
  if (hasRunning && hasStrategy) return { error: 'running and runstrategy are mutually exclusive' };
  if (hasRunning) return { strategy: running === true ? RunStrategy.Always : RunStrategy.Halted };
  if (hasStrategy) return { strategy: String(rs) };
  return { strategy: RunStrategy.Halted };
}

// ---- state change requests (only the first one is ever acted on) ----------------

export function hasStartRequest(reqs: readonly StateChangeRequest[]): boolean {
  return reqs[0]?.action === StateChangeAction.Start;
}

export function hasStartPausedRequest(reqs: readonly StateChangeRequest[]): boolean {
  const first = reqs[0];
  return first?.action === StateChangeAction.Start && first.data?.[START_PAUSED_KEY] === START_PAUSED_TRUE;
}

export function hasStopRequestFor(reqs: readonly StateChangeRequest[], vmiUid: string): boolean {
  const first = reqs[0];
  return first?.action === StateChangeAction.Stop && first.uid !== undefined && first.uid === vmiUid;
}

/**
 * Whether the first request is done and can be popped: a Stop once no VMI
 * exists or the VMI is another one (or the Stop names none); a Start once a
 * live, non-final VMI exists.
 */
export function firstRequestDone(reqs: readonly StateChangeRequest[], vmi: VmiFacts | undefined): boolean {
  const first = reqs[0];
  if (!first) return false;
  if (first.action === StateChangeAction.Stop) {
    if (!vmi) return true;
    return first.uid === undefined || first.uid !== vmi.uid;
  }
  if (first.action === StateChangeAction.Start) {
    return !!vmi && !vmi.deleting && !isFinalPhase(vmi.phase);
  }
  return false;
}

// ---- the per-strategy table ------------------------------------------------------

export interface StrategyInput {
  strategy: string;
  vmi: VmiFacts | undefined;
  requests: readonly StateChangeRequest[];
  /** status.runStrategy: the strategy applied when an instance last existed ("" if never). */
  recordedStrategy: string;
  /** Seconds of crash-loop backoff still to wait before a new instance may start. */
  backoffSecondsLeft: number;
}

export type StrategyAction =
  | { kind: 'none' }
  /** Create the VMI (startVMI). */
  | { kind: 'create' }
  /** Delete the VMI (stopVMI); `requestStart` queues a Start request afterwards (RerunOnFailure after a failure). */
  | { kind: 'delete'; requestStart: boolean }
  /** Start failure backoff: look again after this many seconds. */
  | { kind: 'wait'; seconds: number }
  /** Halted with a Start request (start --paused): switch the spec to Always / running=true. */
  | { kind: 'switchToAlways' }
  | { kind: 'error'; message: string };

const NONE: StrategyAction = { kind: 'none' };

function startUnlessBackingOff(backoff: number): StrategyAction {
  return backoff > 0 ? { kind: 'wait', seconds: backoff } : { kind: 'create' };
}

/** RerunOnFailure starts a missing instance only on request or right after switching to it. */
export function shouldStartRerunOnFailure(reqs: readonly StateChangeRequest[], recordedStrategy: string): boolean {
  return hasStartRequest(reqs) || recordedStrategy !== RunStrategy.RerunOnFailure;
}

/** One pass of the run-strategy table (syncRunStrategy). A VMI already being deleted is never deleted again. */
export function decideRunStrategyAction(input: StrategyInput): StrategyAction {
  const { strategy, vmi, requests, recordedStrategy, backoffSecondsLeft } = input;
  const del = (requestStart = false): StrategyAction => (vmi && !vmi.deleting ? { kind: 'delete', requestStart } : NONE);
  switch (strategy) {
    case RunStrategy.Always:
      if (vmi) return hasStopRequestFor(requests, vmi.uid) || isFinalPhase(vmi.phase) ? del() : NONE;
      return startUnlessBackingOff(backoffSecondsLeft);
    case RunStrategy.RerunOnFailure:
      if (vmi) {
        if (vmi.deleting) return NONE;
        if (hasStopRequestFor(requests, vmi.uid) || isFinalPhase(vmi.phase)) return del(vmi.phase === 'Failed');
        return NONE;
      }
      if (!shouldStartRerunOnFailure(requests, recordedStrategy)) return NONE;
      return startUnlessBackingOff(backoffSecondsLeft);
    case RunStrategy.Manual:
      if (vmi) return hasStopRequestFor(requests, vmi.uid) ? del() : NONE;
      return hasStartRequest(requests) ? { kind: 'create' } : NONE;
    case RunStrategy.Halted:
      if (vmi) return del();
      return hasStartRequest(requests) ? { kind: 'switchToAlways' } : NONE;
    case RunStrategy.Once:
      return vmi ? NONE : { kind: 'create' };
    case RunStrategy.WaitAsReceiver:
      // Decentralized live migration is behind a feature gate the simulator never enables.
      return NONE;
    default:
      return { kind: 'error', message: `unknown runstrategy: ${strategy}` };
  }
}

/** Whether the VM is meant to be running (isSetToStart), for the WaitingForVolumeBinding rule. */
export function isSetToStart(strategy: string, vmi: VmiFacts | undefined, requests: readonly StateChangeRequest[], recordedStrategy: string): boolean {
  switch (strategy) {
    case RunStrategy.Always:
      return true;
    case RunStrategy.Manual:
      return vmi ? !hasStopRequestFor(requests, vmi.uid) : hasStartRequest(requests);
    case RunStrategy.RerunOnFailure:
      return vmi ? vmi.phase !== 'Succeeded' : shouldStartRerunOnFailure(requests, recordedStrategy);
    case RunStrategy.Once:
      return !vmi;
    default:
      return false;
  }
}
