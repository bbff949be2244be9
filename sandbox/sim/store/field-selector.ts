// Field selectors (`fieldSelector` query parameter): comma-ANDed `field=value`,
// `field==value` and `field!=value` terms, with `\,` `\=` `\\` escapes in values.
// Messages match apimachinery's fields package and the apiserver's list handler,
// since kubectl prints them verbatim.

import { Errors } from '../api/errors.ts';

export interface FieldRequirement {
  field: string;
  /** `==` is normalised to `=`, as fields.Requirement does. */
  op: '=' | '!=';
  value: string;
}

/** The two fields every resource supports. */
export const DEFAULT_SELECTABLE_FIELDS: readonly string[] = ['metadata.name', 'metadata.namespace'];

/** Splits on commas that are not backslash-escaped; the escapes stay in the terms. */
function splitTerms(text: string): string[] {
  if (text === '') return [];
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (escaped) escaped = false;
    else if (c === '\\') escaped = true;
    else if (c === ',') {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms;
}

/**
 * The first operator occurrence splits the term; no escaping exists on the
 * field side. `!=` and `==` are tried before `=` at each position.
 */
function splitTerm(term: string): { lhs: string; op: '=' | '==' | '!='; rhs: string } | null {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '='] as const) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return null;
}

function unescapeValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let escaped = false;
  for (const c of s) {
    if (escaped) {
      if (c !== '\\' && c !== ',' && c !== '=') throw Errors.badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      escaped = false;
      continue;
    }
    if (c === '\\') escaped = true;
    // Go formats the offending rune with %v, i.e. as its code point number ("61" for '=').
    else if (c === ',' || c === '=') throw Errors.badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (escaped) throw Errors.badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Escapes a literal value for use in a selector (fields.EscapeValue). */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/**
 * Parses a field selector. Terms come back sorted by their text, the order the
 * apiserver evaluates (and reports unsupported fields in). Empty terms are skipped.
 */
export function parseFieldSelector(text: string): FieldRequirement[] {
  const terms = splitTerms(text).sort();
  const reqs: FieldRequirement[] = [];
  for (const term of terms) {
    if (term === '') continue;
    const parts = splitTerm(term);
    if (!parts) throw Errors.badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    reqs.push({ field: parts.lhs, op: parts.op === '!=' ? '!=' : '=', value: unescapeValue(parts.rhs) });
  }
  return reqs;
}

/** All requirements hold; a field the object lacks reads as "" (so `spec.nodeName=` selects unscheduled pods). */
export function matchesFields(reqs: readonly FieldRequirement[], getField: (field: string) => string | undefined): boolean {
  return reqs.every((r) => {
    const actual = getField(r.field) ?? '';
    return r.op === '=' ? actual === r.value : actual !== r.value;
  });
}

export interface SupportedFieldsOptions {
  /**
   * Built-ins without their own field-label conversion (Deployments, Services…)
   * reject unknown fields through runtime.DefaultMetaV1FieldSelectorConversion,
   * whose message differs from the per-kind "field label not supported: X".
   */
  defaultMeta?: boolean;
}

/**
 * Rejects the first requirement on a field the resource cannot select on, with
 * the apiserver's 400 text. `resourceLabel` is not part of the real message
 * (the apiserver does not name the resource); it is accepted so call sites
 * read uniformly and may be used for diagnostics.
 */
export function checkSupportedFields(
  reqs: readonly FieldRequirement[],
  supported: Iterable<string>,
  resourceLabel: string,
  options: SupportedFieldsOptions = {},
): void {
  void resourceLabel;
  const known = new Set(supported);
  for (const r of reqs) {
    if (known.has(r.field)) continue;
    if (options.defaultMeta) {
      throw Errors.badRequest(`${JSON.stringify(r.field)} is not a known field selector: only "metadata.name", "metadata.namespace"`);
    }
    throw Errors.badRequest(`field label not supported: ${r.field}`);
  }
}
