// The in-process API client controllers use: the same RestStorage pipeline as
// HTTP requests (defaults, validation, admission, managed fields), under the
// controller's own user and field manager.

import type { KubeObject } from '../api/object.ts';
import type { DeleteOptions, PatchType, RestStorage, WriteResult } from '../api/rest-storage.ts';
import { ApiError, Errors } from '../api/errors.ts';
import { rfc3339 } from '../api/age.ts';
import type { KindDef } from '../kinds/types.ts';
import { jsonClone } from '../api/json-clone.ts';

export class ClusterClient {
  constructor(private readonly storage: RestStorage, readonly user: string, readonly fieldManager: string) {}

  kind(resource: string): KindDef {
    const k = this.storage.registry.kinds.find((d) => (d.group ? `${d.group}/${d.plural}` : d.plural) === resource);
    if (!k) throw new Error(`unknown resource ${resource}`);
    return k;
  }

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.storage.get(resource, namespace, name);
  }

  list(resource: string, namespace?: string): KubeObject[] {
    return this.storage.list(resource, namespace);
  }

  async create(resource: string, obj: KubeObject, subresource = ''): Promise<KubeObject> {
    return (await this.storage.create(this.kind(resource), obj.metadata.namespace, obj, this.opts(subresource))).object;
  }

  async update(resource: string, obj: KubeObject): Promise<KubeObject> {
    return (await this.storage.update(this.kind(resource), obj.metadata.namespace, obj.metadata.name!, obj, this.opts(''))).object;
  }

  /** An update through a subresource that replaces part of the object (namespaces/finalize). */
  async updateSubresource(resource: string, obj: KubeObject, subresource: string): Promise<KubeObject> {
    return (await this.storage.update(this.kind(resource), obj.metadata.namespace, obj.metadata.name!, obj, this.opts(subresource))).object;
  }

  async updateStatus(resource: string, obj: KubeObject): Promise<KubeObject> {
    const kind = this.kind(resource);
    const sub = kind.subresources?.status ? 'status' : '';
    return (await this.storage.update(kind, obj.metadata.namespace, obj.metadata.name!, obj, this.opts(sub))).object;
  }

  async patch(resource: string, namespace: string | undefined, name: string, type: PatchType, patch: unknown, subresource = ''): Promise<KubeObject> {
    const r: WriteResult = await this.storage.patch(this.kind(resource), namespace, name, type, patch, this.opts(subresource));
    return r.object;
  }

  async delete(resource: string, namespace: string | undefined, name: string, options: DeleteOptions = {}): Promise<KubeObject | undefined> {
    try {
      return (await this.storage.delete(this.kind(resource), namespace, name, options, this.opts(''))).object;
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) return undefined;
      throw e;
    }
  }

  /**
   * POST pods/{name}/eviction: the same admission (eviction webhooks) and
   * PodDisruptionBudget path as the HTTP handler. Throws the ApiError a client
   * would get (429 TooManyRequests when a budget or webhook refuses).
   */
  async evict(namespace: string, name: string, deleteOptions: { gracePeriodSeconds?: number; preconditions?: { uid?: string }; dryRun?: string[] } = {},
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }): Promise<void> {
    await this.storage.evictPod(namespace, name, { deleteOptions: { ...deleteOptions }, ...(metadata ? { metadata } : {}) }, this.opts('eviction'));
  }

  /**
   * POST pods/binding, as the scheduler does: sets spec.nodeName and
   * PodScheduled=True, only on a pod with no node that is not being deleted
   * (409 Conflict otherwise), like the apiserver's BindingREST.
   */
  async bind(namespace: string, name: string, node: string): Promise<KubeObject> {
    const kind = this.kind('pods');
    const pod = this.storage.read(kind, namespace, name);
    const spec = (pod.spec ?? {}) as { nodeName?: string };
    if (pod.metadata.deletionTimestamp) throw Errors.conflict('pods', '', name, 'pod is being deleted, cannot be assigned to a host');
    if (spec.nodeName) throw Errors.conflict('pods', '', name, `pod ${name} is already assigned to node "${spec.nodeName}"`);
    const updated = jsonClone(pod);
    (updated.spec as { nodeName?: string }).nodeName = node;
    const st = (updated.status ?? {}) as { conditions?: { type: string }[] };
    st.conditions = [
      ...(st.conditions ?? []).filter((c) => c.type !== 'PodScheduled'),
      { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(this.storage.now()) } as { type: string },
    ];
    updated.status = st;
    return this.storage.writeSubresource(kind, updated, pod, this.opts('binding'));
  }

  private opts(subresource: string) {
    return { user: this.user, fieldManager: this.fieldManager, fieldValidation: 'Ignore' as const, subresource };
  }
}

export function isNotFound(e: unknown): boolean {
  return e instanceof ApiError && e.code === 404;
}

export function isConflict(e: unknown): boolean {
  return e instanceof ApiError && e.code === 409;
}
