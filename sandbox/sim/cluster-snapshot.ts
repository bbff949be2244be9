// A cluster as plain data, so the web server can keep it in sqlite and bring
// it back after a restart (even a kill -9): the stored objects, the bearer
// tokens of its users, the guests inside its VMIs. Controllers keep nothing
// that cannot be rebuilt from these (their queues refill from the store).

import type { KubeObject } from './api/object.ts';
import { microTime, rfc3339 } from './api/age.ts';
import type { UserInfo } from './cluster.ts';
import { nodeAgentsReportIn } from './faults/queries.ts';
import type { GuestSnapshot } from './guest/snapshot.ts';
import { HEARTBEAT_ANNOTATION } from './controllers/kubevirt-node/heartbeat.ts';
import { LEASE_NAMESPACE, LEASES } from './controllers/kubelet/node-status.ts';
import type { ObjectStore } from './store/object-store.ts';
import type { Topology } from './topology.ts';
import { jsonClone } from './api/json-clone.ts';

export const CLUSTER_SNAPSHOT_VERSION = 1;

export interface ClusterSnapshot {
  version: typeof CLUSTER_SNAPSHOT_VERSION;
  name: string;
  topology: Topology;
  takenAt: number;
  store: { resourceVersion: number; objects: Record<string, KubeObject[]> };
  tokens: [string, UserInfo][];
  guests: GuestSnapshot[];
}

/**
 * While the simulating process was down, the node agents of a real cluster
 * would have kept posting: a control-plane outage does not make healthy nodes
 * NotReady. So, before the controllers start on a restored store, every node
 * whose kubelet and virt-handler run and are reachable (no fault says
 * otherwise) gets its heartbeats (Lease, Ready condition, KubeVirt heartbeat
 * annotation) stamped with `now`. Nodes a fault took down stay as they were.
 */
export function resumeNodeHeartbeats(store: ObjectStore, now: number): number {
  let resumed = 0;
  const reader = { list: (resource: string) => store.list(resource) };
  for (const node of store.list('nodes')) {
    const name = node.metadata.name!;
    if (!nodeAgentsReportIn(reader, name)) continue;
    const next = jsonClone(node) as KubeObject;
    const status = (next.status ?? {}) as { conditions?: { type: string; lastHeartbeatTime?: string }[] };
    for (const c of status.conditions ?? []) if (c.lastHeartbeatTime) c.lastHeartbeatTime = rfc3339(now);
    if (next.metadata.annotations?.[HEARTBEAT_ANNOTATION]) next.metadata.annotations[HEARTBEAT_ANNOTATION] = rfc3339(now);
    store.update('nodes', next);
    const lease = store.get(LEASES, LEASE_NAMESPACE, name);
    if (lease) {
      const l = jsonClone(lease) as KubeObject;
      l.spec = { ...(l.spec as Record<string, unknown>), renewTime: microTime(now) };
      store.update(LEASES, l);
    }
    resumed++;
  }
  return resumed;
}
