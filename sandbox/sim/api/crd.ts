// CustomResourceDefinition objects for the custom kinds, as the real
// apiextensions-apiserver would hold them once the CRDs are established.
// kubectl reads them (its CRD finder, `get crd -o yaml`), so they carry the
// names, scope, per-version structural schema, subresources and printer columns.
// Deterministic: the same kinds and timestamp always give the same object.

import { createHash } from 'node:crypto';
import type { KindRegistry } from '../kinds/registry.ts';
import type { Schema, SchemaDefinitions } from '../kinds/schema.ts';
import type { KindDef } from '../kinds/types.ts';
import { compareKubeVersions } from './discovery.ts';
import { objectSchema } from './openapi.ts';
import { jsonClone } from './json-clone.ts';

const REF = '#/components/schemas/';

/** Extensions that exist only in OpenAPI documents, not in a CRD's JSONSchemaProps. */
const NOT_IN_CRD = new Set(['$ref', 'x-kubernetes-group-version-kind', 'x-kubernetes-patch-merge-key', 'x-kubernetes-patch-strategy']);

/** A UUID-shaped id derived from a name (stable across restarts and repeated lists). */
export function deterministicUid(name: string): string {
  const h = createHash('sha256').update(`virtlab/crd/${name}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50; // version 5 (name-based)
  h[8] = (h[8] & 0x3f) | 0x80; // RFC 4122 variant
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/**
 * A copy of `s` with every `$ref` (and `allOf: [{$ref}]` wrapper) replaced by
 * the referenced definition, as a CRD's structural schema requires.
 */
export function inlineSchema(s: Schema, defs: SchemaDefinitions, stack: string[] = []): Schema {
  if (s.$ref) {
    const name = s.$ref.startsWith(REF) ? s.$ref.slice(REF.length) : s.$ref;
    const { $ref: _ref, ...siblings } = s;
    if (stack.includes(name)) {
      // A recursive type cannot be inlined; keep the subtree as sent.
      return strip({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true, ...siblings });
    }
    const target = defs.get(name);
    if (!target) throw new Error(`crd: unresolved schema reference ${s.$ref}`);
    const inlined = inlineSchema(target, defs, [...stack, name]);
    return { ...inlined, ...inlineFields(siblings, defs, stack) };
  }
  if (s.allOf && s.allOf.length === 1 && !s.type && !s.properties) {
    const { allOf, ...siblings } = s;
    return { ...inlineSchema(allOf[0], defs, stack), ...inlineFields(siblings, defs, stack) };
  }
  return inlineFields(s, defs, stack);
}

function strip(s: Schema): Schema {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) if (!NOT_IN_CRD.has(k) && v !== undefined) out[k] = v;
  return out as Schema;
}

function inlineFields(s: Schema, defs: SchemaDefinitions, stack: string[]): Schema {
  const out = strip(s);
  if (s.properties) {
    const props: Record<string, Schema> = {};
    for (const [k, v] of Object.entries(s.properties)) props[k] = inlineSchema(v, defs, stack);
    out.properties = props;
  }
  if (s.items) out.items = inlineSchema(s.items, defs, stack);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') out.additionalProperties = inlineSchema(s.additionalProperties, defs, stack);
  if (s.allOf) out.allOf = s.allOf.map((a) => inlineSchema(a, defs, stack));
  if (s.required) out.required = [...s.required];
  if (s.enum) out.enum = [...s.enum];
  if (s['x-kubernetes-list-map-keys']) out['x-kubernetes-list-map-keys'] = [...s['x-kubernetes-list-map-keys']];
  return out;
}

/** The `openAPIV3Schema` of one version: the published object schema, inlined, with metadata reduced to `{type: object}`. */
export function crdVersionSchema(kind: KindDef, defs: SchemaDefinitions): Schema {
  const root = objectSchema(kind);
  const { metadata: _metadata, ...props } = root.properties ?? {};
  const inlined = inlineSchema({ ...root, properties: props }, defs);
  const properties: Record<string, Schema> = {};
  for (const [k, v] of Object.entries(inlined.properties ?? {})) {
    properties[k] = v;
    if (k === 'kind') properties.metadata = { type: 'object' };
  }
  if (!('metadata' in properties)) properties.metadata = { type: 'object' };
  return jsonClone({ ...inlined, type: 'object', properties });
}

function namesOf(k: KindDef): Record<string, unknown> {
  const names: Record<string, unknown> = { plural: k.plural, singular: k.singular };
  if (k.shortNames?.length) names.shortNames = [...k.shortNames];
  names.kind = k.kind;
  names.listKind = `${k.kind}List`;
  if (k.categories?.length) names.categories = [...k.categories];
  return names;
}

function versionEntry(k: KindDef, defs: SchemaDefinitions, storage: boolean): Record<string, unknown> {
  const v: Record<string, unknown> = {
    name: k.version,
    served: true,
    storage,
    schema: { openAPIV3Schema: crdVersionSchema(k, defs) },
  };
  const sub: Record<string, unknown> = {};
  if (k.subresources?.status) sub.status = {};
  if (k.subresources?.scale) {
    const { specReplicasPath, statusReplicasPath, labelSelectorPath } = k.subresources.scale;
    sub.scale = { specReplicasPath, statusReplicasPath, ...(labelSelectorPath ? { labelSelectorPath } : {}) };
  }
  if (Object.keys(sub).length) v.subresources = sub;
  const columns = k.printerColumns
    .filter((c) => c.jsonPath)
    .map((c) => {
      const col: Record<string, unknown> = { name: c.name, type: c.type };
      if (c.format) col.format = c.format;
      if (c.description) col.description = c.description;
      if (c.priority) col.priority = c.priority;
      col.jsonPath = c.jsonPath;
      return col;
    });
  if (columns.length) v.additionalPrinterColumns = columns;
  return v;
}

/**
 * The CustomResourceDefinition of one custom resource, from the KindDefs of all
 * its versions (same group and plural). The newest version is the storage version.
 */
export function customResourceDefinitionFor(kinds: KindDef[], defs: SchemaDefinitions, createdAt: string): Record<string, unknown> {
  if (!kinds.length) throw new Error('crd: no kinds given');
  const sorted = [...kinds].sort((a, b) => compareKubeVersions(a.version, b.version));
  const head = sorted[0];
  for (const k of sorted) {
    if (k.group !== head.group || k.plural !== head.plural) {
      throw new Error(`crd: ${k.plural}.${k.group} and ${head.plural}.${head.group} are different resources`);
    }
  }
  const name = `${head.plural}.${head.group}`;
  const names = namesOf(head);
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name,
      uid: deterministicUid(name),
      generation: 1,
      creationTimestamp: createdAt,
    },
    spec: {
      group: head.group,
      names,
      scope: head.namespaced ? 'Namespaced' : 'Cluster',
      versions: sorted.map((k) => versionEntry(k, defs, k === head)),
      conversion: { strategy: 'None' },
    },
    status: {
      conditions: [
        { type: 'NamesAccepted', status: 'True', lastTransitionTime: createdAt, reason: 'NoConflicts', message: 'no conflicts found' },
        { type: 'Established', status: 'True', lastTransitionTime: createdAt, reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
      ],
      acceptedNames: jsonClone(names),
      storedVersions: [head.version],
    },
  };
}

/** One CRD per custom resource (custom === true) of the registry, sorted by name. */
export function customResourceDefinitions(registry: KindRegistry, defs: SchemaDefinitions, createdAt: string): Record<string, unknown>[] {
  const byResource = new Map<string, KindDef[]>();
  for (const k of registry.kinds) {
    if (k.custom !== true) continue;
    const key = `${k.plural}.${k.group}`;
    const list = byResource.get(key) ?? [];
    list.push(k);
    byResource.set(key, list);
  }
  return [...byResource.keys()].sort().map((key) => customResourceDefinitionFor(byResource.get(key)!, defs, createdAt));
}
