// Kubeconfig files for the embedded cluster: a cluster, a user with a bearer
// token, and the context `virtlab` made current.

import { stringify } from 'yaml';

export interface KubeconfigSpec {
  server: string;
  token: string;
  /** PEM of the server's CA; without it, TLS verification is turned off. */
  caPem?: string;
  clusterName?: string;
  userName?: string;
  contextName?: string;
  namespace?: string;
}

export function kubeconfigObject(spec: KubeconfigSpec): Record<string, unknown> {
  const cluster = spec.clusterName ?? 'virtlab';
  const user = spec.userName ?? 'virtlab-admin';
  const context = spec.contextName ?? 'virtlab';
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{
      name: cluster,
      cluster: spec.caPem
        ? { server: spec.server, 'certificate-authority-data': Buffer.from(spec.caPem).toString('base64') }
        : { server: spec.server, 'insecure-skip-tls-verify': true },
    }],
    users: [{ name: user, user: { token: spec.token } }],
    contexts: [{ name: context, context: { cluster, user, namespace: spec.namespace ?? 'default' } }],
    'current-context': context,
    preferences: {},
  };
}

export function kubeconfigYaml(spec: KubeconfigSpec): string {
  return stringify(kubeconfigObject(spec));
}
