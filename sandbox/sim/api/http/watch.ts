// Watch streams: newline-delimited {"type","object"} events, from a
// resourceVersion or with synthetic ADDED events first, filtered by namespace
// and selectors (an object entering or leaving a selector is ADDED/DELETED, as
// the apiserver's watch cache does), in Table form when asked, with bookmarks.

import type { ServerResponse } from 'node:http';
import type { KubeObject } from '../object.ts';
import type { KindDef } from '../../kinds/types.ts';
import type { ListOptions, RestStorage } from '../rest-storage.ts';
import type { StoreEvent } from '../../store/object-store.ts';
import { ApiError } from '../errors.ts';
import { objectJson } from './respond.ts';
import { toTable, type IncludeObject } from '../table.ts';
import { apiVersionOf } from '../../kinds/types.ts';

export interface WatchRequest {
  kind: KindDef;
  namespace?: string;
  filter: Pick<ListOptions, 'labelSelector' | 'fieldSelector'>;
  resourceVersion?: string;
  sendInitialEvents: boolean;
  allowBookmarks: boolean;
  timeoutSeconds?: number;
  table: string | null;
  include: IncludeObject;
  now: () => number;
}

/** Real-time interval between bookmarks; the apiserver sends one about every minute. */
const BOOKMARK_INTERVAL_MS = 30_000;

export function serveWatch(res: ServerResponse, storage: RestStorage, w: WatchRequest, onClose: (stop: () => void) => void): void {
  const { kind } = w;
  let columnsSent = false;
  let closed = false;

  const render = (obj: KubeObject): unknown => {
    if (!w.table) return obj;
    const withColumns = !columnsSent;
    columnsSent = true;
    return toTable(kind, [obj], { now: w.now(), include: w.include, withColumns, apiVersion: w.table });
  };
  const write = (type: string, object: unknown): void => {
    if (closed) return;
    res.write(`{"type":${JSON.stringify(type)},"object":${objectJson(object as object)}}\n`);
  };
  const inScope = (obj: KubeObject): boolean => w.namespace === undefined || obj.metadata.namespace === w.namespace;
  const matches = (obj: KubeObject | undefined): boolean => !!obj && inScope(obj) && storage.matches(kind, obj, w.filter);
  const bookmark = (annotations?: Record<string, string>): void => {
    const metadata: Record<string, unknown> = { resourceVersion: String(storage.store.currentResourceVersion()) };
    if (annotations) metadata.annotations = annotations;
    write('BOOKMARK', { kind: w.table ? 'Table' : kind.kind, apiVersion: w.table ?? apiVersionOf(kind), metadata });
  };

  const onEvent = (ev: StoreEvent): void => {
    const now = matches(ev.object);
    if (ev.type === 'ADDED') {
      if (now) write('ADDED', render(ev.object));
    } else if (ev.type === 'DELETED') {
      if (now) write('DELETED', render(ev.object));
    } else {
      const before = matches(ev.previous);
      if (now && before) write('MODIFIED', render(ev.object));
      else if (now) write('ADDED', render(ev.object));
      else if (before) write('DELETED', render(ev.object));
    }
  };

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();

  let stop: () => void = () => {};
  const fromRv = w.resourceVersion && w.resourceVersion !== '0' ? Number(w.resourceVersion) : undefined;
  try {
    if (fromRv !== undefined && !w.sendInitialEvents) {
      if (!Number.isFinite(fromRv)) throw new ApiError(400, 'BadRequest', `invalid resource version: ${w.resourceVersion}`);
      stop = storage.watch(kind, onEvent, fromRv);
    } else {
      for (const obj of storage.list(kind, w.namespace)) if (matches(obj)) write('ADDED', render(obj));
      if (w.sendInitialEvents && w.allowBookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
      stop = storage.watch(kind, onEvent);
    }
  } catch (e) {
    const status = e instanceof ApiError ? e.status : { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: String(e), reason: 'InternalError', code: 500 };
    write('ERROR', status);
    closed = true;
    res.end();
    return;
  }

  const timers: NodeJS.Timeout[] = [];
  if (w.allowBookmarks) {
    const t = setInterval(() => bookmark(), BOOKMARK_INTERVAL_MS);
    t.unref();
    timers.push(t);
  }
  if (w.timeoutSeconds && w.timeoutSeconds > 0) {
    const t = setTimeout(() => finish(), w.timeoutSeconds * 1000);
    t.unref();
    timers.push(t);
  }
  function finish(): void {
    if (closed) return;
    closed = true;
    stop();
    for (const t of timers) clearTimeout(t);
    res.end();
  }
  res.on('close', finish);
  onClose(finish);
}

