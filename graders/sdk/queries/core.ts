// Core reads: Nodes, Pods and the Events written about any object.

import type { CoreV1Event, V1Node, V1Pod } from '@kubernetes/client-node';
import type { ClusterConnection } from '../types.ts';
import { apiClients, byName, getOrUndefined, readOrThrow, selectorString, type ListOptions } from './client.ts';

export function getNode(conn: ClusterConnection, name: string): Promise<V1Node | undefined> {
  return getOrUndefined(apiClients(conn).core.readNode({ name }), `node ${name}`);
}

export async function listNodes(conn: ClusterConnection, opts: ListOptions = {}): Promise<V1Node[]> {
  const list = await readOrThrow(apiClients(conn).core.listNode({
    labelSelector: selectorString(opts.labelSelector), fieldSelector: opts.fieldSelector,
  }), 'nodes');
  return byName(list.items);
}

/** Ready=True: the kubelet posts status and the node is healthy. */
export function isNodeReady(node: V1Node | undefined): boolean {
  return node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function getPod(conn: ClusterConnection, namespace: string, name: string): Promise<V1Pod | undefined> {
  return getOrUndefined(apiClients(conn).core.readNamespacedPod({ namespace, name }), `pod ${namespace}/${name}`);
}

export async function listPods(conn: ClusterConnection, namespace: string, opts: ListOptions = {}): Promise<V1Pod[]> {
  const list = await readOrThrow(apiClients(conn).core.listNamespacedPod({
    namespace, labelSelector: selectorString(opts.labelSelector), fieldSelector: opts.fieldSelector,
  }), `pods in namespace ${namespace}`);
  return byName(list.items);
}

/** Which object's events: kind and name, plus namespace for namespaced objects and uid to skip a deleted namesake's events. */
export interface EventQuery {
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
  /** Only events with this reason (e.g. "Unhealthy", "IPAllocated"). */
  reason?: string;
  type?: 'Normal' | 'Warning';
}

function isQuery(of: object): of is EventQuery {
  return !('metadata' in of) && typeof (of as { name?: unknown }).name === 'string';
}

function eventMs(e: CoreV1Event): number {
  const t = e.lastTimestamp ?? e.series?.lastObservedTime ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp;
  return t instanceof Date ? t.getTime() : t ? Date.parse(String(t)) : 0;
}

/**
 * The Events about one object (by involvedObject), oldest first. Accepts a
 * query or any object with kind and metadata (a VM, a VMI, a pod…). Events of
 * cluster-scoped objects (Nodes, Faults) are looked up in every namespace.
 */
export async function eventsFor(
  conn: ClusterConnection,
  of: EventQuery | { kind?: string; metadata?: { name?: string; namespace?: string; uid?: string } },
  filter: { reason?: string; type?: 'Normal' | 'Warning' } = {},
): Promise<CoreV1Event[]> {
  const q: EventQuery = isQuery(of)
    ? { ...of, ...filter }
    : { kind: of.kind ?? '', name: of.metadata?.name ?? '', namespace: of.metadata?.namespace, uid: of.metadata?.uid, ...filter };
  if (!q.kind || !q.name) throw new Error('eventsFor needs the kind and name of the object');
  const fields = [`involvedObject.kind=${q.kind}`, `involvedObject.name=${q.name}`];
  if (q.uid) fields.push(`involvedObject.uid=${q.uid}`);
  if (q.reason) fields.push(`reason=${q.reason}`);
  if (q.type) fields.push(`type=${q.type}`);
  const fieldSelector = fields.join(',');
  const { core } = apiClients(conn);
  const what = `events of ${q.kind} ${q.namespace ? `${q.namespace}/` : ''}${q.name}`;
  const list = q.namespace
    ? await readOrThrow(core.listNamespacedEvent({ namespace: q.namespace, fieldSelector }), what)
    : await readOrThrow(core.listEventForAllNamespaces({ fieldSelector }), what);
  return [...list.items].sort((a, b) => eventMs(a) - eventMs(b));
}
