// The lab page's terminals on the web server: `/api/terminals/:tab` upgrades,
// already Origin-checked and authenticated by the server, are handed to the
// terminal gateway (server/terminal/) with what a new shell of that user
// connects to. Shells are per user, not per login, so a student's home and
// open shells follow them across browsers and sign-ins.

import { chmodSync, existsSync, statSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { dirname, join } from 'node:path';
import { acceptTerminal } from './terminal/gateway.ts';
import { TerminalManager } from './terminal/manager.ts';
import type { ShellEnv } from '../sandbox/shell/jail/shell-env.ts';
import { labPage } from './labs-catalog.ts';
import type { LoginSession } from './login-sessions.ts';
import type { ShellAccess, UpgradeHandler } from './server.ts';
import type { User } from './users.ts';

export const TERMINALS_PREFIX = '/api/terminals/';

export interface TerminalsOptions {
  /** The server's data dir; the shells' homes, run folders and tools go under `shells/`. */
  dataDir: string;
  labsDir: string;
  /** `lab serve --unsafe-shell`: shells without the jail when bubblewrap is missing. */
  unsafeShell: boolean;
  shellAccess(user: User, opts?: { lab?: string; shellToken?: string }): Promise<ShellAccess>;
  /** Revokes a shell token (its jail closed). */
  revokeShellToken(token: string): Promise<void>;
  /** Whether a login session still holds; its terminals are closed once it does not (sign-out, expiry). */
  sessionIsLive(id: string): Promise<boolean>;
  log(line: string): void;
  /** For tests: seconds between pings (and sign-in checks) of a terminal connection. */
  pingSeconds?: number;
  /** For tests: end shells sooner. */
  idleTimeoutMs?: number;
}

export interface Terminals {
  manager: TerminalManager;
  handler: UpgradeHandler;
  close(): Promise<void>;
}

/** The shell folder of a user: one jail, one home, up to 8 tabs. */
export function terminalSessionId(user: Pick<User, 'id'>): string {
  return `user-${user.id}`;
}

/**
 * A root server runs each jail as its own uid, which must be able to walk
 * down to its home: the data dir becomes searchable (not listable) by others,
 * and its database stays the owner's alone.
 */
function openDataDirToJails(dataDir: string, log: (line: string) => void): void {
  if (process.getuid?.() !== 0) return;
  chmodSync(dataDir, 0o711);
  for (const f of ['virtlab.db', 'virtlab.db-wal', 'virtlab.db-shm']) {
    const p = join(dataDir, f);
    if (existsSync(p)) chmodSync(p, 0o600);
  }
  for (let d = dirname(dataDir); ; d = dirname(d)) {
    try {
      if ((statSync(d).mode & 0o001) === 0) log(`shells: ${d} is not searchable by other users, so jailed shells (each its own uid) cannot reach their homes under ${dataDir}: chmod o+x ${d}`);
    } catch {
      // Unreadable: the shell's own start reports it.
    }
    if (dirname(d) === d) break;
  }
}

/** The lab named by `?lab=` when it is a valid lab: its shell gets a cluster sized for it. */
function labOf(req: IncomingMessage, labsDir: string): string | undefined {
  const lab = new URL(req.url ?? '/', 'http://terminal').searchParams.get('lab');
  if (!lab) return undefined;
  try {
    return labPage(labsDir, lab).spec.id;
  } catch {
    return undefined;
  }
}

function shellEnvOf(access: ShellAccess): ShellEnv {
  return {
    cluster: {
      server: access.cluster.server,
      token: access.cluster.token,
      ...(access.cluster.caPem ? { caPem: access.cluster.caPem } : {}),
      ...(access.cluster.namespace ? { namespace: access.cluster.namespace } : {}),
    },
    ...(access.proxy ? { proxy: access.proxy } : {}),
    shellApi: { url: access.shellApi.url, token: access.shellApi.token },
  };
}

export function terminals(o: TerminalsOptions): Terminals {
  const dataDir = join(o.dataDir, 'shells');
  openDataDirToJails(o.dataDir, o.log);
  // One shell-API token per jail: every tab reads it from the jail's run folder, so a new tab keeps it,
  // and it is revoked when the jail closes.
  const tokens = new Map<string, string>();
  const manager = new TerminalManager({
    dataDir,
    unsafeShell: o.unsafeShell,
    onJailClosed: (sessionId, reopening) => {
      if (reopening) return;
      const token = tokens.get(sessionId);
      tokens.delete(sessionId);
      if (token) o.revokeShellToken(token).catch((e: unknown) => o.log(`cannot revoke a shell token: ${e instanceof Error ? e.message : String(e)}`));
    },
    ...(o.idleTimeoutMs !== undefined ? { idleTimeoutMs: o.idleTimeoutMs } : {}),
  });
  const handler: UpgradeHandler = (req, socket, head, session: LoginSession) => {
    const lab = labOf(req, o.labsDir);
    const sessionId = terminalSessionId(session.user);
    acceptTerminal({ manager, prefix: TERMINALS_PREFIX, ...(o.pingSeconds !== undefined ? { pingSeconds: o.pingSeconds } : {}) }, req, socket, head, {
      sessionId,
      stillValid: () => o.sessionIsLive(session.id),
      // Asked only when a shell starts (a reattach needs nothing new).
      shellEnv: async () => {
        const held = tokens.get(sessionId);
        const access = await o.shellAccess(session.user, { ...(lab ? { lab } : {}), ...(held ? { shellToken: held } : {}) });
        tokens.set(sessionId, access.shellApi.token);
        return shellEnvOf(access);
      },
    });
  };
  return { manager, handler, close: () => manager.close() };
}
