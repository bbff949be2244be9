import { jsonClone } from '../json-clone.ts';
// JSON merge patch (RFC 7386), used by `kubectl label/annotate`, `patch --type merge`
// and client-side apply of custom resources.

export type JsonObject = Record<string, unknown>;

/** A JSON object: not null, not an array. */
export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Structural equality of JSON values (key order of objects does not matter). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (isJsonObject(a)) {
    if (!isJsonObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** The patched document; it shares nothing with the inputs, which are never mutated. */
export function applyMergePatch(doc: unknown, patch: unknown): unknown {
  return mergeInto(jsonClone(doc), patch);
}

// Merges into `target`, a private copy: one deep copy of the document in all,
// not one per level of the patch.
function mergeInto(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return jsonClone(patch);
  const out: JsonObject = isJsonObject(target) ? target : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergeInto(out[k], v);
  }
  return out;
}

/**
 * The smallest merge patch that turns `original` into `modified`: `{}` for equal
 * objects, `undefined` for equal non-objects. A null value inside `modified` cannot
 * be expressed by RFC 7386 (null means delete), so such keys come out deleted.
 */
export function createMergePatch(original: unknown, modified: unknown): unknown {
  if (!isJsonObject(original) || !isJsonObject(modified)) {
    return jsonEqual(original, modified) ? undefined : jsonClone(modified);
  }
  const patch: JsonObject = {};
  for (const k of Object.keys(original)) {
    if (!Object.hasOwn(modified, k)) patch[k] = null;
  }
  for (const [k, v] of Object.entries(modified)) {
    if (!Object.hasOwn(original, k)) {
      patch[k] = jsonClone(v);
      continue;
    }
    const o = original[k];
    if (isJsonObject(o) && isJsonObject(v)) {
      const sub = createMergePatch(o, v) as JsonObject;
      if (Object.keys(sub).length > 0) patch[k] = sub;
    } else if (!jsonEqual(o, v)) {
      patch[k] = jsonClone(v);
    }
  }
  return patch;
}
