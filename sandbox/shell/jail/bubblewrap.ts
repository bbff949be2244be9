// Whether lab shells can be jailed here: bubblewrap must be installed and able
// to build an unprivileged user namespace. Without it a shell starts only in
// the explicit development mode (--unsafe-shell); otherwise starting one fails
// with a message that names the fix.

import { spawnSync } from 'node:child_process';
import { findExecutable } from './system-view.ts';

export class ShellUnavailableError extends Error {}

export const UNSAFE_HINT = 'or, for development on a trusted machine only, start the server with --unsafe-shell';

export const NO_BWRAP_MESSAGE =
  'cannot start the lab shell: bubblewrap (bwrap) is not installed, and shells run only inside its jail. ' +
  `Install it (apt-get install bubblewrap) ${UNSAFE_HINT}.`;

export interface JailTools {
  bwrap: string;
  /** util-linux setpriv, to drop from root to the session's uid. */
  setpriv?: string;
  /** util-linux prlimit, to cap the processes of a session's uid (root servers). */
  prlimit?: string;
}

/** Finds bwrap (and setpriv when the server is root), or throws the refusal. */
export function findJailTools(path = process.env.PATH ?? ''): JailTools {
  // Look in the system folders too: a server started with a narrow PATH still finds them.
  const search = `${path}:/usr/bin:/bin:/usr/sbin:/sbin`;
  const bwrap = findExecutable('bwrap', search);
  if (!bwrap) throw new ShellUnavailableError(NO_BWRAP_MESSAGE);
  const root = process.getuid?.() === 0;
  const setpriv = root ? findExecutable('setpriv', search) : undefined;
  if (root && !setpriv) {
    throw new ShellUnavailableError(`cannot start the lab shell: the server runs as root and needs setpriv (util-linux) to drop to an unprivileged uid; install util-linux ${UNSAFE_HINT}.`);
  }
  return { bwrap, setpriv, prlimit: root ? findExecutable('prlimit', search) : undefined };
}

/**
 * Runs a trivial jail once, as the uid shells will use, so a kernel without
 * unprivileged user namespaces is reported at the first shell, clearly.
 */
export function probeJail(tools: JailTools, dropTo?: { uid: number; gid: number }): void {
  const inner = [tools.bwrap, '--unshare-all', '--die-with-parent', '--ro-bind', '/usr', '/usr', '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/lib64', '/lib64', '--', '/usr/bin/true'];
  const argv = dropTo && tools.setpriv
    ? [tools.setpriv, `--reuid=${dropTo.uid}`, `--regid=${dropTo.gid}`, '--clear-groups', '--no-new-privs', '--', ...inner]
    : inner;
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) {
    const why = (r.stderr || r.error?.message || `exit ${r.status}`).trim();
    throw new ShellUnavailableError(
      `cannot start the lab shell: bubblewrap is installed but cannot build a jail here (${why}). ` +
      `Enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1 / user.max_user_namespaces > 0) ${UNSAFE_HINT}.`,
    );
  }
}
