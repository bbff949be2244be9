// Field sets as server-side apply tracks them: a trie of path steps, encoded in
// metadata.managedFields as FieldsV1. Steps use the FieldsV1 spelling:
//   f:<name>   a struct field or map key
//   k:<json>   a list item identified by its map keys (keys sorted by name)
//   v:<json>   a set item, by value
//   i:<n>      a list item by index (decoded, never produced)
// A node is a *member* when the path ending there is itself in the set; in
// FieldsV1 that is `{}` for a node without children and `".": {}` otherwise.
//
// The schema-aware walkers (fieldsOf, compareFields, removeFields…) decide from
// the OpenAPI extensions which maps and lists are granular: list-type map/set
// (or the older patch-strategy merge + merge key), map-type atomic, and
// "deduced" subtrees without a schema (maps granular, lists atomic) as upstream.

import type { Schema, SchemaDefinitions } from '../../kinds/schema.ts';
import { isPlainObject } from '../object.ts';

export type PathStep = string;
export type FieldPath = PathStep[];

export class FieldSet {
  /** True when the path leading to this node is in the set (never for the root). */
  member = false;
  readonly children = new Map<PathStep, FieldSet>();

  static of(paths: Iterable<FieldPath>): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  insert(path: FieldPath): this {
    if (path.length === 0) return this;
    let node: FieldSet = this;
    for (const step of path) {
      let next = node.children.get(step);
      if (!next) {
        next = new FieldSet();
        node.children.set(step, next);
      }
      node = next;
    }
    node.member = true;
    return this;
  }

  has(path: FieldPath): boolean {
    const n = this.node(path);
    return path.length > 0 && !!n?.member;
  }

  node(path: FieldPath): FieldSet | undefined {
    let node: FieldSet | undefined = this;
    for (const step of path) {
      node = node.children.get(step);
      if (!node) return undefined;
    }
    return node;
  }

  child(step: PathStep): FieldSet | undefined {
    return this.children.get(step);
  }

  isEmpty(): boolean {
    for (const c of this.children.values()) if (c.member || !c.isEmpty()) return false;
    return true;
  }

  get size(): number {
    let n = 0;
    for (const c of this.children.values()) n += (c.member ? 1 : 0) + c.size;
    return n;
  }

  clone(): FieldSet {
    const s = new FieldSet();
    s.member = this.member;
    for (const [k, c] of this.children) s.children.set(k, c.clone());
    return s;
  }

  /**
   * Member paths in upstream iteration order: at each level the members
   * first, then the children's contents, both in path-element order.
   */
  paths(): FieldPath[] {
    const out: FieldPath[] = [];
    const walk = (node: FieldSet, prefix: FieldPath): void => {
      const steps = [...node.children.keys()].sort(compareSteps);
      for (const s of steps) if (node.children.get(s)!.member) out.push([...prefix, s]);
      for (const s of steps) {
        const c = node.children.get(s)!;
        if (c.children.size) walk(c, [...prefix, s]);
      }
    };
    walk(this, []);
    return out;
  }

  union(other: FieldSet): FieldSet {
    const s = this.clone();
    mergeInto(s, other);
    return s;
  }

  intersection(other: FieldSet): FieldSet {
    const s = new FieldSet();
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      if (!o) continue;
      const n = c.intersection(o);
      n.member = c.member && o.member;
      if (n.member || n.children.size) s.children.set(k, n);
    }
    return s;
  }

  /** Members of this set that are not members of `other` (exact paths only). */
  difference(other: FieldSet): FieldSet {
    const s = new FieldSet();
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      const n = o ? c.difference(o) : c.clone();
      n.member = c.member && !o?.member;
      if (n.member || n.children.size) s.children.set(k, n);
    }
    return s;
  }

  /** Like difference, but a member of `other` also removes everything below it. */
  recursiveDifference(other: FieldSet): FieldSet {
    const s = new FieldSet();
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      if (o?.member) continue;
      const n = o ? c.recursiveDifference(o) : c.clone();
      n.member = c.member;
      if (n.member || n.children.size) s.children.set(k, n);
    }
    return s;
  }

  equals(other: FieldSet): boolean {
    return JSON.stringify(toFieldsV1(this)) === JSON.stringify(toFieldsV1(other));
  }

  toString(): string {
    return this.paths().map(renderPath).join('\n');
  }
}

function mergeInto(target: FieldSet, src: FieldSet): void {
  for (const [k, c] of src.children) {
    let t = target.children.get(k);
    if (!t) {
      t = new FieldSet();
      target.children.set(k, t);
    }
    t.member ||= c.member;
    mergeInto(t, c);
  }
}

export function union(a: FieldSet, b: FieldSet): FieldSet {
  return a.union(b);
}
export function intersection(a: FieldSet, b: FieldSet): FieldSet {
  return a.intersection(b);
}
export function difference(a: FieldSet, b: FieldSet): FieldSet {
  return a.difference(b);
}

// ---------------------------------------------------------------------------
// Path steps: construction, ordering, rendering

export function fieldStep(name: string): PathStep {
  return `f:${name}`;
}

/** `k:{"containerPort":80,"protocol":"TCP"}`: key fields sorted by name. */
export function keyStep(fields: [string, unknown][]): PathStep {
  const sorted = [...fields].sort((a, b) => cmpStr(a[0], b[0]));
  return `k:{${sorted.map(([n, v]) => `${goJson(n)}:${goJson(v)}`).join(',')}}`;
}

export function valueStep(v: unknown): PathStep {
  return `v:${goJson(v)}`;
}

function stepKind(s: PathStep): number {
  switch (s[0]) {
    case 'f': return 0;
    case 'k': return 1;
    case 'v': return 2;
    default: return 3;
  }
}

/** Upstream PathElement order: fields, then keys, then values, then indexes. */
export function compareSteps(a: PathStep, b: PathStep): number {
  const ka = stepKind(a);
  const kb = stepKind(b);
  if (ka !== kb) return ka - kb;
  const ra = a.slice(2);
  const rb = b.slice(2);
  switch (ka) {
    case 0: return cmpStr(ra, rb);
    case 1: return compareKeyFields(parseJson(ra), parseJson(rb));
    case 2: return compareValues(parseJson(ra), parseJson(rb));
    default: return Number(ra) - Number(rb);
  }
}

function compareKeyFields(a: unknown, b: unknown): number {
  const ea = isPlainObject(a) ? Object.entries(a).sort((x, y) => cmpStr(x[0], y[0])) : [];
  const eb = isPlainObject(b) ? Object.entries(b).sort((x, y) => cmpStr(x[0], y[0])) : [];
  for (let i = 0; ; i++) {
    if (i >= ea.length && i >= eb.length) return 0;
    if (i >= ea.length) return -1;
    if (i >= eb.length) return 1;
    const c = cmpStr(ea[i][0], eb[i][0]) || compareValues(ea[i][1], eb[i][1]);
    if (c) return c;
  }
}

function valueRank(v: unknown): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (isPlainObject(v)) return 4;
  return 5; // null
}

/** Upstream total order on values: numbers < strings < bools < lists < maps < null. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = valueRank(a);
  const rb = valueRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0: return (a as number) - (b as number);
    case 1: return cmpStr(a as string, b as string);
    case 2: return Number(a) - Number(b);
    case 3: {
      const la = a as unknown[];
      const lb = b as unknown[];
      for (let i = 0; i < Math.min(la.length, lb.length); i++) {
        const c = compareValues(la[i], lb[i]);
        if (c) return c;
      }
      return la.length - lb.length;
    }
    case 4: return compareKeyFields(a, b);
    default: return 0;
  }
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

/** Go's %v of a value inside a path: strings quoted, the rest bare. */
function goValueString(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(goValueString).join(',')}]`;
  if (isPlainObject(v)) return Object.entries(v).map(([k, x]) => `${k}=${goValueString(x)}`).join('');
  return String(v);
}

/** `.spec.containers[name="main"].image`, as upstream prints paths in conflicts. */
export function renderPath(path: FieldPath): string {
  let out = '';
  for (const step of path) {
    const rest = step.slice(2);
    switch (step[0]) {
      case 'f':
        out += `.${rest}`;
        break;
      case 'k': {
        const key = parseJson(rest);
        const parts = isPlainObject(key) ? Object.entries(key).map(([n, v]) => `${n}=${goValueString(v)}`) : [];
        out += `[${parts.join(',')}]`;
        break;
      }
      case 'v':
        out += `[=${goValueString(parseJson(rest))}]`;
        break;
      default:
        out += `[${rest}]`;
    }
  }
  return out;
}

/**
 * JSON as Go's encoding/json writes it (used inside k:/v: steps and for the
 * last-applied annotation): HTML-significant characters and U+2028/2029 are
 * escaped, and object keys are sorted.
 */
export function goJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goString(v);
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map((x) => goJson(x)).join(',')}]`;
  if (isPlainObject(v)) {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined).sort(cmpStr);
    return `{${keys.map((k) => `${goString(k)}:${goJson(v[k])}`).join(',')}}`;
  }
  return 'null';
}

function goString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || ch === '<' || ch === '>' || ch === '&' || c === 0x2028 || c === 0x2029) {
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return out + '"';
}

// ---------------------------------------------------------------------------
// FieldsV1 encoding

export function toFieldsV1(set: FieldSet): Record<string, unknown> {
  const encode = (node: FieldSet, includeSelf: boolean): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    const steps = [...node.children.keys()].sort(compareSteps);
    if (includeSelf && node.member && steps.length) out['.'] = {};
    for (const s of steps) {
      const c = node.children.get(s)!;
      if (!c.member && c.isEmpty()) continue;
      out[s] = encode(c, true);
    }
    return out;
  };
  return encode(set, false);
}

/** Decodes FieldsV1; k:/v: steps are re-serialised so equal keys compare equal. */
export function fromFieldsV1(json: unknown): FieldSet {
  const decode = (src: unknown, node: FieldSet): void => {
    if (!isPlainObject(src)) return;
    for (const [k, v] of Object.entries(src)) {
      if (k === '.') {
        node.member = true;
        continue;
      }
      const step = canonicalStep(k);
      if (step === undefined) continue;
      let c = node.children.get(step);
      if (!c) {
        c = new FieldSet();
        node.children.set(step, c);
      }
      if (!isPlainObject(v) || Object.keys(v).length === 0) c.member = true;
      else decode(v, c);
    }
  };
  const root = new FieldSet();
  decode(json, root);
  root.member = false;
  return root;
}

function canonicalStep(k: string): PathStep | undefined {
  const rest = k.slice(2);
  if (k.startsWith('f:') || k.startsWith('i:')) return k;
  if (k.startsWith('v:')) return valueStep(parseJson(rest));
  if (k.startsWith('k:')) {
    const key = parseJson(rest);
    return isPlainObject(key) ? keyStep(Object.entries(key)) : undefined;
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Schema shapes

interface MapField {
  schema: Schema | undefined;
  /** Declared in the schema's properties (a struct field, not a map key). */
  named: boolean;
}

export type Shape =
  | { kind: 'leaf' }
  | { kind: 'map'; field: (name: string) => MapField }
  | { kind: 'list'; item: Schema | undefined; keys: string[] | null; keyDefaults: Record<string, unknown> };

const LEAF: Shape = { kind: 'leaf' };
const DEDUCED_MAP: Shape = { kind: 'map', field: () => ({ schema: undefined, named: false }) };

type ValueKind = 'absent' | 'null' | 'object' | 'array' | 'scalar';

function valueKind(v: unknown): ValueKind {
  if (v === undefined) return 'absent';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (isPlainObject(v)) return 'object';
  return 'scalar';
}

function listShape(s: Schema, defs: SchemaDefinitions): Shape {
  const listType = s['x-kubernetes-list-type'];
  const mergeKey = s['x-kubernetes-patch-merge-key'];
  let keys: string[] | null;
  if (listType === 'atomic') return LEAF;
  if (listType === 'map') {
    keys = s['x-kubernetes-list-map-keys']?.length ? s['x-kubernetes-list-map-keys'] : mergeKey ? [mergeKey] : [];
    if (!keys.length) return LEAF;
  } else if (listType === 'set') {
    keys = null;
  } else if ((s['x-kubernetes-patch-strategy'] ?? '').split(',').includes('merge')) {
    keys = mergeKey ? [mergeKey] : null;
  } else {
    return LEAF;
  }
  const item = s.items;
  const keyDefaults: Record<string, unknown> = {};
  if (keys) {
    const props = defs.resolve(item)?.properties ?? {};
    for (const k of keys) {
      const d = defs.resolve(props[k])?.default;
      if (d !== undefined) keyDefaults[k] = d;
    }
  }
  return { kind: 'list', item, keys, keyDefaults };
}

function mapShape(s: Schema): Shape {
  if (s['x-kubernetes-map-type'] === 'atomic' || s['x-kubernetes-int-or-string']) return LEAF;
  if (s.type && s.type !== 'object') return LEAF;
  const props = s.properties;
  const ap = s.additionalProperties;
  if (!props && (ap === undefined || typeof ap === 'boolean')) return DEDUCED_MAP;
  return {
    kind: 'map',
    field: (name) => {
      const p = props && Object.hasOwn(props, name) ? props[name] : undefined;
      if (p) return { schema: p, named: true };
      return { schema: typeof ap === 'object' ? ap : undefined, named: false };
    },
  };
}

/**
 * How a value (or a pair of values being compared/merged) is walked. A null or
 * absent side adopts the other side's shape; differing containers are a leaf.
 */
export function shapeOf(schema: Schema | undefined, defs: SchemaDefinitions, ...values: unknown[]): Shape {
  const kinds = values.map(valueKind).filter((k) => k !== 'absent' && k !== 'null');
  if (!kinds.length) return LEAF;
  if (kinds.some((k) => k !== kinds[0])) return LEAF;
  const s = schema ? defs.resolve(schema) : undefined;
  if (kinds[0] === 'array') return s ? listShape(s, defs) : LEAF;
  if (kinds[0] === 'object') return s ? mapShape(s) : DEDUCED_MAP;
  return LEAF;
}

/** Raised while computing list item steps; path is the rendered list path. */
export class FieldPathError extends Error {
  constructor(readonly path: string, readonly detail: string) {
    super(`${path}: ${detail}`);
  }
}

/** The step identifying one list item, or an error text (upstream wording). */
export function itemStep(shape: Extract<Shape, { kind: 'list' }>, item: unknown): PathStep | { error: string } {
  if (shape.keys === null) {
    if (isPlainObject(item)) return { error: "associative list without keys has an element that's a map type" };
    if (Array.isArray(item)) return { error: 'not supported: associative list with lists as elements' };
    if (item === null || item === undefined) return { error: "associative list without keys has an element that's an explicit null" };
    return valueStep(item);
  }
  if (item === null || item === undefined) return { error: 'associative list with keys may not have a null element' };
  if (!isPlainObject(item)) return { error: 'associative list with keys may not have non-map elements' };
  const fields: [string, unknown][] = [];
  for (const k of shape.keys) {
    if (item[k] !== undefined) fields.push([k, item[k]]);
    else if (shape.keyDefaults[k] !== undefined) fields.push([k, shape.keyDefaults[k]]);
  }
  if (!fields.length) {
    return {
      error: `associative list with keys has an element that omits all key fields ${goJson(shape.keys)} (and doesn't have default values for any key fields)`,
    };
  }
  return keyStep(fields);
}

interface IndexedItem {
  step: PathStep;
  value: unknown;
}

/** Item steps of a granular list; undefined when some item cannot be keyed. */
export function indexList(
  shape: Extract<Shape, { kind: 'list' }>,
  list: unknown[],
  path: FieldPath,
  strict: boolean,
): IndexedItem[] | undefined {
  const out: IndexedItem[] = [];
  for (let i = 0; i < list.length; i++) {
    const step = itemStep(shape, list[i]);
    if (typeof step !== 'string') {
      if (strict) throw new FieldPathError(renderPath(path), `element ${i}: ${step.error}`);
      return undefined;
    }
    out.push({ step, value: list[i] });
  }
  return out;
}

// ---------------------------------------------------------------------------
// Walkers

export interface WalkOptions {
  /** Throw FieldPathError on list items that cannot be keyed (apply); otherwise treat the list as atomic. */
  strict?: boolean;
}

/**
 * Every path an object sets: leaves, atomic lists/maps, granular list items,
 * map keys that are not declared struct fields, and empty maps or nulls.
 */
export function fieldsOf(obj: unknown, schema: Schema | undefined, defs: SchemaDefinitions, opts: WalkOptions = {}): FieldSet {
  const out = new FieldSet();
  const walk = (value: unknown, s: Schema | undefined, path: FieldPath): void => {
    const shape = shapeOf(s, defs, value);
    if (shape.kind === 'leaf') {
      out.insert(path);
      return;
    }
    if (shape.kind === 'map') {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (v === undefined) continue;
        const f = shape.field(k);
        const p = [...path, fieldStep(k)];
        walk(v, f.schema, p);
        if (v === null || (isPlainObject(v) && Object.keys(v).length === 0) || !f.named) out.insert(p);
      }
      return;
    }
    const items = indexList(shape, value as unknown[], path, !!opts.strict);
    if (!items) {
      out.insert(path);
      return;
    }
    const seen = new Set<string>();
    const dups = new Set<string>();
    for (const it of items) {
      if (!seen.has(it.step)) seen.add(it.step);
      else if (opts.strict) throw new FieldPathError(renderPath(path), `duplicate entries for key ${renderPath([it.step])}`);
      else dups.add(it.step);
    }
    for (const it of items) {
      const p = [...path, it.step];
      // Duplicated keys (tolerated in stored objects) are owned as whole items.
      if (!dups.has(it.step)) walk(it.value, shape.item, p);
      out.insert(p);
    }
  };
  walk(obj, schema, []);
  return out;
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** Upstream Compare: leaves that changed, plus container nodes that appeared or vanished. */
export function compareFields(oldObj: unknown, newObj: unknown, schema: Schema | undefined, defs: SchemaDefinitions): Comparison {
  const res: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  const leaf = (l: unknown, r: unknown, path: FieldPath): void => {
    if (l === undefined) res.added.insert(path);
    else if (r === undefined) res.removed.insert(path);
    else if (!deepEqual(l, r)) res.modified.insert(path);
  };
  const walk = (l: unknown, r: unknown, s: Schema | undefined, path: FieldPath): void => {
    if (l === undefined && r === undefined) return;
    // Equal subtrees hold no differences: most of an object is unchanged by a write.
    if (path.length && l !== undefined && deepEqual(l, r)) return;
    const shape = shapeOf(s, defs, l, r);
    if (shape.kind === 'leaf' || (isEmptyContainer(l) && isEmptyContainer(r))) {
      if (path.length) leaf(l, r, path);
      return;
    }
    if (shape.kind === 'map') {
      const lm = isPlainObject(l) ? l : {};
      const rm = isPlainObject(r) ? r : {};
      const keys = new Set([...Object.keys(lm), ...Object.keys(rm)]);
      for (const k of keys) walk(lm[k], rm[k], shape.field(k).schema, [...path, fieldStep(k)]);
    } else {
      const li = Array.isArray(l) ? indexList(shape, l, path, false) : [];
      const ri = Array.isArray(r) ? indexList(shape, r, path, false) : [];
      if (!li || !ri) {
        leaf(l, r, path);
        return;
      }
      const lmap = firstByStep(li);
      const rmap = firstByStep(ri);
      for (const [step, rv] of rmap) walk(lmap.get(step), rv, shape.item, [...path, step]);
      for (const [step, lv] of lmap) if (!rmap.has(step)) walk(lv, undefined, shape.item, [...path, step]);
    }
    if (path.length) {
      if (l === undefined) res.added.insert(path);
      else if (r === undefined) res.removed.insert(path);
    }
  };
  walk(oldObj, newObj, schema, []);
  return res;
}

/** Leaves whose value differs or that were added (and container nodes that appeared). */
export function changedFields(oldObj: unknown, newObj: unknown, schema: Schema | undefined, defs: SchemaDefinitions): FieldSet {
  const c = compareFields(oldObj, newObj, schema, defs);
  return c.modified.union(c.added);
}

function firstByStep(items: IndexedItem[]): Map<PathStep, unknown> {
  const m = new Map<PathStep, unknown>();
  for (const it of items) if (!m.has(it.step)) m.set(it.step, it.value);
  return m;
}

function isEmptyContainer(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isPlainObject(v)) return Object.keys(v).length === 0;
  return false;
}

/**
 * Adds, as members, the struct fields (declared properties) on the way to
 * members, so that removing a struct field's last owned child can remove the
 * field itself and keeping one keeps its parents (upstream EnsureNamedFieldsAreMembers).
 */
export function ensureNamedFieldsAreMembers(set: FieldSet, schema: Schema | undefined, defs: SchemaDefinitions): FieldSet {
  const walk = (node: FieldSet, s: Schema | undefined): FieldSet => {
    const out = new FieldSet();
    out.member = node.member;
    const r = s ? defs.resolve(s) : undefined;
    for (const [step, c] of node.children) {
      let childSchema: Schema | undefined;
      let named = false;
      if (step.startsWith('f:')) {
        const name = step.slice(2);
        const p = r?.properties && Object.hasOwn(r.properties, name) ? r.properties[name] : undefined;
        named = !!p && r?.['x-kubernetes-map-type'] !== 'atomic';
        childSchema = p ?? (typeof r?.additionalProperties === 'object' ? r.additionalProperties : undefined);
      } else {
        childSchema = r?.items;
      }
      const n = walk(c, childSchema);
      if (named) n.member = true;
      out.children.set(step, n);
    }
    return out;
  };
  const res = walk(set, schema);
  res.member = false;
  return res;
}

/**
 * A copy of obj without the members of `set` (each removed with everything
 * below it). Containers emptied by the removal are dropped too, as a typed
 * round trip upstream turns them into absent fields.
 */
export function removeFields(obj: Record<string, unknown>, set: FieldSet, schema: Schema | undefined, defs: SchemaDefinitions): Record<string, unknown> {
  const GONE = Symbol('gone');
  const walk = (value: unknown, node: FieldSet, s: Schema | undefined, path: FieldPath): unknown => {
    const shape = shapeOf(s, defs, value);
    if (shape.kind === 'map') {
      const src = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      let removed = false;
      for (const [k, v] of Object.entries(src)) {
        const c = node.child(fieldStep(k));
        if (c?.member) {
          removed = true;
          continue;
        }
        if (c && c.children.size) {
          const nv = walk(v, c, shape.field(k).schema, [...path, fieldStep(k)]);
          if (nv === GONE) {
            removed = true;
            continue;
          }
          out[k] = nv;
        } else out[k] = v;
      }
      return removed && Object.keys(out).length === 0 && path.length ? GONE : out;
    }
    if (shape.kind === 'list') {
      const items = indexList(shape, value as unknown[], path, false);
      if (!items) return value;
      const out: unknown[] = [];
      let removed = false;
      for (const it of items) {
        const c = node.child(it.step);
        if (c?.member) {
          removed = true;
          continue;
        }
        if (c && c.children.size) {
          const nv = walk(it.value, c, shape.item, [...path, it.step]);
          out.push(nv === GONE ? {} : nv);
        } else out.push(it.value);
      }
      return removed && out.length === 0 ? GONE : out;
    }
    return value;
  };
  const res = walk(obj, set, schema, []);
  return res === GONE || !isPlainObject(res) ? {} : res;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Dotted field names ("status", "metadata.ownerReferences") to a set of f: paths. */
export function fieldSetFromDotted(paths: string[] | undefined): FieldSet {
  const s = new FieldSet();
  for (const p of paths ?? []) if (p) s.insert(p.split('.').map(fieldStep));
  return s;
}
