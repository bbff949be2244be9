// The fault injector: plays the physical world behind sim.virtlab.dev Faults.
// Guest faults act once on the VMI's guest through the guest runtime
// (ServiceStop stops a service, GuestKernelHang hangs the kernel, GuestCrash
// crashes it); one created before its VMI runs waits for it (Pending). Node
// faults are states the node agents read through faults/queries.ts; a
// powered-off node also loses its guests here. A fault carries the
// sim.virtlab.dev/heal finalizer so that its deletion is seen: what can be
// undone is (a stopped service starts again; a node powers back on by itself
// once the fault is going), the status says Cleared, and the finalizer goes.

import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import { rfc3339 } from '../../api/age.ts';
import {
  FAULTS, HEAL_FINALIZER, faultSpec, isGuestFaultType, type FaultSpec, type FaultStatus,
} from '../../kinds/sim/fault.ts';
import type { Controller, ReconcileResult } from '../../runtime/controller.ts';
import { isNotFound } from '../../runtime/client.ts';
import type { ControllerDeps } from '../types.ts';
import { jsonClone } from '../../api/json-clone.ts';

export const VMIS = 'kubevirt.io/virtualmachineinstances';
export const EVENT_SOURCE = 'virtlab-fault-injector';

export const Reason = {
  Activated: 'Activated',
  Cleared: 'Cleared',
  Waiting: 'Waiting',
} as const;

type Spec = Partial<FaultSpec>;

function rec(v: unknown): Record<string, unknown> {
  return isPlainObject(v) ? v : {};
}

function vmiRef(s: Spec): string {
  return `${s.target?.namespace}/${s.target?.name}`;
}

/** What an active fault does, in words. */
export function activeMessage(s: Spec): string {
  const node = s.target?.name;
  switch (s.type) {
    case 'NodePowerOff': return `Node ${node} is powered off`;
    case 'KubeletStop': return `The kubelet and virt-handler on ${node} are stopped`;
    case 'NetworkPartition': return `Node ${node} is cut off from the network`;
    case 'ServiceStop': return `Stopped ${s.service} in the guest of ${vmiRef(s)}`;
    case 'GuestKernelHang': return `The guest kernel of ${vmiRef(s)} hangs`;
    case 'GuestCrash': return `The guest of ${vmiRef(s)} crashed`;
    default: return '';
  }
}

/** What deleting the fault undid, in words. */
export function clearedMessage(s: Spec, healed: boolean): string {
  const node = s.target?.name;
  switch (s.type) {
    case 'NodePowerOff': return `Node ${node} is powered on`;
    case 'KubeletStop': return `The kubelet and virt-handler on ${node} run again`;
    case 'NetworkPartition': return `The network of ${node} is back`;
    case 'ServiceStop': return healed ? `Started ${s.service} in the guest of ${vmiRef(s)}` : `Nothing to undo: the guest of ${vmiRef(s)} is gone`;
    default: return `Nothing to undo: the guest of ${vmiRef(s)} must be reset or restarted`;
  }
}

export function faultController(deps: ControllerDeps): Controller {
  const { client, clock } = deps;
  const { guests } = deps;
  const recorder = deps.recorder({ component: EVENT_SOURCE });

  async function writeStatus(f: KubeObject, status: FaultStatus): Promise<KubeObject> {
    const next = { ...jsonClone(f), status: { ...jsonClone(rec(f.status)), ...status } };
    return client.updateStatus(FAULTS, next);
  }

  function guestAlive(uid: string): boolean {
    const g = guests?.get(uid);
    return g !== undefined && g.state !== 'Shutoff';
  }

  /** A powered-off machine runs no guests: destroy those of the VMIs on it. */
  function powerOffGuests(node: string): void {
    if (!guests) return;
    for (const vmi of client.list(VMIS)) {
      if (rec(vmi.status).nodeName !== node) continue;
      const uid = vmi.metadata.uid!;
      if (guestAlive(uid)) guests.destroy(uid, 'Destroyed');
    }
  }

  async function heal(f: KubeObject, s: Spec): Promise<void> {
    const status = rec(f.status) as FaultStatus;
    let healed = false;
    if (s.type === 'ServiceStop' && status.appliedTo && guests && guestAlive(status.appliedTo)) {
      guests.startService(status.appliedTo, s.service!);
      healed = true;
    }
    let current = f;
    if (status.phase !== 'Cleared') {
      const message = clearedMessage(s, healed);
      current = await writeStatus(f, { phase: 'Cleared', clearedAt: rfc3339(clock.now()), message });
      await recorder.event(f, 'Normal', Reason.Cleared, message);
    }
    const next = jsonClone(current);
    next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((x) => x !== HEAL_FINALIZER);
    await client.update(FAULTS, next);
  }

  async function activate(f: KubeObject, s: Spec, extra: FaultStatus = {}): Promise<void> {
    const status = rec(f.status) as FaultStatus;
    const message = activeMessage(s);
    if (status.phase === 'Active' && status.message === message && (extra.appliedTo === undefined || status.appliedTo === extra.appliedTo)) return;
    await writeStatus(f, { phase: 'Active', activatedAt: status.activatedAt ?? rfc3339(clock.now()), message, ...extra });
    await recorder.event(f, 'Normal', Reason.Activated, message);
  }

  async function applyGuestFault(f: KubeObject, s: Spec): Promise<void> {
    const status = rec(f.status) as FaultStatus;
    // A guest fault is one event: it hits the guest running when it is applied, not the VMIs that replace it.
    if (status.appliedTo) return;
    const vmi = client.get(VMIS, s.target!.namespace, s.target!.name!);
    const uid = vmi?.metadata.uid;
    if (!uid || !guests || !guestAlive(uid)) {
      const message = `Waiting for VirtualMachineInstance ${vmiRef(s)} to run`;
      if (status.phase !== 'Pending' || status.message !== message) {
        await writeStatus(f, { phase: 'Pending', message });
        await recorder.event(f, 'Normal', Reason.Waiting, message);
      }
      return;
    }
    if (s.type === 'ServiceStop') guests.stopService(uid, s.service!);
    else if (s.type === 'GuestKernelHang') guests.hangKernel(uid);
    else if (s.type === 'GuestCrash') guests.crash(uid);
    await activate(f, s, { appliedTo: uid });
  }

  async function reconcile(name: string): Promise<ReconcileResult | void> {
    const f = client.get(FAULTS, undefined, name);
    if (!f) return;
    const s = faultSpec(f);
    try {
      if (f.metadata.deletionTimestamp) {
        if ((f.metadata.finalizers ?? []).includes(HEAL_FINALIZER)) await heal(f, s);
        return;
      }
      if (!(f.metadata.finalizers ?? []).includes(HEAL_FINALIZER)) {
        const next = jsonClone(f);
        next.metadata.finalizers = [...(next.metadata.finalizers ?? []), HEAL_FINALIZER];
        await client.update(FAULTS, next);
        return;
      }
      if (isGuestFaultType(s.type)) {
        await applyGuestFault(f, s);
        return;
      }
      if (s.type === 'NodePowerOff') powerOffGuests(s.target!.name!);
      await activate(f, s);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
  }

  /** Faults a VMI change matters to: those aimed at it, and power-offs of the node it runs on. */
  function faultsFor(vmi: KubeObject): string[] {
    const node = rec(vmi.status).nodeName;
    return client.list(FAULTS).filter((f) => {
      const s = faultSpec(f);
      if (s.target?.kind === 'VirtualMachineInstance') return s.target.namespace === vmi.metadata.namespace && s.target.name === vmi.metadata.name;
      return s.type === 'NodePowerOff' && s.target?.name === node;
    }).map((f) => f.metadata.name!);
  }

  return {
    name: 'fault',
    watches: [
      { resource: FAULTS, map: (f) => [f.metadata.name!] },
      { resource: VMIS, map: faultsFor },
    ],
    reconcile,
  };
}
