// Field ownership (metadata.managedFields) for every write, and server-side
// apply. Pure functions: the caller passes the live and new objects and stores
// what comes back. Semantics follow the Kubernetes server-side apply docs and
// the structured-merge-diff behaviour kubectl 1.32 observes:
//   - Update (create/update/patch): the writer takes the fields it changed
//     from everyone else; removed fields leave every set.
//   - Apply: the applied config's fields become the applier's set; changing a
//     field another manager owns is a conflict unless forced; fields the
//     applier applied last time but omits now are removed from the object
//     unless someone else (or the new config) still owns them.
//   - apiVersion, kind, metadata.name/namespace/uid/resourceVersion/generation/
//     creationTimestamp/managedFields are never owned (upstream strips them).
//   - Entries are sorted as upstream encodes them: Apply before Update, then
//     by time, manager, apiVersion, subresource.
//   - The kubectl CSA→SSA migration helpers apply to the manager "kubectl":
//     conflicts on fields that still match the last-applied annotation are
//     forced, and an existing last-applied annotation is rewritten from the
//     applied config.

import type { Schema, SchemaDefinitions } from '../../kinds/schema.ts';
import { ApiError, Errors, type StatusCause } from '../errors.ts';
import { isPlainObject, splitApiVersion, type ManagedFieldsEntry } from '../object.ts';
import {
  FieldPathError, FieldSet, compareFields, ensureNamedFieldsAreMembers, fieldStep, fieldsOf, fromFieldsV1, goJson,
  indexList, renderPath, shapeOf, toFieldsV1, removeFields, deepEqual, fieldSetFromDotted,
  type FieldPath, type PathStep,
} from './fieldset.ts';
import { jsonClone } from '../json-clone.ts';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
/** metav1 TotalAnnotationSizeLimitB: a rewritten last-applied annotation that does not fit is dropped. */
const ANNOTATIONS_SIZE_LIMIT = 256 * 1024;
const BEFORE_FIRST_APPLY = 'before-first-apply';

/** Paths no manager ever owns (upstream stripMeta; exact paths, not subtrees). */
const STRIPPED = FieldSet.of([
  ['f:apiVersion'], ['f:kind'], ['f:metadata'],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion']
    .map((f) => ['f:metadata', fieldStep(f)]),
]);

export interface UpdateOptions {
  /** The group/version the request was made in ("v1", "apps/v1"). */
  apiVersion: string;
  /** RFC 3339 timestamp recorded on entries that changed. */
  now: string;
  subresource?: string;
  /**
   * Fields this write cannot change and nobody gains by it: dotted field
   * names such as "status" for main-resource writes of kinds with a status
   * subresource, or "spec" for /status writes. Their subtrees are excluded.
   */
  ignoredRoots?: string[];
  /**
   * What a create is compared against. Upstream compares with the type's zero
   * value, so built-in kinds (Go structs) never own `spec`/`status` themselves
   * while custom resources do (`"f:spec":{".":{},…}`). Pass
   * `{metadata:{},spec:{},status:{}}` for built-ins; defaults to `{}`.
   */
  createBaseline?: Record<string, unknown>;
}

export interface ApplyOptions extends UpdateOptions {
  force: boolean;
}

interface ManagerIdentity {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
}

interface ManagerState extends ManagerIdentity {
  time?: string;
  set: FieldSet;
}

type Managers = Map<string, ManagerState>;

/**
 * The key upstream uses to tell entries apart: Go's JSON of the entry without
 * time and fields, and without apiVersion for appliers.
 */
function managerId(m: ManagerIdentity): string {
  const o: Record<string, string> = { manager: m.manager, operation: m.operation };
  if (m.operation === 'Update' && m.apiVersion) o.apiVersion = m.apiVersion;
  if (m.subresource) o.subresource = m.subresource;
  return JSON.stringify(o);
}

function decodeManaged(entries: unknown): Managers | undefined {
  const out: Managers = new Map();
  if (entries === undefined || entries === null) return out;
  if (!Array.isArray(entries)) return undefined;
  for (const e of entries) {
    if (!isPlainObject(e)) return undefined;
    const op = e.operation;
    if (op !== 'Apply' && op !== 'Update') return undefined;
    if (typeof e.apiVersion !== 'string' || !e.apiVersion) return undefined;
    if (e.fieldsType !== 'FieldsV1') return undefined;
    const m: ManagerState = {
      manager: typeof e.manager === 'string' ? e.manager : '',
      operation: op,
      apiVersion: e.apiVersion,
      set: fromFieldsV1(e.fieldsV1 ?? {}),
    };
    if (typeof e.subresource === 'string' && e.subresource) m.subresource = e.subresource;
    if (typeof e.time === 'string') m.time = e.time;
    out.set(managerId(m), m);
  }
  return out;
}

function timeSeconds(t: string | undefined): number {
  if (!t) return 0;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Upstream's order of entries: Apply before Update, then by time (seconds), manager, apiVersion, subresource. */
function entryOrder(p: ManagerIdentity & { time?: string }, q: ManagerIdentity & { time?: string }): number {
  return cmp(p.operation, q.operation)
    || timeSeconds(p.time) - timeSeconds(q.time)
    || cmp(p.manager, q.manager)
    || cmp(p.apiVersion, q.apiVersion)
    || cmp(p.subresource ?? '', q.subresource ?? '');
}

function encodeManaged(managers: Managers, now: string): ManagedFieldsEntry[] {
  const list = [...managers.values()].filter((m) => !m.set.isEmpty());
  list.sort(entryOrder);
  return list.map((m) => {
    // Key order as upstream serialises ManagedFieldsEntry.
    const e: ManagedFieldsEntry = {
      manager: m.manager,
      operation: m.operation,
      apiVersion: m.apiVersion,
      time: m.time ?? now,
      fieldsType: 'FieldsV1',
      fieldsV1: toFieldsV1(m.set),
    };
    if (m.subresource) e.subresource = m.subresource;
    return e;
  });
}

function cloneManagers(m: Managers): Managers {
  const out: Managers = new Map();
  for (const [k, v] of m) out.set(k, { ...v, set: v.set.clone() });
  return out;
}

function stripAll(managers: Managers): void {
  for (const [id, m] of managers) {
    m.set = m.set.difference(STRIPPED);
    if (m.set.isEmpty()) managers.delete(id);
  }
}

/** A shallow view without metadata.managedFields: field comparison only reads it. */
function withoutManagedFields(obj: Record<string, unknown>): Record<string, unknown> {
  if (!isPlainObject(obj.metadata)) return obj;
  const { managedFields: _m, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

function metadataOf(obj: Record<string, unknown> | undefined): Record<string, unknown> {
  return obj && isPlainObject(obj.metadata) ? obj.metadata : {};
}

/** managedFields: [] or [{}] in a request resets ownership (upstream isResetManagedFields). */
function isReset(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  return v.length === 0 || (v.length === 1 && isPlainObject(v[0]) && Object.keys(v[0]).length === 0);
}

// ---------------------------------------------------------------------------
// Update

/** The Update step shared by plain writes and the before-first-apply bookkeeping. */
function applyUpdate(
  managers: Managers, before: unknown, after: unknown, who: ManagerIdentity,
  now: string, ignored: FieldSet, schema: Schema | undefined, defs: SchemaDefinitions,
): void {
  const c = compareFields(before, after, schema, defs);
  const changed = c.modified.union(c.added).recursiveDifference(ignored);
  const removed = c.removed.recursiveDifference(ignored);
  for (const m of managers.values()) m.set = m.set.difference(changed).difference(removed);
  const current = changed.difference(STRIPPED);
  stripAll(managers);
  // Only a write that changed something (re)stamps the writer's entry.
  if (current.isEmpty()) return;
  const id = managerId(who);
  const prev = managers.get(id);
  managers.set(id, { ...who, time: now, set: prev ? prev.set.union(current) : current });
}

/**
 * managedFields after a create (oldObj undefined), update or patch by
 * `manager`. The caller stores the result as metadata.managedFields (omitted
 * when empty). As upstream, request-supplied managedFields are honoured on
 * main-resource writes, `[]` resets them, and an existing object without any
 * managedFields stays untracked until its first apply.
 */
export function recordUpdate(
  oldObj: Record<string, unknown> | undefined,
  newObj: Record<string, unknown>,
  manager: string,
  opts: UpdateOptions,
  schema: Schema | undefined,
  defs: SchemaDefinitions,
): ManagedFieldsEntry[] {
  const who: ManagerIdentity = { manager, operation: 'Update', apiVersion: opts.apiVersion };
  if (opts.subresource) who.subresource = opts.subresource;
  return rewriteOwnFields(oldObj, newObj, who, opts, schema, defs) ?? recordUpdateInFull(oldObj, newObj, who, opts, schema, defs);
}

/** A field path is a member of an entry's FieldsV1 (plain `f:` steps only). */
function ownsPath(fieldsV1: unknown, path: FieldPath): boolean {
  let node = fieldsV1;
  for (const step of path) {
    if (!isPlainObject(node) || !Object.hasOwn(node, step)) return false;
    node = node[step];
  }
  return isPlainObject(node) && (Object.hasOwn(node, '.') || Object.keys(node).length === 0);
}

/**
 * The common write, answered without decoding every entry: the writer only
 * changed values of fields it already owns alone (a kubelet renewing its
 * Lease, virt-handler stamping its heartbeat). Ownership stays as it was and
 * only the writer's entry gets the new time. Undefined when the write is
 * anything else; recordUpdateInFull then does the whole computation.
 */
function rewriteOwnFields(
  oldObj: Record<string, unknown> | undefined, newObj: Record<string, unknown>, who: ManagerIdentity,
  opts: UpdateOptions, schema: Schema | undefined, defs: SchemaDefinitions,
): ManagedFieldsEntry[] | undefined {
  const live = oldObj ? metadataOf(oldObj).managedFields : undefined;
  if (!Array.isArray(live) || live.length === 0) return undefined;
  const requested = metadataOf(newObj).managedFields;
  if (!opts.subresource && requested !== undefined && !deepEqual(requested, live)) return undefined;
  const entries = live as ManagedFieldsEntry[];
  if (entries.some((e) => !isPlainObject(e) || e.fieldsType !== 'FieldsV1' || (e.operation !== 'Apply' && e.operation !== 'Update') || !e.apiVersion)) return undefined;
  const id = managerId(who);
  const mine = entries.findIndex((e) => managerId(e) === id);
  if (mine < 0) return undefined;

  const c = compareFields(withoutManagedFields(oldObj!), withoutManagedFields(newObj), schema, defs);
  const ignored = fieldSetFromDotted(opts.ignoredRoots);
  // Fields nobody can own (a patch drops metadata.resourceVersion) do not count.
  if (!c.added.recursiveDifference(ignored).difference(STRIPPED).isEmpty() || !c.removed.recursiveDifference(ignored).difference(STRIPPED).isEmpty()) return undefined;
  const changed = c.modified.recursiveDifference(ignored).difference(STRIPPED).paths();
  for (const path of changed) {
    if (path.some((step) => !step.startsWith('f:'))) return undefined;
    if (!ownsPath(entries[mine].fieldsV1, path)) return undefined;
    if (entries.some((e, i) => i !== mine && ownsPath(e.fieldsV1, path))) return undefined;
  }
  const out = jsonClone(entries);
  // Only a write that changed something (re)stamps the writer's entry.
  if (changed.length) {
    out[mine].time = opts.now;
    out.sort(entryOrder);
  }
  return out;
}

export function recordUpdateInFull(
  oldObj: Record<string, unknown> | undefined,
  newObj: Record<string, unknown>,
  who: ManagerIdentity,
  opts: UpdateOptions,
  schema: Schema | undefined,
  defs: SchemaDefinitions,
): ManagedFieldsEntry[] {
  const fromLive = (): Managers => decodeManaged(metadataOf(oldObj).managedFields) ?? new Map();
  let managers: Managers;
  const requested = metadataOf(newObj).managedFields;
  if (opts.subresource) managers = fromLive();
  else if (isReset(requested)) managers = new Map();
  else {
    const decoded = decodeManaged(requested);
    managers = decoded && decoded.size ? decoded : fromLive();
  }
  if (managers.size === 0 && oldObj && metadataOf(oldObj).uid) return [];

  const before = oldObj ? withoutManagedFields(oldObj) : jsonClone(opts.createBaseline ?? {});
  const after = withoutManagedFields(newObj);
  applyUpdate(managers, before, after, who, opts.now, fieldSetFromDotted(opts.ignoredRoots), schema, defs);
  return encodeManaged(managers, opts.now);
}

// ---------------------------------------------------------------------------
// Conflicts

export interface ApplyConflict {
  manager: string;
  /** Rendered path: `.spec.containers[name="main"].image`. */
  field: string;
  operation?: 'Apply' | 'Update';
  apiVersion?: string;
  subresource?: string;
  /** The path as FieldsV1 steps. */
  path?: FieldPath;
}

export class ApplyConflictError extends Error {
  readonly conflicts: ApplyConflict[];
  constructor(conflicts: ApplyConflict[]) {
    super('');
    this.name = 'ApplyConflictError';
    this.conflicts = conflicts;
    this.message = conflictMessage(this);
  }
}

/** `"m"`, `"m" with subresource "status"`, plus ` using <apiVersion>` for Update managers. */
function printManager(c: ApplyConflict, fallbackApiVersion?: string): string {
  let s = JSON.stringify(c.manager);
  if (c.subresource) s += ` with subresource ${JSON.stringify(c.subresource)}`;
  if ((c.operation ?? 'Update') === 'Update') s += ` using ${c.apiVersion ?? fallbackApiVersion ?? ''}`;
  return s;
}

function conflictManagerId(c: ApplyConflict, fallbackApiVersion?: string): string {
  return managerId({
    manager: c.manager, operation: c.operation ?? 'Update', apiVersion: c.apiVersion ?? fallbackApiVersion ?? '', subresource: c.subresource,
  });
}

/** details.causes of the 409: one FieldManagerConflict per conflicting field. */
export function conflictStatusCauses(err: ApplyConflictError, apiVersion?: string): StatusCause[] {
  return err.conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${printManager(c, apiVersion)}`,
    field: c.field,
  }));
}

/** The Status message, which kubectl prints after "error: ". */
export function conflictMessage(err: ApplyConflictError, apiVersion?: string): string {
  const cs = err.conflicts;
  if (cs.length === 1) return `Apply failed with 1 conflict: conflict with ${printManager(cs[0], apiVersion)}: ${cs[0].field}`;
  const byManager = new Map<string, ApplyConflict[]>();
  for (const c of cs) {
    const id = conflictManagerId(c, apiVersion);
    const list = byManager.get(id) ?? [];
    list.push(c);
    byManager.set(id, list);
  }
  const lines: string[] = [];
  for (const id of [...byManager.keys()].sort(cmp)) {
    const group = byManager.get(id)!;
    lines.push(`conflicts with ${printManager(group[0], apiVersion)}:`);
    for (const c of group) lines.push(`- ${c.field}`);
  }
  return `Apply failed with ${cs.length} conflicts: ${lines.join('\n')}`;
}

/** The 409 reply as upstream builds it (NewApplyConflict: only causes in details). */
export function conflictApiError(err: ApplyConflictError, apiVersion?: string): ApiError {
  return new ApiError(409, 'Conflict', conflictMessage(err, apiVersion), { causes: conflictStatusCauses(err, apiVersion) });
}

// ---------------------------------------------------------------------------
// Apply

/**
 * Server-side apply of `applied` (the request body) by `manager` onto `live`
 * (undefined: create). Returns the merged object with metadata.managedFields
 * set; on create that is the applied object itself and the caller adds the
 * server-set fields. Throws ApplyConflictError (→ conflictApiError) or
 * ApiError for malformed configs.
 */
export function serverSideApply(
  live: Record<string, unknown> | undefined,
  applied: Record<string, unknown>,
  manager: string,
  opts: ApplyOptions,
  schema: Schema | undefined,
  defs: SchemaDefinitions,
): { object: Record<string, unknown> } {
  if (!isPlainObject(applied)) throw Errors.badRequest('the apply configuration must be an object');
  if (typeof applied.apiVersion === 'string' && applied.apiVersion !== opts.apiVersion) {
    throw Errors.badRequest(`Incorrect version specified in apply patch. Specified patch version: ${applied.apiVersion}, expected: ${opts.apiVersion}`);
  }
  const appliedMeta = metadataOf(applied);
  if (appliedMeta.managedFields !== undefined && appliedMeta.managedFields !== null) {
    throw Errors.badRequest('metadata.managedFields must be nil');
  }

  const ignored = fieldSetFromDotted(opts.ignoredRoots);
  const who: ManagerIdentity = { manager, operation: 'Apply', apiVersion: opts.apiVersion };
  if (opts.subresource) who.subresource = opts.subresource;

  let managers: Managers = new Map();
  let liveObj: Record<string, unknown> | undefined;
  if (live) {
    managers = decodeManaged(metadataOf(live).managedFields) ?? new Map();
    liveObj = withoutManagedFields(live);
    if (managers.size === 0) {
      // Untracked existing fields get a placeholder owner so applying over them conflicts.
      applyUpdate(managers, jsonClone(opts.createBaseline ?? {}), liveObj,
        { manager: BEFORE_FIRST_APPLY, operation: 'Update', apiVersion: opts.apiVersion }, opts.now, ignored, schema, defs);
    }
  }

  const config = jsonClone(applied);
  let configSet: FieldSet;
  try {
    configSet = fieldsOf(config, schema, defs, { strict: true });
  } catch (e) {
    if (e instanceof FieldPathError) throw typedObjectError('patch', applied, opts.apiVersion, e.message);
    throw e;
  }

  const run = (force: boolean) => applyCore(liveObj, config, configSet, cloneManagers(managers), who, force, opts, ignored, schema, defs);
  let result: ReturnType<typeof applyCore>;
  try {
    result = run(opts.force);
  } catch (e) {
    if (!(e instanceof ApplyConflictError) || manager !== 'kubectl' || !live) throw e;
    // Upgrading from client-side apply: fields that still match the
    // last-applied annotation were "ours" under CSA, so they do not conflict.
    const allowed = allowedFromLastApplied(live, opts.apiVersion, schema, defs);
    if (!allowed) throw e;
    const remaining = e.conflicts.filter((c) => !c.path || !allowed.has(c.path));
    if (remaining.length) throw new ApplyConflictError(remaining);
    result = run(true);
  }

  const object = result.object;
  if (manager === 'kubectl' && hasLastApplied(object)) setLastApplied(object, buildLastApplied(applied));
  const entries = encodeManaged(result.managers, opts.now);
  const meta: Record<string, unknown> = isPlainObject(object.metadata) ? object.metadata : {};
  object.metadata = meta;
  if (entries.length) meta.managedFields = entries;
  else delete meta.managedFields;
  return { object };
}

function applyCore(
  liveObj: Record<string, unknown> | undefined,
  config: Record<string, unknown>,
  configSet: FieldSet,
  managers: Managers,
  who: ManagerIdentity,
  force: boolean,
  opts: ApplyOptions,
  ignored: FieldSet,
  schema: Schema | undefined,
  defs: SchemaDefinitions,
): { object: Record<string, unknown>; managers: Managers } {
  const base = liveObj ?? {};
  let merged = mergeValues(base, config, schema, defs, []) as Record<string, unknown>;
  merged = dropNulls(merged, schema, defs) as Record<string, unknown>;
  restoreIgnored(merged, liveObj, opts.ignoredRoots);

  const id = managerId(who);
  const previous = managers.get(id);
  const lastSet = previous?.set;
  managers.set(id, { ...who, time: previous?.time, set: configSet.recursiveDifference(ignored) });
  if (lastSet && !lastSet.isEmpty()) merged = prune(merged, managers, lastSet, schema, defs);

  const c = compareFields(base, merged, schema, defs);
  const changed = c.modified.union(c.added).recursiveDifference(ignored);
  const removed = c.removed.recursiveDifference(ignored);
  const conflicts: ApplyConflict[] = [];
  const ordered = [...managers.entries()].sort((a, b) => cmp(a[0], b[0]));
  for (const [mid, m] of ordered) {
    if (mid === id) continue;
    for (const path of m.set.intersection(changed).paths()) {
      const conflict: ApplyConflict = { manager: m.manager, field: renderPath(path), operation: m.operation, apiVersion: m.apiVersion, path };
      if (m.subresource) conflict.subresource = m.subresource;
      conflicts.push(conflict);
    }
  }
  if (conflicts.length && !force) throw new ApplyConflictError(conflicts);
  for (const [mid, m] of managers) {
    if (mid !== id) m.set = m.set.difference(changed).difference(removed);
  }
  stripAll(managers);

  const applier = managers.get(id);
  const noop = liveObj !== undefined && deepEqual(base, merged);
  // Upstream stamps the applier only when the object changed; a brand-new
  // entry still needs a time here because ManagedFieldsEntry.time is required.
  if (applier && (!noop || !applier.time)) applier.time = opts.now;
  return { object: merged, managers };
}

/**
 * Removes what the applier owned last time, no longer applies, and nobody
 * else owns. Struct fields count as owned when something below them is, so a
 * struct whose owned children all went away is removed with them.
 */
function prune(merged: Record<string, unknown>, managers: Managers, lastSet: FieldSet, schema: Schema | undefined, defs: SchemaDefinitions): Record<string, unknown> {
  let owned = new FieldSet();
  for (const m of managers.values()) owned = owned.union(m.set);
  const last = ensureNamedFieldsAreMembers(lastSet, schema, defs);
  const present = ensureNamedFieldsAreMembers(fieldsOf(merged, schema, defs), schema, defs);
  const keep = ensureNamedFieldsAreMembers(owned, schema, defs);
  const toRemove = present.intersection(last).difference(keep);
  return toRemove.isEmpty() ? merged : removeFields(merged, toRemove, schema, defs);
}

// ---------------------------------------------------------------------------
// Merging

/**
 * Applied config over live: maps merge, keyed lists merge item by item, sets
 * union, atomic lists and scalars are replaced. List order: items of the
 * config in its order, live-only items kept where they were relative to the
 * items both share.
 */
function mergeValues(l: unknown, r: unknown, s: Schema | undefined, defs: SchemaDefinitions, path: FieldPath): unknown {
  if (r === undefined) return jsonClone(l);
  if (l === undefined) return jsonClone(r);
  const shape = shapeOf(s, defs, l, r);
  if (shape.kind === 'leaf' || (isEmpty(l) && isEmpty(r))) return jsonClone(r);
  if (shape.kind === 'map') {
    const lm = isPlainObject(l) ? l : {};
    const rm = isPlainObject(r) ? r : {};
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(lm)) {
      out[k] = Object.hasOwn(rm, k) ? mergeValues(v, rm[k], shape.field(k).schema, defs, [...path, fieldStep(k)]) : jsonClone(v);
    }
    for (const [k, v] of Object.entries(rm)) if (!Object.hasOwn(lm, k)) out[k] = jsonClone(v);
    return out;
  }
  const ritems = indexList(shape, Array.isArray(r) ? r : [], path, true)!;
  const litems = Array.isArray(l) ? indexList(shape, l, path, false) : [];
  if (!litems) return jsonClone(r);

  const rIndex = new Map<PathStep, unknown>(ritems.map((it) => [it.step, it.value]));
  const lIndex = new Map<PathStep, unknown>();
  const lDup = new Set<PathStep>();
  for (const it of litems) {
    if (lIndex.has(it.step)) lDup.add(it.step);
    else lIndex.set(it.step, it.value);
  }
  // A duplicated live item is replaced by the config's item, not merged into.
  const liveFor = (step: PathStep): unknown => (lDup.has(step) ? undefined : lIndex.get(step));
  const shared = ritems.filter((it) => lIndex.has(it.step)).map((it) => it.step);
  let nextShared = 0;
  const advanceShared = (step: PathStep): void => {
    if (shared[nextShared] === step) nextShared++;
  };
  const emitted = new Set<PathStep>();
  const out: unknown[] = [];
  const emitMerged = (step: PathStep, rv: unknown): void => {
    out.push(mergeValues(liveFor(step), rv, shape.item, defs, [...path, step]));
    emitted.add(step);
    advanceShared(step);
  };
  let li = 0;
  let ri = 0;
  while (li < litems.length || ri < ritems.length) {
    if (li < litems.length && ri < ritems.length) {
      const lstep = litems[li].step;
      if (lstep === ritems[ri].step) {
        emitMerged(lstep, ritems[ri].value);
        li++;
        ri++;
        continue;
      }
      // A shared item whose turn (in config order) has not come yet waits.
      if (rIndex.has(lstep) && nextShared < shared.length && shared[nextShared] !== lstep) {
        li++;
        continue;
      }
    }
    if (li < litems.length) {
      const lstep = litems[li].step;
      if (!rIndex.has(lstep)) {
        out.push(jsonClone(litems[li].value));
        li++;
        continue;
      }
      if (emitted.has(lstep)) li++;
    }
    if (ri < ritems.length) {
      emitMerged(ritems[ri].step, ritems[ri].value);
      ri++;
    }
  }
  return out;
}

function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isPlainObject(v)) return Object.keys(v).length === 0;
  return false;
}

/** `field: null` in an applied config clears the field (typed objects have no nulls) unless the schema is nullable. */
function dropNulls(v: unknown, s: Schema | undefined, defs: SchemaDefinitions): unknown {
  const shape = shapeOf(s, defs, v);
  if (shape.kind === 'map') {
    const m = v as Record<string, unknown>;
    for (const [k, x] of Object.entries(m)) {
      const fs = shape.field(k).schema;
      if (x === null) {
        if (!(fs && defs.resolve(fs)?.nullable)) delete m[k];
      } else dropNulls(x, fs, defs);
    }
  } else if (shape.kind === 'list') {
    for (const x of v as unknown[]) dropNulls(x, shape.item, defs);
  }
  return v;
}

/** Puts back live's value (or absence) at fields this write may not change. */
function restoreIgnored(merged: Record<string, unknown>, liveObj: Record<string, unknown> | undefined, paths: string[] | undefined): void {
  for (const dotted of paths ?? []) {
    const parts = dotted.split('.').filter(Boolean);
    if (!parts.length) continue;
    let src: unknown = liveObj;
    for (const p of parts) src = isPlainObject(src) ? src[p] : undefined;
    let dst: Record<string, unknown> = merged;
    let ok = true;
    for (const p of parts.slice(0, -1)) {
      if (!isPlainObject(dst[p])) {
        if (src === undefined) {
          ok = false;
          break;
        }
        dst[p] = {};
      }
      dst = dst[p] as Record<string, unknown>;
    }
    if (!ok) continue;
    const last = parts[parts.length - 1];
    if (src === undefined) delete dst[last];
    else dst[last] = jsonClone(src);
  }
}

// ---------------------------------------------------------------------------
// last-applied annotation (kubectl client-side apply migration)

function annotationsOf(obj: Record<string, unknown>): Record<string, unknown> | undefined {
  const a = metadataOf(obj).annotations;
  return isPlainObject(a) ? a : undefined;
}

function hasLastApplied(obj: Record<string, unknown>): boolean {
  const v = annotationsOf(obj)?.[LAST_APPLIED_ANNOTATION];
  return typeof v === 'string' && v.length > 0;
}

/** The applied config without the annotation itself, as Go encodes an unstructured object. */
function buildLastApplied(applied: Record<string, unknown>): string {
  const copy = jsonClone(applied);
  const ann = annotationsOf(copy);
  if (ann) delete ann[LAST_APPLIED_ANNOTATION];
  return `${goJson(copy)}\n`;
}

function setLastApplied(obj: Record<string, unknown>, value: string): void {
  const meta = metadataOf(obj);
  const ann: Record<string, unknown> = { ...(annotationsOf(obj) ?? {}) };
  ann[LAST_APPLIED_ANNOTATION] = value;
  let size = 0;
  for (const [k, v] of Object.entries(ann)) size += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  if (size > ANNOTATIONS_SIZE_LIMIT) delete ann[LAST_APPLIED_ANNOTATION];
  meta.annotations = ann;
  obj.metadata = meta;
}

/** Fields of the last-applied annotation whose value still matches live. */
function allowedFromLastApplied(live: Record<string, unknown>, apiVersion: string, schema: Schema | undefined, defs: SchemaDefinitions): FieldSet | undefined {
  const raw = annotationsOf(live)?.[LAST_APPLIED_ANNOTATION];
  if (typeof raw !== 'string' || !raw) return undefined;
  let last: unknown;
  try {
    last = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isPlainObject(last) || last.apiVersion !== apiVersion) return undefined;
  const lastSet = fieldsOf(last, schema, defs);
  const c = compareFields(last, withoutManagedFields(live), schema, defs);
  return lastSet.difference(c.modified).difference(c.added).difference(c.removed);
}

/** Upstream's 500 for configs that do not fit the schema (reason left empty, as a plain Go error). */
function typedObjectError(which: 'patch' | 'live', obj: Record<string, unknown>, apiVersion: string, detail: string): ApiError {
  const meta = metadataOf(obj);
  const { group, version } = splitApiVersion(apiVersion);
  const gvk = `${group}/${version}, Kind=${typeof obj.kind === 'string' ? obj.kind : ''}`;
  const nn = `${typeof meta.namespace === 'string' ? meta.namespace : ''}/${typeof meta.name === 'string' ? meta.name : ''}`;
  return new ApiError(500, '', `failed to create typed ${which} object (${nn}; ${gvk}): ${detail}`);
}
