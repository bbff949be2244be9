// KubeVirt's node controller in virt-controller (pkg/virt-controller/watch/node,
// reference §6): a node whose virt-handler heartbeat is older than 5 minutes
// (or which no longer exists) is unresponsive. Its kubevirt.io/schedulable
// label becomes "false", and its active VMIs that have no alive launcher pod
// on it are marked Failed with reason NodeUnresponsive. A pod counts as alive
// unless it finished or all its containers terminated — a Terminating pod on a
// dead node is still alive, which is why such VMIs stay Running.

import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import type { Deadline } from '../../clock.ts';
import type { Controller, ReconcileResult } from '../../runtime/controller.ts';
import { isNotFound } from '../../runtime/client.ts';
import type { ControllerDeps } from '../types.ts';
import { HEARTBEAT_ANNOTATION, SCHEDULABLE_LABEL } from './heartbeat.ts';
import { ignoringHeartbeats } from '../../runtime/heartbeats.ts';

export const VMIS = 'kubevirt.io/virtualmachineinstances';
export const NODE_NAME_LABEL = 'kubevirt.io/nodeName';
/** A heartbeat older than this makes the node unresponsive. */
export const HEARTBEAT_TIMEOUT_SECONDS = 300;
export const EVENT_SOURCE = 'node-controller';

export const Reason = {
  NodeUnresponsive: 'NodeUnresponsive',
} as const;

export const Message = {
  NodeUnresponsive: 'virt-handler is not responsive, marking node as unresponsive',
  vmiFailed: (node: string) => `virt-handler on node ${node} is not responsive, marking VMI as failed`,
} as const;

function rec(v: unknown): Record<string, unknown> {
  return isPlainObject(v) ? v : {};
}

function isFinal(phase: unknown): boolean {
  return phase === 'Succeeded' || phase === 'Failed';
}

/**
 * When the node's heartbeat goes stale (real ms, the timeout being simulated
 * time: `deadline` is Clock.deadline), or undefined without a heartbeat (never unresponsive).
 */
export function staleAt(node: KubeObject, deadline: Deadline): number | undefined {
  const t = Date.parse(node.metadata.annotations?.[HEARTBEAT_ANNOTATION] ?? '');
  return Number.isNaN(t) ? undefined : deadline(t, HEARTBEAT_TIMEOUT_SECONDS);
}

/** A launcher pod is alive unless it finished or every container has terminated. */
export function podAlive(pod: KubeObject): boolean {
  const st = rec(pod.status);
  if (isFinal(st.phase)) return false;
  const statuses = Array.isArray(st.containerStatuses) ? st.containerStatuses.map(rec) : [];
  return !(statuses.length > 0 && statuses.every((s) => rec(s.state).terminated !== undefined));
}

function controllerUid(pod: KubeObject): string | undefined {
  return (pod.metadata.ownerReferences ?? []).find((r) => r.controller)?.uid ?? pod.metadata.labels?.['kubevirt.io/created-by'];
}

export function kubevirtNodeController(deps: ControllerDeps): Controller {
  const { client, clock } = deps;
  const recorder = deps.recorder({ component: EVENT_SOURCE });

  async function reconcile(name: string): Promise<ReconcileResult | void> {
    const node = client.get('nodes', undefined, name);
    const now = clock.now();
    const stale = node ? staleAt(node, (t, s) => clock.deadline(t, s)) : undefined;
    const unresponsive = !node || (stale !== undefined && now >= stale);
    if (node && unresponsive && node.metadata.labels?.[SCHEDULABLE_LABEL] === 'true') {
      try {
        await client.patch('nodes', undefined, name, 'merge', { metadata: { labels: { [SCHEDULABLE_LABEL]: 'false' } } });
        await recorder.event(node, 'Normal', Reason.NodeUnresponsive, Message.NodeUnresponsive);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    if (!unresponsive) return stale !== undefined ? { requeueAfter: clock.simSecondsUntil(stale) } : undefined;

    const vmis = client.list(VMIS).filter((v) => v.metadata.labels?.[NODE_NAME_LABEL] === name && !isFinal(rec(v.status).phase));
    if (!vmis.length) return;
    const alive = new Set(client.list('pods')
      .filter((p) => rec(p.spec).nodeName === name && p.metadata.labels?.['kubevirt.io'] === 'virt-launcher' && podAlive(p))
      .map(controllerUid));
    for (const vmi of vmis) {
      if (alive.has(vmi.metadata.uid)) continue;
      try {
        await client.patch(VMIS, vmi.metadata.namespace, vmi.metadata.name!, 'merge', { status: { phase: 'Failed', reason: Reason.NodeUnresponsive } });
      } catch (e) {
        if (isNotFound(e)) continue;
        throw e;
      }
      await recorder.event(vmi, 'Normal', Reason.NodeUnresponsive, Message.vmiFailed(name));
    }
  }

  return {
    name: 'kubevirt-node',
    watches: [
      ignoringHeartbeats({ resource: 'nodes', map: (n) => [n.metadata.name!] }),
      { resource: VMIS, map: (v) => { const n = v.metadata.labels?.[NODE_NAME_LABEL]; return n ? [n] : []; } },
      {
        resource: 'pods',
        map: (p) => {
          const n = rec(p.spec).nodeName;
          return typeof n === 'string' && n && p.metadata.labels?.['kubevirt.io'] === 'virt-launcher' ? [n] : [];
        },
      },
    ],
    reconcile,
  };
}
