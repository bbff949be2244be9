// The part of the host system a jail sees, read-only: /usr (and the merged-usr
// links /bin, /lib…), a short list of /etc entries that programs need (TLS
// roots, the loader cache, alternatives, terminfo), and node and kubectl when
// they live outside /usr. /etc/passwd, group and hosts are the jail's own.

import { existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { IN_JAIL } from './layout.ts';
import type { SystemEntry } from './jail.ts';

const TOP_LEVEL = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

/** /etc entries a shell and its tools read; everything else of /etc stays out (host users, secrets). */
const ETC = [
  'ssl', 'ca-certificates', 'ca-certificates.conf', 'pki', 'crypto-policies',
  'ld.so.cache', 'ld.so.conf', 'ld.so.conf.d',
  'nsswitch.conf', 'localtime', 'timezone', 'alternatives',
  'inputrc', 'terminfo', 'vim', 'nanorc', 'mime.types', 'protocols', 'services',
  'os-release', 'debian_version', 'bash_completion', 'bash_completion.d',
];

export interface SystemView {
  entries: SystemEntry[];
  /** Folders to add to the PATH (as the jail sees them). */
  extraPath: string[];
}

/** Finds an executable on the PATH (the server's), or undefined. */
export function findExecutable(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      if (lstatSync(p) && existsSync(p)) return p;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

const underUsr = (p: string): boolean => p === '/usr' || p.startsWith('/usr/');

export function systemView(opts: { nodePath?: string; kubectlPath?: string } = {}): SystemView {
  const entries: SystemEntry[] = [{ kind: 'ro-bind', source: '/usr', dest: '/usr' }];
  const extraPath: string[] = [];
  for (const p of TOP_LEVEL) {
    let st;
    try {
      st = lstatSync(p);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) entries.push({ kind: 'symlink', target: readlinkSync(p), dest: p });
    else if (st.isDirectory()) entries.push({ kind: 'ro-bind', source: p, dest: p });
  }
  for (const name of ETC) {
    const p = `/etc/${name}`;
    if (existsSync(p)) entries.push({ kind: 'ro-bind', source: p, dest: p });
  }
  const node = realpathSync(opts.nodePath ?? process.execPath);
  if (!underUsr(node)) {
    entries.push({ kind: 'ro-bind', source: dirname(node), dest: IN_JAIL.node });
    extraPath.push(IN_JAIL.node);
  }
  const kubectl = opts.kubectlPath ?? findExecutable('kubectl');
  if (kubectl && !underUsr(kubectl)) {
    // kubectl may be a dispatcher next to its versioned binaries: bind the whole folder.
    entries.push({ kind: 'ro-bind', source: dirname(realpathSync(kubectl)), dest: IN_JAIL.kubectl });
    extraPath.push(IN_JAIL.kubectl);
  }
  return { entries, extraPath };
}
