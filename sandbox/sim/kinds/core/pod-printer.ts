// The pod row of `kubectl get pods`: READY, STATUS, RESTARTS and the wide
// columns, with the apiserver's rules (v1.32 printPod): init container
// progress ("Init:0/1"), container waiting/terminated reasons
// (ContainerCreating, CrashLoopBackOff, Completed, Error), "Terminating" once
// deletion started, "Unknown" for pods on a lost node.

import { humanDuration } from '../../api/age.ts';
import type { KubeObject } from '../../api/object.ts';
import type { PrinterColumn } from '../types.ts';
import { ageColumn, record, records, spec, status, text, type Json } from './table-cells.ts';

export interface PodRowSummary {
  /** "ready/total" containers. */
  ready: string;
  /** The STATUS column. */
  status: string;
  /** "3" or "3 (5m ago)". */
  restarts: string;
}

function isRestartableInit(c: Json | undefined): boolean {
  return c?.restartPolicy === 'Always';
}

function conditionTrue(conditions: Json[], type: string): boolean {
  return conditions.some((c) => c.type === type && c.status === 'True');
}

function timeOf(v: unknown): number {
  const ms = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isNaN(ms) ? 0 : ms;
}

function terminatedReason(t: Json, prefix: string): string {
  const reason = text(t.reason);
  if (reason) return prefix + reason;
  const signal = typeof t.signal === 'number' ? t.signal : 0;
  if (signal !== 0) return `${prefix}Signal:${signal}`;
  const exitCode = typeof t.exitCode === 'number' ? t.exitCode : 0;
  return `${prefix}ExitCode:${exitCode}`;
}

/** READY, STATUS and RESTARTS of a pod, as the apiserver prints them. */
export function summarizePod(pod: KubeObject, now: number): PodRowSummary {
  const podSpec = spec(pod);
  const st = status(pod);
  const conditions = records(st.conditions);
  const containers = records(podSpec.containers);
  const initSpecs = records(podSpec.initContainers);
  const phase = text(st.phase);

  let restarts = 0;
  let restartableInitRestarts = 0;
  let totalContainers = containers.length;
  let readyContainers = 0;
  let lastRestart = 0;
  let lastRestartableInitRestart = 0;

  let reason = text(st.reason) || phase;
  for (const c of conditions) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const initByName = new Map<string, Json>();
  for (const c of initSpecs) {
    initByName.set(text(c.name), c);
    if (isRestartableInit(c)) totalContainers++;
  }

  let initializing = false;
  const initStatuses = records(st.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    const state = record(cs.state);
    const lastTerminated = record(record(cs.lastState).terminated);
    const count = typeof cs.restartCount === 'number' ? cs.restartCount : 0;
    restarts += count;
    if (Object.keys(lastTerminated).length) lastRestart = Math.max(lastRestart, timeOf(lastTerminated.finishedAt));
    const restartable = isRestartableInit(initByName.get(text(cs.name)));
    if (restartable) {
      restartableInitRestarts += count;
      if (Object.keys(lastTerminated).length) lastRestartableInitRestart = Math.max(lastRestartableInitRestart, timeOf(lastTerminated.finishedAt));
    }
    const terminated = state.terminated === undefined ? undefined : record(state.terminated);
    const waiting = state.waiting === undefined ? undefined : record(state.waiting);
    if (terminated && (terminated.exitCode ?? 0) === 0) continue;
    if (restartable && cs.started === true) {
      if (cs.ready === true) readyContainers++;
      continue;
    }
    if (terminated) {
      reason = terminatedReason(terminated, 'Init:');
    } else if (waiting && text(waiting.reason) && waiting.reason !== 'PodInitializing') {
      reason = `Init:${text(waiting.reason)}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(conditions, 'Initialized')) {
    restarts = restartableInitRestarts;
    lastRestart = lastRestartableInitRestart;
    let hasRunning = false;
    const statuses = records(st.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      const state = record(cs.state);
      restarts += typeof cs.restartCount === 'number' ? cs.restartCount : 0;
      const lastTerminated = record(record(cs.lastState).terminated);
      if (Object.keys(lastTerminated).length) lastRestart = Math.max(lastRestart, timeOf(lastTerminated.finishedAt));
      const waiting = state.waiting === undefined ? undefined : record(state.waiting);
      const terminated = state.terminated === undefined ? undefined : record(state.terminated);
      if (waiting && text(waiting.reason)) {
        reason = text(waiting.reason);
      } else if (terminated) {
        reason = terminatedReason(terminated, '');
      } else if (cs.ready === true && state.running !== undefined) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // A completed container next to a running one: the pod still runs.
    if (reason === 'Completed' && hasRunning) {
      reason = conditionTrue(conditions, 'Ready') ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata.deletionTimestamp && st.reason === 'NodeLost') {
    reason = 'Unknown';
  } else if (pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') {
    reason = 'Terminating';
  }

  let restartsText = String(restarts);
  if (restarts !== 0 && lastRestart > 0) restartsText = `${restarts} (${humanDuration(Math.max(0, now - lastRestart))} ago)`;

  return { ready: `${readyContainers}/${totalContainers}`, status: reason, restarts: restartsText };
}

/** "<none>", or "true/total" readiness gates whose condition is True. */
export function readinessGatesCell(pod: KubeObject): string {
  const gates = records(spec(pod).readinessGates);
  if (!gates.length) return '<none>';
  const conditions = records(status(pod).conditions);
  let trueCount = 0;
  for (const g of gates) {
    const c = conditions.find((x) => x.type === g.conditionType);
    if (c?.status === 'True') trueCount++;
  }
  return `${trueCount}/${gates.length}`;
}

/** The first pod IP (status.podIPs, falling back to status.podIP). */
export function podIP(pod: KubeObject): string {
  const st = status(pod);
  const ips = records(st.podIPs);
  return text(ips[0]?.ip) || text(st.podIP);
}

export const podColumns: PrinterColumn[] = [
  { name: 'Ready', type: 'string', description: 'Containers ready out of all containers of the pod.', cell: (o, ctx) => summarizePod(o, ctx.now).ready },
  { name: 'Status', type: 'string', description: 'The combined status of the pod\'s containers.', cell: (o, ctx) => summarizePod(o, ctx.now).status },
  { name: 'Restarts', type: 'string', description: 'Container restarts in the pod, and how long ago the last one was.', cell: (o, ctx) => summarizePod(o, ctx.now).restarts },
  ageColumn,
  { name: 'IP', type: 'string', priority: 1, description: 'The IP address of the pod.', cell: (o) => podIP(o) || '<none>' },
  { name: 'Node', type: 'string', priority: 1, description: 'The node the pod is bound to.', cell: (o) => text(spec(o).nodeName) || '<none>' },
  { name: 'Nominated Node', type: 'string', priority: 1, description: 'The node the scheduler nominated for this pod while preempting.', cell: (o) => text(status(o).nominatedNodeName) || '<none>' },
  { name: 'Readiness Gates', type: 'string', priority: 1, description: 'Readiness gates whose condition is True, out of all gates.', cell: readinessGatesCell },
];
