// Every shell of the server, keyed by (session, tab). The first attach to a
// tab starts its shell, in the session's jail (sandbox/shell/jail) or, only
// when the server was started with --unsafe-shell, without one; later attaches
// reattach to it. A session's jail (home, run folder, exits) lives while the
// session has a shell.

import { mkdirSync } from 'node:fs';
import { findJailTools, probeJail, ShellUnavailableError, type JailTools } from '../../sandbox/shell/jail/bubblewrap.ts';
import { DEFAULT_UID_BASE } from '../../sandbox/shell/jail/homes.ts';
import { hostDirs } from '../../sandbox/shell/jail/layout.ts';
import { SessionJail } from '../../sandbox/shell/jail/session-jail.ts';
import type { ShellEnv, ShellMode } from '../../sandbox/shell/jail/shell-env.ts';
import { prepareShellTools, type ShellTools } from '../../sandbox/shell/jail/tools.ts';
import { DEFAULT_HIGH_WATER, DEFAULT_LOW_WATER } from './flow-control.ts';
import type { ExitReason } from './protocol.ts';
import { spawnNodePty, type SpawnPty } from './pty.ts';
import { HeadlessScreen, type Screen, type ScreenOptions } from './screen.ts';
import { ScreenHost } from './screen-host.ts';
import { realTimers, TerminalShell, type TerminalClient, type Timers } from './shell.ts';

export interface TerminalManagerOptions {
  /** The server's data dir: homes/, run/ and shell-tools/ go beneath it. */
  dataDir: string;
  /** Development only: run shells without the jail when bubblewrap is missing. */
  unsafeShell?: boolean;
  /** End a shell after this long with no browser attached (default 30 minutes; 0: never). */
  idleTimeoutMs?: number;
  /** Scrollback lines kept and replayed per shell (default 1000). */
  scrollback?: number;
  highWater?: number;
  lowWater?: number;
  /** Terminal tabs (shells) per session, default 8. */
  maxTabsPerSession?: number;
  /** Shells in the whole server, default 200. */
  maxShells?: number;
  /** Processes per session when the server runs as root (default 512). */
  processLimit?: number;
  /** First host uid of sessions when the server runs as root. */
  uidBase?: number;
  timers?: Timers;
  spawnPty?: SpawnPty;
  /** How long flooding output gathers into one frame (default 2 ms; 0: never). */
  coalesceMs?: number;
  /** Where screens are parsed: a worker thread (default) or the main thread. */
  screens?: 'worker' | 'inline';
  /** Finds bwrap (default: on the PATH); tests stand in a machine without it. */
  findJail?: () => JailTools;
  /**
   * A session's jail closed (its last shell ended): what was handed to it can
   * be revoked, unless `reopening` (a new shell of the session started
   * meanwhile and its jail may hold the same things).
   */
  onJailClosed?: (sessionId: string, reopening: boolean) => void;
}

export const TAB_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** A session's shell connections, or how to get them: asked only when a new shell starts. */
export type ShellEnvSource = ShellEnv | (() => ShellEnv | Promise<ShellEnv>);
export const DEFAULT_IDLE_TIMEOUT_MS = 30 * 60_000;

interface SessionEntry {
  jail: Promise<SessionJail>;
  shells: Map<string, Promise<TerminalShell>>;
}

export class TerminalManager {
  private readonly sessions = new Map<string, SessionEntry>();
  /** Jails being closed: a session that comes back waits for its old run folder to go. */
  private readonly closing = new Map<string, Promise<void>>();
  private tools: Promise<ShellTools> | undefined;
  private jailTools: JailTools | undefined;
  private closed = false;
  private screenHost: ScreenHost | undefined;

  constructor(private readonly o: TerminalManagerOptions) {}

  private newScreen(o: ScreenOptions): Screen {
    if (this.o.screens === 'inline') return new HeadlessScreen(o);
    this.screenHost ??= new ScreenHost();
    return this.screenHost.create(o);
  }

  /**
   * How shells start here: `jail`, or `unsafe` (development, no jail), or a
   * ShellUnavailableError that says what to install. Checked at every start
   * until it succeeds, so installing bubblewrap needs no restart.
   */
  shellMode(): ShellMode {
    if (this.jailTools) return 'jail';
    try {
      const tools = (this.o.findJail ?? findJailTools)();
      const root = process.getuid?.() === 0;
      probeJail(tools, root ? { uid: this.o.uidBase ?? DEFAULT_UID_BASE, gid: this.o.uidBase ?? DEFAULT_UID_BASE } : undefined);
      this.jailTools = tools;
      return 'jail';
    } catch (e) {
      if (this.o.unsafeShell && e instanceof ShellUnavailableError) return 'unsafe';
      throw e;
    }
  }

  private shellTools(): Promise<ShellTools> {
    this.tools ??= prepareShellTools(hostDirs(this.o.dataDir).tools).catch((e: unknown) => {
      this.tools = undefined;
      throw e;
    });
    return this.tools;
  }

  /** Tabs with a running shell in a session. */
  tabs(sessionId: string): string[] {
    return [...(this.sessions.get(sessionId)?.shells.keys() ?? [])];
  }

  /** The shell of a tab, if it runs (for tests and diagnostics). */
  shell(sessionId: string, tab: string): Promise<TerminalShell> | undefined {
    return this.sessions.get(sessionId)?.shells.get(tab);
  }

  /**
   * Attaches a client to a session's tab, starting the shell if there is
   * none. Resolves once the client has its replay; rejects (the client gets
   * nothing) when no shell can start.
   */
  async attach(sessionId: string, tab: string, source: ShellEnvSource, client: TerminalClient, size: { cols: number; rows: number }): Promise<TerminalShell> {
    if (this.closed) throw new ShellUnavailableError('the server is shutting down');
    if (!TAB_ID.test(tab)) throw new RangeError(`terminal tab id ${JSON.stringify(tab)} must be 1 to 32 letters, digits, '-' or '_'`);
    let fresh = false;
    let session = this.sessions.get(sessionId);
    let pending = session?.shells.get(tab);
    if (!pending) {
      const max = this.o.maxTabsPerSession ?? 8;
      if (session && session.shells.size >= max) throw new RangeError(`this session already has ${max} terminal tabs; close one first`);
      const total = [...this.sessions.values()].reduce((n, s) => n + s.shells.size, 0);
      const maxShells = this.o.maxShells ?? 200;
      if (total >= maxShells) throw new ShellUnavailableError(`the server already runs ${maxShells} shells, its limit; try again later`);
      const mode = this.shellMode();
      const env = Promise.resolve().then(() => (typeof source === 'function' ? source() : source));
      if (!session) {
        const s: SessionEntry = { jail: this.openJail(sessionId, env, mode), shells: new Map() };
        session = s;
        this.sessions.set(sessionId, s);
        s.jail.catch(() => { if (this.sessions.get(sessionId) === s) this.sessions.delete(sessionId); });
      }
      fresh = true;
      pending = this.startShell(sessionId, session, tab, env, size);
      session.shells.set(tab, pending);
      const s = session;
      pending.catch(() => {
        if (s.shells.get(tab) === pending) s.shells.delete(tab);
        void this.closeSessionIfIdle(sessionId, s);
      });
    }
    const shell = await pending;
    await shell.attach(client, { fresh, size: fresh ? undefined : size });
    return shell;
  }

  private async openJail(sessionId: string, env: Promise<ShellEnv>, mode: ShellMode): Promise<SessionJail> {
    const tools = await this.shellTools();
    await this.closing.get(sessionId);
    mkdirSync(this.o.dataDir, { recursive: true });
    return SessionJail.open({ dataDir: this.o.dataDir, sessionId, env: await env, mode, tools, jailTools: this.jailTools, uidBase: this.o.uidBase, processLimit: this.o.processLimit });
  }

  private async startShell(sessionId: string, session: SessionEntry, tab: string, env: Promise<ShellEnv>, size: { cols: number; rows: number }): Promise<TerminalShell> {
    const jail = await session.jail;
    await jail.update(await env);
    const pty = (this.o.spawnPty ?? spawnNodePty)(jail.shellCommand(), size);
    const screen = this.newScreen({ ...size, scrollback: this.o.scrollback ?? 1000 });
    const shell = new TerminalShell(pty, screen, {
      tab,
      idleMs: this.o.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      highWater: this.o.highWater ?? DEFAULT_HIGH_WATER,
      lowWater: this.o.lowWater ?? DEFAULT_LOW_WATER,
      timers: this.o.timers ?? realTimers,
      coalesceMs: this.o.coalesceMs ?? 2,
    });
    const pending = session.shells.get(tab);
    shell.onExit(() => {
      if (session.shells.get(tab) === pending) session.shells.delete(tab);
      void this.closeSessionIfIdle(sessionId, session);
    });
    return shell;
  }

  private async closeSessionIfIdle(sessionId: string, session: SessionEntry): Promise<void> {
    if (session.shells.size > 0 || this.sessions.get(sessionId) !== session) return;
    this.sessions.delete(sessionId);
    const closing = session.jail.then((j) => j.close(), () => {
      // The jail never opened: nothing to close.
    }).finally(() => this.o.onJailClosed?.(sessionId, this.sessions.has(sessionId)));
    const done = closing.finally(() => { if (this.closing.get(sessionId) === done) this.closing.delete(sessionId); });
    this.closing.set(sessionId, done);
    await done;
  }

  /** Ends every shell of a session (server shutdown). Sign-out does not: shells are the user's, kept for the next sign-in. */
  async endSession(sessionId: string, reason: ExitReason = 'closed'): Promise<void> {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    const shells = await Promise.allSettled([...session.shells.values()]);
    await Promise.all(shells.map((r) => (r.status === 'fulfilled' ? r.value.end(reason) : undefined)));
    await this.closeSessionIfIdle(sessionId, session);
  }

  /** Ends every shell (server shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.sessions.keys()].map((id) => this.endSession(id)));
    await this.screenHost?.close();
  }
}
