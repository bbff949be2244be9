// Machine API reads (machine.openshift.io/v1beta1, in openshift-machine-api).

import type { Machine, MachineHealthCheck, MachineSet } from '../kinds.ts';
import type { ClusterConnection } from '../types.ts';
import { getCustom, listCustom, Resources, type ListOptions } from './client.ts';
import { getNode } from './core.ts';

export const MACHINE_API_NAMESPACE = 'openshift-machine-api';
const NODE_MACHINE_ANNOTATION = 'machine.openshift.io/machine';

export function getMachine(conn: ClusterConnection, name: string, namespace = MACHINE_API_NAMESPACE): Promise<Machine | undefined> {
  return getCustom<Machine>(conn, Resources.machines, namespace, name);
}

export function listMachines(conn: ClusterConnection, namespace = MACHINE_API_NAMESPACE, opts?: ListOptions): Promise<Machine[]> {
  return listCustom<Machine>(conn, Resources.machines, namespace, opts);
}

export function getMachineSet(conn: ClusterConnection, name: string, namespace = MACHINE_API_NAMESPACE): Promise<MachineSet | undefined> {
  return getCustom<MachineSet>(conn, Resources.machineSets, namespace, name);
}

export function listMachineSets(conn: ClusterConnection, namespace = MACHINE_API_NAMESPACE, opts?: ListOptions): Promise<MachineSet[]> {
  return listCustom<MachineSet>(conn, Resources.machineSets, namespace, opts);
}

export function getMachineHealthCheck(conn: ClusterConnection, name: string, namespace = MACHINE_API_NAMESPACE): Promise<MachineHealthCheck | undefined> {
  return getCustom<MachineHealthCheck>(conn, Resources.machineHealthChecks, namespace, name);
}

export function listMachineHealthChecks(conn: ClusterConnection, namespace = MACHINE_API_NAMESPACE, opts?: ListOptions): Promise<MachineHealthCheck[]> {
  return listCustom<MachineHealthCheck>(conn, Resources.machineHealthChecks, namespace, opts);
}

/** The Machine behind a Node: the one whose status.nodeRef names it, else the node's machine.openshift.io/machine annotation. */
export async function machineForNode(conn: ClusterConnection, nodeName: string, namespace = MACHINE_API_NAMESPACE): Promise<Machine | undefined> {
  const machines = await listMachines(conn, namespace);
  const byRef = machines.find((m) => m.status?.nodeRef?.name === nodeName);
  if (byRef) return byRef;
  const ref = (await getNode(conn, nodeName))?.metadata?.annotations?.[NODE_MACHINE_ANNOTATION];
  return ref ? machines.find((m) => `${m.metadata.namespace}/${m.metadata.name}` === ref) : undefined;
}
