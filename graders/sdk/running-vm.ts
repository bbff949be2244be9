// The lookups most checks start with: the VM the lab created, and the
// instance it runs. Each answers with the objects, or with the failing
// outcome a student should read ("VM ha-review/db1 does not exist (lab start
// ha-review creates it)", "VM ha-review/db1 is Stopped (runStrategy Halted):
// …: the watchdog only guards a running instance").

import { fail } from './define.ts';
import { describeVmRunning, isVmRunning } from './describe.ts';
import { readinessFacts } from './explain.ts';
import type { VirtualMachine, VirtualMachineInstance } from './kinds.ts';
import { getVm, getVmi } from './queries/kubevirt.ts';
import type { ClusterConnection, Outcome } from './types.ts';

/** A VM and the instance it runs. */
export interface RunningVm {
  vm: VirtualMachine;
  vmi: VirtualMachineInstance;
}

export interface VmLookupOptions {
  /** The lab whose `lab start` creates the VM, named in the message when it does not exist. */
  lab?: string;
}

export interface RunningVmOptions extends VmLookupOptions {
  /** Why the instance must run, appended to the message when it does not. */
  why?: string;
  /** Require the instance to be Ready too (default: Running is enough). */
  ready?: boolean;
}

function missing(namespace: string, name: string, lab: string | undefined): Outcome {
  return fail(`VM ${namespace}/${name} does not exist${lab ? ` (lab start ${lab} creates it)` : ''}`);
}

/** The VM, or a failing outcome saying it does not exist. */
export async function findVm(conn: ClusterConnection, namespace: string, name: string, opts: VmLookupOptions = {}): Promise<VirtualMachine | Outcome> {
  return (await getVm(conn, namespace, name)) ?? missing(namespace, name, opts.lab);
}

/**
 * Undefined when the VM's instance runs (and is Ready, with `ready: true`);
 * else a failing outcome with the VM's state as describeVmRunning words it
 * (reading the launcher pod's probe failures), then `why`.
 */
export async function vmNotRunning(
  conn: ClusterConnection, vm: VirtualMachine, vmi: VirtualMachineInstance | undefined, opts: Omit<RunningVmOptions, 'lab'> = {},
): Promise<Outcome | undefined> {
  if (vmi && isVmRunning(vm, vmi, { ready: opts.ready })) return undefined;
  const state = describeVmRunning(vm, vmi, vmi ? await readinessFacts(conn, vmi) : {});
  return fail(opts.why ? `${state}: ${opts.why}` : state);
}

/** The VM and its running instance, or a failing outcome saying which of the two is missing or not running, and why that matters. */
export async function findRunningVm(conn: ClusterConnection, namespace: string, name: string, opts: RunningVmOptions = {}): Promise<RunningVm | Outcome> {
  const vm = await getVm(conn, namespace, name);
  if (!vm) return missing(namespace, name, opts.lab);
  const vmi = await getVmi(conn, namespace, name);
  const down = await vmNotRunning(conn, vm, vmi, opts);
  return down ?? { vm, vmi: vmi! };
}
