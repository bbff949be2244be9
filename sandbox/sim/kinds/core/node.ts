// core/v1 Node: a machine that runs pods. Its kubelet creates it and keeps
// status current (conditions, addresses, capacity); users cordon it
// (spec.unschedulable) and taint it. Taints are an atomic list, as upstream:
// `kubectl taint` sends the whole new list.

import type { KubeObject } from '../../api/object.ts';
import type { KindDef } from '../types.ts';
import { definitions } from '../meta.ts';
import { bool, dateTime, freeform, int, obj, str } from '../schema.ts';
import { CORE, atomicList, coreRef, mapList, resourceList, setList } from './definitions.ts';
import { duplicate, invalid, labelValueErrors, notSupported, qualifiedNameErrors, required, type FieldErrors } from './field-errors.ts';
import { ageColumn, record, records, spec, status, text } from './table-cells.ts';

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

definitions.define(`${CORE}.Taint`, obj({
  key: str('Taint key.'),
  value: str('Taint value.'),
  effect: str('What happens to pods that do not tolerate it: NoSchedule, PreferNoSchedule or NoExecute (evicted).'),
  timeAdded: dateTime('When a NoExecute taint was added.'),
}, { required: ['key', 'effect'], description: 'Repels pods that do not tolerate it.' }));

definitions.define(`${CORE}.NodeSpec`, obj({
  podCIDR: str('Pod IP range of the node.'),
  podCIDRs: setList(str(), 'Pod IP ranges of the node, one per address family.', 'merge'),
  providerID: str('ID of the machine at its infrastructure provider: <ProviderName>://<ID>.'),
  unschedulable: bool('Cordoned: no new pods are scheduled onto the node.'),
  taints: atomicList(coreRef('Taint'), 'Taints of the node.'),
  configSource: freeform('Deprecated dynamic kubelet configuration source.'),
  externalID: str('Deprecated.'),
}, { description: 'The desired state of a node.' }));

definitions.define(`${CORE}.NodeCondition`, obj({
  type: str('Ready, MemoryPressure, DiskPressure, PIDPressure or NetworkUnavailable.'),
  status: str('True, False or Unknown (the kubelet stopped reporting).'),
  lastHeartbeatTime: dateTime('When the kubelet last reported this condition.'),
  lastTransitionTime: dateTime('When the condition last changed status.'),
  reason: str('Machine-readable reason.'),
  message: str('Human-readable details.'),
}, { required: ['type', 'status'], description: 'One aspect of a node\'s health.' }));

definitions.define(`${CORE}.NodeAddress`, obj({
  type: str('Hostname, InternalIP, ExternalIP, InternalDNS or ExternalDNS.'),
  address: str('The address.'),
}, { required: ['type', 'address'], description: 'An address of a node.' }));

definitions.define(`${CORE}.DaemonEndpoint`, obj({
  Port: int('Port number.'),
}, { description: 'A port a node daemon listens on.' }));

definitions.define(`${CORE}.NodeDaemonEndpoints`, obj({
  kubeletEndpoint: coreRef('DaemonEndpoint', 'Port of the kubelet API.'),
}, { description: 'Ports of the daemons on a node.' }));

definitions.define(`${CORE}.NodeSystemInfo`, obj({
  machineID: str('Machine ID of the node.'),
  systemUUID: str('System UUID of the node.'),
  bootID: str('ID of the current boot.'),
  kernelVersion: str('Kernel version (uname -r).'),
  osImage: str('Operating system image (/etc/os-release).'),
  containerRuntimeVersion: str('Container runtime and version, e.g. cri-o://1.32.0.'),
  kubeletVersion: str('Kubelet version.'),
  kubeProxyVersion: str('Deprecated; not reliable.'),
  operatingSystem: str('linux or windows.'),
  architecture: str('CPU architecture, e.g. amd64.'),
}, { description: 'Identity and versions of a node\'s software.' }));

definitions.define(`${CORE}.ContainerImage`, obj({
  names: atomicList(str(), 'Names the image is known by.'),
  sizeBytes: int('Size of the image.', 'int64'),
}, { description: 'An image present on a node.' }));

definitions.define(`${CORE}.NodeStatus`, obj({
  capacity: resourceList('Total resources of the node.'),
  allocatable: resourceList('Resources available to pods. Defaults to capacity.'),
  phase: str('Deprecated; not set.'),
  conditions: mapList(coreRef('NodeCondition'), ['type'], 'Current health conditions of the node.', { key: 'type' }),
  addresses: mapList(coreRef('NodeAddress'), ['type'], 'Addresses of the node.', { key: 'type' }),
  daemonEndpoints: coreRef('NodeDaemonEndpoints', 'Ports of the node\'s daemons.'),
  nodeInfo: coreRef('NodeSystemInfo', 'Software versions of the node.'),
  images: atomicList(coreRef('ContainerImage'), 'Images present on the node.'),
  volumesInUse: atomicList(str(), 'Volumes in use on the node.'),
  volumesAttached: atomicList(obj({ name: str('Volume name.'), devicePath: str('Device path.') }), 'Volumes attached to the node.'),
  config: freeform('Deprecated dynamic kubelet configuration status.'),
  runtimeHandlers: atomicList(obj({ name: str('Handler name.'), features: freeform('Features of the handler.') }), 'Runtime handlers of the node.'),
  features: obj({ supplementalGroupsPolicy: bool('Whether the node supports supplementalGroupsPolicy.') }, { description: 'Features the node supports.' }),
}, { description: 'The observed state of a node, reported by its kubelet.' }));

/** The STATUS cell: Ready / NotReady / Unknown, plus SchedulingDisabled when cordoned. */
export function nodeStatusCell(node: KubeObject): string {
  const parts: string[] = [];
  const ready = records(status(node).conditions).find((c) => c.type === 'Ready');
  if (ready) parts.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  else parts.push('Unknown');
  if (spec(node).unschedulable === true) parts.push('SchedulingDisabled');
  return parts.join(',');
}

/** Roles from node-role.kubernetes.io/<role> and kubernetes.io/role labels, sorted; "<none>". */
export function nodeRolesCell(node: KubeObject): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v) {
      roles.add(v);
    }
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

function addressOf(node: KubeObject, type: string): string {
  return text(records(status(node).addresses).find((a) => a.type === type)?.address) || '<none>';
}

function nodeInfo(node: KubeObject, key: string): string {
  return text(record(status(node).nodeInfo)[key]);
}

function validateTaints(list: unknown): FieldErrors {
  const errs: FieldErrors = [];
  const seen = new Map<string, Set<string>>();
  records(list).forEach((t, i) => {
    const p = `spec.taints[${i}]`;
    const key = text(t.key);
    errs.push(...qualifiedNameErrors(key).map((d) => invalid(`${p}.key`, key, d)));
    const valueErrs = labelValueErrors(text(t.value));
    if (valueErrs.length) errs.push(invalid(`${p}.value`, t.value, valueErrs.join(';')));
    const effect = text(t.effect);
    if (!effect) errs.push(required(`${p}.effect`));
    else if (!TAINT_EFFECTS.includes(effect)) errs.push(notSupported(`${p}.effect`, effect, TAINT_EFFECTS));
    const keys = seen.get(effect) ?? new Set<string>();
    if (keys.has(key)) {
      errs.push({ ...duplicate(p, t), detail: 'taints must be unique by key and effect pair' });
      return;
    }
    keys.add(key);
    seen.set(effect, keys);
  });
  return errs;
}

export const nodeKind: KindDef = {
  group: '', version: 'v1', kind: 'Node', plural: 'nodes', singular: 'node', namespaced: false,
  shortNames: ['no'], custom: false,
  subresources: { status: true },
  schemaName: `${CORE}.Node`,
  schema: obj({
    spec: coreRef('NodeSpec', 'Desired state: cordon flag, taints, pod ranges.'),
    status: coreRef('NodeStatus', 'Observed state reported by the kubelet.'),
  }),
  description: 'A machine (physical or virtual) that runs pods. Its kubelet registers it and reports its health.',
  printerColumns: [
    { name: 'Status', type: 'string', description: 'Readiness of the node, and SchedulingDisabled when cordoned.', cell: nodeStatusCell },
    { name: 'Roles', type: 'string', description: 'Roles of the node, from its node-role.kubernetes.io labels.', cell: nodeRolesCell },
    ageColumn,
    { name: 'Version', type: 'string', description: 'Kubelet version of the node.', cell: (o) => nodeInfo(o, 'kubeletVersion') },
    { name: 'Internal-IP', type: 'string', priority: 1, description: 'Internal IP address of the node.', cell: (o) => addressOf(o, 'InternalIP') },
    { name: 'External-IP', type: 'string', priority: 1, description: 'External IP address of the node.', cell: (o) => addressOf(o, 'ExternalIP') },
    { name: 'OS-Image', type: 'string', priority: 1, description: 'Operating system image of the node.', cell: (o) => nodeInfo(o, 'osImage') || '<unknown>' },
    { name: 'Kernel-Version', type: 'string', priority: 1, description: 'Kernel version of the node.', cell: (o) => nodeInfo(o, 'kernelVersion') || '<unknown>' },
    { name: 'Container-Runtime', type: 'string', priority: 1, description: 'Container runtime of the node.', cell: (o) => nodeInfo(o, 'containerRuntimeVersion') || '<unknown>' },
  ],
  selectableFields: {
    'spec.unschedulable': (o) => String(spec(o).unschedulable === true),
  },
  defaults(o) {
    const s = record(o.spec);
    if (o.spec !== undefined && typeof o.spec === 'object' && o.spec !== null) {
      const cidrs = Array.isArray(s.podCIDRs) ? s.podCIDRs : [];
      if (text(s.podCIDR) && !cidrs.length) s.podCIDRs = [s.podCIDR];
      else if (!text(s.podCIDR) && cidrs.length) s.podCIDR = cidrs[0];
    }
    if (o.status && typeof o.status === 'object') {
      const st = o.status as Record<string, unknown>;
      if (st.allocatable === undefined && st.capacity && typeof st.capacity === 'object') st.allocatable = { ...(st.capacity as object) };
    }
  },
  validate(o) {
    return validateTaints(spec(o).taints);
  },
};
