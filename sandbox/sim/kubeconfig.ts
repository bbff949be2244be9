// Kubeconfig files for the embedded cluster: a cluster, a user with a bearer
// token, and the context `virtlab` made current. The cluster entry carries a
// `virtlab.dev/embedded` extension naming the external data-plane proxy and
// the time scale (kubectl and client-node keep unknown extensions as they
// are); an env file next to the kubeconfig exports KUBECONFIG and the proxy
// variables a shell needs to reach routes and load balancers.

import { stringify } from 'yaml';

/** The name of the kubeconfig cluster extension that marks an embedded cluster. */
export const EMBEDDED_EXTENSION = 'virtlab.dev/embedded';

export interface EmbeddedClusterInfo {
  /** http://127.0.0.1:PORT of the external data-plane proxy. */
  externalProxy?: string;
  /** Simulated seconds per wall-clock second. */
  timeScale?: number;
}

export interface KubeconfigSpec {
  server: string;
  token: string;
  /** PEM of the server's CA; without it, TLS verification is turned off. */
  caPem?: string;
  clusterName?: string;
  userName?: string;
  contextName?: string;
  namespace?: string;
  /** Written as the cluster's virtlab.dev/embedded extension. */
  embedded?: EmbeddedClusterInfo;
}

export function kubeconfigObject(spec: KubeconfigSpec): Record<string, unknown> {
  const cluster = spec.clusterName ?? 'virtlab';
  const user = spec.userName ?? 'virtlab-admin';
  const context = spec.contextName ?? 'virtlab';
  const entry: Record<string, unknown> = spec.caPem
    ? { server: spec.server, 'certificate-authority-data': Buffer.from(spec.caPem).toString('base64') }
    : { server: spec.server, 'insecure-skip-tls-verify': true };
  if (spec.embedded) {
    const extension: EmbeddedClusterInfo = {};
    if (spec.embedded.externalProxy) extension.externalProxy = spec.embedded.externalProxy;
    if (spec.embedded.timeScale !== undefined) extension.timeScale = spec.embedded.timeScale;
    entry.extensions = [{ name: EMBEDDED_EXTENSION, extension }];
  }
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: entry }],
    users: [{ name: user, user: { token: spec.token } }],
    contexts: [{ name: context, context: { cluster, user, namespace: spec.namespace ?? 'default' } }],
    'current-context': context,
    preferences: {},
  };
}

export function kubeconfigYaml(spec: KubeconfigSpec): string {
  return stringify(kubeconfigObject(spec));
}

/** Single quotes for a POSIX shell. */
function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * `<kubeconfig>.env`: `source` it to use the cluster from a shell. Only plain
 * HTTP goes through the proxy (curl sends absolute-form requests to it); the
 * API server and other local addresses stay direct.
 */
export function kubeconfigEnv(kubeconfigPath: string, proxyUrl: string | undefined, directHosts: string[] = []): string {
  const noProxy = [...new Set(['127.0.0.1', 'localhost', ...directHosts])].join(',');
  const lines = [
    '# virtlab embedded cluster: source this file (. <file>) to point kubectl, oc and curl at it.',
    `export KUBECONFIG=${shellQuote(kubeconfigPath)}`,
  ];
  if (proxyUrl) lines.push(`export HTTP_PROXY=${shellQuote(proxyUrl)} http_proxy=${shellQuote(proxyUrl)}`);
  lines.push(`export NO_PROXY=${shellQuote(noProxy)} no_proxy=${shellQuote(noProxy)}`);
  return lines.join('\n') + '\n';
}
