// Garbage collector: deletes dependents whose owners are all gone, deletes the
// dependents of an owner in foreground deletion before releasing it, and
// orphans dependents for the "orphan" finalizer. Owners are found by uid.

import type { KubeObject, OwnerReference } from '../../api/object.ts';
import type { StoreEvent } from '../../store/object-store.ts';
import { jsonEqual } from '../../kinds/core/table-cells.ts';
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from '../../api/rest-storage.ts';
import type { Controller } from '../../runtime/controller.ts';
import type { ControllerDeps } from '../types.ts';

interface Ref {
  resource: string;
  namespace?: string;
  name: string;
}

const SEP = '\u0000';

function refKey(r: Ref): string {
  return `${r.resource}${SEP}${r.namespace ?? ''}${SEP}${r.name}`;
}

function parseRefKey(k: string): Ref {
  const [resource, namespace, name] = k.split(SEP);
  return { resource, namespace: namespace || undefined, name };
}

export function garbageCollector(deps: ControllerDeps): Controller {
  const { client } = deps;
  const byUid = new Map<string, Ref>();
  /** Owner uid → keys of its dependents, and the reverse, so an update re-indexes only its own references. */
  const dependents = new Map<string, Set<string>>();
  const ownersOf = new Map<string, string[]>();

  function index(resource: string, obj: KubeObject, deleted: boolean): void {
    const uid = obj.metadata.uid!;
    const key = refKey({ resource, namespace: obj.metadata.namespace, name: obj.metadata.name! });
    if (deleted) byUid.delete(uid);
    else byUid.set(uid, { resource, namespace: obj.metadata.namespace, name: obj.metadata.name! });
    for (const owner of ownersOf.get(key) ?? []) {
      const set = dependents.get(owner);
      set?.delete(key);
      if (set?.size === 0) dependents.delete(owner);
    }
    ownersOf.delete(key);
    const refs = deleted ? [] : (obj.metadata.ownerReferences ?? []);
    if (!refs.length) return;
    ownersOf.set(key, refs.map((o) => o.uid));
    for (const o of refs) {
      let set = dependents.get(o.uid);
      if (!set) dependents.set(o.uid, (set = new Set()));
      set.add(key);
    }
  }

  /** An update that changes neither owner references nor deletion state (a Lease renewal, a status write): nothing for the collector, as upstream's graph builder. */
  function irrelevant(obj: KubeObject, ev: StoreEvent | undefined): boolean {
    const before = ev?.type === 'MODIFIED' ? ev.previous : undefined;
    return !!before && before.metadata.uid === obj.metadata.uid && !obj.metadata.deletionTimestamp && !before.metadata.deletionTimestamp
      && jsonEqual(before.metadata.ownerReferences ?? [], obj.metadata.ownerReferences ?? []);
  }

  function map(obj: KubeObject, ev: StoreEvent | undefined): string[] {
    if (irrelevant(obj, ev)) return [];
    const resource = ev?.resource ?? resourceOf(obj);
    index(resource, obj, ev?.type === 'DELETED');
    const keys: string[] = [];
    const self = refKey({ resource, namespace: obj.metadata.namespace, name: obj.metadata.name! });
    if (ev?.type !== 'DELETED' && (obj.metadata.ownerReferences?.length || obj.metadata.deletionTimestamp)) keys.push(self);
    if (ev?.type === 'DELETED' || obj.metadata.deletionTimestamp) {
      for (const d of dependents.get(obj.metadata.uid!) ?? []) keys.push(d);
      // An owner in foreground deletion waits for its dependents: look at it again when one goes.
      for (const o of obj.metadata.ownerReferences ?? []) {
        const owner = byUid.get(o.uid);
        if (owner) keys.push(refKey(owner));
      }
    }
    return keys;
  }

  // The initial list passes no event; find the resource of the object from its kind.
  function resourceOf(obj: KubeObject): string {
    const k = deps.registry.kinds.find((d) => d.kind === obj.kind && (d.group ? `${d.group}/${d.version}` : d.version) === obj.apiVersion);
    return k ? (k.group ? `${k.group}/${k.plural}` : k.plural) : '';
  }

  function ownerAlive(o: OwnerReference): KubeObject | undefined {
    const ref = byUid.get(o.uid);
    if (!ref) return undefined;
    const obj = client.get(ref.resource, ref.namespace, ref.name);
    return obj && obj.metadata.uid === o.uid ? obj : undefined;
  }

  async function reconcile(key: string): Promise<void> {
    const ref = parseRefKey(key);
    const obj = client.get(ref.resource, ref.namespace, ref.name);
    if (!obj) return;
    const finalizers = obj.metadata.finalizers ?? [];
    const deps = [...(dependents.get(obj.metadata.uid!) ?? [])].map(parseRefKey);

    if (obj.metadata.deletionTimestamp && finalizers.includes(ORPHAN_FINALIZER)) {
      for (const d of deps) {
        const dep = client.get(d.resource, d.namespace, d.name);
        if (!dep) continue;
        const refs = (dep.metadata.ownerReferences ?? []).filter((o) => o.uid !== obj.metadata.uid);
        await client.patch(d.resource, d.namespace, d.name, 'merge', { metadata: { ownerReferences: refs.length ? refs : null } });
      }
      await removeFinalizer(ref, obj, ORPHAN_FINALIZER);
      return;
    }

    if (obj.metadata.deletionTimestamp && finalizers.includes(FOREGROUND_FINALIZER)) {
      let blocking = 0;
      for (const d of deps) {
        const dep = client.get(d.resource, d.namespace, d.name);
        if (!dep) continue;
        const r = dep.metadata.ownerReferences?.find((o) => o.uid === obj.metadata.uid);
        if (r?.blockOwnerDeletion) blocking++;
        if (!dep.metadata.deletionTimestamp) await client.delete(d.resource, d.namespace, d.name, { propagationPolicy: 'Foreground' });
      }
      if (blocking === 0) await removeFinalizer(ref, obj, FOREGROUND_FINALIZER);
      return;
    }

    const owners = obj.metadata.ownerReferences ?? [];
    if (!owners.length || obj.metadata.deletionTimestamp) return;
    const alive = owners.map(ownerAlive);
    if (alive.every((o) => o === undefined)) {
      await client.delete(ref.resource, ref.namespace, ref.name, { propagationPolicy: 'Background', preconditions: { uid: obj.metadata.uid } });
      return;
    }
    // Dependents of an owner in foreground deletion go first.
    if (alive.some((o) => o?.metadata.deletionTimestamp && o.metadata.finalizers?.includes(FOREGROUND_FINALIZER))) {
      await client.delete(ref.resource, ref.namespace, ref.name, { propagationPolicy: 'Foreground' });
    }
  }

  async function removeFinalizer(ref: Ref, obj: KubeObject, finalizer: string): Promise<void> {
    const rest = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    await client.patch(ref.resource, ref.namespace, ref.name, 'merge', { metadata: { finalizers: rest.length ? rest : null, resourceVersion: obj.metadata.resourceVersion } });
  }

  return { name: 'garbage-collector', watches: [{ resource: '*', map }], reconcile };
}
