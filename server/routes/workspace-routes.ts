// The student's own cluster: whether it exists and how the shell reaches its
// data plane, the topology picture, and a server-sent event stream of
// topology changes (driven by the cluster's watches) and lab activity (grades
// from the page or the shell, starts, finishes).

import { Router, type Response } from 'express';
import { requireSession, userOf } from '../auth.ts';
import type { Activity } from '../activity.ts';
import type { ServerContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { readTopology, type Topology } from '../topology.ts';
import type { User } from '../users.ts';

/** How long topology changes are gathered before one event goes out. */
const TOPOLOGY_DEBOUNCE_MS = 250;
const KEEPALIVE_MS = 25_000;

/** The topology of a user's cluster; 404 when they have none yet. */
export async function topologyOf(ctx: ServerContext, user: Pick<User, 'id' | 'username'>): Promise<Topology> {
  const ws = await ctx.workspaces.ofUser(user.id);
  const objects = ws ? ctx.provider.objectsOf(ws) : undefined;
  if (!objects) throw notFound(`${user.username} has no cluster yet: it is made by the first lab start`);
  return readTopology(objects);
}

function send(res: Response, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

export function workspaceRoutes(ctx: ServerContext): Router {
  const r = Router();

  r.get('/workspace', requireSession, async (_req, res) => {
    const user = userOf(res);
    const ws = await ctx.workspaces.ofUser(user.id);
    const exists = ws ? ctx.provider.exists(ws) : false;
    res.json({ cluster: ctx.provider.kind, exists, ...(ws && exists && ctx.provider.proxyFor(ws) ? { proxy: ctx.provider.proxyFor(ws) } : {}) });
  });

  r.get('/topology', requireSession, async (_req, res) => {
    res.json(await topologyOf(ctx, userOf(res)));
  });

  r.get('/events', requireSession, async (req, res) => {
    const user = userOf(res);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.flushHeaders();
    send(res, 'hello', { user: user.username });

    let stopWatch: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    let closed = false;
    const pushTopology = (): void => {
      timer = undefined;
      void topologyOf(ctx, user).then((t) => { if (!closed) send(res, 'topology', t); }, () => {});
    };
    const changed = (): void => { timer ??= setTimeout(pushTopology, TOPOLOGY_DEBOUNCE_MS); };
    // The cluster may appear later (the first lab start): watch it once it does.
    const attach = async (): Promise<void> => {
      if (stopWatch || closed) return;
      const ws = await ctx.workspaces.ofUser(user.id);
      const objects = ws ? ctx.provider.objectsOf(ws) : undefined;
      if (!objects || closed || stopWatch) return;
      stopWatch = objects.watch(changed);
      pushTopology();
    };
    const unsubscribe = ctx.feed.subscribe(user.id, (a: Activity) => {
      send(res, a.type, a);
      if (a.type === 'lab') void attach();
    });
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
    req.on('close', () => {
      closed = true;
      unsubscribe();
      stopWatch?.();
      clearTimeout(timer);
      clearInterval(keepalive);
    });
    await attach();
  });

  return r;
}
