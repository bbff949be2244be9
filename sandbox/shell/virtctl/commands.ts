// The virtctl subcommands of the lab shell, with the flags, argument counts and
// one-line descriptions of virtctl v1.3.1. Implementations load on demand.

import type { FlagSpec } from '../kube/flags.ts';
import type { CommandDef } from './command.ts';

const DRY_RUN: FlagSpec = {
  name: 'dry-run', type: 'bool',
  usage: '--dry-run=false: If true, only send the request as a dry run; the cluster validates it but changes nothing.',
};
const FORCE: FlagSpec = {
  name: 'force', type: 'bool',
  usage: '--force=false: Only used with --grace-period=0. If true, the VMI pod is removed from the API at once, skipping graceful deletion; this can leave things inconsistent or lose data.',
};
const GRACE: FlagSpec = {
  name: 'grace-period', type: 'int64', default: -1,
  usage: '--grace-period=-1: Seconds the VMI gets to shut down gracefully. 0 is only allowed together with --force (force deletion); 0 is currently the only supported value.',
};

function vmExample(verb: string): string {
  return `  # ${verb[0].toUpperCase()}${verb.slice(1)} a virtual machine called 'myvm':\n  {{ProgramName}} ${verb} myvm`;
}

const lifecycle = () => import('./lifecycle.ts');

export const COMMANDS: CommandDef[] = [
  {
    name: 'console', use: 'console (VMI)', short: 'Connect to a console of a virtual machine instance.', args: 1,
    example: "  # Connect to the console on VirtualMachineInstance 'myvmi':\n  {{ProgramName}} console myvmi\n  # Configure one minute timeout (default 5 minutes)\n  {{ProgramName}} console --timeout=1 myvmi",
    flags: [{ name: 'timeout', type: 'int', default: 5, usage: 'Minutes to wait for the virtual machine instance to be ready.' }],
    load: () => import('./console.ts'),
  },
  {
    name: 'expose', use: 'expose (TYPE NAME)', args: 2, required: ['name'],
    short: 'Expose a virtual machine instance, virtual machine, or virtual machine instance replica set as a new service.',
    long: [
      'Creates a Service for a virtual machine instance, a virtual machine or a virtual machine instance replica set, found by name.',
      'The Service selects what the resource\'s labels select: the VMI\'s labels, the VM template\'s labels, or the replica set\'s matchLabels (match expressions cannot be exposed).',
      'Without --port, every port declared on the pod network interface is exposed.',
      '',
      'Types (case insensitive, singular or plural):',
      '',
      'virtualmachineinstance (vmi), virtualmachine (vm), virtualmachineinstancereplicaset (vmirs)',
    ].join('\n'),
    example: [
      "  # Expose SSH to a virtual machine instance called 'myvm' on each node via a NodePort service:",
      '  {{ProgramName}} expose vmi myvm --port=22 --name=myvm-ssh --type=NodePort',
      '',
      '  # Expose all defined pod-network ports of a virtual machine instance replicaset on a service:',
      '  {{ProgramName}} expose vmirs myvmirs --name=vmirs-service',
      '',
      '  # Expose port 8080 as port 80 from a virtual machine instance replicaset on a service:',
      '  {{ProgramName}} expose vmirs myvmirs --port=80 --target-port=8080 --name=vmirs-service',
    ].join('\n'),
    flags: [
      { name: 'name', type: 'string', usage: 'Name of the service created for the exposure of the VM.' },
      { name: 'cluster-ip', type: 'string', usage: "ClusterIP of the service. Empty allocates one; 'None' makes a headless service." },
      { name: 'external-ip', type: 'string', usage: 'An extra external IP address (not managed by the cluster) the service accepts traffic on. Optional.' },
      { name: 'load-balancer-ip', type: 'string', usage: 'IP to assign to the Load Balancer. If empty, an ephemeral IP will be created and used.' },
      { name: 'port', type: 'int32', usage: 'The port that the service should serve on.' },
      { name: 'protocol', type: 'string', default: 'TCP', usage: 'The network protocol for the service to be created.' },
      { name: 'target-port', type: 'string', usage: 'Name or number for the port on the VM that the service should direct traffic to. Optional.' },
      { name: 'type', type: 'string', default: 'ClusterIP', usage: 'Type for this service: ClusterIP, NodePort, or LoadBalancer.' },
      { name: 'port-name', type: 'string', usage: 'Name of the port. Optional.' },
      { name: 'ip-family', type: 'string', usage: "IP family of the service: 'IPv4', 'IPv6', 'IPv4,IPv6' or 'IPv6,IPv4'" },
      { name: 'ip-family-policy', type: 'string', usage: "IP family policy of the service: 'SingleStack', 'PreferDualStack' or 'RequireDualStack'" },
    ],
    load: () => import('./expose.ts'),
  },
  {
    name: 'migrate', use: 'migrate (VM)', short: 'Migrate a virtual machine.', args: 1, example: vmExample('migrate'),
    flags: [DRY_RUN], load: lifecycle,
  },
  {
    name: 'migrate-cancel', use: 'migrate-cancel (VM)', short: 'Cancel migration of a virtual machine.', args: 1, example: vmExample('migrate-cancel'),
    flags: [], load: lifecycle,
  },
  {
    name: 'pause', use: 'pause vm|vmi (VM)|(VMI)', short: 'Pause a virtual machine', args: 2,
    long: 'Pauses a virtual machine: its CPUs stop and its memory stays as it is.\nThe first argument is the type: virtualmachineinstance (vmi) or virtualmachine (vm), case insensitive.\nThe second argument is the name.',
    example: "  # Pause a virtualmachine called 'myvm':\n  {{ProgramName}} pause vm myvm",
    flags: [DRY_RUN], load: () => import('./pause.ts'),
  },
  {
    name: 'restart', use: 'restart (VM)', short: 'Restart a virtual machine.', args: 1, example: vmExample('restart'),
    flags: [FORCE, GRACE, DRY_RUN], load: lifecycle,
  },
  {
    name: 'start', use: 'start (VM)', short: 'Start a virtual machine.', args: 1, example: vmExample('start'),
    flags: [{ name: 'paused', type: 'bool', usage: '--paused=false: If true, the virtual machine starts paused.' }, DRY_RUN],
    load: lifecycle,
  },
  {
    name: 'stop', use: 'stop (VM)', short: 'Stop a virtual machine.', args: 1, example: vmExample('stop'),
    flags: [FORCE, GRACE, DRY_RUN], load: lifecycle,
  },
  {
    name: 'unpause', use: 'unpause vm|vmi (VM)|(VMI)', short: 'Unpause a virtual machine', args: 2,
    long: 'Resumes a paused virtual machine.\nThe first argument is the type: virtualmachineinstance (vmi) or virtualmachine (vm), case insensitive.\nThe second argument is the name.',
    example: "  # Unpause a virtualmachine called 'myvm':\n  {{ProgramName}} unpause vm myvm",
    flags: [DRY_RUN], load: () => import('./pause.ts'),
  },
  {
    name: 'version', use: 'version', short: 'Print the client and server version information.', args: 0,
    example: '  # Print the client and server versions for the current context:\n  {{ProgramName}} version',
    flags: [{ name: 'client', short: 'c', type: 'bool', usage: 'Client version only (no server required).' }],
    load: () => import('./version.ts'),
  },
];

/** Real virtctl commands this shell does not provide; they get a clear refusal instead of "unknown command". */
export const UNAVAILABLE = [
  'addvolume', 'adm', 'create', 'credentials', 'expand', 'fslist', 'guestfs', 'guestosinfo', 'image-upload', 'memory-dump',
  'permitted-devices', 'port-forward', 'removevolume', 'scp', 'soft-reboot', 'ssh', 'usbredir', 'userlist', 'vmexport', 'vnc',
];
