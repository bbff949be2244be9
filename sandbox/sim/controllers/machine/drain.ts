// The machine drain controller (machine-api-operator's machine-drain-controller
// driving the kubectl drain library): once a deleting Machine is in phase
// Deleting it cordons the Machine's Node and evicts its pods through the
// Eviction API (PodDisruptionBudgets and eviction webhooks apply), then sets
// the Drained condition that lets the machine controller go on.
//
// One drain attempt lasts at most 20 s: refused evictions (429) are retried
// every 5 s and evicted pods are polled every second until they are gone; an
// attempt that does not finish ends with a DrainRequeued event and is retried
// with the drain queue's exponential backoff (5 s doubling up to 1000 s).
// For an unreachable Node (Ready=Unknown) pods get 1 s of grace and pods whose
// deletion began more than 1 s ago are skipped, since no kubelet will finish them.

import type { KubeObject } from '../../api/object.ts';
import type { Elapsed } from '../../clock.ts';
import { ApiError } from '../../api/errors.ts';
import type { Controller, ReconcileResult } from '../../runtime/controller.ts';
import { keyOf, splitKey } from '../../runtime/controller.ts';
import type { ControllerDeps } from '../types.ts';
import { getCondition, nodeCondition, setCondition } from './conditions.ts';
import { MachineConditions, MACHINES, Phase } from './controller.ts';
import { jsonClone } from '../../api/json-clone.ts';

export const EXCLUDE_NODE_DRAINING_ANNOTATION = 'machine.openshift.io/exclude-node-draining';
/** Per-attempt timeout of the drain helper. */
export const DRAIN_TIMEOUT_SECONDS = 20;
/** The drain helper's wait after a 429 before evicting the pod again. */
export const EVICTION_RETRY_SECONDS = 5;
/** The drain helper's poll interval while waiting for evicted pods to go. */
export const DELETE_POLL_SECONDS = 1;
/** Grace period and SkipWaitForDeleteTimeoutSeconds for an unreachable node. */
export const UNREACHABLE_GRACE_SECONDS = 1;
export const SKIP_WAIT_FOR_DELETE_TIMEOUT_SECONDS = 1;
/** Requeue when draining is not permitted (another control-plane node is being drained) or cordoning failed. */
export const DRAIN_NOT_PERMITTED_REQUEUE_SECONDS = 20;
/** The drain queue's rate limiter: 5 s doubling per failure, at most 1000 s. */
export const DRAIN_BACKOFF_BASE_SECONDS = 5;
export const DRAIN_BACKOFF_MAX_SECONDS = 1000;

export const DrainReason = {
  DrainProceeds: 'DrainProceeds',
  DrainRequeued: 'DrainRequeued',
  DrainSucceeded: 'DrainSucceeded',
  DrainSkipped: 'DrainSkipped',
  DrainBlocked: 'DrainBlocked',
  Deleted: 'Deleted',
} as const;

interface PodSpec {
  nodeName?: string;
}

/** Ready=Unknown: the node controller lost the kubelet. */
export function nodeUnreachable(node: KubeObject): boolean {
  return nodeCondition(node, 'Ready')?.status === 'Unknown';
}

function isControlPlane(node: KubeObject): boolean {
  const l = node.metadata.labels ?? {};
  return 'node-role.kubernetes.io/control-plane' in l || 'node-role.kubernetes.io/master' in l;
}

/**
 * The drain library's shouldSkipPod: deletion began more than `skip` whole
 * seconds ago; `elapsed` gives the (simulated) ms since a timestamp (Clock.elapsed).
 */
export function shouldSkipPod(pod: KubeObject, elapsed: Elapsed, skip: number): boolean {
  if (skip <= 0 || !pod.metadata.deletionTimestamp) return false;
  return Math.trunc(elapsed(Date.parse(pod.metadata.deletionTimestamp)) / 1000) > skip;
}

/**
 * GetPodsForDeletion with Force, IgnoreAllDaemonSets and DeleteEmptyDirData:
 * every pod on the node except mirror pods, pods of an existing DaemonSet and
 * (with a skip timeout) pods whose deletion began long ago.
 */
export function podsForDeletion(pods: readonly KubeObject[], nodeName: string, elapsed: Elapsed, skip: number, daemonSetExists: (namespace: string, name: string) => boolean): KubeObject[] {
  return pods.filter((p) => {
    if ((p.spec as PodSpec | undefined)?.nodeName !== nodeName) return false;
    if (shouldSkipPod(p, elapsed, skip)) return false;
    if (p.metadata.annotations?.['kubernetes.io/config.mirror'] !== undefined) return false;
    const ctl = (p.metadata.ownerReferences ?? []).find((o) => o.controller);
    if (ctl?.kind === 'DaemonSet' && daemonSetExists(p.metadata.namespace ?? '', ctl.name)) return false;
    return true;
  });
}

/** utilerrors.NewAggregate(errs).Error(): one message as is, several de-duplicated in brackets. */
export function aggregateMessage(msgs: readonly string[]): string {
  const seen = [...new Set(msgs)];
  return seen.length === 1 ? seen[0] : `[${seen.join(', ')}]`;
}

export function drainBackoffSeconds(failures: number): number {
  return Math.min(DRAIN_BACKOFF_MAX_SECONDS, DRAIN_BACKOFF_BASE_SECONDS * 2 ** Math.max(0, failures - 1));
}

interface PodTrack {
  namespace: string;
  name: string;
  uid: string;
  evicted: boolean;
  nextTry: number;
  done: boolean;
  error?: string;
}

interface Attempt {
  startedAt: number;
  node: string;
  unreachable: boolean;
  pods: PodTrack[];
}

interface DrainState {
  uid: string;
  attempt?: Attempt;
  failures: number;
  retryAt?: number;
}

export function machineDrainController(deps: ControllerDeps): Controller {
  const { client, clock } = deps;
  const recorder = deps.recorder({ component: 'machine-drain-controller' });
  const states = new Map<string, DrainState>();

  async function markDrained(m: KubeObject, message: string): Promise<void> {
    const next = jsonClone(m);
    const st = (next.status ?? {}) as { conditions?: ReturnType<typeof setCondition> };
    st.conditions = setCondition(st.conditions, { type: MachineConditions.Drained, status: 'True', message }, clock.now());
    next.status = st;
    await client.updateStatus(MACHINES, next);
  }

  async function reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const m = client.get(MACHINES, namespace, name);
    const phase = (m?.status as { phase?: string } | undefined)?.phase;
    if (!m || !m.metadata.deletionTimestamp || phase !== Phase.Deleting || getCondition(m, MachineConditions.Drained)?.status === 'True') {
      states.delete(key);
      return;
    }
    const nodeName = (m.status as { nodeRef?: { name?: string } }).nodeRef?.name;
    if (m.metadata.annotations?.[EXCLUDE_NODE_DRAINING_ANNOTATION] !== undefined || !nodeName) {
      await recorder.event(m, 'Normal', DrainReason.DrainSkipped, 'Node drain skipped');
      await markDrained(m, 'Node drain skipped');
      states.delete(key);
      return;
    }
    const preDrain = (m.spec as { lifecycleHooks?: { preDrain?: unknown[] } } | undefined)?.lifecycleHooks?.preDrain ?? [];
    if (preDrain.length) {
      await recorder.event(m, 'Normal', DrainReason.DrainBlocked, 'Drain blocked by pre-drain hook');
      return;
    }

    let st = states.get(key);
    if (!st || st.uid !== m.metadata.uid) {
      st = { uid: m.metadata.uid!, failures: 0 };
      states.set(key, st);
    }
    const now = clock.now();
    if (!st.attempt) {
      if (st.retryAt !== undefined && now < st.retryAt) return { requeueAfter: clock.simSecondsUntil(st.retryAt) };
      await recorder.event(m, 'Normal', DrainReason.DrainProceeds, 'Node drain proceeds');
      const started = await startAttempt(nodeName, now);
      if ('error' in started) {
        // A RequeueAfterError: requeued after its delay, without backoff.
        await recorder.event(m, 'Normal', DrainReason.DrainRequeued, `Node drain requeued: ${started.error}`);
        st.retryAt = clock.deadline(now, started.requeueAfter);
        return { requeueAfter: started.requeueAfter };
      }
      if (!started.attempt) return succeed(m, nodeName, key, false);
      st.attempt = started.attempt;
    }

    const outcome = await tick(st.attempt, now);
    if (outcome.pending) return { requeueAfter: outcome.nextIn };
    if (outcome.errors.length) {
      st.attempt = undefined;
      st.failures++;
      const delay = drainBackoffSeconds(st.failures);
      st.retryAt = clock.deadline(now, delay);
      await recorder.event(m, 'Normal', DrainReason.DrainRequeued, `Node drain requeued: ${aggregateMessage(outcome.errors)}`);
      return { requeueAfter: delay };
    }
    return succeed(m, nodeName, key, true);
  }

  async function succeed(m: KubeObject, nodeName: string, key: string, drained: boolean): Promise<void> {
    if (drained) await recorder.event(m, 'Normal', DrainReason.Deleted, `Node "${nodeName}" drained`);
    await recorder.event(m, 'Normal', DrainReason.DrainSucceeded, 'Node drain succeeded');
    await markDrained(m, 'Drain finished successfully');
    states.delete(key);
  }

  /** Checks, cordons and lists the pods to evict; no attempt when the Node is already gone. */
  async function startAttempt(nodeName: string, now: number): Promise<{ attempt?: Attempt } | { error: string; requeueAfter: number }> {
    const node = client.get('nodes', undefined, nodeName);
    if (!node) return {};
    const spec = (node.spec ?? {}) as { unschedulable?: boolean };
    if (!spec.unschedulable && isControlPlane(node)) {
      const other = client.list('nodes').find((n) => n.metadata.name !== nodeName && isControlPlane(n) && (n.spec as { unschedulable?: boolean } | undefined)?.unschedulable);
      if (other) return { error: `drain not permitted: requeue in: ${DRAIN_NOT_PERMITTED_REQUEUE_SECONDS}s`, requeueAfter: DRAIN_NOT_PERMITTED_REQUEUE_SECONDS };
    }
    if (!spec.unschedulable) {
      try {
        await client.patch('nodes', undefined, nodeName, 'strategic', { spec: { unschedulable: true } });
      } catch {
        return { error: `requeue in: ${DRAIN_NOT_PERMITTED_REQUEUE_SECONDS}s`, requeueAfter: DRAIN_NOT_PERMITTED_REQUEUE_SECONDS };
      }
    }
    const unreachable = nodeUnreachable(node);
    const skip = unreachable ? SKIP_WAIT_FOR_DELETE_TIMEOUT_SECONDS : 0;
    const pods = podsForDeletion(client.list('pods'), nodeName, (t) => clock.elapsed(t), skip, (ns, name) => !!client.get('apps/daemonsets', ns, name));
    return {
      attempt: {
        startedAt: now,
        node: nodeName,
        unreachable,
        pods: pods.map((p) => ({ namespace: p.metadata.namespace!, name: p.metadata.name!, uid: p.metadata.uid!, evicted: false, nextTry: now, done: false })),
      },
    };
  }

  /** One pass of the drain helper over the attempt's pods. */
  async function tick(a: Attempt, now: number): Promise<{ pending: true; nextIn: number } | { pending: false; errors: string[] }> {
    const deadline = clock.deadline(a.startedAt, DRAIN_TIMEOUT_SECONDS);
    const skip = a.unreachable ? SKIP_WAIT_FOR_DELETE_TIMEOUT_SECONDS : 0;
    const gone = (p: PodTrack): boolean => {
      const cur = client.get('pods', p.namespace, p.name);
      return !cur || cur.metadata.uid !== p.uid;
    };
    if (now >= deadline) {
      for (const p of a.pods) {
        if (p.done) continue;
        if (p.evicted && gone(p)) { p.done = true; continue; }
        p.done = true;
        p.error = p.evicted
          ? `error when waiting for pod "${p.name}" in namespace "${p.namespace}" to terminate: global timeout reached: ${DRAIN_TIMEOUT_SECONDS}s`
          : `error when evicting pods/"${p.name}" -n "${p.namespace}": global timeout reached: ${DRAIN_TIMEOUT_SECONDS}s`;
      }
    }
    for (const p of a.pods) {
      if (p.done) continue;
      if (!p.evicted) {
        if (now < p.nextTry) continue;
        try {
          await client.evict(p.namespace, p.name, {
            ...(a.unreachable ? { gracePeriodSeconds: UNREACHABLE_GRACE_SECONDS } : {}),
          });
          p.evicted = true;
        } catch (e) {
          if (e instanceof ApiError && e.code === 404) { p.done = true; continue; }
          if (e instanceof ApiError && (e.code === 429 || e.reason === 'TooManyRequests')) { p.nextTry = clock.deadline(now, EVICTION_RETRY_SECONDS); continue; }
          p.done = true;
          p.error = `error when evicting pods/"${p.name}" -n "${p.namespace}": ${e instanceof Error ? e.message : String(e)}`;
          continue;
        }
      }
      const cur = client.get('pods', p.namespace, p.name);
      if (!cur || cur.metadata.uid !== p.uid || shouldSkipPod(cur, (t) => clock.elapsed(t), skip)) p.done = true;
    }
    const open = a.pods.filter((p) => !p.done);
    if (!open.length) return { pending: false, errors: a.pods.flatMap((p) => (p.error ? [p.error] : [])) };
    const next = Math.min(deadline, ...open.map((p) => (p.evicted ? clock.deadline(now, DELETE_POLL_SECONDS) : p.nextTry)));
    return { pending: true, nextIn: Math.max(0, clock.simSecondsUntil(next)) };
  }

  return {
    name: 'machine-drain-controller',
    watches: [{ resource: MACHINES, map: (o) => (o.metadata.deletionTimestamp ? [keyOf(o)] : []) }],
    reconcile,
  };
}
