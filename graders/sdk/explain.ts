// The async side of describe.ts: reads what a message needs (the launcher
// pod, its node, the kubelet's probe events) and words it.

import type { ClusterConnection } from './types.ts';
import type { VirtualMachineInstance } from './kinds.ts';
import { describeVmiReadiness, notReadyReason, probeFailureFrom, type ReadinessFacts } from './describe.ts';
import { eventsFor, getNode } from './queries/core.ts';
import { launcherPod } from './queries/kubevirt.ts';

/** The launcher pod, its node and the newest readiness-probe failure of a VMI. */
export async function readinessFacts(conn: ClusterConnection, vmi: VirtualMachineInstance): Promise<ReadinessFacts> {
  const pod = await launcherPod(conn, vmi);
  const nodeName = vmi.status?.nodeName ?? pod?.spec?.nodeName;
  const node = nodeName ? await getNode(conn, nodeName) : undefined;
  let probeFailure: ReadinessFacts['probeFailure'];
  if (pod && vmi.spec?.readinessProbe) {
    probeFailure = probeFailureFrom(await eventsFor(conn, { kind: 'Pod', name: pod.metadata?.name ?? '', namespace: pod.metadata?.namespace, uid: pod.metadata?.uid }, { reason: 'Unhealthy' }));
  }
  return { pod, node, probeFailure };
}

/** Undefined when the VMI is Ready; else "VMI web2 is not Ready: readiness probe GET :8080/health failed 3 times: …". */
export async function vmiReadinessProblem(conn: ClusterConnection, vmi: VirtualMachineInstance): Promise<string | undefined> {
  if (notReadyReason(vmi) === undefined) return undefined;
  const facts = await readinessFacts(conn, vmi);
  const { pod, ...rest } = facts;
  return describeVmiReadiness(vmi, pod, rest);
}

/** "VMI web2 is not Ready (readiness probe GET :8080/health failed …)", the form used inside a longer message. */
export async function vmiNotReadyPhrase(conn: ClusterConnection, vmi: VirtualMachineInstance): Promise<string | undefined> {
  if (notReadyReason(vmi) === undefined) return undefined;
  const reason = notReadyReason(vmi, await readinessFacts(conn, vmi));
  return reason === undefined ? undefined : `VMI ${vmi.metadata.name} is not Ready (${reason})`;
}
