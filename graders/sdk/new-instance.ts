// Waiting for a VM to replace its instance: after a watchdog fires, a
// liveness probe gives up or a node is lost, a new VMI (a new uid) must come
// up. The wait reports, on timeout, where things stood: no VMI at all, still
// the old one, or a new one that is not there yet.

import { getVmi } from './queries/kubevirt.ts';
import { waitFor, type WaitForOptions, type WaitResult } from './faults.ts';
import type { VirtualMachineInstance } from './kinds.ts';
import type { ClusterConnection } from './types.ts';

export interface NewInstanceOptions extends Omit<WaitForOptions, 'describe'> {
  /** The state to report while the VMI is still the old instance (it may also note what it sees, e.g. the phase the old one ended in). */
  whileOld(vmi: VirtualMachineInstance): string;
  /**
   * Undefined once the new instance is what is awaited; else what it still
   * lacks, reported on timeout. Default: phase Running ("a new VMI db1 is
   * Scheduling" until then).
   */
  untilNew?(vmi: VirtualMachineInstance): string | undefined | Promise<string | undefined>;
}

/** Polls (waitFor) until a VMI of that name with another uid than `oldUid` is there and `untilNew` is satisfied; its value is the new VMI. */
export async function waitForNewInstance(
  conn: ClusterConnection, namespace: string, name: string, oldUid: string | undefined, opts: NewInstanceOptions,
): Promise<WaitResult<VirtualMachineInstance>> {
  const { whileOld, untilNew, ...wait } = opts;
  const lacking = untilNew ?? ((vmi: VirtualMachineInstance) => (vmi.status?.phase === 'Running' ? undefined : `a new VMI ${name} is ${vmi.status?.phase || 'Pending'}`));
  let lastSeen = `there is no VMI ${name}`;
  return waitFor(conn, async () => {
    const vmi = await getVmi(conn, namespace, name);
    if (!vmi) {
      lastSeen = `there is no VMI ${name}`;
      return false;
    }
    if (vmi.metadata.uid === oldUid) {
      lastSeen = whileOld(vmi);
      return false;
    }
    const lacks = await lacking(vmi);
    if (lacks !== undefined) {
      lastSeen = lacks;
      return false;
    }
    return vmi;
  }, { ...wait, describe: () => lastSeen });
}
