// Checks of a decoded object against its Schema:
//  - unknown fields, for fieldValidation=Strict|Warn (paths like `spec.foo`,
//    `spec.disks[0].bar`) and for pruning with fieldValidation=Ignore;
//  - CRD-style structural validation (types, enums, required, simple
//    constraints) with the messages kube-openapi produces, as the
//    apiextensions-apiserver turns them into field errors.

import type { FieldErrorLike } from './errors.ts';
import type { Schema, SchemaDefinitions } from '../kinds/schema.ts';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function child(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function index(path: string, i: number): string {
  return `${path}[${i}]`;
}

/**
 * Resolves $ref and allOf wrappers, merging multi-member allOf into one view
 * (properties, required and the first type/items/additionalProperties found).
 */
function effective(s: Schema | undefined, defs: SchemaDefinitions, depth = 0): Schema | undefined {
  const r = defs.resolve(s);
  if (!r || !r.allOf || r.allOf.length === 0 || depth > 16) return r;
  const merged: Schema = { ...r, allOf: undefined };
  for (const member of r.allOf) {
    const m = effective(member, defs, depth + 1);
    if (!m) continue;
    if (m.properties) merged.properties = { ...m.properties, ...merged.properties };
    if (m.required) merged.required = [...new Set([...(merged.required ?? []), ...m.required])];
    merged.type ??= m.type;
    merged.format ??= m.format;
    merged.items ??= m.items;
    merged.enum ??= m.enum;
    if (merged.additionalProperties === undefined && m.additionalProperties !== undefined) merged.additionalProperties = m.additionalProperties;
    for (const flag of ['x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string', 'nullable'] as const) {
      if (m[flag]) merged[flag] = true;
    }
  }
  return merged;
}

const EMBEDDED_META = new Set(['apiVersion', 'kind', 'metadata']);

type KeyRule = { kind: 'schema'; schema: Schema | undefined } | { kind: 'keep' } | { kind: 'unknown' };

/**
 * How a key of an object governed by `s` is treated. Structural-schema rules:
 * declared properties recurse; additionalProperties (schema or true),
 * x-kubernetes-preserve-unknown-fields and the apiVersion/kind/metadata of an
 * embedded resource are kept; anything else is unknown.
 */
function keyRule(s: Schema, key: string): KeyRule {
  if (s.properties && Object.prototype.hasOwnProperty.call(s.properties, key)) return { kind: 'schema', schema: s.properties[key] };
  if (s['x-kubernetes-embedded-resource'] && EMBEDDED_META.has(key)) return { kind: 'keep' };
  if (s['x-kubernetes-preserve-unknown-fields']) return { kind: 'keep' };
  if (s.additionalProperties === true) return { kind: 'keep' };
  if (isPlainObject(s.additionalProperties)) return { kind: 'schema', schema: s.additionalProperties };
  return { kind: 'unknown' };
}

/**
 * Whether `s` says anything about the keys of an object. A schema with no type
 * and no properties (a bare description) constrains nothing; `type: object`
 * without properties is an empty struct, so every key is unknown.
 */
function describesObject(s: Schema): boolean {
  return s.type === 'object' || s.properties !== undefined || s.additionalProperties !== undefined ||
    s['x-kubernetes-embedded-resource'] === true;
}

/**
 * Dotted paths of fields the schema does not know, in document order:
 * `spec.bogusField`, `spec.template.spec.domain.devices.disks[0].foo`.
 * No schema, x-kubernetes-preserve-unknown-fields or int-or-string accept
 * everything below; a value whose type disagrees with the schema is left to
 * validateSchemaTypes.
 */
export function findUnknownFields(value: unknown, schema: Schema | undefined, defs: SchemaDefinitions, path = ''): string[] {
  const out: string[] = [];
  const walk = (v: unknown, sch: Schema | undefined, p: string): void => {
    const s = effective(sch, defs);
    if (!s || s['x-kubernetes-int-or-string']) return;
    if (Array.isArray(v)) {
      if (s.items && (s.type === undefined || s.type === 'array')) v.forEach((item, i) => walk(item, s.items, index(p, i)));
      return;
    }
    if (!isPlainObject(v) || !describesObject(s) || (s.type !== undefined && s.type !== 'object')) return;
    for (const [k, val] of Object.entries(v)) {
      const rule = keyRule(s, k);
      if (rule.kind === 'schema') walk(val, rule.schema, child(p, k));
      else if (rule.kind === 'unknown') out.push(child(p, k));
    }
  };
  walk(value, schema, path);
  return [...new Set(out)];
}

function cloneJson<T>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneJson) as T;
  if (isPlainObject(v)) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = cloneJson(x);
    return o as T;
  }
  return v;
}

/** A deep copy without the fields findUnknownFields reports (fieldValidation=Ignore, CR pruning). */
export function pruneUnknownFields<T>(value: T, schema: Schema | undefined, defs: SchemaDefinitions): T {
  const prune = (v: unknown, sch: Schema | undefined): unknown => {
    const s = effective(sch, defs);
    if (!s || s['x-kubernetes-int-or-string']) return cloneJson(v);
    if (Array.isArray(v)) {
      if (s.items && (s.type === undefined || s.type === 'array')) return v.map((item) => prune(item, s.items));
      return cloneJson(v);
    }
    if (!isPlainObject(v) || !describesObject(s) || (s.type !== undefined && s.type !== 'object')) return cloneJson(v);
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(v)) {
      const rule = keyRule(s, k);
      if (rule.kind === 'schema') out[k] = prune(val, rule.schema);
      else if (rule.kind === 'keep') out[k] = cloneJson(val);
    }
    return out;
  };
  return prune(value, schema) as T;
}

// ---------------------------------------------------------------------------
// Structural validation

/** The JSON type and Go format kube-openapi infers from a decoded value (JSON integers decode to int64). */
function observe(v: unknown): { type: string; format: string } {
  if (v === null || v === undefined) return { type: 'null', format: '' };
  if (typeof v === 'boolean') return { type: 'boolean', format: '' };
  if (typeof v === 'string') return { type: 'string', format: '' };
  if (typeof v === 'number') return Number.isInteger(v) ? { type: 'integer', format: 'int64' } : { type: 'number', format: 'double' };
  if (Array.isArray(v)) return { type: 'array', format: '' };
  return { type: 'object', format: '' };
}

function declaredTypes(s: Schema): string[] {
  // CRD conversion gives int-or-string the type list [integer, string].
  if (s['x-kubernetes-int-or-string']) return ['integer', 'string'];
  return s.type ? [s.type] : [];
}

/** kube-openapi's InvalidType message; the field error's value is the observed type, not the data. */
function typeError(path: string, expected: string, observed: string): FieldErrorLike {
  return { type: 'Invalid', field: path, value: observed, detail: `${path} in body must be of type ${expected}: ${JSON.stringify(observed)}` };
}

/** The type check of kube-openapi's typeValidator, including its format comparison for non-strings. */
function checkType(v: unknown, s: Schema, path: string): FieldErrorLike | null {
  const types = declaredTypes(s);
  if (types.length === 0) return null;
  const { type, format } = observe(v);
  const stringOrSlice = type === 'string' || type === 'array';
  const intAsNumber = type === 'integer' && types.includes('number');
  const fmt = s.format ?? '';
  if (!stringOrSlice && fmt !== '' && !(types.includes(type) || format === fmt || intAsNumber)) {
    return typeError(path, fmt, format);
  }
  if (!types.includes('number') && !types.includes('integer') && fmt !== '' && stringOrSlice) return null;
  if (!(types.includes(type) || intAsNumber)) return typeError(path, types.join(','), type);
  return null;
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

function isNullable(s: Schema | undefined, defs: SchemaDefinitions): boolean {
  return effective(s, defs)?.nullable === true;
}

/**
 * CRD-style validation errors, in the form the apiserver reports them:
 *  - wrong type → Invalid, value = observed type, detail
 *    `spec.running in body must be of type boolean: "string"`;
 *  - enum → NotSupported, detail `supported values: "Always", "Halted"`;
 *  - missing required → Required;
 *  - maxLength → TooLong, pattern/minimum/maximum → Invalid.
 * A null property is accepted when `nullable`, otherwise treated as absent
 * (the apiserver prunes such nulls before validating); a null array item is a type error.
 * `format` (date-time etc.) is not checked on strings.
 */
export function validateSchemaTypes(value: unknown, schema: Schema | undefined, defs: SchemaDefinitions, path = ''): FieldErrorLike[] {
  const errs: FieldErrorLike[] = [];
  const visit = (v: unknown, sch: Schema | undefined, p: string): void => {
    const s = effective(sch, defs);
    if (!s || v === undefined) return;
    if (v === null && s.nullable) return;

    const typeErr = checkType(v, s, p);
    if (typeErr) errs.push(typeErr);

    if (s.enum && v !== null && !s.enum.some((e) => jsonEqual(e, v))) {
      const supported = s.enum.map((e) => JSON.stringify(typeof e === 'string' ? e : JSON.stringify(e)));
      errs.push({ type: 'NotSupported', field: p, value: v, detail: `supported values: ${supported.join(', ')}` });
    }

    if (typeof v === 'string') {
      if (s.maxLength !== undefined && [...v].length > s.maxLength) {
        errs.push({ type: 'TooLong', field: p, value: v, detail: `may not be more than ${s.maxLength} bytes` });
      }
      if (s.pattern !== undefined && !safeRegExp(s.pattern)?.test(v)) {
        errs.push({ type: 'Invalid', field: p, value: v, detail: `${p} in body should match '${s.pattern}'` });
      }
    }
    if (typeof v === 'number') {
      if (s.minimum !== undefined && v < s.minimum) {
        errs.push({ type: 'Invalid', field: p, value: v, detail: `${p} in body should be greater than or equal to ${s.minimum}` });
      }
      if (s.maximum !== undefined && v > s.maximum) {
        errs.push({ type: 'Invalid', field: p, value: v, detail: `${p} in body should be less than or equal to ${s.maximum}` });
      }
    }

    if (Array.isArray(v)) {
      if (s.items) v.forEach((item, i) => visit(item, s.items, index(p, i)));
      return;
    }
    if (!isPlainObject(v)) return;
    for (const [k, val] of Object.entries(v)) {
      const rule = keyRule(s, k);
      if (rule.kind !== 'schema') continue;
      if (val === null) continue; // nullable: accepted; otherwise pruned, i.e. absent
      visit(val, rule.schema, child(p, k));
    }
    for (const r of s.required ?? []) {
      const present = Object.prototype.hasOwnProperty.call(v, r) && v[r] !== undefined &&
        (v[r] !== null || isNullable(s.properties?.[r], defs));
      if (!present) errs.push({ type: 'Required', field: child(p, r) });
    }
  };
  visit(value, schema, path);
  return errs;
}

const regexCache = new Map<string, RegExp | null>();

/** ECMA regexps stand in for Go's RE2 (the common subset is what CRDs use); an invalid pattern matches nothing. */
function safeRegExp(pattern: string): RegExp | null {
  if (!regexCache.has(pattern)) {
    let re: RegExp | null = null;
    try {
      re = new RegExp(pattern, 'u');
    } catch {
      re = null;
    }
    regexCache.set(pattern, re);
  }
  return regexCache.get(pattern) ?? null;
}
