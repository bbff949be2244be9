// Whether a cluster can hold a lab: the capabilities lab.yaml requires and
// enough Ready worker nodes. Refused before anything is applied.

import { CoreV1Api, type V1Node } from '@kubernetes/client-node';
import { capabilityText } from '../../graders/sdk/connection.ts';
import type { ClusterConnection } from '../../graders/sdk/types.ts';
import type { LabSpec } from './schema.ts';
import { apiErrorMessage } from './objects.ts';

/** A node that runs workloads: labelled worker, or not labelled control plane. */
export function isWorker(n: V1Node): boolean {
  const labels = n.metadata?.labels ?? {};
  if ('node-role.kubernetes.io/worker' in labels) return true;
  return !('node-role.kubernetes.io/control-plane' in labels) && !('node-role.kubernetes.io/master' in labels);
}

function isReady(n: V1Node): boolean {
  return n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Throws a message saying what the cluster lacks for the lab, and how to get a cluster that has it. */
export async function checkClusterNeeds(spec: LabSpec, conn: ClusterConnection): Promise<void> {
  const missing = spec.cluster.requires.filter((c) => !conn.capabilities.has(c));
  if (missing.length) {
    throw new Error(`lab ${spec.id} needs ${missing.map(capabilityText).join(', ')}, which the cluster at ${conn.server} does not have${missing.some((c) => c === 'faults' || c === 'embedded') ? ' (run it on the embedded cluster: `lab sim`)' : ''}`);
  }
  let nodes: V1Node[];
  try {
    nodes = (await conn.kubeConfig.makeApiClient(CoreV1Api).listNode()).items;
  } catch (e) {
    throw new Error(`cannot list the cluster's nodes: ${apiErrorMessage(e)}`);
  }
  const workers = nodes.filter(isWorker);
  const ready = workers.filter(isReady);
  const need = spec.cluster.workers;
  if (ready.length < need) {
    const notReady = workers.filter((n) => !isReady(n)).map((n) => n.metadata?.name ?? '');
    const have = `${ready.length} Ready worker node${ready.length === 1 ? '' : 's'}${notReady.length ? ` (not Ready: ${notReady.join(', ')})` : ''}`;
    throw new Error(`lab ${spec.id} needs ${need} Ready worker node${need === 1 ? '' : 's'}; the cluster at ${conn.server} has ${have}${conn.capabilities.has('embedded') ? `: start the embedded cluster with \`lab sim --nodes ${need}\`` : ''}`);
  }
}
