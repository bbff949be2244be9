// What the injected faults mean for the simulated machines: pure functions
// over the Fault objects, for the parts of the simulator that play hardware
// and node agents (kubelet, virt-handler, data plane). A fault counts from its
// creation until its deletion starts: deleting a NodePowerOff fault powers the
// node back on at once, whatever the fault controller still has to tidy up.

import type { KubeObject } from '../api/object.ts';
import { FAULTS, faultSpec, type FaultType, type NodeFaultType } from '../kinds/sim/fault.ts';

/** Anything that lists stored objects (ClusterClient, RestStorage). */
export interface FaultReader {
  list(resource: string): KubeObject[];
}

/** Faults in effect: created and not being deleted. */
export function activeFaults(reader: FaultReader): KubeObject[] {
  return reader.list(FAULTS).filter((f) => !f.metadata.deletionTimestamp);
}

function nodeHas(reader: FaultReader, node: string, types: readonly NodeFaultType[]): boolean {
  return activeFaults(reader).some((f) => {
    const s = faultSpec(f);
    return s.target?.kind === 'Node' && s.target.name === node && (types as readonly (FaultType | undefined)[]).includes(s.type);
  });
}

/** The machine is off: nothing on it runs, its guests are gone. */
export function nodePoweredOff(reader: FaultReader, node: string): boolean {
  return nodeHas(reader, node, ['NodePowerOff']);
}

/** The kubelet process runs (it may still be cut off from the API server: see nodeReachable). */
export function kubeletRunning(reader: FaultReader, node: string): boolean {
  return !nodeHas(reader, node, ['NodePowerOff', 'KubeletStop']);
}

/** The node agents (kubelet and virt-handler) run. */
export function nodeAgentsRunning(reader: FaultReader, node: string): boolean {
  return !nodeHas(reader, node, ['NodePowerOff', 'KubeletStop']);
}

/** The node's network answers: the API server hears from it and traffic reaches it. */
export function nodeReachable(reader: FaultReader, node: string): boolean {
  return !nodeHas(reader, node, ['NodePowerOff', 'NetworkPartition']);
}

/** The node's agents run and can talk to the API server: only then do they write anything. */
export function nodeAgentsReportIn(reader: FaultReader, node: string): boolean {
  return nodeAgentsRunning(reader, node) && nodeReachable(reader, node);
}

/** The node a fault targets, if it targets one (controllers map Fault changes to node keys with it). */
export function faultNode(fault: KubeObject): string | undefined {
  const s = faultSpec(fault);
  return s.target?.kind === 'Node' ? s.target.name : undefined;
}
