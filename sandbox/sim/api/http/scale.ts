// The scale subresource (autoscaling/v1 Scale) of kinds that declare one:
// `kubectl scale deployment|machineset` reads it and patches spec.replicas.

import { Errors } from '../errors.ts';
import { isPlainObject, type KubeObject } from '../object.ts';
import type { KindDef, ScaleSubresource } from '../../kinds/types.ts';
import { applyJsonPatch } from '../patch/json-patch.ts';
import { applyMergePatch } from '../patch/merge-patch.ts';
import { decodeObjectBody, mediaType, parseJson, readBody } from './body.ts';
import { sendJson, setWarnings } from './respond.ts';
import { writeOptions } from './server.ts';
import type { HandlerContext } from './special.ts';

function at(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const part of path.split('.').filter(Boolean)) cur = isPlainObject(cur) ? cur[part] : undefined;
  return cur;
}

function selectorText(obj: KubeObject, scale: ScaleSubresource): string {
  if (scale.labelSelectorPath) return String(at(obj, scale.labelSelectorPath) ?? '');
  const matchLabels = (at(obj, '.spec.selector.matchLabels') ?? {}) as Record<string, string>;
  return Object.entries(matchLabels).map(([k, v]) => `${k}=${v}`).join(',');
}

function scaleOf(obj: KubeObject, scale: ScaleSubresource): Record<string, unknown> {
  const { name, namespace, uid, resourceVersion, creationTimestamp } = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: Number(at(obj, scale.specReplicasPath) ?? 0) },
    status: { replicas: Number(at(obj, scale.statusReplicasPath) ?? 0), selector: selectorText(obj, scale) },
  };
}

export function scaleHandler(ctx: HandlerContext): (() => Promise<void>) | undefined {
  const { info, kind } = ctx;
  const scale = kind?.subresources?.scale;
  if (info.subresource !== 'scale' || !kind || !scale) return undefined;
  if (info.verb === 'get') return async () => sendJson(ctx.res, 200, scaleOf(ctx.storage.read(kind, info.namespace, info.name!), scale));
  if (info.verb === 'update' || info.verb === 'patch') return () => writeScale(ctx, kind, scale);
  return undefined;
}

async function writeScale(ctx: HandlerContext, kind: KindDef, scale: ScaleSubresource): Promise<void> {
  const { info, storage, req } = ctx;
  const current = storage.read(kind, info.namespace, info.name!);
  const before = scaleOf(current, scale);
  const buf = await readBody(req);
  let next: unknown;
  if (info.verb === 'update') {
    next = decodeObjectBody(buf, req.headers['content-type']);
  } else {
    const mt = mediaType(req.headers['content-type']);
    const patch = parseJson(buf);
    if (mt === 'application/json-patch+json') next = applyJsonPatch(before, patch);
    else if (mt === 'application/merge-patch+json' || mt === 'application/strategic-merge-patch+json') next = applyMergePatch(before, patch);
    else throw Errors.unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`);
  }
  const replicas = isPlainObject(next) && isPlainObject(next.spec) ? next.spec.replicas : undefined;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw Errors.invalid('Scale', 'autoscaling', info.name!, [{ type: 'Invalid', field: 'spec.replicas', value: replicas, detail: 'must be greater than or equal to 0' }]);
  }
  const rv = isPlainObject(next) && isPlainObject(next.metadata) ? next.metadata.resourceVersion : undefined;
  const path = scale.specReplicasPath.split('.').filter(Boolean);
  const body: Record<string, unknown> = {};
  let cur = body;
  for (const p of path.slice(0, -1)) cur = (cur[p] = {}) as Record<string, unknown>;
  cur[path[path.length - 1]] = replicas;
  if (typeof rv === 'string' && rv) body.metadata = { resourceVersion: rv };
  const r = await storage.patch(kind, info.namespace, info.name!, 'merge', body, writeOptions(req, ctx.url.searchParams, ctx.principal, ''));
  setWarnings(ctx.res, r.warnings);
  sendJson(ctx.res, 200, scaleOf(r.object, scale));
}
