// Lenient readers of fields of stored objects, for controllers that walk
// spec/status trees: a missing or mistyped field reads as empty, so a
// half-written object never throws in a reconcile.

import { isPlainObject } from '../api/object.ts';

export type Json = Record<string, unknown>;

/** The value if it is a plain object, else {}. */
export function obj(v: unknown): Json {
  return isPlainObject(v) ? v : {};
}

/** The plain-object items of an array, else []. */
export function arr(v: unknown): Json[] {
  return Array.isArray(v) ? v.filter(isPlainObject) : [];
}

/** The value if it is a string, else "". */
export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
