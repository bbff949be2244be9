// virtctl expose vm|vmi|vmirs NAME --name SVC [--port N ...]: creates a Service
// whose selector is the resource's own labels (virtctl v1.3.1): the VM
// template's labels, the VMI's labels minus the ones KubeVirt sets per node, or
// the replica set's matchLabels. Without --port, the ports declared on the pod
// network interface become the Service's ports.

import { CommandError, type CommandContext } from './command.ts';

type Json = Record<string, unknown>;

/** Labels KubeVirt itself puts on VMIs and pool members, which a Service must not select on. */
const NODE_NAME_LABEL = 'kubevirt.io/nodeName';
const POOL_REVISION_LABEL = 'kubevirt.io/vm-pool-revision-name';
const MIGRATION_TARGET_NODE_LABEL = 'kubevirt.io/migrationTargetNodeName';

interface ServicePort {
  name?: string;
  protocol?: string;
  port: number;
  targetPort?: number | string;
}

function obj(v: unknown): Json {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
}

function list(v: unknown): Json[] {
  return Array.isArray(v) ? v.map(obj) : [];
}

function labelsOf(meta: unknown): Record<string, string> {
  const l = obj(obj(meta).labels);
  return Object.fromEntries(Object.entries(l).map(([k, v]) => [k, String(v)]));
}

/** The ports declared on the interface bound to the pod network, named port-1, port-2, … */
export function podNetworkPorts(vmiSpec: Json): ServicePort[] | undefined {
  const podNet = list(vmiSpec.networks).find((n) => n.pod !== undefined && n.pod !== null);
  if (!podNet) return undefined;
  const iface = list(obj(obj(vmiSpec.domain).devices).interfaces).find((i) => i.name === podNet.name);
  if (!iface) return undefined;
  return list(iface.ports).map((p, i) => {
    const port: ServicePort = { name: `port-${i + 1}`, port: Number(p.port ?? 0) };
    if (typeof p.protocol === 'string' && p.protocol) port.protocol = p.protocol;
    return port;
  });
}

/** intstr.Parse: a number when the text is one, else the text. */
function intOrString(v: string): number | string {
  return /^[+-]?\d+$/.test(v) ? Number(v) : v;
}

function ipFamilies(v: string): string[] {
  switch (v.toLowerCase()) {
    case '': return [];
    case 'ipv4': return ['IPv4'];
    case 'ipv6': return ['IPv6'];
    case 'ipv4,ipv6': return ['IPv4', 'IPv6'];
    case 'ipv6,ipv4': return ['IPv6', 'IPv4'];
    default: throw new CommandError(`unknown IPFamily/s: ${v}`);
  }
}

function ipFamilyPolicy(v: string, families: string[]): string {
  switch (v.toLowerCase()) {
    case '': return families.length > 1 ? 'PreferDualStack' : '';
    case 'singlestack': return 'SingleStack';
    case 'preferdualstack': return 'PreferDualStack';
    case 'requiredualstack': return 'RequireDualStack';
    default: throw new CommandError(`unknown IPFamilyPolicy/s: ${v}`);
  }
}

async function fetch(ctx: CommandContext, plural: string, name: string, what: string): Promise<Json> {
  const ns = encodeURIComponent(ctx.namespace());
  try {
    return await ctx.client().get<Json>(`/apis/kubevirt.io/v1/namespaces/${ns}/${plural}/${encodeURIComponent(name)}`);
  } catch (e) {
    throw new CommandError(`error fetching ${what}: ${(e as Error).message}`);
  }
}

export async function run(ctx: CommandContext): Promise<void> {
  const vmType = ctx.args[0].toLowerCase();
  const vmName = ctx.args[1];
  const serviceName = ctx.flag<string>('name');
  const targetPort = intOrString(ctx.flag<string>('target-port'));
  const protocol = ctx.flag<string>('protocol');
  if (protocol !== 'TCP' && protocol !== 'UDP') throw new CommandError(`unknown protocol: ${protocol}`);
  const type = ctx.flag<string>('type');
  if (type === 'ExternalName') throw new CommandError(`type: ${type} not supported`);
  if (!['ClusterIP', 'NodePort', 'LoadBalancer'].includes(type)) throw new CommandError(`unknown service type: ${type}`);
  const families = ipFamilies(ctx.flag<string>('ip-family'));
  const policy = ipFamilyPolicy(ctx.flag<string>('ip-family-policy'), families);
  const namespace = ctx.namespace();
  try {
    ctx.client();
  } catch (e) {
    throw new CommandError(`cannot obtain KubeVirt client: ${(e as Error).message}`);
  }

  let selector: Record<string, string>;
  let ports: ServicePort[] = [];
  switch (vmType) {
    case 'vmi': case 'vmis': case 'virtualmachineinstance': case 'virtualmachineinstances': {
      const vmi = await fetch(ctx, 'virtualmachineinstances', vmName, 'VirtualMachineInstance');
      selector = labelsOf(vmi.metadata);
      ports = podNetworkPorts(obj(vmi.spec)) ?? [];
      delete selector[NODE_NAME_LABEL];
      delete selector[POOL_REVISION_LABEL];
      delete selector[MIGRATION_TARGET_NODE_LABEL];
      break;
    }
    case 'vm': case 'vms': case 'virtualmachine': case 'virtualmachines': {
      const vm = await fetch(ctx, 'virtualmachines', vmName, 'Virtual Machine');
      const template = obj(obj(vm.spec).template);
      ports = podNetworkPorts(obj(template.spec)) ?? [];
      selector = labelsOf(template.metadata);
      delete selector[POOL_REVISION_LABEL];
      break;
    }
    case 'vmirs': case 'vmirss': case 'virtualmachineinstancereplicaset': case 'virtualmachineinstancereplicasets': {
      const rs = await fetch(ctx, 'virtualmachineinstancereplicasets', vmName, 'VirtualMachineInstance ReplicaSet');
      const sel = obj(obj(rs.spec).selector);
      if (list(sel.matchExpressions).length > 0) throw new CommandError('cannot expose VirtualMachineInstance ReplicaSet with match expressions');
      ports = podNetworkPorts(obj(obj(obj(rs.spec).template).spec)) ?? [];
      selector = Object.fromEntries(Object.entries(obj(sel.matchLabels)).map(([k, v]) => [k, String(v)]));
      break;
    }
    default:
      throw new CommandError(`unsupported resource type: ${vmType}`);
  }

  if (Object.keys(selector).length === 0) throw new CommandError(`cannot expose ${vmType} without any label: ${vmName}`);
  const port = ctx.flag<number>('port');
  if (port === 0 && ports.length === 0) throw new CommandError("couldn't find port via --port flag or introspection");
  if (port !== 0) {
    const p: ServicePort = { protocol, port, targetPort };
    const portName = ctx.flag<string>('port-name');
    ports = [portName ? { name: portName, ...p } : p];
  }

  const spec: Json = { ports, selector, type };
  const clusterIP = ctx.flag<string>('cluster-ip');
  if (clusterIP) spec.clusterIP = clusterIP;
  const lbIP = ctx.flag<string>('load-balancer-ip');
  if (lbIP) spec.loadBalancerIP = lbIP;
  if (families.length) spec.ipFamilies = families;
  const externalIP = ctx.flag<string>('external-ip');
  if (externalIP) spec.externalIPs = [externalIP];
  if (policy) spec.ipFamilyPolicy = policy;
  const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: serviceName, namespace }, spec };

  // virtctl checks the Kubernetes version first (ipFamilies needs 1.20 or later).
  await ctx.client().get('/version');
  try {
    await ctx.client().request('POST', `/api/v1/namespaces/${encodeURIComponent(namespace)}/services`, { body: service });
  } catch (e) {
    throw new CommandError(`service creation failed for k8s >= 1.20: ${(e as Error).message}`);
  }
  ctx.io.out(`Service ${serviceName} successfully exposed for ${vmType} ${vmName}\n`);
}
