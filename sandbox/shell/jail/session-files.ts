// The files of a session's run folder: the jail's own /etc (passwd, group,
// hosts), the kubeconfig the init merges into the home, the `lab` client's
// shell-API settings and the init's instructions. Text builders are pure; the
// writer lays them out with owners and modes the jail can read and not change.

import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubeconfigObject } from '../../sim/kubeconfig.ts';
import { stringify as stringifyYaml } from 'yaml';
import type { InitConfig } from '../jail-init/config.ts';
import { IN_JAIL, JAIL_PORTS, RUN_FILES } from './layout.ts';
import type { ShellEnv, ShellMode } from './shell-env.ts';

/** uid/gid of the student inside the jail. */
export const JAIL_IDS = { uid: 1000, gid: 1000 } as const;

export function passwdText(): string {
  return [
    'root:x:0:0:root:/root:/usr/sbin/nologin',
    `${IN_JAIL.user}:x:${JAIL_IDS.uid}:${JAIL_IDS.gid}:Lab student:${IN_JAIL.home}:/bin/bash`,
    'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
    '',
  ].join('\n');
}

export function groupText(): string {
  return ['root:x:0:', `${IN_JAIL.user}:x:${JAIL_IDS.gid}:`, 'nogroup:x:65534:', ''].join('\n');
}

export function hostsText(): string {
  return `127.0.0.1\tlocalhost ${IN_JAIL.hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n`;
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/**
 * The session's kubeconfig as the shell uses it: in the jail the API is the
 * jail's loopback port (the serving certificate covers 127.0.0.1; a remote
 * API keeps its name for TLS through tls-server-name).
 */
export function shellKubeconfig(env: ShellEnv, mode: ShellMode): string {
  const real = new URL(env.cluster.server);
  const server = mode === 'jail' ? `https://127.0.0.1:${JAIL_PORTS.api}` : env.cluster.server;
  const doc = kubeconfigObject({
    server,
    token: env.cluster.token,
    caPem: env.cluster.caPem,
    namespace: env.cluster.namespace,
    clusterName: 'virtlab',
    userName: IN_JAIL.user,
    contextName: 'virtlab',
  });
  if (mode === 'jail' && !LOOPBACK_NAMES.has(real.hostname)) {
    const clusters = doc.clusters as { cluster: Record<string, unknown> }[];
    clusters[0].cluster['tls-server-name'] = real.hostname;
  }
  return stringifyYaml(doc);
}

export interface RunFolder {
  /** The folder on the host. */
  host: string;
  /** The same folder as the shell sees it. */
  seen: string;
}

export interface SessionFilesInput {
  run: RunFolder;
  mode: ShellMode;
  env: ShellEnv;
  /** ~ as the shell sees it. */
  home: string;
  /** The shell's argv (bash with the tools' rc file). */
  shell: string[];
  /** Owner of the files the jail reads (when the server is root). */
  owner?: { uid: number; gid: number };
}

function write(path: string, text: string, mode: number, owner?: { uid: number; gid: number }): void {
  writeFileSync(path, text, { mode });
  chmodSync(path, mode);
  if (owner) chownSync(path, 0, owner.gid);
}

/** Writes the run folder's files (the folder exists; sockets are added by the forwarders). */
export function writeSessionFiles(i: SessionFilesInput): void {
  const etc = join(i.run.host, RUN_FILES.etc);
  mkdirSync(etc, { recursive: true, mode: 0o755 });
  chmodSync(etc, 0o755);
  write(join(etc, 'passwd'), passwdText(), 0o644);
  write(join(etc, 'group'), groupText(), 0o644);
  write(join(etc, 'hosts'), hostsText(), 0o644);
  write(join(etc, 'hostname'), `${IN_JAIL.hostname}\n`, 0o644);
  // Secrets (token) readable by the jail's group only.
  write(join(i.run.host, RUN_FILES.kubeconfig), shellKubeconfig(i.env, i.mode), 0o640, i.owner);
  if (i.env.shellApi) {
    const shellApi = i.mode === 'jail'
      ? { socket: `${i.run.seen}/${RUN_FILES.shellApiSocket}`, token: i.env.shellApi.token }
      : { url: i.env.shellApi.url, token: i.env.shellApi.token };
    write(join(i.run.host, RUN_FILES.shellApi), `${JSON.stringify(shellApi)}\n`, 0o640, i.owner);
  }
  const forwards = i.mode === 'jail'
    ? [
        { port: JAIL_PORTS.api, socket: `${i.run.seen}/${RUN_FILES.apiSocket}` },
        { port: JAIL_PORTS.proxy, socket: `${i.run.seen}/${RUN_FILES.proxySocket}` },
      ]
    : [];
  const init: InitConfig = {
    forwards,
    kubeconfig: `${i.run.seen}/${RUN_FILES.kubeconfig}`,
    kubeconfigTarget: `${i.home}/.kube/config`,
    shell: i.shell,
  };
  write(join(i.run.host, RUN_FILES.init), `${JSON.stringify(init, null, 2)}\n`, 0o644);
}
