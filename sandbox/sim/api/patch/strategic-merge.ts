// Strategic merge patch, the patch type kubectl uses for built-in kinds (apply,
// edit, patch, taint). Written from the semantics of Kubernetes' strategicpatch
// package, with the patch metadata taken from our OpenAPI schema
// (x-kubernetes-patch-strategy / x-kubernetes-patch-merge-key) instead of Go struct tags.
//
// Where Kubernetes copies a brand-new subtree verbatim and relies on decoding into
// a typed object to drop leftovers, we merge it into an empty value instead, so
// nulls and directives inside new subtrees never reach the result.

import type { Schema, SchemaDefinitions } from '../../kinds/schema.ts';
import { PatchError } from './patch-error.ts';
import { isJsonObject, jsonEqual, type JsonObject } from './merge-patch.ts';
import { jsonClone } from '../json-clone.ts';

const PATCH = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ORDER = '$setElementOrder/';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';

// Messages match apimachinery's mergepatch errors, which kubectl prints verbatim.
const ERR_RETAIN_KEYS = 'invalid patch format of retainKeys';
const ERR_SET_ORDER = 'invalid patch format of setElementOrder list';
const ERR_PRIMITIVE = 'invalid patch format of primitive list';

interface PatchMeta {
  strategies: string[];
  mergeKey?: string;
}

export function applyStrategicMergePatch(
  doc: Record<string, unknown>,
  patch: Record<string, unknown>,
  schema: Schema | undefined,
  defs: SchemaDefinitions,
): Record<string, unknown> {
  if (!isJsonObject(patch)) throw new PatchError('strategic merge patch must be a JSON object', 400);
  // Private copies: the merge below works in place on the document and consumes the patch.
  const m = new Merger(defs);
  return m.mergeMap(jsonClone(isJsonObject(doc) ? doc : {}), jsonClone(patch), schema);
}

class Merger {
  constructor(private readonly defs: SchemaDefinitions) {}

  // ---- schema helpers ----

  private resolve(s: Schema | undefined): Schema | undefined {
    return s ? this.defs.resolve(s) : undefined;
  }

  /** Schema of field `key` inside an object schema; undefined where the schema says nothing. */
  private field(parent: Schema | undefined, key: string): Schema | undefined {
    const r = this.resolve(parent);
    if (!r) return undefined;
    if (r.properties && Object.hasOwn(r.properties, key)) return r.properties[key];
    // allOf with several members (resolve() only unwraps single-member wrappers).
    for (const member of r.allOf ?? []) {
      const f = this.field(member, key);
      if (f) return f;
    }
    if (r.additionalProperties && typeof r.additionalProperties === 'object') return r.additionalProperties;
    return undefined;
  }

  private items(list: Schema | undefined): Schema | undefined {
    return this.resolve(list)?.items;
  }

  /** Patch strategy and merge key; the outermost wrapper wins, as a property can annotate its `$ref`. */
  private meta(s: Schema | undefined): PatchMeta {
    let strategy: string | undefined;
    let mergeKey: string | undefined;
    let cur = s;
    for (let i = 0; cur && i < 16; i++) {
      strategy ??= cur['x-kubernetes-patch-strategy'];
      mergeKey ??= cur['x-kubernetes-patch-merge-key'];
      if (cur.$ref) cur = this.defs.resolve({ $ref: cur.$ref });
      else if (cur.allOf?.length === 1) cur = cur.allOf[0];
      else break;
    }
    return { strategies: strategy ? strategy.split(',').map((x) => x.trim()) : [], mergeKey };
  }

  // ---- maps ----

  mergeMap(original: JsonObject, patch: JsonObject, schema: Schema | undefined): JsonObject {
    if (Object.hasOwn(patch, PATCH)) {
      const directive = patch[PATCH];
      if (directive === 'replace') {
        // The map becomes the rest of the patch (itself normalised, so no directive survives).
        delete patch[PATCH];
        return this.mergeMap({}, patch, schema);
      }
      // Kubernetes leaves an empty map in place rather than removing the key.
      if (directive === 'delete') return {};
      throw new PatchError(`unknown patch type: ${String(directive)} in map: ${JSON.stringify(patch)}`, 400);
    }

    this.applyRetainKeys(original, patch);

    // Lists named by $setElementOrder are merged and ordered together with their directive.
    const handled = new Set<string>();
    for (const key of Object.keys(patch)) {
      if (!key.startsWith(SET_ORDER)) continue;
      const field = key.slice(SET_ORDER.length);
      const order = patch[key];
      if (!field || !Array.isArray(order)) throw new PatchError(ERR_SET_ORDER, 400);
      handled.add(key);
      if (Object.hasOwn(patch, field) && patch[field] === null) continue; // the list itself is being deleted
      handled.add(field);
      this.mergeOrderedField(original, patch, field, order, this.field(schema, field));
    }

    const deletions: [string, unknown[]][] = [];
    for (const [key, value] of Object.entries(patch)) {
      if (handled.has(key)) continue;
      if (key.startsWith(DELETE_PRIMITIVE)) {
        const field = key.slice(DELETE_PRIMITIVE.length);
        if (!field || !Array.isArray(value)) throw new PatchError(ERR_PRIMITIVE, 400);
        deletions.push([field, value]);
        continue;
      }
      if (value === null) {
        delete original[key];
        continue;
      }
      const fieldSchema = this.field(schema, key);
      const current = original[key];
      if (!Object.hasOwn(original, key) || current === null) {
        original[key] = this.fresh(value, fieldSchema);
      } else if (isJsonObject(current) && isJsonObject(value)) {
        original[key] = this.meta(fieldSchema).strategies.includes('replace')
          ? this.mergeMap({}, value, fieldSchema)
          : this.mergeMap(current, value, fieldSchema);
      } else if (Array.isArray(current) && Array.isArray(value)) {
        original[key] = this.mergeListField(current, value, fieldSchema);
      } else {
        original[key] = this.fresh(value, fieldSchema);
      }
    }

    // Deletions from primitive lists run after the merges so a value both added and deleted ends up deleted.
    for (const [field, values] of deletions) {
      const list = original[field];
      if (Array.isArray(list)) original[field] = list.filter((v) => !values.some((d) => jsonEqual(d, v)));
    }
    return original;
  }

  /** `$retainKeys`: keys of the live map not listed are cleared; the patch may only set listed keys. */
  private applyRetainKeys(original: JsonObject, patch: JsonObject): void {
    if (!Object.hasOwn(patch, RETAIN_KEYS)) return;
    const retain = patch[RETAIN_KEYS];
    delete patch[RETAIN_KEYS];
    if (!Array.isArray(retain)) throw new PatchError(ERR_RETAIN_KEYS, 400);
    const keep = new Set(retain.filter((k): k is string => typeof k === 'string'));
    for (const [k, v] of Object.entries(patch)) {
      if (v === null || k.startsWith(SET_ORDER) || k.startsWith(DELETE_PRIMITIVE)) continue;
      if (!keep.has(k)) throw new PatchError(ERR_RETAIN_KEYS, 400);
    }
    for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
  }

  /** A value with nothing to merge into: normalised as if merged into an empty value of its type. */
  private fresh(value: unknown, schema: Schema | undefined): unknown {
    if (isJsonObject(value)) return this.mergeMap({}, value, schema);
    if (Array.isArray(value)) return this.mergeListField([], value, schema);
    return value;
  }

  // ---- lists ----

  private mergeListField(original: unknown[], patch: unknown[], schema: Schema | undefined): unknown[] {
    const meta = this.meta(schema);
    const itemSchema = this.items(schema);
    if (!meta.strategies.includes('merge')) return this.atomic(patch, itemSchema);
    return this.mergeList(original, patch, meta.mergeKey, itemSchema);
  }

  /** Lists without merge strategy (or without schema) are replaced whole. */
  private atomic(patch: unknown[], itemSchema: Schema | undefined): unknown[] {
    return patch.map((v) => this.fresh(v, itemSchema));
  }

  private mergeList(original: unknown[], patch: unknown[], mergeKey: string | undefined, itemSchema: Schema | undefined): unknown[] {
    if (original.length === 0 && patch.length === 0) return [];
    if ([...original, ...patch].some(Array.isArray)) throw new PatchError('lists of lists are not supported', 422);
    const ofMaps = [...original, ...patch].some(isJsonObject);
    if (!ofMaps) return this.mergePrimitiveList(original, patch);
    // A list of objects that declares no merge key cannot be merged by key: replace it.
    if (!mergeKey) return this.atomic(patch, itemSchema);

    let merged: unknown[] = [...original];
    const regular: JsonObject[] = [];
    let replace = false;
    for (const item of patch) {
      if (!isJsonObject(item)) throw new PatchError(`list element types are not identical: ${JSON.stringify(patch)}`, 400);
      if (!Object.hasOwn(item, PATCH)) {
        regular.push(item);
        continue;
      }
      const directive = item[PATCH];
      if (directive === 'delete') {
        if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
        merged = merged.filter((o) => !(isJsonObject(o) && Object.hasOwn(o, mergeKey) && jsonEqual(o[mergeKey], item[mergeKey])));
      } else if (directive === 'replace') {
        replace = true;
      } else if (directive === 'merge') {
        throw new PatchError('merging lists cannot yet be specified in the patch', 400);
      } else {
        throw new PatchError(`unknown patch type: ${String(directive)} in map: ${JSON.stringify(item)}`, 400);
      }
    }
    // `{"$patch":"replace"}` as an element: the other elements are the whole new list.
    if (replace) return regular.map((v) => this.mergeMap({}, v, itemSchema));

    const serverOrder = merged.map((o) => (isJsonObject(o) ? o[mergeKey] : undefined));
    for (const item of regular) {
      if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
      const i = merged.findIndex((o) => isJsonObject(o) && Object.hasOwn(o, mergeKey) && jsonEqual(o[mergeKey], item[mergeKey]));
      if (i >= 0) merged[i] = this.mergeMap(merged[i] as JsonObject, item, itemSchema);
      else merged.push(this.mergeMap({}, item, itemSchema));
    }
    // Without $setElementOrder the patch's own order is the wanted order for the items it names.
    const keyOf = (o: unknown) => (o as JsonObject)[mergeKey];
    return interleave(merged, regular.map(keyOf), serverOrder, keyOf);
  }

  /** Union, first occurrence wins, then ordered like the patch (server-only values kept in place). */
  private mergePrimitiveList(original: unknown[], patch: unknown[]): unknown[] {
    const merged: unknown[] = [];
    for (const v of [...original, ...patch]) if (!merged.some((m) => jsonEqual(m, v))) merged.push(v);
    return interleave(merged, patch, original, (v) => v);
  }

  /** A list field that comes with `$setElementOrder/<field>`. */
  private mergeOrderedField(original: JsonObject, patch: JsonObject, field: string, order: unknown[], schema: Schema | undefined): void {
    const hasOriginal = Array.isArray(original[field]);
    const hasPatch = Object.hasOwn(patch, field);
    if (hasPatch && !Array.isArray(patch[field])) throw new PatchError(ERR_SET_ORDER, 400);
    if (!hasOriginal && !hasPatch) return;
    const before = hasOriginal ? (original[field] as unknown[]) : [];
    const merged = hasPatch ? this.mergeListField(before, patch[field] as unknown[], schema) : before;
    const meta = this.meta(schema);
    if (!meta.strategies.includes('merge')) {
      original[field] = merged;
      return;
    }
    const mergeKey = meta.mergeKey;
    const ofMaps = merged.some(isJsonObject) || order.some(isJsonObject);
    let keyOf: (v: unknown) => unknown = (v) => v;
    let wanted: unknown[] = order;
    if (ofMaps) {
      if (!mergeKey) {
        original[field] = merged;
        return;
      }
      keyOf = (v) => (isJsonObject(v) ? v[mergeKey] : undefined);
      for (const o of order) if (!isJsonObject(o) || !Object.hasOwn(o, mergeKey)) throw new PatchError(ERR_SET_ORDER, 400);
      wanted = order.map(keyOf);
    }
    original[field] = interleave(merged, wanted, before.map(keyOf), keyOf);
  }
}

function noMergeKey(item: JsonObject, mergeKey: string): PatchError {
  return new PatchError(`map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`, 400);
}

/**
 * The ordering rule of strategicpatch: items whose key is in `wanted` come in that
 * order; the other ("server-only") items keep their order from the live list and
 * are slotted in front of the first wanted item that came after them in the live
 * list. A wanted item absent from the live list is placed as soon as it is reached,
 * ahead of the remaining server-only items.
 */
function interleave(items: unknown[], wanted: unknown[], serverOrder: unknown[], keyOf: (v: unknown) => unknown): unknown[] {
  const indexIn = (list: unknown[], key: unknown) => list.findIndex((k) => jsonEqual(k, key));
  const named: { item: unknown; rank: number }[] = [];
  const serverOnly: unknown[] = [];
  for (const item of items) {
    const rank = indexIn(wanted, keyOf(item));
    if (rank >= 0) named.push({ item, rank });
    else serverOnly.push(item);
  }
  named.sort((a, b) => a.rank - b.rank);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < named.length) {
    if (j >= named.length) {
      out.push(serverOnly[i++]);
      continue;
    }
    if (i >= serverOnly.length) {
      out.push(named[j++].item);
      continue;
    }
    const si = indexIn(serverOrder, keyOf(serverOnly[i]));
    const ni = indexIn(serverOrder, keyOf(named[j].item));
    if (si >= 0 && ni >= 0 && si < ni) out.push(serverOnly[i++]);
    else out.push(named[j++].item);
  }
  return out;
}
