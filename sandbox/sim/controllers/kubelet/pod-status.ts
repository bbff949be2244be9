// The pod conditions the kubelet derives from its containers (pkg/kubelet/status
// generate.go): ContainersReady from the container statuses, Ready from
// ContainersReady plus the readiness gates, and the phase from the containers'
// states and the restart policy. Pure functions.

export interface PodCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
}

export interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { exitCode: number; reason?: string; message?: string; startedAt?: string; finishedAt?: string; containerID?: string };
}

export interface ContainerStatus {
  name: string;
  ready: boolean;
  started?: boolean;
  restartCount: number;
  state: ContainerState;
  lastState?: ContainerState;
  [k: string]: unknown;
}

export const Reason = {
  ContainersNotReady: 'ContainersNotReady',
  ReadinessGatesNotReady: 'ReadinessGatesNotReady',
  PodCompleted: 'PodCompleted',
  PodFailed: 'PodFailed',
} as const;

type Cond = Omit<PodCondition, 'lastProbeTime' | 'lastTransitionTime'>;

/** GenerateContainersReadyCondition. */
export function containersReadyCondition(containerNames: string[], statuses: ContainerStatus[], phase: string): Cond {
  if (phase === 'Succeeded') return { type: 'ContainersReady', status: 'False', reason: Reason.PodCompleted };
  if (phase === 'Failed') return { type: 'ContainersReady', status: 'False', reason: Reason.PodFailed };
  const unknown: string[] = [];
  const unready: string[] = [];
  for (const name of containerNames) {
    const s = statuses.find((x) => x.name === name);
    if (!s) unknown.push(name);
    else if (!s.ready) unready.push(name);
  }
  const messages: string[] = [];
  if (unknown.length) messages.push(`containers with unknown status: [${unknown.join(' ')}]`);
  if (unready.length) messages.push(`containers with unready status: [${unready.join(' ')}]`);
  if (messages.length) return { type: 'ContainersReady', status: 'False', reason: Reason.ContainersNotReady, message: messages.join(', ') };
  return { type: 'ContainersReady', status: 'True' };
}

/** GeneratePodReadyCondition: ContainersReady, then every readiness gate. */
export function podReadyCondition(containersReady: Cond, gates: string[], conditions: PodCondition[]): Cond {
  if (containersReady.status !== 'True') return { ...containersReady, type: 'Ready' };
  const unready: string[] = [];
  for (const g of gates) {
    const c = conditions.find((x) => x.type === g);
    if (!c) unready.push(`corresponding condition of pod readiness gate "${g}" does not exist.`);
    else if (c.status !== 'True') unready.push(`the status of pod readiness gate "${g}" is not "True", but ${c.status}`);
  }
  if (unready.length) return { type: 'Ready', status: 'False', reason: Reason.ReadinessGatesNotReady, message: unready.join(', ') };
  return { type: 'Ready', status: 'True' };
}

/**
 * The phase from the containers (getPhase): Running while one runs or will be
 * restarted; with restartPolicy Never (or OnFailure after success) Failed when
 * any terminated with a non-zero code, Succeeded when all exited 0.
 */
export function podPhase(restartPolicy: string, statuses: ContainerStatus[]): 'Pending' | 'Running' | 'Succeeded' | 'Failed' {
  if (!statuses.length) return 'Pending';
  const running = statuses.filter((s) => s.state.running).length;
  const waiting = statuses.filter((s) => s.state.waiting).length;
  const terminated = statuses.filter((s) => s.state.terminated);
  const failed = terminated.filter((s) => (s.state.terminated?.exitCode ?? 0) !== 0).length;
  if (waiting && !running && !terminated.length) return 'Pending';
  if (running) return 'Running';
  if (terminated.length === statuses.length) {
    if (restartPolicy === 'Always') return 'Running';
    if (restartPolicy === 'OnFailure' && failed) return 'Running';
    return failed ? 'Failed' : 'Succeeded';
  }
  return 'Pending';
}

/**
 * Sets a condition in a list, keeping lastTransitionTime while the status
 * stays the same (UpdatePodCondition); the kubelet's conditions come first in
 * its usual order, anything else (readiness gates, DisruptionTarget) follows.
 */
export function mergeConditions(existing: PodCondition[], kubelet: Cond[], now: string): PodCondition[] {
  const out: PodCondition[] = [];
  for (const c of kubelet) {
    const old = existing.find((x) => x.type === c.type);
    const transition = old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : now;
    const next: PodCondition = { type: c.type, status: c.status, lastProbeTime: null, lastTransitionTime: transition };
    if (c.reason) next.reason = c.reason;
    if (c.message) next.message = c.message;
    out.push(next);
  }
  for (const c of existing) if (!kubelet.some((k) => k.type === c.type)) out.push(c);
  return out;
}
