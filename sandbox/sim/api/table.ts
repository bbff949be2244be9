// Server-side printing: meta.k8s.io Table responses with the kind's columns,
// cells rendered here (ages as "3d"), rows carrying their object metadata.

import type { KubeObject } from './object.ts';
import type { CellValue, KindDef, PrinterColumn } from '../kinds/types.ts';
import { evaluateColumn } from './jsonpath.ts';
import { renderAge } from './age.ts';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface TableRow {
  cells: CellValue[];
  object?: unknown;
}

export interface Table {
  kind: 'Table';
  apiVersion: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

const NAME_COLUMN: TableColumnDefinition = {
  name: 'Name', type: 'string', format: 'name', priority: 0,
  description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated.',
};

const AGE_COLUMN: PrinterColumn = {
  name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
};

const columnCache = new WeakMap<KindDef, { defs: TableColumnDefinition[]; columns: PrinterColumn[]; ownName: boolean }>();

function columnsOf(kind: KindDef): { defs: TableColumnDefinition[]; columns: PrinterColumn[]; ownName: boolean } {
  let c = columnCache.get(kind);
  if (!c) {
    const columns = kind.printerColumns.length ? kind.printerColumns : [AGE_COLUMN];
    // A kind that places its own name column (events: last, wide only) gets no leading NAME.
    const ownName = columns.some((p) => p.format === 'name');
    const defs = [...(ownName ? [] : [NAME_COLUMN]), ...columns.map((p) => ({
      name: p.name, type: p.type === 'date' ? 'date' : p.type, format: p.format ?? '', description: p.description ?? '', priority: p.priority ?? 0,
    }))];
    c = { defs, columns, ownName };
    columnCache.set(kind, c);
  }
  return c;
}

function cellOf(col: PrinterColumn, obj: KubeObject, now: number): CellValue {
  if (col.cell) return col.cell(obj, { now });
  if (!col.jsonPath) return null;
  const v = evaluateColumn(col.jsonPath, obj);
  if (col.type === 'date') return typeof v === 'string' ? renderAge(v, now) : v === null ? '<unknown>' : String(v);
  return v;
}

export function tableRow(kind: KindDef, obj: KubeObject, now: number, include: IncludeObject, tableApiVersion = 'meta.k8s.io/v1'): TableRow {
  const { columns, ownName } = columnsOf(kind);
  const cells: CellValue[] = ownName ? [] : [obj.metadata.name ?? ''];
  for (const col of columns) cells.push(cellOf(col, obj, now));
  const row: TableRow = { cells };
  if (include === 'Object') row.object = obj;
  else if (include === 'Metadata') row.object = { kind: 'PartialObjectMetadata', apiVersion: tableApiVersion, metadata: obj.metadata };
  return row;
}

export function toTable(kind: KindDef, objects: KubeObject[], opts: {
  now: number; include: IncludeObject; resourceVersion?: string; continueToken?: string; remaining?: number; withColumns?: boolean; apiVersion?: string;
}): Table {
  const apiVersion = opts.apiVersion ?? 'meta.k8s.io/v1';
  const metadata: Table['metadata'] = {};
  if (opts.resourceVersion) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continueToken) metadata.continue = opts.continueToken;
  if (opts.remaining !== undefined) metadata.remainingItemCount = opts.remaining;
  return {
    kind: 'Table',
    apiVersion,
    metadata,
    columnDefinitions: opts.withColumns === false ? [] : columnsOf(kind).defs,
    rows: objects.map((o) => tableRow(kind, o, opts.now, opts.include, apiVersion)),
  };
}

/** Parses an Accept header: does the client want a Table, and which version? */
export function wantsTable(accept: string | undefined): 'meta.k8s.io/v1' | 'meta.k8s.io/v1beta1' | null {
  if (!accept || !accept.includes('as=Table')) return null;
  for (const part of accept.split(',')) {
    const params = new Map(part.split(';').slice(1).map((p) => {
      const [k, v = ''] = p.trim().split('=');
      return [k, v] as [string, string];
    }));
    if (params.get('as') === 'Table' && (params.get('g') ?? 'meta.k8s.io') === 'meta.k8s.io') {
      const v = params.get('v') ?? 'v1';
      if (v === 'v1') return 'meta.k8s.io/v1';
      if (v === 'v1beta1') return 'meta.k8s.io/v1beta1';
    }
  }
  return null;
}
