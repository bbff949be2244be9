// virt-handler's node heartbeat (pkg/virt-handler/heartbeat, reference §6):
// while a worker's node agents run and reach the API server, virt-handler
// stamps annotation kubevirt.io/heartbeat with the time every minute and keeps
// label kubevirt.io/schedulable "true" (KubeVirt's node controller sets it to
// "false" once the heartbeat is older than 5 minutes).

import type { KubeObject } from '../../api/object.ts';
import { rfc3339 } from '../../api/age.ts';
import type { Elapsed } from '../../clock.ts';
import { FAULTS } from '../../kinds/sim/fault.ts';
import { faultNode, nodeAgentsReportIn } from '../../faults/queries.ts';
import type { Controller, ReconcileResult } from '../../runtime/controller.ts';
import { isNotFound } from '../../runtime/client.ts';
import type { ControllerDeps } from '../types.ts';
import { ignoringHeartbeats, VIRT_HANDLER_HEARTBEAT } from '../../runtime/heartbeats.ts';

export const HEARTBEAT_ANNOTATION = VIRT_HANDLER_HEARTBEAT;
export const SCHEDULABLE_LABEL = 'kubevirt.io/schedulable';
/** Heartbeat period (upstream adds up to 1.2× jitter; the simulator keeps it exact). */
export const HEARTBEAT_SECONDS = 60;

/** virt-handler runs on the workers (its DaemonSet's placement). */
export function runsVirtHandler(node: KubeObject): boolean {
  return Object.prototype.hasOwnProperty.call(node.metadata.labels ?? {}, 'node-role.kubernetes.io/worker');
}

/** Simulated seconds until the next heartbeat is due (0 = now); `elapsed` is Clock.elapsed. */
export function heartbeatDueIn(node: KubeObject, elapsed: Elapsed): number {
  const last = Date.parse(node.metadata.annotations?.[HEARTBEAT_ANNOTATION] ?? '');
  if (Number.isNaN(last) || node.metadata.labels?.[SCHEDULABLE_LABEL] !== 'true') return 0;
  return Math.max(0, HEARTBEAT_SECONDS - elapsed(last) / 1000);
}

export function virtHandlerHeartbeatController(deps: ControllerDeps): Controller {
  const { client, clock } = deps;

  async function reconcile(name: string): Promise<ReconcileResult | void> {
    const node = client.get('nodes', undefined, name);
    if (!node || !runsVirtHandler(node) || !nodeAgentsReportIn(client, name)) return;
    const now = clock.now();
    const due = heartbeatDueIn(node, (t) => clock.elapsed(t));
    if (due > 0) return { requeueAfter: due };
    try {
      await client.patch('nodes', undefined, name, 'merge', {
        metadata: { labels: { [SCHEDULABLE_LABEL]: 'true' }, annotations: { [HEARTBEAT_ANNOTATION]: rfc3339(now) } },
      });
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    return { requeueAfter: HEARTBEAT_SECONDS };
  }

  return {
    name: 'virt-handler-heartbeat',
    watches: [
      ignoringHeartbeats({ resource: 'nodes', map: (n) => [n.metadata.name!] }),
      { resource: FAULTS, map: (f) => { const n = faultNode(f); return n ? [n] : []; } },
    ],
    reconcile,
  };
}
