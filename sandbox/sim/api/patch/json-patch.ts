// JSON patch (RFC 6902), used by `kubectl patch --type json`.
// Error codes follow the apiserver: a body that is not a list of objects cannot be
// decoded (400); every failure while applying, unknown ops included, is 422.
// Messages imitate the Go library the apiserver uses, since kubectl prints them.

import { PatchError } from './patch-error.ts';
import { isJsonObject, jsonEqual } from './merge-patch.ts';
import { jsonClone } from '../json-clone.ts';

type Op = Record<string, unknown>;

export function applyJsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) {
    throw new PatchError('json: cannot unmarshal object into Go value of type jsonpatch.Patch', 400);
  }
  for (const op of ops) {
    if (!isJsonObject(op)) {
      throw new PatchError('json: cannot unmarshal into Go value of type jsonpatch.Operation', 400);
    }
  }
  // Work on a private copy: ops mutate it in place, and a failing op leaves the caller's document untouched.
  let cur = jsonClone(doc);
  for (const op of ops as Op[]) cur = applyOp(cur, op);
  return cur;
}

function applyOp(doc: unknown, op: Op): unknown {
  const kind = typeof op.op === 'string' ? op.op : 'unknown';
  switch (kind) {
    case 'add':
      return add(doc, pathOf(op, 'path', kind), valueOf(op, kind), op.path as string);
    case 'remove':
      return remove(doc, pathOf(op, 'path', kind), op.path as string);
    case 'replace':
      return replace(doc, pathOf(op, 'path', kind), valueOf(op, kind), op.path as string);
    case 'move': {
      const from = pathOf(op, 'from', kind);
      const to = pathOf(op, 'path', kind);
      const found = get(doc, from);
      if (!found.ok) throw missing(`move operation does not apply: doc is missing from path: ${op.from as string}`);
      if (op.from === op.path) return doc;
      // A value cannot be moved inside itself (RFC 6902 §4.4).
      if (isPrefix(from, to)) throw new PatchError(`move operation does not apply: path ${op.path as string} is a child of from ${op.from as string}`);
      return add(remove(doc, from, op.from as string), to, found.value, op.path as string);
    }
    case 'copy': {
      const from = pathOf(op, 'from', kind);
      const found = get(doc, from);
      if (!found.ok) throw missing(`copy operation does not apply: doc is missing from path: ${op.from as string}`);
      return add(doc, pathOf(op, 'path', kind), jsonClone(found.value), op.path as string);
    }
    case 'test': {
      const found = get(doc, pathOf(op, 'path', kind));
      const expected = valueOf(op, kind);
      if (!found.ok || !jsonEqual(found.value, expected)) {
        throw new PatchError(`testing value ${op.path as string} failed: test failed`);
      }
      return doc;
    }
    default:
      throw new PatchError(`Unexpected kind: ${kind}`);
  }
}

function missing(what: string): PatchError {
  return new PatchError(`${what}: missing value`);
}

function pathOf(op: Op, field: 'path' | 'from', kind: string): string[] {
  const p = op[field];
  if (typeof p !== 'string') throw new PatchError(`${kind} operation failed to decode ${field}`);
  return parsePointer(p);
}

function valueOf(op: Op, kind: string): unknown {
  if (!Object.hasOwn(op, 'value')) throw new PatchError(`${kind} operation has no value`);
  return jsonClone(op.value);
}

/** RFC 6901: "" is the whole document; "~1" is "/" and "~0" is "~" (in that order). */
function parsePointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw new PatchError(`JSON pointer must be empty or start with a "/": ${JSON.stringify(p)}`);
  return p.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function isPrefix(prefix: string[], path: string[]): boolean {
  return prefix.length < path.length && prefix.every((t, i) => path[i] === t);
}

/** A decimal array index without leading zeros, or -1. */
function arrayIndex(token: string): number {
  return /^(0|[1-9][0-9]*)$/.test(token) ? Number(token) : -1;
}

function get(doc: unknown, tokens: string[]): { ok: boolean; value?: unknown } {
  let cur = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) {
      const i = arrayIndex(t);
      if (i < 0 || i >= cur.length) return { ok: false };
      cur = cur[i];
    } else if (isJsonObject(cur)) {
      if (!Object.hasOwn(cur, t)) return { ok: false };
      cur = cur[t];
    } else {
      return { ok: false };
    }
  }
  return { ok: true, value: cur };
}

/** The container holding the last token, or undefined when the path above it does not exist. */
function parentOf(doc: unknown, tokens: string[]): unknown[] | Record<string, unknown> | undefined {
  const found = get(doc, tokens.slice(0, -1));
  if (!found.ok) return undefined;
  const c = found.value;
  return Array.isArray(c) || isJsonObject(c) ? c : undefined;
}

function badIndex(token: string): PatchError {
  return new PatchError(`Unable to access invalid index: ${token}: invalid index referenced`);
}

function add(doc: unknown, tokens: string[], value: unknown, path: string): unknown {
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens);
  if (!parent) throw missing(`add operation does not apply: doc is missing path: ${JSON.stringify(path)}`);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    if (last === '-') {
      parent.push(value);
    } else {
      const i = arrayIndex(last);
      if (i < 0 || i > parent.length) throw badIndex(last);
      parent.splice(i, 0, value);
    }
  } else {
    parent[last] = value;
  }
  return doc;
}

function remove(doc: unknown, tokens: string[], path: string): unknown {
  const parent = tokens.length ? parentOf(doc, tokens) : undefined;
  const fail = () => missing(`remove operation does not apply: doc is missing path: ${JSON.stringify(path)}`);
  if (!parent) throw fail();
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    const i = arrayIndex(last);
    if (i < 0 || i >= parent.length) throw badIndex(last);
    parent.splice(i, 1);
  } else {
    if (!Object.hasOwn(parent, last)) throw fail();
    delete parent[last];
  }
  return doc;
}

function replace(doc: unknown, tokens: string[], value: unknown, path: string): unknown {
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens);
  const fail = () => missing(`replace operation does not apply: doc is missing key: ${path}`);
  if (!parent) throw fail();
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    const i = arrayIndex(last);
    if (i < 0 || i >= parent.length) throw badIndex(last);
    parent[i] = value;
  } else {
    if (!Object.hasOwn(parent, last)) throw fail();
    parent[last] = value;
  }
  return doc;
}
