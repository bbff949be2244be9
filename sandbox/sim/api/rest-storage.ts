// The write and read pipeline of the API server, independent of HTTP: the same
// path serves kubectl, client-node and the in-process controllers. It runs the
// apiserver's fixed sequence (decode checks, defaults, strategy, validation,
// admission, managed fields, store) over the hooks of each KindDef.

import { randomUUID } from 'node:crypto';
import { ApiError, Errors, formatFieldError, type FieldErrorLike, type StatusCause } from './errors.ts';
import { isPlainObject, type KubeObject, type ManagedFieldsEntry } from './object.ts';
import { generateObjectName, validateObjectName } from './names.ts';
import type { AdmissionPlugin, ClusterReader } from './admission.ts';
import { ObjectStore, ResourceVersionTooOldError, StoreConflictError, type StoreEvent } from '../store/object-store.ts';
import type { KindRegistry } from '../kinds/registry.ts';
import type { AdmissionResult, KindDef, Operation, StrategyContext } from '../kinds/types.ts';
import { apiVersionOf, resourceKey } from '../kinds/types.ts';
import type { SchemaDefinitions, Schema } from '../kinds/schema.ts';
import { objectSchema } from './openapi.ts';
import { findUnknownFields, pruneUnknownFields, validateSchemaTypes } from './schema-check.ts';
import { applyJsonPatch } from './patch/json-patch.ts';
import { applyMergePatch } from './patch/merge-patch.ts';
import { applyStrategicMergePatch } from './patch/strategic-merge.ts';
import { PatchError } from './patch/patch-error.ts';
import { recordUpdate, serverSideApply, ApplyConflictError, conflictStatusCauses, conflictMessage } from './apply/managed-fields.ts';
import { rfc3339 } from './age.ts';
import type { Clock } from '../clock.ts';
import { matchesLabels, type LabelSelector } from '../store/label-selector.ts';
import { matchesFields, type FieldRequirement } from '../store/field-selector.ts';
import { evictPod, type EvictionRequest, type EvictionResult } from './eviction.ts';
import { jsonClone } from './json-clone.ts';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteOptions {
  user: string;
  dryRun?: boolean;
  fieldManager?: string;
  /** Default Warn for API requests without the parameter, like the apiserver. */
  fieldValidation?: FieldValidation;
  subresource?: string;
}

export interface WriteResult {
  object: KubeObject;
  warnings: string[];
  /** True when the write created the object (201). */
  created: boolean;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface DeleteResult {
  object: KubeObject;
  /** True when the object is gone; false when deletion is pending (finalizers, grace period). */
  removed: boolean;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface ListOptions {
  labelSelector?: LabelSelector;
  fieldSelector?: FieldRequirement[];
  limit?: number;
  continueToken?: string;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continueToken?: string;
  remaining?: number;
}

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

const UNKNOWN_FIELDS_WARNING = (path: string): string => `unknown field "${path}"`;

function kindLabel(k: KindDef): string {
  return k.group ? `${k.plural}.${k.group}` : k.plural;
}

/** An update without a resourceVersion precondition lost a race with another write: it is tried again. */
class UnconditionalWriteRaced extends Error {}

async function retryRacedWrites(write: () => Promise<WriteResult>): Promise<WriteResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (e) {
      if (!(e instanceof UnconditionalWriteRaced)) throw e;
      if (attempt >= 10) throw Errors.internal('the object kept changing while the write was admitted; try again');
    }
  }
}

export class RestStorage implements ClusterReader {
  private readonly schemas = new Map<KindDef, Schema>();

  constructor(
    readonly store: ObjectStore,
    readonly registry: KindRegistry,
    readonly defs: SchemaDefinitions,
    /** The cluster clock: timestamps from now(), grace periods as simulated time through deadline(). */
    private readonly clock: Pick<Clock, 'now' | 'deadline'>,
    private readonly admissionPlugins: AdmissionPlugin[] = [],
    private readonly random: () => number = Math.random,
  ) {}

  /** Milliseconds since the epoch, from the cluster clock. */
  now(): number {
    return this.clock.now();
  }

  schemaOf(kind: KindDef): Schema {
    let s = this.schemas.get(kind);
    if (!s) {
      s = objectSchema(kind);
      this.schemas.set(kind, s);
    }
    return s;
  }

  private kindOf(k: KindDef | string): KindDef {
    if (typeof k !== 'string') return k;
    const found = this.registry.kinds.find((d) => resourceKey(d.group, d.plural) === k);
    if (!found) throw new Error(`unknown resource ${k}`);
    return found;
  }

  // ---- reads ---------------------------------------------------------------

  get(kind: KindDef | string, namespace: string | undefined, name: string): KubeObject | undefined {
    const k = this.kindOf(kind);
    return this.store.get(resourceKey(k.group, k.plural), k.namespaced ? namespace : undefined, name);
  }

  list(kind: KindDef | string, namespace?: string): KubeObject[] {
    const k = this.kindOf(kind);
    return this.store.list(resourceKey(k.group, k.plural), k.namespaced ? namespace : undefined);
  }

  read(kind: KindDef, namespace: string | undefined, name: string): KubeObject {
    const obj = this.get(kind, namespace, name);
    if (!obj) throw Errors.notFound(kind.plural, kind.group, name);
    return obj;
  }

  /** Field value for field selectors: metadata.name / metadata.namespace everywhere, plus the kind's own fields. */
  fieldGetter(kind: KindDef, obj: KubeObject): (field: string) => string | undefined {
    return (field) => {
      if (field === 'metadata.name') return obj.metadata.name;
      if (field === 'metadata.namespace') return obj.metadata.namespace;
      const f = kind.selectableFields?.[field];
      return f ? f(obj) : undefined;
    };
  }

  selectableFieldNames(kind: KindDef): string[] {
    return ['metadata.name', 'metadata.namespace', ...Object.keys(kind.selectableFields ?? {})];
  }

  matches(kind: KindDef, obj: KubeObject, opts: Pick<ListOptions, 'labelSelector' | 'fieldSelector'>): boolean {
    if (opts.labelSelector && opts.labelSelector.length && !matchesLabels(opts.labelSelector, obj.metadata.labels)) return false;
    if (opts.fieldSelector && opts.fieldSelector.length && !matchesFields(opts.fieldSelector, this.fieldGetter(kind, obj))) return false;
    return true;
  }

  listFiltered(kind: KindDef, namespace: string | undefined, opts: ListOptions = {}): ListResult {
    const rv = String(this.store.currentResourceVersion());
    const all = this.list(kind, namespace);
    let items = all.filter((o) => this.matches(kind, o, opts));
    let start = 0;
    if (opts.continueToken) {
      const tok = decodeContinue(opts.continueToken);
      start = items.findIndex((o) => objectSortKey(o) > tok.key);
      if (start < 0) start = items.length;
    }
    items = items.slice(start);
    if (opts.limit && opts.limit > 0 && items.length > opts.limit) {
      const page = items.slice(0, opts.limit);
      const last = page[page.length - 1];
      return { items: page, resourceVersion: rv, continueToken: encodeContinue(objectSortKey(last), rv), remaining: items.length - opts.limit };
    }
    return { items, resourceVersion: rv };
  }

  /** Subscribes to one resource; replays from `fromRv` when given. */
  watch(kind: KindDef, listener: (ev: StoreEvent) => void, fromRv?: number): () => void {
    try {
      return this.store.watch(resourceKey(kind.group, kind.plural), listener, fromRv);
    } catch (e) {
      if (e instanceof ResourceVersionTooOldError) throw Errors.expired(`too old resource version: ${e.requested} (${e.oldest})`);
      throw e;
    }
  }

  // ---- writes --------------------------------------------------------------

  private ctx(opts: WriteOptions): StrategyContext {
    return { now: this.now(), user: opts.user, subresource: opts.subresource ?? '' };
  }

  /** Checks apiVersion/kind of a body and that it is an object. */
  private checkBody(kind: KindDef, body: unknown): KubeObject {
    if (!isPlainObject(body)) throw Errors.badRequest(`Object '${kind.kind}' is not an object: the request body must be a JSON or YAML object`);
    const obj = body as KubeObject;
    const want = apiVersionOf(kind);
    if (obj.apiVersion === undefined) obj.apiVersion = want;
    if (obj.kind === undefined) obj.kind = kind.kind;
    if (obj.kind !== kind.kind || obj.apiVersion !== want) {
      throw Errors.badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${want})`
        + (obj.kind !== kind.kind ? `; kind ${String(obj.kind)} is not ${kind.kind}` : ''));
    }
    if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
    if (!isPlainObject(obj.metadata)) throw Errors.badRequest(`${kind.kind} in version "${kind.version}" cannot be handled as a ${kind.kind}: metadata must be an object`);
    return obj;
  }

  /** Unknown fields: rejected (Strict), warned (Warn) or dropped (Ignore); always pruned from what is stored. */
  private decodeFields(kind: KindDef, obj: KubeObject, validation: FieldValidation, warnings: string[]): KubeObject {
    const schema = this.schemaOf(kind);
    const unknown = findUnknownFields(obj, schema, this.defs);
    if (unknown.length) {
      if (validation === 'Strict') {
        throw Errors.badRequest(`${kind.kind} in version "${kind.version}" cannot be handled as a ${kind.kind}: strict decoding error: ${unknown.map(UNKNOWN_FIELDS_WARNING).join(', ')}`);
      }
      if (validation === 'Warn') for (const p of unknown) warnings.push(UNKNOWN_FIELDS_WARNING(p));
    }
    const pruned = (unknown.length ? pruneUnknownFields(obj, schema, this.defs) : obj) as KubeObject;
    const typeErrors = validateSchemaTypes(pruned, schema, this.defs, '');
    if (typeErrors.length) throw this.invalid(kind, pruned, typeErrors);
    return pruned;
  }

  private invalid(kind: KindDef, obj: KubeObject, errs: FieldErrorLike[]): ApiError {
    return Errors.invalid(kind.kind, kind.custom || kind.group ? kind.group : '', obj.metadata?.name ?? obj.metadata?.generateName ?? '', errs);
  }

  private async admit(kind: KindDef, op: Operation, obj: KubeObject, old: KubeObject | undefined, opts: WriteOptions, warnings: string[]): Promise<void> {
    const ctx = this.ctx(opts);
    const results: AdmissionResult[] = [];
    const key = resourceKey(kind.group, kind.plural);
    const sub = opts.subresource ?? '';
    for (const p of this.admissionPlugins) {
      if (p.phase !== 'mutating' || !p.resources.includes(key)) continue;
      results.push(await p.admit({ kind, subresource: sub, operation: op, object: obj, oldObject: old, namespace: obj.metadata.namespace, name: obj.metadata.name ?? '', ctx, dryRun: !!opts.dryRun }, this));
    }
    if (kind.admit && sub === '') results.push(kind.admit(obj, old, op, ctx));
    for (const p of this.admissionPlugins) {
      if (p.phase !== 'validating' || !p.resources.includes(key)) continue;
      results.push(await p.admit({ kind, subresource: sub, operation: op, object: obj, oldObject: old, namespace: obj.metadata.namespace, name: obj.metadata.name ?? '', ctx, dryRun: !!opts.dryRun }, this));
    }
    for (const r of results) {
      if (r.warnings) warnings.push(...r.warnings);
      if (r.denied) throw admissionError(r.denied);
    }
  }

  private checkNamespace(kind: KindDef, obj: KubeObject, namespace: string | undefined, op: Operation): void {
    if (!kind.namespaced) {
      delete obj.metadata.namespace;
      return;
    }
    if (!namespace) throw Errors.badRequest('the server could not find the requested resource: a namespace is required for namespaced resources');
    if (obj.metadata.namespace && obj.metadata.namespace !== namespace) {
      throw Errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    obj.metadata.namespace = namespace;
    if (op === 'CREATE') {
      const ns = this.store.get('namespaces', undefined, namespace);
      if (!ns) throw Errors.notFound('namespaces', '', namespace);
      if (ns.metadata.deletionTimestamp) {
        throw new ApiError(403, 'Forbidden', `${kind.kind.toLowerCase()}s "${obj.metadata.name ?? obj.metadata.generateName ?? ''}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
          { name: obj.metadata.name, group: kind.group || undefined, kind: kind.plural, causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }] });
      }
    }
  }

  private manager(opts: WriteOptions, fallback: string): string {
    return opts.fieldManager ?? fallback;
  }

  /** Root fields whose changes a main-resource write ignores (status when a status subresource exists). */
  private ignoredRoots(kind: KindDef, subresource: string): string[] {
    if (!kind.subresources?.status) return [];
    return subresource === 'status' ? [] : ['status'];
  }

  async create(kind: KindDef, namespace: string | undefined, body: unknown, opts: WriteOptions): Promise<WriteResult> {
    const warnings: string[] = [];
    let obj = this.checkBody(kind, body);
    obj = this.decodeFields(kind, obj, opts.fieldValidation ?? 'Warn', warnings);
    obj = jsonClone(obj);
    this.checkNamespace(kind, obj, namespace, 'CREATE');
    const meta = obj.metadata;
    if (!meta.name && meta.generateName) meta.name = generateObjectName(meta.generateName, this.random);
    const nameErrs = validateObjectName(meta.name, meta.generateName, kind.nameValidation ?? 'subdomain');
    if (nameErrs.length) throw this.invalid(kind, obj, nameErrs);
    const now = this.now();
    meta.uid = randomUUID();
    meta.creationTimestamp = rfc3339(now);
    if (kind.custom || kind.tracksGeneration) meta.generation = 1;
    else delete meta.generation;
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.selfLink;
    const ctx = this.ctx(opts);
    kind.defaults?.(obj);
    kind.prepareForCreate?.(obj, ctx);
    await this.admit(kind, 'CREATE', obj, undefined, opts, warnings);
    const errs = [...(kind.validate?.(obj, ctx) ?? [])];
    if (errs.length) throw this.invalid(kind, obj, errs);
    if (this.store.get(resourceKey(kind.group, kind.plural), meta.namespace, meta.name!)) {
      throw Errors.alreadyExists(kind.plural, kind.group, meta.name!);
    }
    setManagedFields(obj, recordUpdate(undefined, obj, this.manager(opts, 'unknown'),
      { apiVersion: apiVersionOf(kind), now: rfc3339(now), subresource: opts.subresource, ignoredRoots: [] }, this.schemaOf(kind), this.defs));
    if (opts.dryRun) return { object: obj, warnings, created: true };
    try {
      return { object: this.store.create(resourceKey(kind.group, kind.plural), obj), warnings, created: true };
    } catch (e) {
      if (e instanceof StoreConflictError) throw Errors.alreadyExists(kind.plural, kind.group, meta.name!);
      throw e;
    }
  }

  /**
   * Update (PUT) of the main resource or of `status`. The body's
   * resourceVersion, when set, is a precondition.
   */
  update(kind: KindDef, namespace: string | undefined, name: string, body: unknown, opts: WriteOptions): Promise<WriteResult> {
    return retryRacedWrites(() => this.updateOnce(kind, namespace, name, body, opts));
  }

  private async updateOnce(kind: KindDef, namespace: string | undefined, name: string, body: unknown, opts: WriteOptions): Promise<WriteResult> {
    const warnings: string[] = [];
    let obj = this.checkBody(kind, body);
    obj = this.decodeFields(kind, obj, opts.fieldValidation ?? 'Warn', warnings);
    const old = this.read(kind, namespace, name);
    return this.writeUpdate(kind, namespace, name, jsonClone(obj), old, opts, warnings, this.manager(opts, 'unknown'), 'Update');
  }

  private async writeUpdate(
    kind: KindDef, namespace: string | undefined, name: string, obj: KubeObject, old: KubeObject,
    opts: WriteOptions, warnings: string[], manager: string, operation: 'Update' | 'Apply', applied?: KubeObject,
  ): Promise<WriteResult> {
    const sub = opts.subresource ?? '';
    if (obj.metadata.name !== undefined && obj.metadata.name !== name) {
      throw Errors.badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
    }
    obj.metadata.name = name;
    this.checkNamespace(kind, obj, namespace, 'UPDATE');
    const precondition = obj.metadata.resourceVersion;
    if (precondition !== undefined && precondition !== '' && precondition !== old.metadata.resourceVersion) {
      throw Errors.staleResourceVersion(kind.plural, kind.group, name);
    }
    // Fields only the server sets.
    const meta = obj.metadata;
    meta.uid = old.metadata.uid;
    meta.creationTimestamp = old.metadata.creationTimestamp;
    meta.generation = old.metadata.generation;
    if (old.metadata.deletionTimestamp) {
      meta.deletionTimestamp = old.metadata.deletionTimestamp;
      if (old.metadata.deletionGracePeriodSeconds !== undefined) meta.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
    } else {
      delete meta.deletionTimestamp;
      delete meta.deletionGracePeriodSeconds;
    }
    delete meta.selfLink;
    if (kind.subresources?.status) {
      if (sub === 'status') {
        // The status strategy keeps everything but status, metadata included.
        const next: KubeObject = { ...jsonClone(old), status: obj.status };
        if (obj.status === undefined) delete next.status;
        obj = next;
      } else if (old.status !== undefined) {
        obj.status = jsonClone(old.status);
      } else {
        delete obj.status;
      }
    }
    const ctx = this.ctx(opts);
    kind.defaults?.(obj);
    if (sub === '') kind.prepareForUpdate?.(obj, old, ctx);
    if ((kind.custom || kind.tracksGeneration) && !sameSpec(obj, old)) obj.metadata.generation = (old.metadata.generation ?? 1) + 1;
    if (meta.generation === undefined) delete meta.generation;
    await this.admit(kind, 'UPDATE', obj, old, opts, warnings);
    const errs = [...(kind.validate?.(obj, ctx) ?? []), ...(kind.validateUpdate?.(obj, old, ctx) ?? [])];
    if (errs.length) throw this.invalid(kind, obj, errs);
    if (old.metadata.deletionTimestamp) {
      const added = (obj.metadata.finalizers ?? []).filter((f) => !(old.metadata.finalizers ?? []).includes(f));
      if (added.length) {
        throw this.invalid(kind, obj, [{ type: 'Forbidden', field: 'metadata.finalizers', detail: `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}` }]);
      }
    }
    const schema = this.schemaOf(kind);
    const nowText = rfc3339(this.now());
    if (operation === 'Apply' && applied) {
      // serverSideApply already computed managed fields for the merged object.
    } else {
      setManagedFields(obj, recordUpdate(old, obj, manager,
        { apiVersion: apiVersionOf(kind), now: nowText, subresource: sub || undefined, ignoredRoots: this.ignoredRoots(kind, sub) }, schema, this.defs));
    }
    if (equalIgnoringVersion(obj, old)) return { object: old, warnings, created: false };
    if (opts.dryRun) return { object: { ...obj, metadata: { ...obj.metadata, resourceVersion: old.metadata.resourceVersion } }, warnings, created: false };
    const key = resourceKey(kind.group, kind.plural);
    if (old.metadata.deletionTimestamp && !(obj.metadata.finalizers?.length) && !kind.deletionPending?.(obj)) {
      // Removing the last finalizer of an object being deleted completes the deletion.
      const stored = this.store.update(key, obj, old.metadata.resourceVersion);
      const gone = this.store.delete(key, stored.metadata.namespace, name);
      return { object: gone, warnings, created: false };
    }
    try {
      return { object: this.store.update(key, obj, old.metadata.resourceVersion), warnings, created: false };
    } catch (e) {
      if (!(e instanceof StoreConflictError)) throw e;
      // Another write landed while admission ran: an unconditional write starts over on the new object (the apiserver's GuaranteedUpdate).
      if (precondition === undefined || precondition === '') throw new UnconditionalWriteRaced();
      throw Errors.staleResourceVersion(kind.plural, kind.group, name);
    }
  }

  patch(kind: KindDef, namespace: string | undefined, name: string, type: PatchType, patch: unknown, opts: WriteOptions & { force?: boolean }): Promise<WriteResult> {
    return retryRacedWrites(() => this.patchOnce(kind, namespace, name, type, patch, opts));
  }

  private async patchOnce(kind: KindDef, namespace: string | undefined, name: string, type: PatchType, patch: unknown, opts: WriteOptions & { force?: boolean }): Promise<WriteResult> {
    const sub = opts.subresource ?? '';
    if (type === 'strategic' && kind.custom) {
      throw Errors.unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
    }
    const warnings: string[] = [];
    if (type === 'apply') return this.apply(kind, namespace, name, patch, opts, warnings);
    const old = this.read(kind, namespace, name);
    let patched: unknown;
    try {
      // Managed fields and the resourceVersion are not part of what a patch applies to, unless it sets them.
      // (Each patch function works on its own copy of the stored object.)
      if (type === 'json') patched = applyJsonPatch(jsonClone(old), patch);
      else if (type === 'merge') {
        if (!isPlainObject(patch)) throw new PatchError('merge patch must be a JSON object', 400);
        patched = applyMergePatch(old, patch);
      } else {
        if (!isPlainObject(patch)) throw new PatchError('strategic merge patch must be a JSON object', 400);
        patched = applyStrategicMergePatch(jsonClone(old), patch, this.schemaOf(kind), this.defs);
      }
    } catch (e) {
      if (e instanceof PatchError) {
        if (e.code === 400) throw Errors.badRequest(e.message);
        if (e.code === 409) throw Errors.conflict(kind.plural, kind.group, name, e.message);
        throw new ApiError(422, 'Invalid', e.message, { name, group: kind.group || undefined, kind: kind.kind });
      }
      throw e;
    }
    let obj = this.checkBody(kind, patched);
    obj = this.decodeFields(kind, obj, opts.fieldValidation ?? 'Warn', warnings);
    // A resourceVersion the patch did not change is not a precondition.
    if (obj.metadata.resourceVersion === old.metadata.resourceVersion) delete obj.metadata.resourceVersion;
    else if (obj.metadata.resourceVersion === undefined) { /* removed by the patch: unconditional */ }
    const manager = this.manager(opts, 'unknown');
    return this.writeUpdate(kind, namespace, name, jsonClone(obj), old, { ...opts, subresource: sub }, warnings, manager, 'Update');
  }

  private async apply(kind: KindDef, namespace: string | undefined, name: string, body: unknown, opts: WriteOptions & { force?: boolean }, warnings: string[]): Promise<WriteResult> {
    if (!opts.fieldManager) {
      throw Errors.badRequest('PATCH, application/apply-patch+yaml requests must have a fieldManager parameter');
    }
    let applied = this.checkBody(kind, body);
    applied = this.decodeFields(kind, applied, opts.fieldValidation ?? 'Strict', warnings);
    if (applied.metadata.name !== undefined && applied.metadata.name !== name) {
      throw Errors.badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`);
    }
    const old = this.get(kind, namespace, name);
    const schema = this.schemaOf(kind);
    const nowText = rfc3339(this.now());
    let merged: Record<string, unknown>;
    try {
      merged = serverSideApply(old ? jsonClone(old) as Record<string, unknown> : undefined, jsonClone(applied) as Record<string, unknown>, opts.fieldManager,
        { force: !!opts.force, apiVersion: apiVersionOf(kind), now: nowText, subresource: opts.subresource || undefined, ignoredRoots: this.ignoredRoots(kind, opts.subresource ?? '') },
        schema, this.defs).object;
    } catch (e) {
      if (e instanceof ApplyConflictError) {
        throw new ApiError(409, 'Conflict', conflictMessage(e), { name, group: kind.group || undefined, kind: kind.plural, causes: conflictStatusCauses(e, apiVersionOf(kind)) as StatusCause[] });
      }
      throw e;
    }
    const obj = merged as KubeObject;
    if (!old) {
      obj.metadata.name = name;
      const managed = obj.metadata.managedFields;
      const res = await this.create(kind, namespace, obj, { ...opts, fieldValidation: 'Ignore' });
      // create() records an Update entry; an apply-created object is owned by the Apply manager instead.
      if (!opts.dryRun && managed) {
        const stored = { ...jsonClone(res.object), metadata: { ...jsonClone(res.object.metadata), managedFields: managed } };
        res.object = this.store.update(resourceKey(kind.group, kind.plural), stored);
      } else if (managed) {
        res.object.metadata.managedFields = managed;
      }
      res.warnings.unshift(...warnings);
      return res;
    }
    // An apply is never conditional on the live resourceVersion unless it says so.
    if (applied.metadata.resourceVersion === undefined) delete obj.metadata.resourceVersion;
    return this.writeUpdate(kind, namespace, name, obj, old, opts, warnings, opts.fieldManager, 'Apply', applied);
  }

  /** Admission for a subresource request that is not an object write (pods/eviction). */
  async admitSubresource(kind: KindDef, subresource: string, op: Operation, obj: KubeObject, old: KubeObject | undefined, opts: WriteOptions, warnings: string[]): Promise<void> {
    await this.admit(kind, op, obj, old, { ...opts, subresource }, warnings);
  }

  /**
   * pods/eviction: admission on the subresource, the PodDisruptionBudget check,
   * then a graceful delete with the Eviction's deleteOptions (see eviction.ts).
   */
  evictPod(namespace: string | undefined, name: string, eviction: EvictionRequest, opts: WriteOptions): Promise<EvictionResult> {
    return evictPod(this, namespace, name, eviction, opts);
  }

  /**
   * A narrow write through a subresource (pods/binding): the subresource's own
   * checks replace the kind's update strategy; managed fields are still recorded.
   */
  async writeSubresource(kind: KindDef, next: KubeObject, old: KubeObject, opts: WriteOptions): Promise<KubeObject> {
    const obj = jsonClone(next);
    setManagedFields(obj, recordUpdate(old, obj, this.manager(opts, 'unknown'),
      { apiVersion: apiVersionOf(kind), now: rfc3339(this.now()), subresource: opts.subresource || undefined, ignoredRoots: [] }, this.schemaOf(kind), this.defs));
    if (opts.dryRun) return obj;
    try {
      return this.store.update(resourceKey(kind.group, kind.plural), obj, old.metadata.resourceVersion);
    } catch (e) {
      if (e instanceof StoreConflictError) throw Errors.staleResourceVersion(kind.plural, kind.group, old.metadata.name!);
      throw e;
    }
  }

  /**
   * DELETE: preconditions, graceful deletion (kinds decide the grace period),
   * finalizers and the propagation policy's finalizers for the garbage collector.
   */
  async delete(kind: KindDef, namespace: string | undefined, name: string, options: DeleteOptions, opts: WriteOptions): Promise<DeleteResult> {
    const old = this.read(kind, namespace, name);
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid) {
      throw Errors.conflict(kind.plural, kind.group, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw Errors.conflict(kind.plural, kind.group, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`);
    }
    if (options.gracePeriodSeconds !== undefined && options.gracePeriodSeconds < 0) {
      throw this.invalid(kind, old, [{ type: 'Invalid', field: 'gracePeriodSeconds', value: options.gracePeriodSeconds, detail: 'must be greater than or equal to 0' }]);
    }
    const warnings: string[] = [];
    await this.admit(kind, 'DELETE', old, old, opts, warnings);
    const policy = options.propagationPolicy ?? (options.orphanDependents ? 'Orphan' : undefined);
    const next = jsonClone(old);
    const finalizers = new Set(next.metadata.finalizers ?? []);
    if (!old.metadata.deletionTimestamp) {
      if (policy === 'Foreground') finalizers.add(FOREGROUND_FINALIZER);
      if (policy === 'Orphan') finalizers.add(ORPHAN_FINALIZER);
    }
    const grace = kind.gracefulDeletionSeconds?.(old, options.gracePeriodSeconds) ?? 0;
    const pending = finalizers.size > 0 || grace > 0 || !!kind.deletionPending?.(old);
    const key = resourceKey(kind.group, kind.plural);
    if (!pending) {
      if (opts.dryRun) return { object: old, removed: true };
      return { object: this.store.delete(key, old.metadata.namespace, name), removed: true };
    }
    const now = this.now();
    if (old.metadata.deletionTimestamp) {
      // A second delete may only shorten the grace period.
      const curGrace = old.metadata.deletionGracePeriodSeconds ?? 0;
      if (grace >= curGrace) return { object: old, removed: false };
      if (grace === 0 && finalizers.size === 0 && !kind.deletionPending?.(old)) {
        if (opts.dryRun) return { object: old, removed: true };
        return { object: this.store.delete(key, old.metadata.namespace, name), removed: true };
      }
    }
    // `grace` simulated seconds from now, as a real timestamp.
    next.metadata.deletionTimestamp = rfc3339(this.clock.deadline(now, grace));
    next.metadata.deletionGracePeriodSeconds = grace;
    if (finalizers.size) next.metadata.finalizers = [...finalizers];
    kind.markDeleting?.(next);
    if (opts.dryRun) return { object: next, removed: false };
    return { object: this.store.update(key, next, old.metadata.resourceVersion), removed: false };
  }
}

/** managedFields is omitted when no manager owns anything, as the apiserver does. */
function setManagedFields(obj: KubeObject, entries: ManagedFieldsEntry[]): void {
  if (entries.length) obj.metadata.managedFields = entries;
  else delete obj.metadata.managedFields;
}

function admissionError(d: { webhook: string; code: number; reason?: string; message: string; causes?: StatusCause[] }): ApiError {
  const message = `admission webhook "${d.webhook}" denied the request: ${d.message}`;
  const reason = (d.reason ?? (d.code === 429 ? 'TooManyRequests' : d.code === 422 ? 'Invalid' : d.code === 400 ? 'BadRequest' : 'Forbidden')) as ApiError['reason'];
  return new ApiError(d.code, reason, message, d.causes ? { causes: d.causes } : undefined);
}

/** True when everything outside metadata and status is equal (generation rule). */
function sameSpec(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject): Record<string, unknown> => {
    const { metadata: _m, status: _s, ...rest } = o;
    return rest;
  };
  return deepEqual(strip(a), strip(b));
}

function equalIgnoringVersion(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject): unknown => {
    const { resourceVersion: _rv, managedFields: mf, ...meta } = o.metadata;
    return { ...o, metadata: { ...meta, managedFields: (mf ?? []).map(({ time: _t, ...e }) => e) } };
  };
  return deepEqual(strip(a), strip(b));
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ak = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const bk = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ak.length !== bk.length) return false;
  for (const k of ak) if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

function objectSortKey(o: KubeObject): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name!;
}

function encodeContinue(key: string, rv: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: Number(rv), start: key })).toString('base64url');
}

function decodeContinue(token: string): { key: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { start?: unknown };
    if (typeof parsed.start !== 'string') throw new Error('no start');
    return { key: parsed.start };
  } catch {
    throw Errors.badRequest(`continue key is not valid: illegal base64 data or not a continue token`);
  }
}

export { formatFieldError, kindLabel };
