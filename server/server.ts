// Starting and stopping the web platform: the database in the data folder,
// the cluster provider (clusters of earlier runs restored), the first-run
// instructor, the express app on a TCP port (and optionally a unix socket),
// and a hook for WebSocket upgrades that only lets a logged-in user from our
// own origin through.

import { mkdirSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Express } from 'express';
import type { Clock } from '../sandbox/sim/clock.ts';
import { defaultLabsDir } from '../cli/lab/loader.ts';
import { ActivityFeed } from './activity.ts';
import { createApp } from './app.ts';
import { authenticateUpgrade } from './auth.ts';
import { InstructorBootstrap } from './bootstrap.ts';
import type { ClusterAccess, ClusterProvider } from './clusters.ts';
import type { ServerContext } from './context.ts';
import { Database } from './db.ts';
import { EmbeddedClusterProvider } from './embedded-clusters.ts';
import { ApiError } from './errors.ts';
import { LabRecords } from './lab-records.ts';
import { LabRuns } from './lab-runs.ts';
import { labPage, mostWorkers } from './labs-catalog.ts';
import { LoginSessions, type LoginSession } from './login-sessions.ts';
import { RealClusterProvider } from './real-clusters.ts';
import { terminals, TERMINALS_PREFIX } from './terminals.ts';
import { Users, type User } from './users.ts';
import { Workspaces } from './workspaces.ts';

export const DEFAULT_PORT = 8080;
export const DEFAULT_DATA_DIR = '.virtlab/server';
const WEB_ROOT = fileURLToPath(new URL('../web/dist', import.meta.url));

export interface ServerOptions {
  /** Listen address (default 127.0.0.1). */
  host?: string;
  /** TCP port (default 8080; 0 picks a free one). */
  port?: number;
  /** Also listen on this unix socket (the jails reach the shell API through it). */
  socketPath?: string;
  /** Database and server state (default .virtlab/server). */
  dataDir?: string;
  /** `embedded` (default) or `kubeconfig:PATH`. */
  cluster?: string;
  labsDir?: string;
  /** Creates instructor "admin" with this password when there is no instructor yet. */
  adminPassword?: string;
  /** Shells without the bubblewrap jail (development): passed on to the terminal side. */
  unsafeShell?: boolean;
  /** Seconds between pings of terminal connections, each also checking the sign-in still holds (default 30). */
  terminalPingSeconds?: number;
  /** Embedded clusters: the clock for a time scale (tests pass a ManualClock), a fixed time scale, the API port. */
  clockFor?: (timeScale: number) => Clock;
  timeScale?: number;
  clusterApiPort?: number;
  /** Nodes of a new embedded cluster (default: 3 control planes, 3 workers or the most any lab needs). */
  clusterTopology?: { workers: number; controlPlanes: number };
  /** Seconds between snapshots of changed embedded clusters (default 3). */
  snapshotSeconds?: number;
  /** The built web UI (default web/dist). */
  webRoot?: string;
  secureCookies?: boolean;
  log?: (line: string) => void;
}

/** Handles an upgrade the server authenticated: `session` is the logged-in user's. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, session: LoginSession) => void;

/** What a student's shell is given (the shape of sandbox/shell/jail/shell-env.ts ShellEnv). */
export interface ShellAccess {
  cluster: ClusterAccess;
  proxy?: string;
  shellApi: { url: string; token: string; socket?: string };
}

export interface RunningServer {
  /** http://host:port */
  url: string;
  socketPath?: string;
  app: Express;
  http: Server;
  ctx: ServerContext;
  options: ServerOptions;
  /** The setup token printed on a first run without --admin-password. */
  bootstrapToken?: string;
  /** Mounts a WebSocket endpoint (e.g. `/api/terminals/`): only logged-in users from our own origin reach the handler. */
  onUpgrade(pathPrefix: string, handler: UpgradeHandler): void;
  /**
   * Everything a new shell of the user needs: cluster access, the proxy, a
   * fresh shell-API token. With `lab`, the user's cluster is made first if it
   * does not exist yet (sized for that lab); without, a shell opened before any
   * lab start gets tokens that work once the cluster exists (and no proxy yet).
   */
  /** A shell's connections; `shellToken` is the token its jail already holds (kept, not issued anew). */
  shellAccess(user: User, opts?: { lab?: string; shellToken?: string }): Promise<ShellAccess>;
  close(): Promise<void>;
}

function refuseUpgrade(socket: Duplex, e: unknown): void {
  const status = e instanceof ApiError ? e.status : 500;
  const body = JSON.stringify({ error: e instanceof Error ? e.message : String(e), code: status });
  const reason = status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : status === 404 ? 'Not Found' : 'Internal Server Error';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

function listen(server: Server, target: { port: number; host: string } | { path: string }): Promise<void> {
  return new Promise((res, rej) => {
    server.once('error', rej);
    const done = (): void => {
      server.off('error', rej);
      res();
    };
    if ('path' in target) server.listen(target.path, done);
    else server.listen(target.port, target.host, done);
  });
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const host = options.host ?? '127.0.0.1';
  const dataDir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const labsDir = resolve(options.labsDir ?? defaultLabsDir());
  // Only the data dir itself is private: a parent made 0700 too would keep jailed shells (own uids) from their homes.
  mkdirSync(dirname(dataDir), { recursive: true });
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = await Database.open(join(dataDir, 'virtlab.db'));
  const closers: (() => Promise<void> | void)[] = [() => db.close()];
  const closeAll = async (): Promise<void> => {
    for (let c = closers.pop(); c; c = closers.pop()) {
      try {
        await c();
      } catch (e) {
        log(`while stopping: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  };
  try {
    const users = new Users(db);
    const workspaces = new Workspaces(db);
    // No shell outlives the server process (its jails are our children): tokens handed to earlier ones are dead.
    await workspaces.revokeAllShellTokens();
    const cluster = options.cluster ?? 'embedded';
    let provider: ClusterProvider;
    if (cluster === 'embedded') {
      const embedded = new EmbeddedClusterProvider({
        db, workspaces, address: host === '0.0.0.0' ? '127.0.0.1' : host,
        ...(options.clusterApiPort !== undefined ? { apiPort: options.clusterApiPort } : {}),
        ...(options.clockFor ? { clockFor: options.clockFor } : {}),
        ...(options.timeScale !== undefined ? { timeScale: options.timeScale } : {}),
        ...(options.snapshotSeconds !== undefined ? { snapshotSeconds: options.snapshotSeconds } : {}),
        topology: options.clusterTopology ?? { workers: Math.max(3, mostWorkers(labsDir)), controlPlanes: 3 },
        log,
      });
      await embedded.listen();
      provider = embedded;
    } else if (cluster.startsWith('kubeconfig:') && cluster.length > 'kubeconfig:'.length) {
      provider = await RealClusterProvider.connect({ kubeconfig: resolve(cluster.slice('kubeconfig:'.length)), workspaces, log });
    } else {
      throw new Error(`--cluster must be "embedded" or "kubeconfig:PATH", got "${cluster}"`);
    }
    closers.push(() => provider.close());
    await provider.restore(await workspaces.all(provider.kind));

    const records = new LabRecords(db);
    const feed = new ActivityFeed();
    const ctx: ServerContext = {
      db, users, workspaces, provider, records, feed, labsDir, log,
      sessions: new LoginSessions(db, users),
      bootstrap: new InstructorBootstrap(db, users),
      labRuns: new LabRuns({ labsDir, provider, workspaces, records, feed, log }),
      secureCookies: options.secureCookies ?? false,
    };
    const adminPassword = options.adminPassword ?? (process.env.VIRTLAB_ADMIN_PASSWORD || undefined);
    const boot = await ctx.bootstrap.prepare({ ...(adminPassword ? { adminPassword } : {}) });
    if (boot.created) log(`instructor ${boot.created.username} created from the admin password`);

    const app = createApp(ctx, { webRoot: options.webRoot ?? WEB_ROOT });
    const upgrades: { prefix: string; handler: UpgradeHandler }[] = [];
    const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
      const path = (req.url ?? '/').split('?')[0];
      // The latest mount of a prefix wins, so a caller's onUpgrade can stand in for the built-in terminals.
      const route = upgrades.findLast((u) => path.startsWith(u.prefix));
      if (!route) {
        refuseUpgrade(socket, new ApiError('NotFound', `no WebSocket endpoint at ${path}`));
        return;
      }
      authenticateUpgrade(req, ctx.sessions).then((session) => route.handler(req, socket, head, session), (e) => refuseUpgrade(socket, e));
    };
    const sockets = new Set<Duplex>();
    const serve = (): Server => {
      const s = createServer(app);
      s.on('upgrade', onUpgrade);
      s.on('connection', (c) => {
        sockets.add(c);
        c.on('close', () => sockets.delete(c));
      });
      return s;
    };
    const http = serve();
    await listen(http, { port: options.port ?? DEFAULT_PORT, host }).catch((e: { code?: string; message?: string }) => {
      throw new Error(e.code === 'EADDRINUSE' ? `port ${options.port ?? DEFAULT_PORT} on ${host} is already in use; pick another with --port (0 picks a free one)` : `cannot listen on ${host}:${options.port ?? DEFAULT_PORT}: ${e.message}`);
    });
    const stopHttp = (s: Server) => () => new Promise<void>((res) => {
      s.close(() => res());
      for (const c of sockets) c.destroy();
    });
    closers.push(stopHttp(http));
    const port = (http.address() as { port: number }).port;
    const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
    if (options.socketPath) {
      const socketPath = resolve(options.socketPath);
      rmSync(socketPath, { force: true });
      const unix = serve();
      await listen(unix, { path: socketPath });
      closers.push(stopHttp(unix), () => rmSync(socketPath, { force: true }));
    }

    const shellAccess = async (user: User, o: { lab?: string; shellToken?: string } = {}): Promise<ShellAccess> => {
      const ws = await workspaces.forUser(user, provider.kind);
      // The shell of a lab page: the cluster is made now, sized for the lab, so the proxy and the API answer.
      if (o.lab) await provider.ensure(ws, labPage(labsDir, o.lab).spec);
      const access = await provider.accessFor(ws);
      const token = o.shellToken ?? await workspaces.issueShellToken(ws);
      return {
        cluster: access,
        ...(access.proxy ? { proxy: access.proxy } : {}),
        shellApi: { url, token, ...(options.socketPath ? { socket: resolve(options.socketPath) } : {}) },
      };
    };
    const shells = terminals({
      dataDir, labsDir, unsafeShell: options.unsafeShell === true, shellAccess, log,
      revokeShellToken: (token) => workspaces.revokeShellToken(token),
      sessionIsLive: (id) => ctx.sessions.isLive(id),
      ...(options.terminalPingSeconds !== undefined ? { pingSeconds: options.terminalPingSeconds } : {}),
    });
    upgrades.push({ prefix: TERMINALS_PREFIX, handler: shells.handler });
    closers.push(() => shells.close());

    return {
      url,
      ...(options.socketPath ? { socketPath: resolve(options.socketPath) } : {}),
      app, http, ctx, options,
      ...(boot.token ? { bootstrapToken: boot.token } : {}),
      onUpgrade: (prefix, handler) => { upgrades.push({ prefix, handler }); },
      shellAccess,
      close: closeAll,
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
