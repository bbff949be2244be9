// The HTTP front of the embedded clusters: authentication by bearer token,
// version/health, discovery, OpenAPI, and the REST verbs over RestStorage.
// One listener serves every cluster of a SimHost.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, Errors } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import type { SimHost, Principal } from '../../host.ts';
import type { KindDef } from '../../kinds/types.ts';
import type { DeleteOptions, FieldValidation, ListOptions, PatchType, RestStorage, WriteOptions } from '../rest-storage.ts';
import { parseResourcePath, type ResourceRequest } from './request-info.ts';
import { decodeObjectBody, mediaType, parseJson, parseYaml, readBody } from './body.ts';
import { defaultFieldManager, sendJson, sendList, sendStatus, setWarnings, toApiError } from './respond.ts';
import { serveWatch } from './watch.ts';
import { toTable, wantsTable, type IncludeObject } from '../table.ts';
import { parseLabelSelector } from '../../store/label-selector.ts';
import { checkSupportedFields, parseFieldSelector } from '../../store/field-selector.ts';
import { authorize, forbiddenMessage } from '../authorization.ts';
import { subresourceHandler, virtualResourceHandler, type HandlerContext } from './special.ts';

export const VERSION_INFO = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4',
  gitCommit: '59526cd4867447956156ae3a602fcbac10a2c335',
  gitTreeState: 'clean',
  buildDate: '2025-04-22T16:02:27Z',
  goVersion: 'go1.23.6',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export function createApiHandler(host: SimHost, opts: { serverAddress?: () => string } = {}): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(host, req, res, opts).catch((e) => sendStatus(res, toApiError(e)));
  };
}

async function handle(host: SimHost, req: IncomingMessage, res: ServerResponse, opts: { serverAddress?: () => string }): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const method = req.method ?? 'GET';

  // Version and health answer without a token, as they do for system:unauthenticated.
  if (path === '/version') return sendJson(res, 200, VERSION_INFO);
  if (path === '/healthz' || path === '/readyz' || path === '/livez' || path.startsWith('/healthz/') || path.startsWith('/readyz/') || path.startsWith('/livez/')) {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
    res.end('ok');
    return;
  }

  const principal = host.authenticate(req.headers.authorization);
  if (!principal) {
    req.resume();
    throw Errors.unauthorized();
  }

  if (path === '/api' || path === '/apis') return serveDiscoveryRoot(host, req, res, path, opts);
  if (path.startsWith('/openapi/')) return serveOpenApi(host, res, path, url);

  let parts: string[];
  try {
    parts = path.split('/').slice(1).map(decodeURIComponent);
  } catch {
    throw Errors.badRequest(`malformed percent-encoding in the request path ${JSON.stringify(url.pathname)}`);
  }
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api') {
    if (parts.length === 1) return serveDiscoveryRoot(host, req, res, '/api', opts);
    group = '';
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    group = parts[1];
    if (parts.length === 2) {
      const g = host.discovery.apiGroup(group);
      if (!g) throw notFoundPath();
      return sendDoc(res, g);
    }
    version = parts[2];
    rest = parts.slice(3);
  } else {
    throw notFoundPath();
  }

  if (!rest.length) {
    const list = host.discovery.apiResourceList(group, version);
    if (!list) throw notFoundPath();
    return sendDoc(res, list);
  }

  const info = parseResourcePath(group, version, rest, method, url.searchParams);
  if (!info) throw notFoundPath();
  const cluster = principal.cluster;
  const attrs = { namespace: info.namespace, verb: info.verb, group, resource: info.resource, subresource: info.subresource || undefined, name: info.name };
  if (!authorize(cluster.storage, principal.user, attrs).allowed) {
    req.resume();
    throw new ApiError(403, 'Forbidden', forbiddenMessage(principal.user, attrs), { name: info.name, group: group || undefined, kind: info.resource });
  }
  const storage = cluster.storage;
  const kind = storage.registry.resource(group, version, info.resource);
  const ctx: HandlerContext = { req, res, url, principal, storage, info, kind, cluster, host };

  // Subresource-only groups (subresources.kubevirt.io) and subresources with their own handlers.
  const special = info.subresource ? subresourceHandler(ctx) : virtualResourceHandler(ctx);
  if (special) return special();
  if (!kind) throw notFoundPath();
  const extra = kind.extraSubresources?.find((x) => x.name === info.subresource);
  if (info.subresource && !(info.subresource === 'status' && kind.subresources?.status) && !(extra && extra.verbs.includes(info.verb))) throw notFoundPath();
  if (kind.namespaced && info.namespace === undefined && info.verb !== 'list' && info.verb !== 'watch') {
    throw notFoundPath();
  }
  const verbs = kind.verbs ?? ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
  if (!verbs.includes(info.verb) && !info.subresource) {
    throw Errors.methodNotAllowed(`the server does not allow this method on the requested resource`);
  }
  return serveResource(ctx, kind, info, storage, principal);
}

function notFoundPath(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
}

function serveDiscoveryRoot(host: SimHost, req: IncomingMessage, res: ServerResponse, path: string, opts: { serverAddress?: () => string }): void {
  const which = path === '/api' ? 'core' : 'apis';
  const agg = host.discovery.chooseAggregated(req.headers.accept);
  if (agg) {
    const doc = host.discovery.aggregated(which, agg);
    if (req.headers['if-none-match'] === doc.etag) {
      res.writeHead(304, { ETag: doc.etag });
      res.end();
      return;
    }
    res.writeHead(200, { 'Content-Type': doc.contentType, ETag: doc.etag, 'Content-Length': Buffer.byteLength(doc.body), Vary: 'Accept' });
    res.end(doc.body);
    return;
  }
  const address = opts.serverAddress?.() ?? `${req.headers.host ?? '127.0.0.1:6443'}`;
  sendDoc(res, which === 'core' ? host.discovery.apiVersions(address) : host.discovery.apiGroupList());
}

function sendDoc(res: ServerResponse, doc: { body: string; etag: string; contentType: string }): void {
  res.writeHead(200, { 'Content-Type': doc.contentType, ETag: doc.etag, 'Content-Length': Buffer.byteLength(doc.body) });
  res.end(doc.body);
}

function serveOpenApi(host: SimHost, res: ServerResponse, path: string, url: URL): void {
  if (path === '/openapi/v3') {
    const root = host.openapi.root();
    res.writeHead(200, { 'Content-Type': 'application/json', ETag: root.etag, 'Content-Length': Buffer.byteLength(root.body) });
    res.end(root.body);
    return;
  }
  if (path.startsWith('/openapi/v3/')) {
    const doc = host.openapi.groupVersion(path.slice('/openapi/v3/'.length));
    if (!doc) throw notFoundPath();
    const hashed = url.searchParams.get('hash') === doc.hash;
    res.writeHead(200, {
      'Content-Type': 'application/json',
      ETag: `"${doc.hash}"`,
      'Content-Length': Buffer.byteLength(doc.body),
      'Cache-Control': hashed ? 'public, immutable' : 'no-cache, private',
    });
    res.end(doc.body);
    return;
  }
  // OpenAPI v2 is only ever asked for as protobuf; kubectl works with v3 alone.
  throw notFoundPath();
}

function boolParam(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === 'true' || v === '1';
}

function fieldValidationParam(q: URLSearchParams): FieldValidation | undefined {
  const v = q.get('fieldValidation');
  if (v === null || v === '') return undefined;
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw Errors.badRequest(`fieldValidation parameter must be Strict, Warn or Ignore, got "${v}"`);
}

function dryRunParam(q: URLSearchParams): boolean {
  const values = q.getAll('dryRun').flatMap((v) => v.split(','));
  for (const v of values) if (v !== 'All' && v !== '') throw Errors.badRequest(`Invalid dry run value: ${v}: supported values: "All"`);
  return values.includes('All');
}

function listOptions(q: URLSearchParams, storage: RestStorage, kind: KindDef): ListOptions {
  const opts: ListOptions = {};
  const ls = q.get('labelSelector');
  if (ls) opts.labelSelector = parseLabelSelector(ls);
  const fs = q.get('fieldSelector');
  if (fs) {
    const reqs = parseFieldSelector(fs);
    checkSupportedFields(reqs, storage.selectableFieldNames(kind), kind.plural);
    opts.fieldSelector = reqs;
  }
  const limit = q.get('limit');
  if (limit) {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 0) throw Errors.badRequest(`limit must be a non-negative integer, got "${limit}"`);
    opts.limit = n;
  }
  const cont = q.get('continue');
  if (cont) opts.continueToken = cont;
  return opts;
}

function includeObjectParam(q: URLSearchParams): IncludeObject {
  const v = q.get('includeObject');
  if (v === 'None' || v === 'Object' || v === 'Metadata') return v;
  return 'Metadata';
}

async function serveResource(ctx: HandlerContext, kind: KindDef, info: ResourceRequest, storage: RestStorage, principal: Principal): Promise<void> {
  const { req, res, url } = ctx;
  const q = url.searchParams;
  const table = wantsTable(req.headers.accept);
  const now = (): number => ctx.cluster.clock.now();
  const ns = kind.namespaced ? info.namespace : undefined;
  const sub = info.subresource;

  switch (info.verb) {
    case 'get': {
      const obj = storage.read(kind, ns, info.name!);
      if (table && !sub) return sendJson(res, 200, toTable(kind, [obj], { now: now(), include: includeObjectParam(q), resourceVersion: obj.metadata.resourceVersion, apiVersion: table }));
      return sendJson(res, 200, obj);
    }
    case 'list': {
      const opts = listOptions(q, storage, kind);
      const result = storage.listFiltered(kind, ns, opts);
      if (table) {
        return sendJson(res, 200, toTable(kind, result.items, {
          now: now(), include: includeObjectParam(q), resourceVersion: result.resourceVersion, continueToken: result.continueToken, remaining: result.remaining, apiVersion: table,
        }));
      }
      const apiVersion = kind.group ? `${kind.group}/${kind.version}` : kind.version;
      const metadata: Record<string, unknown> = { resourceVersion: result.resourceVersion };
      if (result.continueToken) metadata.continue = result.continueToken;
      if (result.remaining !== undefined) metadata.remainingItemCount = result.remaining;
      return sendList(res, `{"kind":${JSON.stringify(`${kind.kind}List`)},"apiVersion":${JSON.stringify(apiVersion)},"metadata":${JSON.stringify(metadata)}`, result.items);
    }
    case 'watch': {
      const opts = listOptions(q, storage, kind);
      if (info.name) opts.fieldSelector = [...(opts.fieldSelector ?? []), { field: 'metadata.name', op: '=', value: info.name }];
      const timeout = q.get('timeoutSeconds');
      serveWatch(res, storage, {
        kind, namespace: ns, filter: opts,
        resourceVersion: q.get('resourceVersion') ?? undefined,
        sendInitialEvents: boolParam(q, 'sendInitialEvents'),
        allowBookmarks: boolParam(q, 'allowWatchBookmarks'),
        timeoutSeconds: timeout ? Number(timeout) : undefined,
        table, include: includeObjectParam(q), now,
      }, () => {});
      return;
    }
    case 'create': {
      if (sub) throw Errors.methodNotAllowed('the server does not allow this method on the requested resource');
      const body = decodeObjectBody(await readBody(req), req.headers['content-type']);
      const r = await storage.create(kind, ns, body, writeOptions(req, q, principal, ''));
      setWarnings(res, r.warnings);
      return sendJson(res, 201, r.object);
    }
    case 'update': {
      const body = decodeObjectBody(await readBody(req), req.headers['content-type']);
      const r = await storage.update(kind, ns, info.name!, body, writeOptions(req, q, principal, sub));
      setWarnings(res, r.warnings);
      return sendJson(res, 200, r.object);
    }
    case 'patch': {
      const buf = await readBody(req);
      const mt = mediaType(req.headers['content-type']);
      const type = patchType(mt, kind);
      const patch = type === 'apply' ? parseYaml(buf) : parseJson(buf);
      const r = await storage.patch(kind, ns, info.name!, type, patch, { ...writeOptions(req, q, principal, sub), force: boolParam(q, 'force') });
      setWarnings(res, r.warnings);
      return sendJson(res, r.created ? 201 : 200, r.object);
    }
    case 'delete': {
      const buf = await readBody(req);
      const options = deleteOptions(buf, req.headers['content-type'], q);
      const r = await storage.delete(kind, ns, info.name!, options, writeOptions(req, q, principal, '', options.dryRun));
      return sendJson(res, 200, r.object);
    }
    case 'deletecollection': {
      const buf = await readBody(req);
      const options = deleteOptions(buf, req.headers['content-type'], q);
      const opts = listOptions(q, storage, kind);
      const items = storage.listFiltered(kind, ns, opts).items;
      const deleted: KubeObject[] = [];
      for (const o of items) {
        const r = await storage.delete(kind, o.metadata.namespace, o.metadata.name!, options, writeOptions(req, q, principal, '', options.dryRun));
        deleted.push(r.object);
      }
      return sendJson(res, 200, { kind: `${kind.kind}List`, apiVersion: kind.group ? `${kind.group}/${kind.version}` : kind.version, metadata: { resourceVersion: String(storage.store.currentResourceVersion()) }, items: deleted });
    }
    default:
      throw Errors.methodNotAllowed('the server does not allow this method on the requested resource');
  }
}

export function writeOptions(req: IncomingMessage, q: URLSearchParams, principal: Principal, subresource: string, dryRunFromBody?: boolean): WriteOptions {
  const manager = q.get('fieldManager');
  if (manager !== null && manager.length > 128) throw Errors.badRequest(`fieldManager: Too long: may not be longer than 128`);
  return {
    user: principal.user.username,
    dryRun: dryRunParam(q) || !!dryRunFromBody,
    fieldManager: manager || defaultFieldManager(String(req.headers['user-agent'] ?? '')),
    fieldValidation: fieldValidationParam(q),
    subresource,
  };
}

function patchType(mt: string, kind: KindDef): PatchType {
  switch (mt) {
    case 'application/json-patch+json':
      return 'json';
    case 'application/merge-patch+json':
      return 'merge';
    case 'application/strategic-merge-patch+json':
      if (kind.custom) {
        throw Errors.unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
      }
      return 'strategic';
    case 'application/apply-patch+yaml':
      return 'apply';
    default:
      throw Errors.unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml${kind.custom ? '' : ', application/strategic-merge-patch+json'}`);
  }
}

export function deleteOptions(buf: Buffer, contentType: string | undefined, q: URLSearchParams): DeleteOptions {
  const out: DeleteOptions = {};
  if (buf.length) {
    const body = decodeObjectBody(buf, contentType);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw Errors.badRequest('DeleteOptions must be a JSON object');
    const b = body as Record<string, unknown>;
    if (b.kind !== undefined && b.kind !== 'DeleteOptions') throw Errors.badRequest(`expected DeleteOptions, got ${String(b.kind)}`);
    if (b.gracePeriodSeconds !== undefined && b.gracePeriodSeconds !== null) {
      if (typeof b.gracePeriodSeconds !== 'number') throw Errors.badRequest('DeleteOptions.gracePeriodSeconds must be an integer');
      out.gracePeriodSeconds = b.gracePeriodSeconds;
    }
    if (typeof b.propagationPolicy === 'string') {
      if (!['Orphan', 'Background', 'Foreground'].includes(b.propagationPolicy)) {
        throw new ApiError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${b.propagationPolicy}": supported values: "Foreground", "Background", "Orphan", "nil"`);
      }
      out.propagationPolicy = b.propagationPolicy as DeleteOptions['propagationPolicy'];
    }
    if (typeof b.orphanDependents === 'boolean') out.orphanDependents = b.orphanDependents;
    if (b.preconditions && typeof b.preconditions === 'object') out.preconditions = b.preconditions as DeleteOptions['preconditions'];
    if (Array.isArray(b.dryRun)) out.dryRun = b.dryRun.includes('All');
  }
  const g = q.get('gracePeriodSeconds');
  if (g !== null) out.gracePeriodSeconds = Number(g);
  const p = q.get('propagationPolicy');
  if (p) out.propagationPolicy = p as DeleteOptions['propagationPolicy'];
  if (dryRunParam(q)) out.dryRun = true;
  return out;
}
