// Event predicates for the node agents' heartbeats. A kubelet renews its Lease
// every 10 s and virt-handler stamps its Node every minute, in every cluster:
// most Node and Lease events say nothing but "still alive". Controllers that
// do not time anything from heartbeats skip those events in their watch maps
// (as kube-scheduler's node informer ignores heartbeat-only updates); the ones
// that do time from them recheck on their own requeue timers.

import type { KubeObject } from '../api/object.ts';
import { isPlainObject } from '../api/object.ts';
import { jsonEqual } from '../kinds/core/table-cells.ts';
import type { StoreEvent } from '../store/object-store.ts';
import type { Watch } from './controller.ts';

/** virt-handler's heartbeat annotation on its Node. */
export const VIRT_HANDLER_HEARTBEAT = 'kubevirt.io/heartbeat';

function rec(v: unknown): Record<string, unknown> {
  return isPlainObject(v) ? v : {};
}

/** The Node without what heartbeats move: resourceVersion, managedFields, the heartbeat annotation, conditions' lastHeartbeatTime. */
function withoutHeartbeats(node: KubeObject): unknown {
  const { resourceVersion: _rv, managedFields: _mf, annotations, ...metadata } = node.metadata;
  const { [VIRT_HANDLER_HEARTBEAT]: _hb, ...otherAnnotations } = annotations ?? {};
  const status = rec(node.status);
  const conditions = Array.isArray(status.conditions)
    ? status.conditions.map((c) => { const { lastHeartbeatTime: _t, ...rest } = rec(c); return rest; })
    : status.conditions;
  return { ...node, metadata: { ...metadata, annotations: otherAnnotations }, status: { ...status, conditions } };
}

/** Answers per event: every watcher of Nodes asks about the same one. */
const heartbeatOnlyEvents = new WeakMap<StoreEvent, boolean>();

/** A Node update that only moved heartbeats (a kubelet status report with nothing new, virt-handler's stamp). */
export function nodeHeartbeatOnly(ev: StoreEvent | undefined): boolean {
  if (ev?.type !== 'MODIFIED' || !ev.previous) return false;
  let only = heartbeatOnlyEvents.get(ev);
  if (only === undefined) heartbeatOnlyEvents.set(ev, (only = jsonEqual(withoutHeartbeats(ev.object), withoutHeartbeats(ev.previous))));
  return only;
}

/** A Lease update that only renewed it: same holder, same owners, a later renewTime. */
export function leaseRenewalOnly(ev: StoreEvent | undefined): boolean {
  if (ev?.type !== 'MODIFIED' || !ev.previous) return false;
  const strip = (l: KubeObject): unknown => {
    const { resourceVersion: _rv, managedFields: _mf, ...metadata } = l.metadata;
    const { renewTime: _t, ...spec } = rec(l.spec);
    return { ...l, metadata, spec };
  };
  return jsonEqual(strip(ev.object), strip(ev.previous));
}

/** The watch with heartbeat-only events of its resource left out (Nodes and Leases; others pass). */
export function ignoringHeartbeats(watch: Watch): Watch {
  const skip = watch.resource === 'nodes' ? nodeHeartbeatOnly
    : watch.resource === 'coordination.k8s.io/leases' ? leaseRenewalOnly
      : undefined;
  if (!skip) return watch;
  return { resource: watch.resource, map: (obj, ev) => (skip(ev) ? [] : watch.map(obj, ev)) };
}
