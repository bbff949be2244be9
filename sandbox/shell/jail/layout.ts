// Where things are inside the lab shell's jail, and the per-session folders on
// the host they come from. The jail sees the system read-only, its own home,
// its session's run folder (sockets, kubeconfig, init config) and the bundled
// tools; nothing else of the host, least of all the project tree.

import { join } from 'node:path';

/** Paths as the shell inside the jail sees them. */
export const IN_JAIL = {
  home: '/home/student',
  user: 'student',
  hostname: 'lab',
  /** The session's run folder (read-only): sockets to the outside, kubeconfig source, configs. */
  run: '/run/virtlab',
  /** The bundled tools (read-only): bin/ (oc, virtctl, lab), lib/ (jail init), etc/bashrc. */
  tools: '/opt/virtlab',
  /** Where a node binary outside /usr is bound, when the server's node lives elsewhere. */
  node: '/opt/virtlab-node',
  /** Where kubectl's folder is bound, when it lives outside /usr. */
  kubectl: '/opt/virtlab-kubectl',
} as const;

/** Ports the in-jail forwarder listens on (the jail has its own loopback). */
export const JAIL_PORTS = { api: 6443, proxy: 3128 } as const;

/** File names inside a session's run folder (same names on the host and in the jail). */
export const RUN_FILES = {
  apiSocket: 'api.sock',
  proxySocket: 'proxy.sock',
  shellApiSocket: 'shell-api.sock',
  /** The kubeconfig the init merges into ~/.kube/config. */
  kubeconfig: 'kubeconfig',
  /** How the `lab` client reaches the web server: {socket|url, token}. */
  shellApi: 'shell-api.json',
  /** What the jail init does before the shell: forwards, kubeconfig. */
  init: 'init.json',
  /** Generated /etc files (passwd, group, hosts, hostname). */
  etc: 'etc',
} as const;

/** Host folders under the server's data dir. */
export interface HostDirs {
  /** Persistent homes, one per session. */
  homes: string;
  /** Per-session run folders (recreated at every start). */
  run: string;
  /** The bundled tools, shared by every jail. */
  tools: string;
}

export function hostDirs(dataDir: string): HostDirs {
  return { homes: join(dataDir, 'homes'), run: join(dataDir, 'run'), tools: join(dataDir, 'shell-tools') };
}

/**
 * A session id as a folder name: ids made of safe characters are used as
 * they are, anything else would be a path trick and is refused.
 */
export function sessionFolderName(sessionId: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(sessionId) || sessionId.includes('..')) {
    throw new Error(`session id ${JSON.stringify(sessionId)} cannot name a folder: use letters, digits, '_', '-' or '.' (at most 128)`);
  }
  return sessionId;
}
