// The simulated infrastructure provider behind the Machine API: what a cloud
// actuator (AWS, vSphere, bare metal) does for the machine controller. An
// "instance" is the machine's status.providerStatus; it is launched, runs
// (providerID, addresses), boots a kubelet that registers a Node, and is
// terminated. Pure functions over objects; the controller does the writes.

import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import { rfc3339 } from '../../api/age.ts';
import {
  INFRASTRUCTURE_NAME, MachineLabels, PROVIDER_API_VERSION, ZONES, hostAddress, instanceIdOf, machineAddresses,
  providerIDOf, providerSpec, type HostShape, type NodeRole, type VirtlabProviderSpec,
} from '../../topology.ts';

/** Seconds from launch until the instance runs and has its addresses. */
export const INSTANCE_CREATE_SECONDS = 10;
/** Seconds from launch until the instance's kubelet registers its Node (boot, ignition, kubelet start). */
export const NODE_JOIN_SECONDS = 120;
/** Seconds from Node registration until the network plugin is up and the kubelet reports Ready. */
export const NODE_READY_SECONDS = 30;
/** Seconds a terminating instance takes to disappear. */
export const INSTANCE_TERMINATE_SECONDS = 10;

export type InstanceState = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'unknown';

export interface ProviderStatus {
  apiVersion: string;
  kind: 'VirtlabMachineProviderStatus';
  instanceId: string;
  instanceState: InstanceState;
  launchTime: string;
  zone: string;
  /** Host name the instance boots with; its Node gets this name. */
  hostname: string;
  terminationTime?: string;
}

export function providerStatusOf(m: KubeObject): ProviderStatus | undefined {
  const ps = (m.status as { providerStatus?: unknown } | undefined)?.providerStatus;
  return isPlainObject(ps) && typeof ps.instanceId === 'string' ? ps as unknown as ProviderStatus : undefined;
}

/** The provider's Exists(): the instance was launched and is not gone. */
export function instanceExists(m: KubeObject): boolean {
  const ps = providerStatusOf(m);
  return !!ps && ps.instanceState !== 'terminated';
}

/** machineIsProvisioned: the machine was given addresses or a providerID. */
export function isProvisioned(m: KubeObject): boolean {
  const addresses = (m.status as { addresses?: unknown[] } | undefined)?.addresses ?? [];
  return addresses.length > 0 || !!(m.spec as { providerID?: string } | undefined)?.providerID;
}

export function roleOf(m: KubeObject): NodeRole {
  return m.metadata.labels?.[MachineLabels.role] === 'master' ? 'master' : 'worker';
}

/** The provider spec with the simulator's defaults for what it leaves out. */
export function providerSpecOf(m: KubeObject): VirtlabProviderSpec {
  const value = (m.spec as { providerSpec?: { value?: unknown } } | undefined)?.providerSpec?.value;
  const v = isPlainObject(value) ? value : {};
  const dflt = providerSpec(roleOf(m), {});
  const placement = isPlainObject(v.placement) ? v.placement : {};
  return {
    apiVersion: typeof v.apiVersion === 'string' ? v.apiVersion : PROVIDER_API_VERSION,
    kind: 'VirtlabMachineProviderSpec',
    instanceType: typeof v.instanceType === 'string' ? v.instanceType : dflt.instanceType,
    cpu: typeof v.cpu === 'string' ? v.cpu : typeof v.cpu === 'number' ? String(v.cpu) : dflt.cpu,
    memory: typeof v.memory === 'string' ? v.memory : dflt.memory,
    placement: {
      region: typeof placement.region === 'string' ? placement.region : dflt.placement.region,
      ...(typeof placement.availabilityZone === 'string' && placement.availabilityZone ? { availabilityZone: placement.availabilityZone } : {}),
    },
  };
}

// ---- validation (machine controller's validateMachine) ----------------------

function goMapLiteral(m: Record<string, string> | undefined): string {
  const entries = Object.keys(m ?? {}).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(m![k])}`);
  return `map[string]string{${entries.join(', ')}}`;
}

/** The FailedValidate event message, or undefined when the machine is valid. */
export function validationError(m: KubeObject): string | undefined {
  const errs: string[] = [];
  if (!m.metadata.labels?.[MachineLabels.cluster]) {
    errs.push(`spec.labels: Invalid value: ${goMapLiteral(m.metadata.labels)}: missing ${MachineLabels.cluster} label.`);
  }
  const value = (m.spec as { providerSpec?: { value?: unknown } } | undefined)?.providerSpec?.value;
  if (value === undefined || value === null) {
    errs.push('spec.spec.providerspec: Invalid value: v1beta1.ProviderSpec{Value:(*runtime.RawExtension)(nil)}: value field must be set');
  }
  if (!errs.length) return undefined;
  return `${m.metadata.name}: machine validation failed: ${errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`}`;
}

// ---- launching an instance ----------------------------------------------------

const HOST_INDEX = /^(master|worker)-(\d+)$/;

/** Host names in use or planned: Nodes and every machine's instance. */
function hostIndexes(role: NodeRole, nodes: readonly KubeObject[], machines: readonly KubeObject[]): number[] {
  const names = [
    ...nodes.map((n) => n.metadata.name!),
    ...machines.map((m) => providerStatusOf(m)?.hostname ?? ''),
    ...machines.map((m) => (m.status as { nodeRef?: { name?: string } } | undefined)?.nodeRef?.name ?? ''),
  ];
  const out: number[] = [];
  for (const n of names) {
    const match = n.match(HOST_INDEX);
    if (match && match[1] === role) out.push(Number(match[2]));
  }
  return out;
}

/** The zone with the fewest live machines of the role; ties go to the first zone. */
export function chooseZone(m: KubeObject, machines: readonly KubeObject[]): string {
  const fixed = providerSpecOf(m).placement.availabilityZone;
  if (fixed) return fixed;
  const role = roleOf(m);
  const count = new Map(ZONES.map((z) => [z, 0]));
  for (const o of machines) {
    if (o.metadata.uid === m.metadata.uid || o.metadata.deletionTimestamp || roleOf(o) !== role) continue;
    const z = o.metadata.labels?.[MachineLabels.zone] ?? providerStatusOf(o)?.zone;
    if (z && count.has(z)) count.set(z, count.get(z)! + 1);
  }
  let best = ZONES[0];
  for (const z of ZONES) if (count.get(z)! < count.get(best)!) best = z;
  return best;
}

/** Create(): the instance the provider launches for a machine, and the labels it puts on the machine. */
export function launchInstance(m: KubeObject, machines: readonly KubeObject[], nodes: readonly KubeObject[], now: number): { status: ProviderStatus; labels: Record<string, string> } {
  const spec = providerSpecOf(m);
  const role = roleOf(m);
  const used = hostIndexes(role, nodes, machines);
  const hostname = `${role}-${used.length ? Math.max(...used) + 1 : 0}`;
  const zone = chooseZone(m, machines);
  return {
    status: {
      apiVersion: PROVIDER_API_VERSION,
      kind: 'VirtlabMachineProviderStatus',
      instanceId: instanceIdOf(`${INFRASTRUCTURE_NAME}/${m.metadata.uid}/${hostname}`),
      instanceState: 'pending',
      launchTime: rfc3339(now),
      zone,
      hostname,
    },
    labels: {
      [MachineLabels.instanceType]: spec.instanceType,
      [MachineLabels.region]: spec.placement.region,
      [MachineLabels.zone]: zone,
    },
  };
}

function hostIndex(hostname: string): number {
  const match = hostname.match(HOST_INDEX);
  return match ? Number(match[2]) : 0;
}

/** Update() once running: the machine's providerID and addresses. */
export function runningInstance(ps: ProviderStatus, role: NodeRole): { providerID: string; addresses: { type: string; address: string }[] } {
  return { providerID: providerIDOf(ps.hostname), addresses: machineAddresses(ps.hostname, hostAddress(role, hostIndex(ps.hostname))) };
}

/** The host the instance's kubelet registers as a Node. */
export function hostShape(m: KubeObject, ps: ProviderStatus): HostShape {
  const spec = providerSpecOf(m);
  const nodeMeta = (m.spec as { metadata?: { labels?: Record<string, string> } } | undefined)?.metadata;
  const taints = (m.spec as { taints?: unknown[] } | undefined)?.taints;
  return {
    name: ps.hostname,
    role: roleOf(m),
    index: hostIndex(ps.hostname),
    zone: ps.zone,
    instanceType: spec.instanceType,
    cpu: spec.cpu,
    memory: spec.memory,
    machine: `${m.metadata.namespace}/${m.metadata.name}`,
    providerID: providerIDOf(ps.hostname),
    ...(nodeMeta?.labels ? { labels: nodeMeta.labels } : {}),
    ...(taints?.length ? { taints } : {}),
  };
}
