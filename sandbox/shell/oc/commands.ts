// The oc commands the lab shell implements itself (the OpenShift ones); every
// other command line goes to kubectl.

import type { FlagSpec } from '../kube/flags.ts';
import { GLOBAL_FLAGS } from '../kube/global-flags.ts';
import type { OcCommand } from './command.ts';

/** oc's global flags: the connection flags plus kubectl's other persistent flags. */
export const OC_GLOBAL_FLAGS: FlagSpec[] = [
  ...GLOBAL_FLAGS,
  { name: 'cache-dir', type: 'string', usage: 'Default cache directory' },
  { name: 'match-server-version', type: 'bool', usage: 'Require server version to match client version' },
  { name: 'profile', type: 'string', usage: 'Name of profile to capture.' },
  { name: 'profile-output', type: 'string', usage: 'Name of the file to write the profile to' },
  { name: 'warnings-as-errors', type: 'bool', usage: 'Treat warnings received from the server as errors and exit with a non-zero exit code' },
  { name: 'disable-compression', type: 'bool', usage: 'If true, opt-out of response compression for all requests to the server' },
  { name: 'log-flush-frequency', type: 'string', usage: 'Maximum number of seconds between log flushes' },
  { name: 'loglevel', type: 'string', hidden: true, usage: 'Log level' },
];

const OUTPUT: FlagSpec = { name: 'output', short: 'o', type: 'string', usage: 'Output format. One of: (json, yaml, name).' };
const SHORT: FlagSpec = { name: 'short', short: 'q', type: 'bool', usage: 'If true, display only the project name' };

export const EXPOSE_FLAGS: FlagSpec[] = [
  { name: 'port', type: 'string', usage: 'The port that the route (or service) should serve on.' },
  { name: 'protocol', type: 'string', usage: 'The network protocol for the service to be created.' },
  { name: 'target-port', type: 'string', usage: 'Name or number for the port on the container that the service should direct traffic to.' },
  { name: 'name', type: 'string', usage: 'The name for the newly created object.' },
  { name: 'labels', short: 'l', type: 'string', usage: 'Labels to apply to the object created by this call.' },
  { name: 'type', type: 'string', usage: 'Type for a new service: ClusterIP, NodePort, LoadBalancer, or ExternalName. Not allowed when exposing a route.' },
  { name: 'selector', type: 'string', usage: 'A label selector to use for a new service.' },
  { name: 'external-ip', type: 'string', usage: 'Additional external IP address to accept for the service.' },
  { name: 'cluster-ip', type: 'string', usage: "ClusterIP to be assigned to the service. 'None' creates a headless service." },
  { name: 'session-affinity', type: 'string', usage: "If non-empty, set the session affinity for the service to this; legal values: 'None', 'ClientIP'" },
  { name: 'load-balancer-ip', type: 'string', usage: 'IP to assign to the LoadBalancer.' },
  { name: 'override-type', type: 'string', default: 'merge', usage: 'The method used to override the generated object: json, merge, or strategic.' },
  { name: 'overrides', type: 'string', usage: 'An inline JSON override for the generated object.' },
  { name: 'dry-run', type: 'string', default: 'none', noOptDefVal: 'unchanged', usage: 'Must be "none", "server", or "client". With client, only print the object; with server, submit it without persisting.' },
  OUTPUT,
  { name: 'save-config', type: 'bool', usage: 'If true, save the configuration of the object in its annotation.' },
  { name: 'show-managed-fields', type: 'bool', usage: 'If true, keep the managedFields when printing objects in JSON or YAML format.' },
  { name: 'template', type: 'string', usage: 'Template string or path to template file to use when -o=go-template, -o=go-template-file.' },
  { name: 'allow-missing-template-keys', type: 'bool', default: true, usage: 'If true, ignore errors in templates when a field or map key is missing in the template.' },
  { name: 'filename', short: 'f', type: 'stringArray', usage: 'Filename, directory, or URL to files identifying the resource to expose a service' },
  { name: 'kustomize', short: 'k', type: 'string', usage: 'Process the kustomization directory.' },
  { name: 'recursive', short: 'R', type: 'bool', usage: 'Process the directory used in -f, --filename recursively.' },
  { name: 'field-manager', type: 'string', default: 'kubectl-expose', usage: 'Name of the manager used to track field ownership.' },
  { name: 'hostname', type: 'string', usage: 'Set a hostname for the new route' },
  { name: 'path', type: 'string', usage: 'Set a path for the new route' },
  { name: 'wildcard-policy', type: 'string', usage: 'Sets the WildcardPolicy for the hostname, the default is "None". Valid values are "None" and "Subdomain"' },
];

export const OC_COMMANDS: OcCommand[] = [
  {
    name: 'expose', use: 'expose (-f FILENAME | TYPE NAME) [--port=port] [--protocol=TCP|UDP|SCTP] [--target-port=number-or-name] [--name=name] [--external-ip=external-ip-of-service] [--type=type]',
    short: 'Expose a replicated application as a service or route',
    long: 'Exposes a service outside the cluster through a route, or creates a service for a pod, deployment or other workload.\n\nA route gets the service\'s labels unless -l gives others.',
    example: [
      '  # Create a route for the service nginx, with nginx\'s labels',
      '  oc expose service nginx',
      '',
      '  # Name the route and give it a host name',
      '  oc expose svc/nginx --name=frontdoor --hostname=www.example.com',
      '',
      '  # Serve only a path of the host',
      '  oc expose service nginx --path=/nginx',
    ].join('\n'),
    flags: EXPOSE_FLAGS,
    load: () => import('./expose.ts'),
  },
  {
    name: 'new-project', use: 'new-project NAME [--display-name=DISPLAYNAME] [--description=DESCRIPTION]', short: 'Request a new project',
    long: 'Creates a project and makes it the current project of your configuration.',
    example: '  # Create a project called web-team-dev\n  oc new-project web-team-dev --display-name="Web Team Development"',
    flags: [
      { name: 'display-name', type: 'string', usage: 'Project display name' },
      { name: 'description', type: 'string', usage: 'Project description' },
      { name: 'skip-config-write', type: 'bool', usage: 'If true, the project will not be set as a cluster entry in kubeconfig after being created' },
    ],
    load: () => import('./new-project.ts'),
  },
  {
    name: 'project', use: 'project [NAME]', short: 'Switch to another project',
    long: 'Switches to another project and makes it the default of your configuration.\n\nWithout a name, shows the project in use.',
    example: "  # Switch to the 'myapp' project\n  oc project myapp\n\n  # Display the project currently in use\n  oc project",
    flags: [SHORT],
    load: () => import('./project.ts'),
  },
  {
    name: 'projects', use: 'projects', short: 'Display existing projects',
    long: 'Lists the projects you can see on the server, marking the one in use.',
    example: '  # List all projects\n  oc projects',
    flags: [{ ...SHORT, usage: 'If true, display only the project names' }],
    load: () => import('./projects.ts'),
  },
  {
    name: 'version', use: 'version', short: 'Print the client and server version information',
    long: 'Prints the version of this client, of OpenShift (when the cluster says) and of Kubernetes.',
    example: '  # Print the OpenShift client, kube-apiserver, and openshift-apiserver version information for the current context\n  oc version',
    flags: [
      { name: 'client', type: 'bool', usage: 'If true, shows client version only (no server required).' },
      { ...OUTPUT, usage: "One of 'yaml' or 'json'." },
    ],
    load: () => import('./version.ts'),
  },
  {
    name: 'whoami', use: 'whoami [flags]', short: 'Return information about the current session',
    long: 'Shows the user the current session is authenticated as, or with a flag its token, context or server.',
    example: '  # Display the currently authenticated user\n  oc whoami',
    flags: [
      { name: 'show-token', short: 't', type: 'bool', usage: 'Print the token the current session is using. This will return an error if you are using a different form of authentication.' },
      { name: 'show-context', short: 'c', type: 'bool', usage: 'Print the current user context name' },
      { name: 'show-server', type: 'bool', usage: "If true, print the current server's REST API URL" },
      { name: 'show-console', type: 'bool', usage: "If true, print the current server's web console URL" },
      OUTPUT,
      { name: 'show-managed-fields', type: 'bool', usage: 'If true, keep the managedFields when printing objects in JSON or YAML format.' },
      { name: 'template', type: 'string', usage: 'Template string or path to template file to use when -o=go-template, -o=go-template-file.' },
      { name: 'allow-missing-template-keys', type: 'bool', default: true, usage: 'If true, ignore errors in templates when a field or map key is missing in the template.' },
    ],
    load: () => import('./whoami.ts'),
  },
];

/** `oc adm` subcommands that are kubectl's node maintenance commands. */
export const ADM_TO_KUBECTL = ['cordon', 'uncordon', 'drain', 'taint'];
