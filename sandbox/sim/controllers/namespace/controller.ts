// Namespace lifecycle: a namespace being deleted has its contents deleted,
// then its "kubernetes" finalizer released, which completes the deletion.

import type { KubeObject } from '../../api/object.ts';
import type { StoreEvent } from '../../store/object-store.ts';
import type { Controller, ReconcileResult } from '../../runtime/controller.ts';
import type { ControllerDeps } from '../types.ts';
import { jsonClone } from '../../api/json-clone.ts';

export function namespaceController(deps: ControllerDeps): Controller {
  const { client, registry } = deps;
  const namespaced = registry.kinds.filter((k) => k.namespaced && (k.verbs ?? ['delete']).includes('delete'));

  async function reconcile(name: string): Promise<ReconcileResult | void> {
    const ns = client.get('namespaces', undefined, name);
    if (!ns || !ns.metadata.deletionTimestamp) return;
    let remaining = 0;
    for (const k of namespaced) {
      const resource = k.group ? `${k.group}/${k.plural}` : k.plural;
      for (const obj of client.list(resource, name)) {
        remaining++;
        if (!obj.metadata.deletionTimestamp) await client.delete(resource, name, obj.metadata.name!, { propagationPolicy: 'Background' });
      }
    }
    if (remaining > 0) return { requeueAfter: 1 };
    const spec = (ns.spec ?? {}) as { finalizers?: string[] };
    if (spec.finalizers?.length) {
      await client.updateSubresource('namespaces', { ...jsonClone(ns), spec: { ...spec, finalizers: [] } } as KubeObject, 'finalize');
    }
  }

  // Deleting the last object of a terminating namespace wakes its namespace.
  const contentsMap = (obj: KubeObject, ev: StoreEvent | undefined): string[] =>
    ev?.type === 'DELETED' && obj.metadata.namespace && client.get('namespaces', undefined, obj.metadata.namespace)?.metadata.deletionTimestamp
      ? [obj.metadata.namespace] : [];

  return {
    name: 'namespace',
    watches: [
      { resource: 'namespaces', map: (o) => (o.metadata.deletionTimestamp ? [o.metadata.name!] : []) },
      { resource: '*', map: contentsMap },
    ],
    reconcile,
  };
}
