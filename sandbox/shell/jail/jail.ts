// The bubblewrap command line of a lab shell: every namespace unshared (the
// network too: its only exits are unix sockets in the session's run folder),
// the system read-only, a tmpfs /tmp, the session's home read-write, the run
// folder and the bundled tools read-only, and nothing of the project tree.
// When the server runs as root, setpriv first drops to the session's own
// unprivileged uid (no supplementary groups, no new privileges), so bwrap
// builds an unprivileged user namespace whose uid is that uid on the host.
// No --new-session: the shell keeps the pty as its controlling terminal.

import { IN_JAIL, RUN_FILES } from './layout.ts';

/** How one path of the host system appears in the jail. */
export type SystemEntry =
  | { kind: 'ro-bind'; source: string; dest: string }
  | { kind: 'symlink'; target: string; dest: string };

export interface JailSpec {
  bwrap: string;
  /** Host folders of this session. */
  home: string;
  run: string;
  tools: string;
  /** The host system as the jail sees it (system-view.ts). */
  system: SystemEntry[];
  /** uid and gid inside the jail (what `id` prints). */
  jailUid: number;
  jailGid: number;
  /** Drop to this host uid/gid with setpriv before bwrap (only when the server is root). */
  dropTo?: { setpriv: string; uid: number; gid: number };
  /**
   * At most this many processes for the session's uid (a fork bomb stays in
   * its session), set with prlimit; only with dropTo, where the uid is the session's alone.
   */
  processLimit?: { prlimit: string; nproc: number };
  /** The program and arguments run inside. */
  command: string[];
}

export function jailArgv(spec: JailSpec): { file: string; args: string[] } {
  const args: string[] = [
    '--unshare-all',
    '--die-with-parent',
    '--cap-drop', 'ALL',
    '--uid', String(spec.jailUid),
    '--gid', String(spec.jailGid),
    '--hostname', IN_JAIL.hostname,
  ];
  for (const e of spec.system) {
    if (e.kind === 'ro-bind') args.push('--ro-bind', e.source, e.dest);
    else args.push('--symlink', e.target, e.dest);
  }
  const etc = `${spec.run}/${RUN_FILES.etc}`;
  for (const f of ['passwd', 'group', 'hosts', 'hostname']) args.push('--ro-bind', `${etc}/${f}`, `/etc/${f}`);
  args.push(
    '--proc', '/proc',
    '--dev', '/dev',
    '--tmpfs', '/tmp',
    '--tmpfs', '/var/tmp',
    '--bind', spec.home, IN_JAIL.home,
    '--ro-bind', spec.run, IN_JAIL.run,
    '--ro-bind', spec.tools, IN_JAIL.tools,
    '--chdir', IN_JAIL.home,
    // The root bwrap builds is a tmpfs: make it read-only once everything is mounted.
    '--remount-ro', '/',
    '--',
    ...spec.command,
  );
  if (!spec.dropTo) return { file: spec.bwrap, args };
  const d = spec.dropTo;
  const drop = [`--reuid=${d.uid}`, `--regid=${d.gid}`, '--clear-groups', '--no-new-privs', '--bounding-set=-all', '--', spec.bwrap, ...args];
  const l = spec.processLimit;
  if (!l) return { file: d.setpriv, args: drop };
  return { file: l.prlimit, args: [`--nproc=${l.nproc}:${l.nproc}`, '--', d.setpriv, ...drop] };
}
