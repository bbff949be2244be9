// Cell formatting shared by the built-in kinds' printer columns, following
// the apiserver's printers: label maps, label selectors, container lists,
// ages. Plus small readers for the untyped object tree.

import { renderAge } from '../../api/age.ts';
import type { KubeObject } from '../../api/object.ts';
import type { PrintContext, PrinterColumn } from '../types.ts';

export type Json = Record<string, unknown>;

export function record(v: unknown): Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
}

export function records(v: unknown): Json[] {
  return Array.isArray(v) ? v.map(record) : [];
}

export function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

export function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

export function spec(o: KubeObject): Json {
  return record(o.spec);
}

export function status(o: KubeObject): Json {
  return record(o.status);
}

/** The standard Age column of the built-in printers. */
export const ageColumn: PrinterColumn = {
  name: 'Age', type: 'string',
  description: 'Time since the object was created.',
  cell: (o: KubeObject, ctx: PrintContext) => renderAge(o.metadata.creationTimestamp, ctx.now),
};

/** "Created At" column of the default table convertor (roles, CRDs): RFC 3339, UTC. */
export const createdAtColumn: PrinterColumn = {
  name: 'Created At', type: 'date',
  description: 'When the object was created.',
  cell: (o: KubeObject) => {
    const t = o.metadata.creationTimestamp;
    if (!t) return '0001-01-01T00:00:00Z';
    const ms = Date.parse(t);
    return Number.isNaN(ms) ? t : new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  },
};

/** "k1=v1,k2=v2" with keys sorted, "<none>" when empty (labels.FormatLabels). */
export function formatLabels(m: unknown): string {
  const entries = Object.entries(record(m)).filter(([, v]) => typeof v === 'string') as [string, string][];
  if (!entries.length) return '<none>';
  return entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join(',');
}

/**
 * A metav1.LabelSelector as selector text ("app=web,tier in (a,b),!canary"),
 * requirements sorted by key; "" for an empty or missing selector.
 */
export function selectorText(sel: unknown): string {
  const s = record(sel);
  const reqs: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(record(s.matchLabels))) reqs.push({ key: k, text: `${k}=${text(v)}` });
  for (const e of records(s.matchExpressions)) {
    const key = text(e.key);
    const values = (Array.isArray(e.values) ? e.values.map(text) : []).sort();
    const list = `(${values.join(',')})`;
    switch (e.operator) {
      case 'In': reqs.push({ key, text: `${key} in ${list}` }); break;
      case 'NotIn': reqs.push({ key, text: `${key} notin ${list}` }); break;
      case 'Exists': reqs.push({ key, text: key }); break;
      case 'DoesNotExist': reqs.push({ key, text: `!${key}` }); break;
      default: return '<error>';
    }
  }
  return reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((r) => r.text).join(',');
}

/** metav1.FormatLabelSelector: selector text or "<none>". */
export function formatLabelSelector(sel: unknown): string {
  return selectorText(sel) || '<none>';
}

/** Container names and images of a pod spec, comma-separated (wide output of workloads). */
export function containerCells(podSpec: unknown): { names: string; images: string } {
  const containers = records(record(podSpec).containers);
  return { names: containers.map((c) => text(c.name)).join(','), images: containers.map((c) => text(c.image)).join(',') };
}

/** The pod template's spec of a workload object. */
export function templateSpec(o: KubeObject): Json {
  return record(record(spec(o).template).spec);
}

/** An int-or-string value as printed ("25%", "1"). */
export function intOrStringText(v: unknown): string {
  return typeof v === 'number' ? String(v) : typeof v === 'string' ? v : '';
}

/** Structural equality of JSON values; absent and undefined members are the same. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  const ra = a as Json;
  const rb = b as Json;
  const ka = Object.keys(ra).filter((k) => ra[k] !== undefined);
  const kb = Object.keys(rb).filter((k) => rb[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => jsonEqual(ra[k], rb[k]));
}
