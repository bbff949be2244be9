// `lab fault`: inject, list and undo faults (sim.virtlab.dev/v1alpha1 Fault)
// on the cluster of a kubeconfig, through @kubernetes/client-node as any
// client would. Node faults (NodePowerOff, KubeletStop, NetworkPartition)
// target a Node; guest faults (ServiceStop, GuestKernelHang, GuestCrash) a
// VirtualMachineInstance in a namespace.

import { Command, InvalidArgumentError } from 'commander';
import * as k8s from '@kubernetes/client-node';
import type { CliIO } from '../io.ts';
import { humanDuration } from '../../sandbox/sim/api/age.ts';
import {
  FAULT_GROUP, FAULT_TYPES, FAULT_VERSION, faultKind, isNodeFaultType, targetKindFor, type FaultType,
} from '../../sandbox/sim/kinds/sim/fault.ts';

const PLURAL = faultKind.plural;
const RESOURCE = `${faultKind.singular}.${FAULT_GROUP}`;

interface FaultObject {
  metadata?: { name?: string; creationTimestamp?: string | Date; deletionTimestamp?: string | Date };
  spec?: { type?: string; target?: { kind?: string; name?: string; namespace?: string }; service?: string };
  status?: { phase?: string; message?: string };
}

/** "nodepoweroff", "node-power-off", "NodePowerOff" → NodePowerOff. */
export function parseFaultType(text: string): FaultType {
  const norm = (s: string): string => s.toLowerCase().replace(/[-_ ]/g, '');
  const t = FAULT_TYPES.find((x) => norm(x) === norm(text));
  if (!t) throw new InvalidArgumentError(`unknown fault type "${text}": use one of ${FAULT_TYPES.join(', ')}`);
  return t;
}

/** The default name of a fault: "node-power-off-worker-1". */
export function defaultFaultName(type: FaultType, target: string): string {
  const kebab = type.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
  return `${kebab}-${target.toLowerCase()}`.replace(/[^a-z0-9.-]/g, '-').slice(0, 253).replace(/[-.]+$/, '');
}

function loadKubeConfig(path: string | undefined): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  try {
    if (path) kc.loadFromFile(path);
    else kc.loadFromDefault();
  } catch (e) {
    throw new Error(`cannot read kubeconfig ${path ?? '(default)'}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!kc.getCurrentCluster()) throw new Error(`no cluster in kubeconfig ${path ?? '(default)'}: start one with \`lab sim --kubeconfig <file>\` or pass --kubeconfig`);
  return kc;
}

/** The message of an API error (its Status body), or of any other failure. */
function apiMessage(e: unknown): string {
  if (e instanceof k8s.ApiException) {
    try {
      const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
      if (body && typeof body.message === 'string') return body.message;
    } catch {
      // Not a Status body: fall through.
    }
    return `the server answered ${e.code}`;
  }
  const err = e as { message?: string; cause?: { code?: string } };
  if (err.cause?.code === 'ECONNREFUSED') return 'cannot reach the cluster: is `lab sim` running?';
  return err.message ?? String(e);
}

function targetText(f: FaultObject): string {
  const t = f.spec?.target ?? {};
  return t.kind === 'Node' || !t.namespace ? t.name ?? '' : `${t.namespace}/${t.name}`;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 3))).join('').trimEnd()).join('\n') + '\n';
}

function timeOf(v: string | Date | undefined): number | undefined {
  if (v === undefined) return undefined;
  const ms = v instanceof Date ? v.getTime() : Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
}

export interface CreateOptions {
  service?: string;
  namespace?: string;
  name?: string;
  kubeconfig?: string;
}

export function faultCommand(io: CliIO): Command {
  const cmd = new Command('fault').description('inject faults into the embedded cluster (node power-off, kubelet stop, network partition, guest service stop, kernel hang, crash) and undo them')
    // Set before the subcommands are added so that they inherit it: errors must reach main() as exceptions.
    .exitOverride()
    .configureOutput({ writeOut: (t) => io.out(t), writeErr: (t) => io.err(t) })
    .showHelpAfterError();

  cmd.command('create')
    .description(`inject a fault; <type> is one of ${FAULT_TYPES.join(', ')}; <target> is a node, or a VMI for guest faults`)
    .argument('<type>', 'fault type', parseFaultType)
    .argument('<target>', 'node name (node faults) or VirtualMachineInstance name (guest faults)')
    .option('--service <name>', 'ServiceStop: the guest service to stop, e.g. httpd')
    .option('-n, --namespace <ns>', 'namespace of the VirtualMachineInstance (guest faults; default: the kubeconfig context namespace, else "default")')
    .option('--name <name>', 'name of the Fault object (default: <type>-<target>)')
    .option('--kubeconfig <path>', 'kubeconfig of the cluster (default: $KUBECONFIG or ~/.kube/config)')
    .action(async (type: FaultType, target: string, opts: CreateOptions) => {
      const kc = loadKubeConfig(opts.kubeconfig);
      if (type === 'ServiceStop' && !opts.service) throw new Error('ServiceStop needs --service <name>, the guest service to stop (e.g. httpd)');
      if (type !== 'ServiceStop' && opts.service) throw new Error(`--service only applies to ServiceStop, not ${type}`);
      if (isNodeFaultType(type) && opts.namespace) throw new Error(`${type} targets a Node, which has no namespace: drop -n`);
      const namespace = isNodeFaultType(type) ? undefined : opts.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
      const name = opts.name ?? defaultFaultName(type, target);
      const body = {
        apiVersion: `${FAULT_GROUP}/${FAULT_VERSION}`, kind: faultKind.kind,
        metadata: { name },
        spec: { type, target: { kind: targetKindFor(type), name: target, ...(namespace ? { namespace } : {}) }, ...(opts.service ? { service: opts.service } : {}) },
      };
      const api = kc.makeApiClient(k8s.CustomObjectsApi);
      try {
        await api.createClusterCustomObject({ group: FAULT_GROUP, version: FAULT_VERSION, plural: PLURAL, body });
      } catch (e) {
        if (e instanceof k8s.ApiException && e.code === 409) {
          throw new Error(`fault "${name}" already exists: undo it with \`lab fault delete ${name}\` or pick another name with --name`);
        }
        throw new Error(apiMessage(e));
      }
      io.out(`${RESOURCE}/${name} created\n`);
    });

  cmd.command('list')
    .description('list the faults in effect')
    .option('--kubeconfig <path>', 'kubeconfig of the cluster (default: $KUBECONFIG or ~/.kube/config)')
    .action(async (opts: { kubeconfig?: string }) => {
      const api = loadKubeConfig(opts.kubeconfig).makeApiClient(k8s.CustomObjectsApi);
      let list: { items?: FaultObject[] };
      try {
        list = await api.listClusterCustomObject({ group: FAULT_GROUP, version: FAULT_VERSION, plural: PLURAL }) as { items?: FaultObject[] };
      } catch (e) {
        throw new Error(apiMessage(e));
      }
      const items = list.items ?? [];
      if (!items.length) {
        io.out('No faults found.\n');
        return;
      }
      const now = Date.now();
      const rows = [['NAME', 'TYPE', 'TARGET', 'PHASE', 'AGE', 'MESSAGE']];
      for (const f of items) {
        const created = timeOf(f.metadata?.creationTimestamp);
        const phase = f.metadata?.deletionTimestamp ? 'Clearing' : f.status?.phase ?? '';
        rows.push([f.metadata?.name ?? '', f.spec?.type ?? '', targetText(f), phase, created === undefined ? '<unknown>' : humanDuration(now - created), f.status?.message ?? '']);
      }
      io.out(table(rows));
    });

  cmd.command('delete')
    .description('undo a fault (power the node on, start the kubelet, reconnect the network, start the service)')
    .argument('<name>', 'name of the fault (see `lab fault list`)')
    .option('--kubeconfig <path>', 'kubeconfig of the cluster (default: $KUBECONFIG or ~/.kube/config)')
    .action(async (name: string, opts: { kubeconfig?: string }) => {
      const api = loadKubeConfig(opts.kubeconfig).makeApiClient(k8s.CustomObjectsApi);
      try {
        await api.deleteClusterCustomObject({ group: FAULT_GROUP, version: FAULT_VERSION, plural: PLURAL, name });
      } catch (e) {
        if (e instanceof k8s.ApiException && e.code === 404) throw new Error(`fault "${name}" not found: see \`lab fault list\``);
        throw new Error(apiMessage(e));
      }
      io.out(`${RESOURCE} "${name}" deleted\n`);
    });

  return cmd;
}
