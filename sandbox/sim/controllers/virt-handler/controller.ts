// virt-handler, for every node at once (reference §2.1–2.3, §4, §5.5): starts
// the domain of a VMI scheduled on its node once the launcher pod runs, moves
// the VMI to Running, reports what the domain and guest agent show
// (interfaces, AgentConnected, LiveMigratable, guest OS, volumes), maps a
// stopped domain to Succeeded or Failed, pauses and unpauses the domain as the
// VMI's Paused condition asks, and shuts the guest down gracefully when the
// VMI or its launcher pod is deleted (destroying it after the grace period).
// Nothing is done for VMIs on a node whose kubelet or virt-handler is down.

import type { KubeObject } from '../../api/object.ts';
import { rfc3339 } from '../../api/age.ts';
import type { Controller, ReconcileResult } from '../../runtime/controller.ts';
import { keyOf, splitKey } from '../../runtime/controller.ts';
import { jsonEqual } from '../../kinds/kubevirt/vmi-spec-schema.ts';
import type { BootOptions, GuestInfo } from '../../guest/types.ts';
import { faultNode, nodeAgentsReportIn } from '../../faults/queries.ts';
import { FAULTS } from '../../kinds/sim/fault.ts';
import type { EventRecorder } from '../../runtime/events.ts';
import type { ControllerDeps } from '../types.ts';
import {
  acpiEnabled, bootImage, domainAlive, domainPhase, guestOsInfo, interfaceStatuses, machineStatus, Message, Phase, phaseEvent, Reason,
  userDataFromSecret, userDataSecretName, volumeStatuses,
} from './domain.ts';
import { migratability } from './migratable.ts';
import { jsonClone } from '../../api/json-clone.ts';
import { ignoringHeartbeats } from '../../runtime/heartbeats.ts';

const VMI_RESOURCE = 'kubevirt.io/virtualmachineinstances';
export const EVENT_SOURCE = 'virt-handler';
/** Seconds from Scheduled until virt-launcher has defined and started the domain. */
export const DOMAIN_START_SECONDS = 2;
/** Re-check interval for live guests when guest changes cannot be pushed to the queue. */
export const GUEST_POLL_SECONDS = 1;
const DEFAULT_GRACE_SECONDS = 30;
const LAUNCHER_LABEL = 'kubevirt.io';
const LAUNCHER_LABEL_VALUE = 'virt-launcher';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime: string | null;
  lastTransitionTime: string | null;
}

interface VmiStatus {
  phase?: string;
  nodeName?: string;
  conditions?: Condition[];
  phaseTransitionTimestamps?: { phase: string; phaseTransitionTimestamp: string }[];
  [k: string]: unknown;
}

function upsert(list: Condition[], cond: Condition): Condition[] {
  const i = list.findIndex((c) => c.type === cond.type);
  if (i < 0) return [...list, cond];
  const cur = list[i];
  if (cur.status === cond.status && (cur.reason ?? '') === (cond.reason ?? '') && (cur.message ?? '') === (cond.message ?? '')) return list;
  const out = [...list];
  out[i] = cond;
  return out;
}

function statusOf(o: KubeObject): VmiStatus {
  return (o.status ?? {}) as VmiStatus;
}

function podPhase(p: KubeObject): string | undefined {
  return (p.status as { phase?: string } | undefined)?.phase;
}

function graceSeconds(vmi: KubeObject): number {
  const g = (vmi.spec as { terminationGracePeriodSeconds?: number } | undefined)?.terminationGracePeriodSeconds;
  return typeof g === 'number' && g >= 0 ? g : DEFAULT_GRACE_SECONDS;
}

function enteredPhaseAt(vmi: KubeObject, phase: string): number | undefined {
  const list = statusOf(vmi).phaseTransitionTimestamps ?? [];
  for (let i = list.length - 1; i >= 0; i--) {
    if (list[i].phase === phase) return Date.parse(list[i].phaseTransitionTimestamp);
  }
  return undefined;
}

function isPaused(vmi: KubeObject): boolean {
  return (statusOf(vmi).conditions ?? []).some((c) => c.type === 'Paused' && c.status === 'True');
}

export function virtHandlerController(deps: ControllerDeps): Controller {
  const { client, clock } = deps;
  const { guests } = deps;
  /** VMI key by UID, for guest notifications and clean-up of vanished VMIs. */
  const keyByUid = new Map<string, string>();
  const uidByKey = new Map<string, string>();
  /** When the graceful shutdown of a domain was signalled (its local grace-period bookkeeping). */
  const shutdownSignalled = new Map<string, number>();
  let pushed = false;
  /** One recorder per node, as each node runs its own virt-handler (repeats bump an Event's count). */
  const recorders = new Map<string, EventRecorder>();
  const recorderFor = (node: string): EventRecorder => {
    let r = recorders.get(node);
    if (!r) {
      r = deps.recorder({ component: EVENT_SOURCE, host: node });
      recorders.set(node, r);
    }
    return r;
  };

  function remember(key: string, uid: string): void {
    const old = uidByKey.get(key);
    if (old && old !== uid) forget(old, true);
    uidByKey.set(key, uid);
    keyByUid.set(uid, key);
  }

  function forget(uid: string, destroy: boolean): void {
    if (destroy && domainAlive(guests.get(uid))) guests.destroy(uid, 'Destroyed');
    if (destroy) guests.forget?.(uid);
    const key = keyByUid.get(uid);
    if (key && uidByKey.get(key) === uid) uidByKey.delete(key);
    keyByUid.delete(uid);
    shutdownSignalled.delete(uid);
  }

  /** The launcher pod of the VMI on its node (the one not going away first). */
  function launcherPod(vmi: KubeObject, nodeName: string): KubeObject | undefined {
    const pods = client.list('pods', vmi.metadata.namespace).filter((p) =>
      (p.metadata.ownerReferences ?? []).some((r) => r.controller === true && r.uid === vmi.metadata.uid)
      && (p.spec as { nodeName?: string }).nodeName === nodeName);
    return pods.find((p) => !p.metadata.deletionTimestamp) ?? pods[0];
  }

  function pvc(namespace: string | undefined) {
    return (claim: string): KubeObject | undefined => client.get('persistentvolumeclaims', namespace, claim);
  }

  /** What boot() needs beyond the VMI: user data from a Secret, a boot image from a DataVolume. */
  function bootOptions(vmi: KubeObject): BootOptions {
    const ns = vmi.metadata.namespace;
    const opts: BootOptions = {};
    const secret = userDataSecretName(vmi);
    const userData = secret ? userDataFromSecret(client.get('secrets', ns, secret)) : undefined;
    if (userData !== undefined) opts.userData = userData;
    const owner = (vmi.metadata.ownerReferences ?? []).find((r) => r.controller === true && r.kind === 'VirtualMachine');
    const vm = owner ? client.get('kubevirt.io/virtualmachines', ns, owner.name) : undefined;
    const image = bootImage(vmi, vm?.metadata.uid === owner?.uid ? vm : undefined, pvc(ns));
    if (image) opts.image = image;
    return opts;
  }

  /** Graceful stop: ACPI shutdown once, destroy when the grace period is over. Returns seconds to wait. */
  async function gracefulStop(vmi: KubeObject, guest: GuestInfo, recorder: EventRecorder): Promise<number | undefined> {
    const uid = vmi.metadata.uid!;
    const grace = graceSeconds(vmi);
    const now = clock.now();
    let since = shutdownSignalled.get(uid);
    if (since === undefined) {
      since = now;
      shutdownSignalled.set(uid, now);
      if (grace > 0) {
        guests.shutdown(uid);
        await recorder.event(vmi, 'Normal', Reason.ShuttingDown, Message.ShuttingDown);
      }
    }
    const deadline = clock.deadline(since, grace);
    if (now >= deadline) {
      if (domainAlive(guests.get(uid))) guests.destroy(uid, 'Destroyed');
      return undefined;
    }
    return domainAlive(guest) ? clock.simSecondsUntil(deadline) : undefined;
  }

  async function reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const vmi = client.get(VMI_RESOURCE, namespace, name);
    if (!vmi) {
      // The VMI is gone: its domain cannot outlive it.
      const uid = uidByKey.get(key);
      if (uid) forget(uid, true);
      return;
    }
    const uid = vmi.metadata.uid!;
    const status = statusOf(vmi);
    const phase = status.phase ?? '';
    const nodeName = status.nodeName;
    if (!nodeName) return;
    // virt-handler down (or cut off from the API server) on that node: nobody reports for it.
    if (!nodeAgentsReportIn(client, nodeName)) return;
    remember(key, uid);

    if (phase === Phase.Succeeded || phase === Phase.Failed) {
      // A final VMI has no domain (its launcher is gone or going).
      if (domainAlive(guests.get(uid))) guests.destroy(uid, 'Destroyed');
      shutdownSignalled.delete(uid);
      return;
    }
    if (phase !== Phase.Scheduled && phase !== Phase.Running) return;

    const recorder = recorderFor(nodeName);
    const now = clock.now();
    const deleting = vmi.metadata.deletionTimestamp !== undefined;
    const pod = launcherPod(vmi, nodeName);
    const podRunning = pod !== undefined && podPhase(pod) === 'Running';
    const podIP = (pod?.status as { podIP?: string } | undefined)?.podIP;
    let guest = guests.get(uid);
    let requeue: number | undefined;

    // ---- act on the domain ----
    if (!pod || podPhase(pod) === 'Succeeded' || podPhase(pod) === 'Failed') {
      // virt-launcher is gone, and the domain with it.
      if (domainAlive(guest)) guests.destroy(uid, 'Destroyed');
    } else if (phase === Phase.Scheduled && !guest) {
      if (deleting || pod.metadata.deletionTimestamp || !podRunning || !podIP) return;
      const due = clock.deadline(enteredPhaseAt(vmi, Phase.Scheduled) ?? now, DOMAIN_START_SECONDS);
      if (now < due) return { requeueAfter: clock.simSecondsUntil(due) };
      guests.boot(vmi, podIP, bootOptions(vmi));
    } else if (domainAlive(guest) && (deleting || pod.metadata.deletionTimestamp)) {
      requeue = await gracefulStop(vmi, guest, recorder);
    } else if (domainAlive(guest)) {
      if (isPaused(vmi) && (guest.state === 'Running' || guest.state === 'Booting')) guests.pause(uid);
      else if (!isPaused(vmi) && guest.state === 'Paused') guests.unpause(uid);
    }
    guest = guests.get(uid);

    // ---- report ----
    let nextPhase = domainPhase(phase, guest, acpiEnabled(vmi));
    // Only the launcher pod was deleted: virt-launcher took the domain down on its way out, not a
    // shutdown of the VMI. Its end is the pod's disappearance, which virt-controller reports as Failed (§2.1).
    if (nextPhase === Phase.Succeeded && !deleting && pod?.metadata.deletionTimestamp !== undefined) nextPhase = phase;
    const next = jsonClone(vmi) as KubeObject;
    const st = statusOf(next);
    next.status = st;
    let conds = [...(st.conditions ?? [])];
    if (nextPhase === Phase.Running) {
      const agent = domainAlive(guest) && guest.agentConnected;
      st.interfaces = interfaceStatuses(vmi, podIP ?? guest?.ip, agent);
      st.guestOSInfo = guestOsInfo(guest, agent);
      st.machine = machineStatus(vmi);
      st.volumeStatus = volumeStatuses(vmi, pvc(namespace));
      const m = migratability(vmi, pvc(namespace));
      conds = upsert(conds, m.condition);
      st.migrationMethod = m.method;
      if (agent) conds = upsert(conds, { type: 'AgentConnected', status: 'True', lastProbeTime: rfc3339(now), lastTransitionTime: null });
      else conds = conds.filter((c) => c.type !== 'AgentConnected');
    } else if (nextPhase === Phase.Succeeded || nextPhase === Phase.Failed) {
      conds = conds.filter((c) => c.type !== 'AgentConnected');
    }
    st.conditions = conds;
    if (nextPhase !== phase) {
      st.phase = nextPhase;
      st.phaseTransitionTimestamps = [...(st.phaseTransitionTimestamps ?? []), { phase: nextPhase, phaseTransitionTimestamp: rfc3339(now) }];
    }
    if (!jsonEqual(vmi.status, next.status)) {
      const written = await client.update(VMI_RESOURCE, next);
      const ev = phaseEvent(phase, nextPhase);
      if (ev) await recorder.event(written, ev.type, ev.reason, ev.message);
    }
    if (nextPhase === Phase.Succeeded || nextPhase === Phase.Failed) shutdownSignalled.delete(uid);

    if (!pushed && domainAlive(guest) && nextPhase === Phase.Running) {
      requeue = Math.min(requeue ?? GUEST_POLL_SECONDS, GUEST_POLL_SECONDS);
    }
    return requeue !== undefined ? { requeueAfter: requeue } : undefined;
  }

  const vmisOnNode = (nodeName: string | undefined): string[] =>
    client.list(VMI_RESOURCE).filter((v) => statusOf(v).nodeName === nodeName).map(keyOf);

  return {
    name: 'virt-handler',
    watches: [
      { resource: VMI_RESOURCE, map: (o) => [keyOf(o)] },
      {
        resource: 'pods',
        map: (p) => {
          if (p.metadata.labels?.[LAUNCHER_LABEL] !== LAUNCHER_LABEL_VALUE) return [];
          const owner = (p.metadata.ownerReferences ?? []).find((r) => r.controller === true && r.kind === 'VirtualMachineInstance');
          return owner ? [`${p.metadata.namespace}/${owner.name}`] : [];
        },
      },
      // Node and fault changes (agents stopping or coming back) and PVC changes (LiveMigratable) re-check the VMIs concerned.
      ignoringHeartbeats({ resource: 'nodes', map: (n) => vmisOnNode(n.metadata.name) }),
      { resource: FAULTS, map: (f) => { const node = faultNode(f); return node ? vmisOnNode(node) : []; } },
      {
        resource: 'persistentvolumeclaims',
        map: (c) => client.list(VMI_RESOURCE, c.metadata.namespace).filter((v) =>
          ((v.spec as { volumes?: { persistentVolumeClaim?: { claimName?: string }; dataVolume?: { name?: string } }[] }).volumes ?? [])
            .some((vol) => vol.persistentVolumeClaim?.claimName === c.metadata.name || vol.dataVolume?.name === c.metadata.name)).map(keyOf),
      },
    ],
    sources: [(enqueue) => {
      pushed = true;
      return guests.onChange((uid) => {
        const known = keyByUid.get(uid);
        const vmi = known === undefined ? client.list(VMI_RESOURCE).find((v) => v.metadata.uid === uid) : undefined;
        const key = known ?? (vmi ? keyOf(vmi) : undefined);
        if (key !== undefined) enqueue(key);
      });
    }],
    reconcile,
  };
}
