// The express app: the JSON API under /api (zod-validated bodies, errors as
// {error, reason, code, field?} with the matching status), and the web UI's
// static files from web/dist when it has been built.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express } from 'express';
import { sessionMiddleware } from './auth.ts';
import type { ServerContext } from './context.ts';
import { errorHandler, notFoundHandler } from './errors.ts';
import { authRoutes } from './routes/auth-routes.ts';
import { instructorRoutes } from './routes/instructor-routes.ts';
import { labRoutes } from './routes/lab-routes.ts';
import { shellRoutes } from './routes/shell-routes.ts';
import { workspaceRoutes } from './routes/workspace-routes.ts';

export interface AppOptions {
  /** Folder of the built web UI (index.html and assets); served when it exists. */
  webRoot?: string;
}

export function createApp(ctx: ServerContext, opts: AppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);

  const api = express.Router();
  api.use((_req, res, next) => {
    res.set('cache-control', 'no-store');
    next();
  });
  api.use(express.json({ limit: '1mb' }));
  // The shell API authenticates with the shell's bearer token, never with cookies: no CSRF to guard.
  api.use(shellRoutes(ctx));
  api.use(sessionMiddleware(ctx.sessions));
  api.use(authRoutes(ctx));
  api.use(labRoutes(ctx));
  api.use(workspaceRoutes(ctx));
  api.use(instructorRoutes(ctx));
  api.use(notFoundHandler);
  api.use(errorHandler(ctx.log));
  app.use('/api', api);

  const root = opts.webRoot;
  if (root && existsSync(join(root, 'index.html'))) {
    app.use(express.static(root, { index: 'index.html' }));
    // The UI routes its own paths: anything else that is not a file gets the page.
    app.get(/^\/(?!api\/).*/, (_req, res) => res.sendFile(join(root, 'index.html')));
  }
  return app;
}
