// The connection flags every kubectl-family command accepts (clientcmd's
// override flags plus --kubeconfig and the log level), and how they become
// kubeconfig overrides.

import { flagValue, type FlagSpec, type ParsedFlags } from './flags.ts';
import type { Overrides } from './kubeconfig.ts';

export const GLOBAL_FLAGS: FlagSpec[] = [
  { name: 'kubeconfig', type: 'string', usage: 'Path to the kubeconfig file to use for CLI requests.' },
  { name: 'context', type: 'string', usage: 'The name of the kubeconfig context to use' },
  { name: 'cluster', type: 'string', usage: 'The name of the kubeconfig cluster to use' },
  { name: 'user', type: 'string', usage: 'The name of the kubeconfig user to use' },
  { name: 'namespace', short: 'n', type: 'string', usage: 'If present, the namespace scope for this CLI request' },
  { name: 'server', short: 's', type: 'string', usage: 'The address and port of the Kubernetes API server' },
  { name: 'token', type: 'string', usage: 'Bearer token for authentication to the API server' },
  { name: 'certificate-authority', type: 'string', usage: 'Path to a cert file for the certificate authority' },
  { name: 'client-certificate', type: 'string', usage: 'Path to a client certificate file for TLS' },
  { name: 'client-key', type: 'string', usage: 'Path to a client key file for TLS' },
  { name: 'insecure-skip-tls-verify', type: 'bool', usage: "If true, the server's certificate will not be checked for validity. This will make your HTTPS connections insecure" },
  { name: 'tls-server-name', type: 'string', usage: 'Server name to use for server certificate validation. If it is not provided, the hostname used to contact the server is used' },
  { name: 'username', type: 'string', usage: 'Username for basic authentication to the API server' },
  { name: 'password', type: 'string', usage: 'Password for basic authentication to the API server' },
  { name: 'as', type: 'string', usage: 'Username to impersonate for the operation. User could be a regular user or a service account in a namespace.' },
  { name: 'as-group', type: 'stringArray', usage: 'Group to impersonate for the operation, this flag can be repeated to specify multiple groups.' },
  { name: 'as-uid', type: 'string', usage: 'UID to impersonate for the operation.' },
  { name: 'request-timeout', type: 'string', default: '0', usage: 'The length of time to wait before giving up on a single server request. Non-zero values should contain a corresponding time unit (e.g. 1s, 2m, 3h). A value of zero means don\'t timeout requests.' },
  { name: 'v', short: 'v', type: 'string', varName: 'Level', usage: 'number for the log level verbosity' },
];

export function overridesFrom(parsed: ParsedFlags): Overrides {
  const s = (name: string): string | undefined => {
    const spec = GLOBAL_FLAGS.find((f) => f.name === name)!;
    const v = flagValue<string>(parsed, spec);
    return parsed.values.has(name) ? v : undefined;
  };
  return {
    kubeconfig: s('kubeconfig'),
    context: s('context'),
    cluster: s('cluster'),
    user: s('user'),
    namespace: s('namespace'),
    server: s('server'),
    token: s('token'),
    certificateAuthority: s('certificate-authority'),
    clientCertificate: s('client-certificate'),
    clientKey: s('client-key'),
    insecureSkipTlsVerify: parsed.values.has('insecure-skip-tls-verify') ? parsed.values.get('insecure-skip-tls-verify') === true : undefined,
    tlsServerName: s('tls-server-name'),
    username: s('username'),
    password: s('password'),
    impersonate: s('as'),
    impersonateGroups: parsed.values.has('as-group') ? (parsed.values.get('as-group') as string[]) : undefined,
    impersonateUid: s('as-uid'),
    requestTimeout: s('request-timeout'),
  };
}
