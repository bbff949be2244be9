// A subset of OpenAPI v3 / structural JSON schema: the same document drives
// OpenAPI publishing (kubectl explain, apply, edit), field validation
// (Strict/Warn/Ignore), pruning of unknown fields and strategic merge patch.

export type SchemaType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';

export interface Schema {
  type?: SchemaType;
  format?: string;
  description?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: (string | number | boolean)[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  pattern?: string;
  /** Reference to a shared definition: `#/components/schemas/<name>`. */
  $ref?: string;
  allOf?: Schema[];
  nullable?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
}

const REF_PREFIX = '#/components/schemas/';

/** Shared named definitions (ObjectMeta, PodSpec, LabelSelector…), keyed by their OpenAPI name. */
export class SchemaDefinitions {
  private readonly defs = new Map<string, Schema>();

  define(name: string, schema: Schema): Schema {
    if (this.defs.has(name)) throw new Error(`schema definition ${name} defined twice`);
    this.defs.set(name, schema);
    return ref(name);
  }

  get(name: string): Schema | undefined {
    return this.defs.get(name);
  }

  names(): string[] {
    return [...this.defs.keys()];
  }

  /** Follows `$ref` and single-element `allOf: [{$ref}]` wrappers. */
  resolve(s: Schema | undefined): Schema | undefined {
    let cur = s;
    for (let i = 0; cur && i < 16; i++) {
      if (cur.$ref) {
        const target = this.defs.get(cur.$ref.slice(REF_PREFIX.length));
        if (!target) throw new Error(`unresolved schema reference ${cur.$ref}`);
        cur = target;
        continue;
      }
      if (cur.allOf && cur.allOf.length === 1 && !cur.properties && !cur.type) {
        cur = cur.allOf[0];
        continue;
      }
      return cur;
    }
    return cur;
  }

  /** Every definition name reachable from the given schemas (for per-group-version documents). */
  closure(roots: Schema[]): Set<string> {
    const seen = new Set<string>();
    const visit = (s: Schema | boolean | undefined): void => {
      if (!s || typeof s === 'boolean') return;
      if (s.$ref) {
        const name = s.$ref.slice(REF_PREFIX.length);
        if (seen.has(name)) return;
        seen.add(name);
        visit(this.defs.get(name));
      }
      if (s.properties) for (const p of Object.values(s.properties)) visit(p);
      visit(s.items);
      visit(s.additionalProperties);
      if (s.allOf) for (const a of s.allOf) visit(a);
    };
    for (const r of roots) visit(r);
    return seen;
  }
}

// Small constructors so kind files read like the API types they describe.

export function ref(name: string, description?: string): Schema {
  // kubectl explain shows the referenced type name only when the ref is wrapped in allOf.
  return description ? { description, allOf: [{ $ref: REF_PREFIX + name }] } : { $ref: REF_PREFIX + name };
}

export function obj(properties: Record<string, Schema>, opts: { description?: string; required?: string[] } = {}): Schema {
  const s: Schema = { type: 'object', properties };
  if (opts.description) s.description = opts.description;
  if (opts.required?.length) s.required = opts.required;
  return s;
}

export function str(description?: string, extra: Partial<Schema> = {}): Schema {
  return { type: 'string', ...(description ? { description } : {}), ...extra };
}

export function int(description?: string, format: 'int32' | 'int64' = 'int32', extra: Partial<Schema> = {}): Schema {
  return { type: 'integer', format, ...(description ? { description } : {}), ...extra };
}

export function num(description?: string): Schema {
  return { type: 'number', ...(description ? { description } : {}) };
}

export function bool(description?: string, extra: Partial<Schema> = {}): Schema {
  return { type: 'boolean', ...(description ? { description } : {}), ...extra };
}

export function arr(items: Schema, description?: string, extra: Partial<Schema> = {}): Schema {
  return { type: 'array', items, ...(description ? { description } : {}), ...extra };
}

/** A list merged by key under strategic merge patch and server-side apply. */
export function keyedList(items: Schema, key: string, description?: string, strategy = 'merge'): Schema {
  return {
    type: 'array', items, ...(description ? { description } : {}),
    'x-kubernetes-patch-merge-key': key, 'x-kubernetes-patch-strategy': strategy,
    'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': [key],
  };
}

export function stringMap(description?: string): Schema {
  return { type: 'object', additionalProperties: { type: 'string' }, ...(description ? { description } : {}) };
}

export function mapOf(values: Schema, description?: string): Schema {
  return { type: 'object', additionalProperties: values, ...(description ? { description } : {}) };
}

export function intOrString(description?: string): Schema {
  return { 'x-kubernetes-int-or-string': true, ...(description ? { description } : {}) };
}

export function quantity(description?: string): Schema {
  return { 'x-kubernetes-int-or-string': true, ...(description ? { description } : {}) };
}

export function dateTime(description?: string): Schema {
  return { type: 'string', format: 'date-time', ...(description ? { description } : {}) };
}

/** A subtree we publish but do not model field by field: kept as sent, never pruned. */
export function freeform(description?: string): Schema {
  return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, ...(description ? { description } : {}) };
}

export function enumOf(values: string[], description?: string): Schema {
  return { type: 'string', enum: values, ...(description ? { description } : {}) };
}

/** An inline metav1.LabelSelector, as CRD schemas embed it (no $ref in a CRD). */
export function inlineLabelSelector(description?: string): Schema {
  return {
    ...obj({
      matchExpressions: arr(obj({
        key: str('The label key the selector applies to.'),
        operator: str('How the key relates to the values: In, NotIn, Exists or DoesNotExist.'),
        values: arr(str(), 'Values for In and NotIn; empty for Exists and DoesNotExist.', { 'x-kubernetes-list-type': 'atomic' }),
      }, { required: ['key', 'operator'] }), 'Requirements that must all hold.', { 'x-kubernetes-list-type': 'atomic' }),
      matchLabels: stringMap('Labels that must all be present with these values.'),
    }, description ? { description } : {}),
    'x-kubernetes-map-type': 'atomic',
  };
}
