// What a session's shell connects to (given by the web server for each
// session) and the environment variables the shell starts with. Inside the
// jail every address is the jail's own loopback, forwarded to the session's
// cluster API, external proxy and shell API; in the development mode without
// a jail the shell talks to them directly.

import { IN_JAIL, JAIL_PORTS, RUN_FILES } from './layout.ts';

/** The session's connections, as the server process reaches them. */
export interface ShellEnv {
  cluster: {
    /** https://host:port of the session's cluster API. */
    server: string;
    /** Bearer token of the session's user. */
    token: string;
    /** PEM of the API server's CA; without it the kubeconfig skips verification. */
    caPem?: string;
    /** Namespace of a fresh kubeconfig's context (default `default`). */
    namespace?: string;
  };
  /** http://host:port of the cluster's external data-plane proxy (Route hosts, LoadBalancer IPs). */
  proxy?: string;
  /** The web server's shell API for the in-jail `lab` command (over its unix socket when it has one). */
  shellApi?: { url: string; token: string; socket?: string };
}

export type ShellMode = 'jail' | 'unsafe';

export const PROMPT = '\\[\\e[1;32m\\]\\u@\\h\\[\\e[0m\\]:\\[\\e[1;34m\\]\\w\\[\\e[0m\\]\\$ ';

export interface ShellVariableInputs {
  mode: ShellMode;
  /** The home as the shell sees it. */
  home: string;
  /** The run folder as the shell sees it. */
  run: string;
  /** bin/ of the bundled tools as the shell sees it. */
  toolsBin: string;
  /** Extra folders for the PATH after the tools (node or kubectl outside /usr). */
  extraPath: string[];
  /** Unsafe mode: the proxy the shell reaches directly. */
  directProxy?: string;
  term?: string;
}

/** The shell's whole environment (nothing else of the server's leaks in). */
export function shellVariables(i: ShellVariableInputs): Record<string, string> {
  const proxy = i.mode === 'jail' ? `http://127.0.0.1:${JAIL_PORTS.proxy}` : i.directProxy;
  const env: Record<string, string> = {
    HOME: i.home,
    USER: IN_JAIL.user,
    LOGNAME: IN_JAIL.user,
    SHELL: '/bin/bash',
    TERM: i.term ?? 'xterm-256color',
    COLORTERM: 'truecolor',
    LANG: 'C.UTF-8',
    PATH: [i.toolsBin, ...i.extraPath, '/usr/local/bin', '/usr/bin', '/bin', '/usr/local/sbin', '/usr/sbin', '/sbin'].join(':'),
    KUBECONFIG: `${i.home}/.kube/config`,
    PS1: PROMPT,
    VIRTLAB_SHELL_API: `${i.run}/${RUN_FILES.shellApi}`,
    // The API is on loopback, which must never go through the proxy.
    NO_PROXY: '127.0.0.1,localhost,::1',
    no_proxy: '127.0.0.1,localhost,::1',
  };
  if (proxy) {
    env.http_proxy = proxy;
    env.HTTP_PROXY = proxy;
    env.https_proxy = proxy;
    env.HTTPS_PROXY = proxy;
  }
  return env;
}
