// The kind-agnostic versioned object store of one cluster: objects keyed by
// resource and namespace/name, one resourceVersion counter, a bounded event
// history for watch resumption and synchronous fan-out to watchers. It knows
// resources and keys, nothing about kinds.

import type { KubeObject } from '../api/object.ts';
import { jsonClone } from '../api/json-clone.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: WatchEventType;
  resource: string;
  /** Frozen; never mutate. For DELETED, the last state with the deletion's resourceVersion. */
  object: KubeObject;
  /** The state before a MODIFIED event (selector-filtered watches need it to send ADDED/DELETED on transitions). */
  previous?: KubeObject;
  rv: number;
}

export type StoreListener = (ev: StoreEvent) => void;

export class StoreConflictError extends Error {
  constructor(readonly kind: 'exists' | 'missing' | 'stale') {
    super(kind);
  }
}

export class ResourceVersionTooOldError extends Error {
  constructor(readonly requested: number, readonly oldest: number) {
    super(`too old resource version: ${requested} (${oldest})`);
  }
}

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}

interface ResourceBucket {
  objects: Map<string, KubeObject>;
  /** Keys sorted as the apiserver lists them; rebuilt lazily after a create or delete. */
  sorted: string[] | null;
  watchers: Set<StoreListener>;
}

export interface StoreOptions {
  /** Events kept for watch resumption; older resourceVersions get 410 Expired. */
  historyLimit?: number;
}

export class ObjectStore {
  private rv: number;
  private readonly buckets = new Map<string, ResourceBucket>();
  private readonly history: StoreEvent[] = [];
  private readonly historyLimit: number;
  /** The first resourceVersion a watch may still resume from (exclusive). */
  private compactedRv: number;
  private readonly anyWatchers = new Set<StoreListener>();

  constructor(opts: StoreOptions = {}) {
    this.historyLimit = opts.historyLimit ?? 1000;
    this.rv = 1000;
    this.compactedRv = this.rv;
  }

  currentResourceVersion(): number {
    return this.rv;
  }

  private bucket(resource: string): ResourceBucket {
    let b = this.buckets.get(resource);
    if (!b) {
      b = { objects: new Map(), sorted: null, watchers: new Set() };
      this.buckets.set(resource, b);
    }
    return b;
  }

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.buckets.get(resource)?.objects.get(objectKey(namespace, name));
  }

  /** Objects in key order; `namespace` undefined means all namespaces. */
  list(resource: string, namespace?: string): KubeObject[] {
    const b = this.buckets.get(resource);
    if (!b) return [];
    if (!b.sorted) b.sorted = [...b.objects.keys()].sort();
    const out: KubeObject[] = [];
    if (namespace === undefined) {
      for (const k of b.sorted) out.push(b.objects.get(k)!);
    } else {
      const prefix = `${namespace}/`;
      for (const k of b.sorted) if (k.startsWith(prefix)) out.push(b.objects.get(k)!);
    }
    return out;
  }

  count(resource: string): number {
    return this.buckets.get(resource)?.objects.size ?? 0;
  }

  resources(): string[] {
    return [...this.buckets.keys()];
  }

  /** Stores a new object; it must not exist. Returns the stored (frozen) copy with its resourceVersion. */
  create(resource: string, obj: KubeObject): KubeObject {
    const b = this.bucket(resource);
    const key = objectKey(obj.metadata.namespace, obj.metadata.name!);
    if (b.objects.has(key)) throw new StoreConflictError('exists');
    const stored = this.stamp(obj);
    b.objects.set(key, stored);
    b.sorted = null;
    this.emit(b, { type: 'ADDED', resource, object: stored, rv: this.rv });
    return stored;
  }

  /** Replaces an object; `expectedRv`, when given, must equal the stored resourceVersion. */
  update(resource: string, obj: KubeObject, expectedRv?: string): KubeObject {
    const b = this.bucket(resource);
    const key = objectKey(obj.metadata.namespace, obj.metadata.name!);
    const cur = b.objects.get(key);
    if (!cur) throw new StoreConflictError('missing');
    if (expectedRv !== undefined && cur.metadata.resourceVersion !== expectedRv) throw new StoreConflictError('stale');
    const stored = this.stamp(obj);
    b.objects.set(key, stored);
    this.emit(b, { type: 'MODIFIED', resource, object: stored, previous: cur, rv: this.rv });
    return stored;
  }

  delete(resource: string, namespace: string | undefined, name: string, expectedRv?: string): KubeObject {
    const b = this.bucket(resource);
    const key = objectKey(namespace, name);
    const cur = b.objects.get(key);
    if (!cur) throw new StoreConflictError('missing');
    if (expectedRv !== undefined && cur.metadata.resourceVersion !== expectedRv) throw new StoreConflictError('stale');
    b.objects.delete(key);
    b.sorted = null;
    // The DELETED event carries the deletion's own resourceVersion, as etcd does.
    const last = this.stamp(cur);
    this.emit(b, { type: 'DELETED', resource, object: last, rv: this.rv });
    return last;
  }

  private stamp(obj: KubeObject): KubeObject {
    this.rv++;
    const copy: KubeObject = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(this.rv) } };
    return deepFreeze(copy);
  }

  private emit(b: ResourceBucket, ev: StoreEvent): void {
    this.history.push(ev);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.compactedRv = dropped[dropped.length - 1].rv;
    }
    for (const w of b.watchers) w(ev);
    for (const w of this.anyWatchers) w(ev);
  }

  /**
   * Watches one resource. With `fromRv`, first replays every event after it
   * (throws ResourceVersionTooOldError when history no longer reaches back);
   * the caller filters by namespace and selectors. Returns a stop function.
   */
  watch(resource: string, listener: StoreListener, fromRv?: number): () => void {
    if (fromRv !== undefined) {
      if (fromRv < this.compactedRv) throw new ResourceVersionTooOldError(fromRv, this.compactedRv);
      for (const ev of this.history) if (ev.rv > fromRv && ev.resource === resource) listener(ev);
    }
    const b = this.bucket(resource);
    b.watchers.add(listener);
    return () => { b.watchers.delete(listener); };
  }

  /** Every event of every resource (controllers' shared informer feed, persistence). */
  watchAll(listener: StoreListener): () => void {
    this.anyWatchers.add(listener);
    return () => { this.anyWatchers.delete(listener); };
  }

  /** A plain copy of all objects, for snapshots. */
  snapshot(): { resourceVersion: number; objects: Record<string, KubeObject[]> } {
    const objects: Record<string, KubeObject[]> = {};
    for (const [r, b] of this.buckets) if (b.objects.size) objects[r] = [...b.objects.values()];
    return { resourceVersion: this.rv, objects };
  }

  /** Loads a snapshot into an empty store; watches resume from its resourceVersion. */
  restore(snap: { resourceVersion: number; objects: Record<string, KubeObject[]> }): void {
    if (this.buckets.size) throw new Error('restore needs an empty store');
    for (const [r, list] of Object.entries(snap.objects)) {
      const b = this.bucket(r);
      for (const o of list) b.objects.set(objectKey(o.metadata.namespace, o.metadata.name!), deepFreeze(jsonClone(o)));
    }
    this.rv = snap.resourceVersion;
    this.compactedRv = this.rv;
  }
}
