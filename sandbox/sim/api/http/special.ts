// Requests that are not plain object storage: pods/eviction, pods/log,
// pods/binding, serviceaccounts/token, the access reviews behind `kubectl auth`,
// and the read-only CustomResourceDefinitions of the custom kinds.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { ApiError, Errors } from '../errors.ts';
import { isPlainObject, type KubeObject } from '../object.ts';
import type { Principal, SimHost } from '../../host.ts';
import { authorize } from '../authorization.ts';
import { scaleHandler } from './scale.ts';
import type { Cluster } from '../../cluster.ts';
import type { KindDef } from '../../kinds/types.ts';
import type { RestStorage } from '../rest-storage.ts';
import type { ResourceRequest } from './request-info.ts';
import { decodeObjectBody, readBody } from './body.ts';
import { sendJson, setWarnings, successStatus } from './respond.ts';
import { writeOptions } from './server.ts';
import { customResourceDefinitions } from '../crd.ts';
import { definitions } from '../../kinds/index.ts';
import { toTable, wantsTable } from '../table.ts';
import { rfc3339 } from '../age.ts';
import { kubevirtGroupHandler, kubevirtSubresourceHandler } from './kubevirt-subresources.ts';
import { jsonClone } from '../json-clone.ts';

export interface HandlerContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  principal: Principal;
  storage: RestStorage;
  info: ResourceRequest;
  kind: KindDef | undefined;
  cluster: Cluster;
  host: SimHost;
}

type Handler = () => Promise<void>;

export function subresourceHandler(ctx: HandlerContext): Handler | undefined {
  const { info } = ctx;
  if (info.group === 'subresources.kubevirt.io') return kubevirtSubresourceHandler(ctx);
  if (info.subresource === 'scale') return scaleHandler(ctx);
  const key = `${info.group}/${info.resource}/${info.subresource}`;
  switch (key) {
    case '/pods/eviction':
      return info.verb === 'create' ? () => evict(ctx) : undefined;
    case '/pods/log':
      return info.verb === 'get' ? () => podLog(ctx) : undefined;
    case '/pods/binding':
      return info.verb === 'create' ? () => bind(ctx) : undefined;
    case '/serviceaccounts/token':
      return info.verb === 'create' ? () => createToken(ctx) : undefined;
    default:
      return undefined;
  }
}

export function virtualResourceHandler(ctx: HandlerContext): Handler | undefined {
  const { info } = ctx;
  const key = `${info.group}/${info.resource}`;
  if (key === 'authorization.k8s.io/selfsubjectaccessreviews' && info.verb === 'create') return () => accessReview(ctx);
  if (key === 'authentication.k8s.io/selfsubjectreviews' && info.verb === 'create') return () => whoAmI(ctx);
  if (key === 'apiextensions.k8s.io/customresourcedefinitions') return () => crds(ctx);
  if (info.group === 'subresources.kubevirt.io') return kubevirtGroupHandler(ctx);
  return undefined;
}

async function readObject(ctx: HandlerContext): Promise<Record<string, unknown>> {
  const body = decodeObjectBody(await readBody(ctx.req), ctx.req.headers['content-type']);
  if (!isPlainObject(body)) throw Errors.badRequest('the request body must be an object');
  return body;
}

function podKind(ctx: HandlerContext): KindDef {
  return ctx.storage.registry.resource('', 'v1', 'pods')!;
}

// ---- pods/eviction --------------------------------------------------------

/**
 * The Eviction API: the body's name must match the URL; admission, the
 * PodDisruptionBudget check and the delete are RestStorage.evictPod's.
 */
async function evict(ctx: HandlerContext): Promise<void> {
  const { info, storage } = ctx;
  const body = await readObject(ctx);
  const meta = (isPlainObject(body.metadata) ? body.metadata : {}) as { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  if (meta.name && meta.name !== info.name) throw Errors.badRequest('name in URL does not match name in Eviction object');
  const deleteOptions = (isPlainObject(body.deleteOptions) ? body.deleteOptions : {}) as Record<string, unknown>;
  const metadata = { labels: meta.labels, annotations: meta.annotations };
  const { warnings } = await storage.evictPod(info.namespace, info.name!, { deleteOptions, metadata }, writeOptions(ctx.req, ctx.url.searchParams, ctx.principal, 'eviction'));
  setWarnings(ctx.res, warnings);
  sendJson(ctx.res, 201, successStatus(201));
}

// ---- pods/log ---------------------------------------------------------------

async function podLog(ctx: HandlerContext): Promise<void> {
  const { info, storage, res, url, cluster } = ctx;
  const q = url.searchParams;
  const pod = storage.read(podKind(ctx), info.namespace, info.name!);
  const containers = ((pod.spec as { containers?: { name: string }[] }).containers ?? []).map((c) => c.name);
  let container = q.get('container') ?? undefined;
  if (!container) {
    const dflt = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
    if (containers.length === 1) container = containers[0];
    else if (dflt && containers.includes(dflt)) container = dflt;
    else throw Errors.badRequest(`a container name must be specified for pod ${info.name}, choose one of: [${containers.join(' ')}]`);
  }
  if (!containers.includes(container)) throw Errors.badRequest(`container ${container} is not valid for pod ${info.name}`);
  const statuses = ((pod.status as { containerStatuses?: { name: string; state?: { waiting?: { reason?: string } } }[] } | undefined)?.containerStatuses) ?? [];
  const st = statuses.find((s) => s.name === container);
  if (!st || st.state?.waiting) {
    throw Errors.badRequest(`container "${container}" in pod "${info.name}" is waiting to start: ${st?.state?.waiting?.reason ?? 'ContainerCreating'}`);
  }
  if (q.get('previous') === 'true') throw Errors.badRequest(`previous terminated container "${container}" in pod "${info.name}" not found`);
  const tail = q.get('tailLines');
  const since = q.get('sinceSeconds');
  const sinceTime = q.get('sinceTime');
  const limitBytes = q.get('limitBytes');
  const timestamps = q.get('timestamps') === 'true';
  // The kubelet stamps lines with RFC 3339 nanoseconds.
  const fmt = (l: { time: number; text: string }): string => `${timestamps ? `${new Date(l.time).toISOString().replace('Z', '000000Z')} ` : ''}${l.text}\n`;
  const lines = cluster.logs.read(pod.metadata.uid!, container, {
    tailLines: tail !== null ? Number(tail) : undefined,
    sinceTime: since !== null ? cluster.clock.now() - Number(since) * 1000 : sinceTime ? Date.parse(sinceTime) : undefined,
  });
  let text = lines.map(fmt).join('');
  if (limitBytes) text = text.slice(0, Number(limitBytes));
  if (q.get('follow') !== 'true') {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  if (text) res.write(text);
  const stopFollow = cluster.logs.follow(pod.metadata.uid!, container, (l) => res.write(fmt(l)));
  // The stream ends when the pod is gone, as the kubelet closes it when the container exits.
  const stopWatch = storage.watch(podKind(ctx), (ev) => {
    if (ev.object.metadata.uid === pod.metadata.uid && ev.type === 'DELETED') done();
  });
  function done(): void {
    stopFollow();
    stopWatch();
    res.end();
  }
  res.on('close', () => { stopFollow(); stopWatch(); });
}

// ---- pods/binding -------------------------------------------------------------

async function bind(ctx: HandlerContext): Promise<void> {
  const { info, storage } = ctx;
  const body = await readObject(ctx);
  const target = (body.target ?? {}) as { name?: string; kind?: string };
  if (!target.name) throw Errors.invalid('Binding', '', info.name!, [{ type: 'Required', field: 'target.name' }]);
  const kind = podKind(ctx);
  const pod = storage.read(kind, info.namespace, info.name!);
  const spec = pod.spec as { nodeName?: string };
  if (pod.metadata.deletionTimestamp) throw Errors.conflict('pods', '', info.name!, 'pod is being deleted, cannot be assigned to a host');
  if (spec.nodeName) throw Errors.conflict('pods', '', info.name!, `pod ${info.name} is already assigned to node "${spec.nodeName}"`);
  const opts = writeOptions(ctx.req, ctx.url.searchParams, ctx.principal, 'binding');
  const updated = jsonClone(pod);
  (updated.spec as { nodeName?: string }).nodeName = target.name;
  const st = (updated.status ?? {}) as { conditions?: unknown[] };
  st.conditions = [...(st.conditions ?? []).filter((c) => (c as { type: string }).type !== 'PodScheduled'), { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(ctx.cluster.clock.now()) }];
  updated.status = st;
  await storage.writeSubresource(kind, updated, pod, opts);
  sendJson(ctx.res, 201, successStatus(201));
}

// ---- serviceaccounts/token ------------------------------------------------------

async function createToken(ctx: HandlerContext): Promise<void> {
  const { info, storage, cluster } = ctx;
  const body = await readObject(ctx);
  // The service account must exist.
  storage.read(storage.registry.resource('', 'v1', 'serviceaccounts')!, info.namespace, info.name!);
  const spec = (body.spec ?? {}) as { expirationSeconds?: number; audiences?: string[] };
  const expiration = spec.expirationSeconds ?? 3600;
  if (expiration < 600) throw Errors.invalid('TokenRequest', 'authentication.k8s.io', info.name!, [{ type: 'Invalid', field: 'spec.expirationSeconds', value: expiration, detail: 'may not specify a duration less than 10 minutes' }]);
  const username = `system:serviceaccount:${info.namespace}:${info.name}`;
  const token = issueServiceAccountToken(ctx, username, info.namespace!);
  const now = cluster.clock.now();
  sendJson(ctx.res, 201, {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name: info.name, namespace: info.namespace, creationTimestamp: null },
    spec: { audiences: spec.audiences ?? ['https://kubernetes.default.svc'], expirationSeconds: expiration, boundObjectRef: null },
    status: { token, expirationTimestamp: rfc3339(now + expiration * 1000) },
  });
}

/** A token for a service account; the simulator's authenticator accepts it like any bearer token. */
function issueServiceAccountToken(ctx: HandlerContext, username: string, namespace: string): string {
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'virtlab' })).toString('base64url');
  const payload = Buffer.from(JSON.stringify({ sub: username, 'kubernetes.io': { namespace }, nonce: randomBytes(8).toString('hex') })).toString('base64url');
  const token = `${header}.${payload}.${randomBytes(32).toString('base64url')}`;
  ctx.host.registerToken(ctx.cluster, token, { username, uid: randomBytes(16).toString('hex'), groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'] });
  return token;
}

// ---- auth can-i / whoami ---------------------------------------------------------

async function accessReview(ctx: HandlerContext): Promise<void> {
  const body = await readObject(ctx);
  const spec = (body.spec ?? {}) as Record<string, unknown>;
  const ra = spec.resourceAttributes as Record<string, string> | undefined;
  const nra = spec.nonResourceAttributes as Record<string, string> | undefined;
  if (!ra && !nra) throw Errors.invalid('SelfSubjectAccessReview', 'authorization.k8s.io', '', [{ type: 'Invalid', field: 'spec.resourceAttributes', value: null, detail: 'exactly one of nonResourceAttributes or resourceAttributes must be specified' }]);
  const decision = authorize(ctx.storage, ctx.principal.user, ra
    ? { namespace: ra.namespace || undefined, verb: ra.verb ?? '', group: ra.group ?? '', resource: ra.resource ?? '', subresource: ra.subresource || undefined, name: ra.name || undefined }
    : { path: nra!.path ?? '', verb: nra!.verb ?? '' });
  sendJson(ctx.res, 201, {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec,
    status: decision,
  });
}

async function whoAmI(ctx: HandlerContext): Promise<void> {
  await readObject(ctx);
  const u = ctx.principal.user;
  sendJson(ctx.res, 201, {
    kind: 'SelfSubjectReview',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { creationTimestamp: null },
    status: { userInfo: { username: u.username, uid: u.uid, groups: u.groups } },
  });
}

// ---- CustomResourceDefinitions (read-only) ----------------------------------------

let crdCache: KubeObject[] | undefined;

function crdObjects(ctx: HandlerContext): KubeObject[] {
  crdCache ??= (customResourceDefinitions(ctx.storage.registry, definitions, '2026-01-01T00:00:00Z') as unknown as KubeObject[])
    .map((c) => ({ ...c, metadata: { ...c.metadata, resourceVersion: '1' } }));
  return crdCache;
}

async function crds(ctx: HandlerContext): Promise<void> {
  const { info, res, req, cluster } = ctx;
  const kind = ctx.kind!;
  const items = crdObjects(ctx).map((c) => ({ ...c, metadata: { ...c.metadata, creationTimestamp: rfc3339(cluster.createdAt) } }));
  const table = wantsTable(req.headers.accept);
  const now = cluster.clock.now();
  if (info.verb === 'get') {
    const found = items.find((c) => c.metadata.name === info.name);
    if (!found) throw Errors.notFound('customresourcedefinitions', 'apiextensions.k8s.io', info.name!);
    return sendJson(res, 200, table ? toTable(kind, [found], { now, include: 'Metadata', apiVersion: table }) : found);
  }
  if (info.verb === 'list') {
    const rv = '1';
    return sendJson(res, 200, table
      ? toTable(kind, items, { now, include: 'Metadata', resourceVersion: rv, apiVersion: table })
      : { kind: 'CustomResourceDefinitionList', apiVersion: 'apiextensions.k8s.io/v1', metadata: { resourceVersion: rv }, items });
  }
  if (info.verb === 'watch') {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const rv = ctx.url.searchParams.get('resourceVersion');
    if (!rv || rv === '0') for (const c of items) res.write(`${JSON.stringify({ type: 'ADDED', object: table ? toTable(kind, [c], { now, include: 'Metadata', apiVersion: table }) : c })}\n`);
    // CRDs never change in the embedded cluster; keep the stream open like a real watch.
    return;
  }
  throw new ApiError(405, 'MethodNotAllowed', `customresourcedefinitions are managed by the embedded cluster and cannot be changed`);
}
