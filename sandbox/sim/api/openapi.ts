// OpenAPI v3 documents: the /openapi/v3 root and one document per
// group-version, built from the kinds and the shared schema definitions.
// kubectl reads them for explain, client-side validation (fieldValidation
// support is detected from the PATCH operations) and to decide whether
// `apply` may compute a strategic merge patch from the published schema.

import { createHash } from 'node:crypto';
import type { KindRegistry } from '../kinds/registry.ts';
import type { Schema, SchemaDefinitions } from '../kinds/schema.ts';
import type { KindDef } from '../kinds/types.ts';
import { META, metadataProperty } from '../kinds/meta.ts';
import { DEFAULT_VERBS, compareKubeVersions } from './discovery.ts';

export const OPENAPI_SERVER_VERSION = 'v1.32.4';
const REF = '#/components/schemas/';
const OBJECT_META = `${META}.ObjectMeta`;
const LIST_META = `${META}.ListMeta`;
const STATUS = `${META}.Status`;

const API_VERSION_DESCRIPTION =
  'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources';
const KIND_DESCRIPTION =
  'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';

/** Published when the shared definitions carry no Status of their own (DELETE responses refer to it). */
const FALLBACK_STATUS_SCHEMA: Schema = {
  type: 'object',
  description: 'Status is a return value for calls that don\'t return other objects.',
  properties: {
    apiVersion: { type: 'string', description: API_VERSION_DESCRIPTION },
    kind: { type: 'string', description: KIND_DESCRIPTION },
    metadata: { description: 'Standard list metadata.', allOf: [{ $ref: REF + LIST_META }] },
    status: { type: 'string', description: 'Status of the operation. One of: "Success" or "Failure".' },
    message: { type: 'string', description: 'A human-readable description of the status of this operation.' },
    reason: { type: 'string', description: 'A machine-readable description of why this operation is in the "Failure" status.' },
    details: { type: 'object', description: 'Extended data associated with the reason.', 'x-kubernetes-preserve-unknown-fields': true },
    code: { type: 'integer', format: 'int32', description: 'Suggested HTTP return code for this status, 0 if not set.' },
  },
  'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'Status' }],
};

// ---------------------------------------------------------------------------
// Object schemas

const objectSchemas = new WeakMap<KindDef, Schema>();
const listSchemas = new WeakMap<KindDef, Schema>();

/**
 * The published root schema of a kind: apiVersion, kind, metadata (a reference
 * to ObjectMeta) and the kind's own properties. Always the same object for the
 * same KindDef, so field validation, pruning and strategic merge see exactly
 * what `kubectl explain` and `kubectl apply` see.
 */
export function objectSchema(kind: KindDef): Schema {
  let s = objectSchemas.get(kind);
  if (!s) {
    if ((kind.schema.$ref || kind.schema.allOf) && !kind.schema.properties) {
      throw new Error(`kind ${kind.kind}: KindDef.schema must be an object schema with properties, not a reference`);
    }
    const { properties, required, description, type: _type, $ref: _ref, allOf: _allOf, ...rest } = kind.schema;
    s = {
      ...rest,
      type: 'object',
      description: kind.description || description || '',
      properties: {
        apiVersion: { type: 'string', description: API_VERSION_DESCRIPTION },
        kind: { type: 'string', description: KIND_DESCRIPTION },
        metadata: metadataProperty(),
        ...(properties ?? {}),
      },
      ...(required?.length ? { required: [...required] } : {}),
      'x-kubernetes-group-version-kind': [{ group: kind.group, version: kind.version, kind: kind.kind }],
    };
    objectSchemas.set(kind, s);
  }
  return s;
}

/** The `<schemaName>List` schema of a kind. */
export function listSchema(kind: KindDef): Schema {
  let s = listSchemas.get(kind);
  if (!s) {
    s = {
      type: 'object',
      description: `${kind.kind}List is a list of ${kind.kind}.`,
      properties: {
        apiVersion: { type: 'string', description: API_VERSION_DESCRIPTION },
        items: { type: 'array', description: `List of ${kind.plural}.`, items: { $ref: REF + kind.schemaName } },
        kind: { type: 'string', description: KIND_DESCRIPTION },
        metadata: { description: 'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds', allOf: [{ $ref: REF + LIST_META }] },
      },
      required: ['items'],
      'x-kubernetes-group-version-kind': [{ group: kind.group, version: kind.version, kind: `${kind.kind}List` }],
    };
    listSchemas.set(kind, s);
  }
  return s;
}

// ---------------------------------------------------------------------------
// Paths and operations

type Json = Record<string, unknown>;

/** The `x-kubernetes-group-version-kind` of operations and schemas for a group-version. */
function gvkOf(k: KindDef): { group: string; version: string; kind: string } {
  return { group: k.group, version: k.version, kind: k.kind };
}

function queryParam(name: string, type: 'string' | 'boolean' | 'integer', description: string): Json {
  return { name, in: 'query', description, schema: { type, uniqueItems: true } };
}

const P = {
  pretty: queryParam('pretty', 'string', 'If \'true\', then the output is pretty printed. Defaults to \'false\' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget).'),
  dryRun: queryParam('dryRun', 'string', 'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed'),
  fieldManager: queryParam('fieldManager', 'string', 'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.'),
  fieldValidation: queryParam('fieldValidation', 'string', 'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: drops unknown fields silently. - Warn: sends a warning (299 Warning header) for each unknown or duplicate field; the request still succeeds. - Strict: fails the request with a BadRequest error if any unknown or duplicate field is found.'),
  force: queryParam('force', 'boolean', 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.'),
  allowWatchBookmarks: queryParam('allowWatchBookmarks', 'boolean', 'allowWatchBookmarks requests watch events with type "BOOKMARK". Servers that do not implement bookmarks may ignore this flag.'),
  continue: queryParam('continue', 'string', 'The continue option should be set when retrieving more results from the server, with the token from the previous list response.'),
  fieldSelector: queryParam('fieldSelector', 'string', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
  labelSelector: queryParam('labelSelector', 'string', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
  limit: queryParam('limit', 'integer', 'limit is a maximum number of responses to return for a list call. If more items exist, the server will set the `continue` field on the list metadata.'),
  resourceVersion: queryParam('resourceVersion', 'string', 'resourceVersion sets a constraint on what resource versions a request may be served from. Defaults to unset.'),
  resourceVersionMatch: queryParam('resourceVersionMatch', 'string', 'resourceVersionMatch determines how resourceVersion is applied to list calls. Defaults to unset.'),
  sendInitialEvents: queryParam('sendInitialEvents', 'boolean', '`sendInitialEvents=true` may be set together with `watch=true`. The watch stream then begins with synthetic events for the current state of the objects, followed by a "Bookmark" event annotated with "k8s.io/initial-events-end".'),
  timeoutSeconds: queryParam('timeoutSeconds', 'integer', 'Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity.'),
  watch: queryParam('watch', 'boolean', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.'),
  gracePeriodSeconds: queryParam('gracePeriodSeconds', 'integer', 'The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately.'),
  propagationPolicy: queryParam('propagationPolicy', 'string', 'Whether and how garbage collection will be performed. Acceptable values are: \'Orphan\', \'Background\', \'Foreground\'.'),
  orphanDependents: queryParam('orphanDependents', 'boolean', 'Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7.'),
};

const LIST_PARAMS = [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch];
const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];
const PATCH_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation, P.force];
const DELETE_PARAMS = [P.dryRun, P.gracePeriodSeconds, P.orphanDependents, P.propagationPolicy];

function pathParam(name: string, description: string): Json {
  return { name, in: 'path', description, required: true, schema: { type: 'string', uniqueItems: true } };
}

const PATCH_MEDIA_TYPES_CUSTOM = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json'];
const PATCH_MEDIA_TYPES_BUILTIN = [...PATCH_MEDIA_TYPES_CUSTOM, 'application/strategic-merge-patch+json'];

/** Patch media types a kind accepts (custom kinds: no strategic merge patch). */
export function patchMediaTypes(kind: KindDef): string[] {
  return [...(kind.custom ? PATCH_MEDIA_TYPES_CUSTOM : PATCH_MEDIA_TYPES_BUILTIN)];
}

function refContent(name: string, types = ['application/json', 'application/yaml']): Json {
  const out: Json = {};
  for (const t of types) out[t] = { schema: { $ref: REF + name } };
  return out;
}

function response(description: string, schemaName: string): Json {
  return { description, content: refContent(schemaName) };
}

/** `Core`, `Apps`, `Coordination`, `KubevirtIo`, `RbacAuthorization` — as in upstream operation ids. */
function groupId(group: string): string {
  if (!group) return 'Core';
  const g = group.endsWith('.k8s.io') ? group.slice(0, -'.k8s.io'.length) : group;
  return g.split(/[.\-]/).filter(Boolean).map((p) => p[0].toUpperCase() + p.slice(1)).join('');
}

function tagOf(k: KindDef): string {
  const id = groupId(k.group);
  return `${id[0].toLowerCase()}${id.slice(1)}_${k.version}`;
}

interface OpSpec {
  action: string;
  id: string;
  description: string;
  params: Json[];
  responses: Json;
  requestBody?: Json;
}

function op(k: KindDef, spec: OpSpec): Json {
  const out: Json = {
    tags: [tagOf(k)],
    description: spec.description,
    operationId: spec.id,
  };
  if (spec.params.length) out.parameters = spec.params;
  if (spec.requestBody) out.requestBody = spec.requestBody;
  out.responses = spec.responses;
  out['x-kubernetes-action'] = spec.action;
  out['x-kubernetes-group-version-kind'] = gvkOf(k);
  return out;
}

function addPaths(paths: Record<string, Json>, k: KindDef, statusSchema: string): void {
  const verbs = new Set(k.verbs ?? DEFAULT_VERBS);
  const prefix = k.group ? `/apis/${k.group}/${k.version}` : `/api/${k.version}`;
  const base = k.namespaced ? `${prefix}/namespaces/{namespace}/${k.plural}` : `${prefix}/${k.plural}`;
  const ns = k.namespaced ? 'Namespaced' : '';
  const id = `${groupId(k.group)}${k.version[0].toUpperCase()}${k.version.slice(1)}`;
  const kindName = k.schemaName;
  const listName = `${k.schemaName}List`;
  const nsParam = pathParam('namespace', 'object name and auth scope, such as for teams and projects');
  const nameParam = pathParam('name', `name of the ${k.kind}`);
  const commonParams = k.namespaced ? [nsParam, P.pretty] : [P.pretty];
  const itemParams = k.namespaced ? [nameParam, nsParam, P.pretty] : [nameParam, P.pretty];
  const body = (name: string): Json => ({ content: { '*/*': { schema: { $ref: REF + name } } }, required: true });
  const patchBody = (): Json => {
    const content: Json = {};
    for (const t of patchMediaTypes(k)) content[t] = { schema: { type: 'object', description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.' } };
    return { content, required: true };
  };
  const unauthorized = { description: 'Unauthorized' };

  // Collection.
  const collection: Json = {};
  if (verbs.has('list')) {
    collection.get = op(k, {
      action: 'list', id: `list${id}${ns}${k.kind}`, description: `list or watch objects of kind ${k.kind}`,
      params: LIST_PARAMS, responses: { '200': response('OK', listName), '401': unauthorized },
    });
  }
  if (verbs.has('create')) {
    collection.post = op(k, {
      action: 'post', id: `create${id}${ns}${k.kind}`, description: `create a ${k.kind}`,
      params: WRITE_PARAMS, requestBody: body(kindName),
      responses: { '200': response('OK', kindName), '201': response('Created', kindName), '202': response('Accepted', kindName), '401': unauthorized },
    });
  }
  if (verbs.has('deletecollection')) {
    collection.delete = op(k, {
      action: 'deletecollection', id: `delete${id}Collection${ns}${k.kind}`, description: `delete collection of ${k.kind}`,
      params: [...DELETE_PARAMS, ...LIST_PARAMS.filter((p) => p.name !== 'watch' && p.name !== 'allowWatchBookmarks')],
      responses: { '200': response('OK', statusSchema), '401': unauthorized },
    });
  }
  if (Object.keys(collection).length) {
    collection.parameters = commonParams;
    paths[base] = collection;
  }

  // Item.
  const item: Json = {};
  if (verbs.has('get')) {
    item.get = op(k, {
      action: 'get', id: `read${id}${ns}${k.kind}`, description: `read the specified ${k.kind}`,
      params: [], responses: { '200': response('OK', kindName), '401': unauthorized },
    });
  }
  if (verbs.has('update')) {
    item.put = op(k, {
      action: 'put', id: `replace${id}${ns}${k.kind}`, description: `replace the specified ${k.kind}`,
      params: WRITE_PARAMS, requestBody: body(kindName),
      responses: { '200': response('OK', kindName), '201': response('Created', kindName), '401': unauthorized },
    });
  }
  if (verbs.has('patch')) {
    item.patch = op(k, {
      action: 'patch', id: `patch${id}${ns}${k.kind}`, description: `partially update the specified ${k.kind}`,
      params: PATCH_PARAMS, requestBody: patchBody(),
      responses: { '200': response('OK', kindName), '201': response('Created', kindName), '401': unauthorized },
    });
  }
  if (verbs.has('delete')) {
    item.delete = op(k, {
      action: 'delete', id: `delete${id}${ns}${k.kind}`, description: `delete a ${k.kind}`,
      params: DELETE_PARAMS,
      responses: { '200': response('OK', statusSchema), '202': response('Accepted', statusSchema), '401': unauthorized },
    });
  }
  if (Object.keys(item).length) {
    item.parameters = itemParams;
    paths[`${base}/{name}`] = item;
  }

  // Status subresource.
  if (k.subresources?.status) {
    paths[`${base}/{name}/status`] = {
      get: op(k, {
        action: 'get', id: `read${id}${ns}${k.kind}Status`, description: `read status of the specified ${k.kind}`,
        params: [], responses: { '200': response('OK', kindName), '401': unauthorized },
      }),
      put: op(k, {
        action: 'put', id: `replace${id}${ns}${k.kind}Status`, description: `replace status of the specified ${k.kind}`,
        params: WRITE_PARAMS, requestBody: body(kindName),
        responses: { '200': response('OK', kindName), '201': response('Created', kindName), '401': unauthorized },
      }),
      patch: op(k, {
        action: 'patch', id: `patch${id}${ns}${k.kind}Status`, description: `partially update status of the specified ${k.kind}`,
        params: PATCH_PARAMS, requestBody: patchBody(),
        responses: { '200': response('OK', kindName), '201': response('Created', kindName), '401': unauthorized },
      }),
      parameters: itemParams,
    };
  }

  // Cluster-wide list of a namespaced resource.
  if (k.namespaced && verbs.has('list')) {
    paths[`${prefix}/${k.plural}`] = {
      get: op(k, {
        action: 'list', id: `list${id}${k.kind}ForAllNamespaces`, description: `list or watch objects of kind ${k.kind}`,
        params: LIST_PARAMS, responses: { '200': response('OK', listName), '401': unauthorized },
      }),
      parameters: [P.pretty],
    };
  }
}

// ---------------------------------------------------------------------------

export interface OpenApiGroupVersionDoc {
  body: string;
  /** Uppercase hex sha512 of the body, as in the root's `?hash=`. */
  hash: string;
}

function sha512Upper(body: string): string {
  return createHash('sha512').update(body).digest('hex').toUpperCase();
}

/** `api/v1` for the core group, `apis/<group>/<version>` otherwise. */
export function openApiPathOf(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

export class OpenApiDocuments {
  private readonly docs = new Map<string, OpenApiGroupVersionDoc>();
  private readonly rootDoc: { body: string; etag: string };
  /** Object schemas of every kind in the registry, by schema name, for references across group-versions. */
  private readonly kindSchemas = new Map<string, Schema>();

  constructor(registry: KindRegistry, private readonly defs: SchemaDefinitions) {
    for (const k of registry.kinds) this.kindSchemas.set(k.schemaName, objectSchema(k));
    // Group-versions in registration order of groups, versions newest first.
    const byGroup = registry.groups();
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const [group, versions] of byGroup) {
      for (const version of [...versions].sort(compareKubeVersions)) {
        const path = openApiPathOf(group, version);
        const body = JSON.stringify(this.buildGroupVersion(registry.inGroupVersion(group, version)));
        const hash = sha512Upper(body);
        this.docs.set(path, { body, hash });
        paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
      }
    }
    const body = JSON.stringify({ paths });
    this.rootDoc = { body, etag: `"${sha512Upper(body)}"` };
  }

  /** `/openapi/v3`. */
  root(): { body: string; etag: string } {
    return this.rootDoc;
  }

  /** `/openapi/v3/<path>` for `api/v1` or `apis/<group>/<version>` (a leading `/` or `openapi/v3/` is tolerated). */
  groupVersion(path: string): OpenApiGroupVersionDoc | undefined {
    let p = path.replace(/^\/+/, '');
    if (p.startsWith('openapi/v3/')) p = p.slice('openapi/v3/'.length);
    p = p.replace(/\/+$/, '');
    return this.docs.get(p);
  }

  /** Paths of all published group-version documents. */
  groupVersionPaths(): string[] {
    return [...this.docs.keys()];
  }

  private buildGroupVersion(kinds: KindDef[]): Json {
    const paths: Record<string, Json> = {};
    const own = new Map<string, Schema>();
    for (const k of kinds) {
      addPaths(paths, k, STATUS);
      own.set(k.schemaName, objectSchema(k));
      own.set(`${k.schemaName}List`, listSchema(k));
    }
    // Everything reachable from the kinds' schemas and from the Status of DELETE
    // responses. A name missing from the shared definitions may be another
    // kind's object schema (or Status, which has a fallback).
    const lookup = (name: string): Schema | undefined =>
      own.get(name) ?? this.defs.get(name) ?? this.kindSchemas.get(name) ?? (name === STATUS ? FALLBACK_STATUS_SCHEMA : undefined);
    const names = new Set<string>([...own.keys(), OBJECT_META, LIST_META, STATUS]);
    const pending = [...names];
    while (pending.length) {
      const name = pending.pop()!;
      const s = lookup(name);
      if (!s) throw new Error(`openapi: schema ${name} is referenced but not defined`);
      for (const n of this.defs.closure([s])) {
        if (!names.has(n)) {
          names.add(n);
          if (!this.defs.get(n)) pending.push(n); // closure() could not follow it: do it here
        }
      }
    }
    const schemas: Record<string, Schema> = {};
    for (const name of [...names].sort()) schemas[name] = lookup(name)!;
    const sortedPaths: Record<string, Json> = {};
    for (const p of Object.keys(paths).sort()) sortedPaths[p] = paths[p];
    return {
      openapi: '3.0.0',
      info: { title: 'Kubernetes', version: OPENAPI_SERVER_VERSION },
      paths: sortedPaths,
      components: { schemas },
    };
  }
}
