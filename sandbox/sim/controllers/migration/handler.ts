// virt-handler's part of a live migration (migration-target.go and
// migration-source.go), for every node at once. Once virt-controller has handed
// a migration to the VMI (status.migrationState with this migration's target
// pod and node), the target handler opens its listener (targetNodeAddress),
// the source handler starts the transfer (startTimestamp, mode PreCopy), and
// after a transfer time on the cluster clock — memory over an assumed
// bandwidth — the target handler acknowledges the completion: the VMI now
// runs on the target node (status.nodeName, label kubevirt.io/nodeName,
// interfaces from the target pod) and is no longer marked for evacuation. The
// source virt-launcher then exits, so its pod completes (written through
// pods/status, standing in for the source kubelet reporting the exit). The
// guest keeps running: nothing is rebooted. An abort request (the VMIM was
// deleted while running) stops the transfer instead, and the target launcher exits.
//
// Each step is taken by the virt-handler of one node, and only while that
// node's agents run and reach the API server (faults/queries.ts): a dead or
// cut-off source never starts the transfer, so the migration waits in
// TargetReady (the target side prepared alone) with no timeout — progressTimeout
// and completionTimeoutPerGiB are watched by the source virt-launcher, which
// only starts timing once the source handler hands it the migration. A
// transfer whose source stops answering mid-way is broken: the incoming QEMU
// fails, the target virt-launcher exits, and virt-controller fails the
// migration for the target pod shutdown; the VMI stays where it was. A dead
// target is simpler than upstream: nothing starts or completes until it is back
// or its pod is gone (the source's own failure report is not modelled).

import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import { rfc3339 } from '../../api/age.ts';
import { parseQuantity } from '../../kinds/core/quantity.ts';
import type { Controller, ReconcileResult } from '../../runtime/controller.ts';
import { keyOf, splitKey } from '../../runtime/controller.ts';
import type { ControllerDeps } from '../types.ts';
import { podIsDownOrGoingDown, podIsDown, vmiIsFinal, vmiMigrationState, type MigrationState } from './phase.ts';
import { VMI_RESOURCE, patchVmi } from './vmi-patch.ts';
import { faultNode, nodeAgentsReportIn } from '../../faults/queries.ts';
import { FAULTS } from '../../kinds/sim/fault.ts';
import { jsonClone } from '../../api/json-clone.ts';

export const EVENT_SOURCE = 'virt-handler';
/** Seconds the target virt-handler needs to start the migration proxy (listener). */
export const TARGET_PREPARE_SECONDS = 1;
/** Seconds the source needs to tear down an aborted transfer. */
export const ABORT_SECONDS = 1;
/** Assumed transfer rate of a pre-copy migration (bandwidthPerMigration 0 = unlimited; this is the network). */
export const MIGRATION_BYTES_PER_SECOND = 512 * 1024 * 1024;
/** Fixed cost of a migration: connection, device state, final switch-over. */
export const MIGRATION_SETUP_SECONDS = 1;
const DEFAULT_GUEST_MEMORY = 1024 * 1024 * 1024;

export const Reason = {
  PreparingTarget: 'PreparingTarget',
  Migrating: 'Migrating',
  Migrated: 'Migrated',
} as const;

export const Message = {
  migrating: 'VirtualMachineInstance is migrating.',
  aborting: 'VirtualMachineInstance is aborting migration.',
  abortedReason: 'Live migration has been aborted',
} as const;

type Json = Record<string, unknown>;

function obj(v: unknown): Json {
  return isPlainObject(v) ? v : {};
}

/** Guest memory the transfer has to copy: the current guest memory, else what the spec asks for. */
export function guestMemoryBytes(vmi: KubeObject): number {
  const domain = obj(obj(vmi.spec).domain);
  const candidates = [
    obj(obj(vmi.status).memory).guestCurrent,
    obj(domain.memory).guest,
    obj(obj(domain.resources).requests).memory,
    obj(obj(domain.resources).limits).memory,
  ];
  for (const c of candidates) {
    const v = parseQuantity(c);
    if (v !== undefined && v > 0) return v;
  }
  return DEFAULT_GUEST_MEMORY;
}

/** Seconds a pre-copy migration of this VMI takes: 3 s for 1 GiB, 5 s for 2 GiB. */
export function migrationTransferSeconds(vmi: KubeObject): number {
  return MIGRATION_SETUP_SECONDS + Math.ceil((guestMemoryBytes(vmi) / MIGRATION_BYTES_PER_SECOND) * 10) / 10;
}

/** The ports of the target's migration proxy, as {listener port: source port} (stable per migration). */
export function migrationProxyPorts(migrationUid: string): Record<string, number> {
  let h = 0;
  for (const ch of migrationUid) h = (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0;
  const base = 32768 + (h % 20000);
  return { [String(base)]: 0, [String(base + 1 + ((h >>> 8) % 7))]: 49152, [String(base + 9 + ((h >>> 16) % 13))]: 49153 };
}

function nodeAddress(node: KubeObject | undefined): string {
  const addrs = obj(node?.status).addresses;
  const ip = (Array.isArray(addrs) ? addrs.map(obj) : []).find((a) => a.type === 'InternalIP')?.address;
  return typeof ip === 'string' ? ip : '';
}

function podIP(pod: KubeObject | undefined): string | undefined {
  const ip = obj(pod?.status).podIP;
  return typeof ip === 'string' && ip !== '' ? ip : undefined;
}

/** The pod status a kubelet reports once every container exited 0. */
export function completedPodStatus(pod: KubeObject, now: number): Json {
  const t = rfc3339(now);
  const status = jsonClone(obj(pod.status));
  const conds = (Array.isArray(status.conditions) ? status.conditions.map(obj) : []).map((c) => {
    if (c.type === 'Ready' || c.type === 'ContainersReady') return { ...c, status: 'False', reason: 'PodCompleted', lastTransitionTime: t };
    if (c.type === 'PodReadyToStartContainers') return { ...c, status: 'False', lastTransitionTime: t };
    return c;
  });
  const statuses = (Array.isArray(status.containerStatuses) ? status.containerStatuses.map(obj) : []).map((c) => {
    const running = obj(obj(c.state).running);
    return {
      ...c, ready: false, started: false,
      state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: running.startedAt ?? t, finishedAt: t, ...(c.containerID ? { containerID: c.containerID } : {}) } },
    };
  });
  return { ...status, phase: 'Succeeded', conditions: conds, containerStatuses: statuses };
}

export function migrationHandlerController(deps: ControllerDeps): Controller {
  const { client, clock } = deps;
  /** When the target handler first saw a handed-off migration (its proxy start), by migration UID. */
  const preparingSince = new Map<string, number>();

  const recorderFor = (host: string | undefined) => deps.recorder({ component: EVENT_SOURCE, host });

  /** The virt-handler (and kubelet) of that node run and reach the API server: only then does it act. */
  const handlerUp = (node: string | undefined): boolean => !!node && nodeAgentsReportIn(client, node);

  function launcherPod(vmi: KubeObject, name: string | undefined): KubeObject | undefined {
    if (!name) return undefined;
    const pod = client.get('pods', vmi.metadata.namespace, name);
    return pod && (pod.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === vmi.metadata.uid) ? pod : undefined;
  }

  /** A launcher process exited: report its pod as completed (what its kubelet would write). */
  async function launcherExited(pod: KubeObject | undefined): Promise<void> {
    if (!pod || podIsDown(pod) || pod.metadata.deletionTimestamp) return;
    await client.updateStatus('pods', { ...jsonClone(pod), status: completedPodStatus(pod, clock.now()) });
  }

  async function patchState(vmi: KubeObject, ms: MigrationState, change: (s: MigrationState, status: Json, draft: KubeObject) => void): Promise<KubeObject> {
    return patchVmi(client, vmi, (d) => {
      const status = obj(d.status);
      d.status = status;
      const s = { ...obj(status.migrationState) } as MigrationState;
      change(s, status, d);
      status.migrationState = s;
    }, [{ op: 'test', path: '/status/migrationState/migrationUid', value: ms.migrationUid }]);
  }

  /** ackMigrationCompletion on the target: the VMI now lives on the target node. */
  async function complete(vmi: KubeObject, ms: MigrationState, target: KubeObject, now: number): Promise<void> {
    const t = rfc3339(now);
    const targetNode = ms.targetNode!;
    const sourceIP = podIP(launcherPod(vmi, ms.sourcePod));
    const targetIP = podIP(target);
    const pods = client.list('pods', vmi.metadata.namespace).filter((p) => (p.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === vmi.metadata.uid));
    await patchState(vmi, ms, (s, status, d) => {
      s.completed = true;
      s.endTimestamp = t;
      s.targetNodeDomainDetected = true;
      s.targetNodeDomainReadyTimestamp ??= t;
      status.nodeName = targetNode;
      d.metadata.labels = { ...(d.metadata.labels ?? {}), 'kubevirt.io/nodeName': targetNode };
      if (d.metadata.annotations?.['kubevirt.io/eviction-source'] !== undefined) {
        const { ['kubevirt.io/eviction-source']: _gone, ...rest } = d.metadata.annotations;
        d.metadata.annotations = rest;
      }
      delete status.evacuationNodeName;
      if (Array.isArray(status.conditions)) status.conditions = status.conditions.filter((c) => obj(c).type !== 'EvictionRequested');
      status.migrationTransport = 'Unix';
      status.activePods = Object.fromEntries(pods.map((p) => [p.metadata.uid!, String(obj(p.spec).nodeName ?? '')]));
      // The pod network IP follows the launcher pod (masquerade: the VMI reports the pod IP).
      if (targetIP && Array.isArray(status.interfaces)) {
        status.interfaces = status.interfaces.map((raw) => {
          const i = obj(raw);
          if (!sourceIP || i.ipAddress !== sourceIP) return i;
          return { ...i, ipAddress: targetIP, ipAddresses: [targetIP, ...(Array.isArray(i.ipAddresses) ? i.ipAddresses.filter((a) => a !== sourceIP && a !== targetIP) : [])] };
        });
      }
    });
    // The guest keeps running, now reached through the target launcher pod.
    if (targetIP) deps.guests.migrated?.(vmi.metadata.uid!, targetIP, targetNode);
    await recorderFor(targetNode).event(vmi, 'Normal', Reason.Migrated, `The VirtualMachineInstance migrated to node ${targetNode}.`);
    // The domain is gone from the source: its virt-launcher exits.
    await launcherExited(launcherPod(vmi, ms.sourcePod));
  }

  async function reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const vmi = client.get(VMI_RESOURCE, namespace, name);
    if (!vmi) return;
    const ms = vmiMigrationState(vmi);
    if (!ms?.migrationUid || vmiIsFinal(vmi)) return;
    const uid = ms.migrationUid;
    const now = clock.now();
    const target = launcherPod(vmi, ms.targetPod);

    if (ms.completed) {
      preparingSince.delete(uid);
      // A failed migration leaves no domain on the target: its launcher exits too.
      if (ms.failed && target && handlerUp(ms.targetNode) && (obj(vmi.status).nodeName !== ms.targetNode)) await launcherExited(target);
      return;
    }

    const sourceUp = handlerUp(ms.sourceNode);
    const targetUp = handlerUp(ms.targetNode);

    if (ms.abortRequested) {
      // Aborting is the source's job; a source that cannot act leaves the request standing.
      if (!sourceUp) return;
      const source = recorderFor(ms.sourceNode);
      if (ms.abortStatus === undefined) {
        await patchState(vmi, ms, (s) => { s.abortStatus = 'Aborting'; });
        await source.event(vmi, 'Normal', Reason.Migrating, Message.aborting);
        return { requeueAfter: ABORT_SECONDS };
      }
      if (ms.abortStatus === 'Aborting') {
        const t = rfc3339(now);
        await patchState(vmi, ms, (s) => {
          s.abortStatus = 'Succeeded';
          s.failed = true;
          s.completed = true;
          s.startTimestamp ??= t;
          s.endTimestamp = t;
          s.failureReason ??= Message.abortedReason;
        });
        await source.event(vmi, 'Warning', Reason.Migrated, `VirtualMachineInstance migration uid ${uid} failed. reason:${Message.abortedReason}`);
        if (targetUp) await launcherExited(target);
      }
      return;
    }

    // A VMI being deleted is shutting down, not moving; without a live target pod there is
    // nothing to migrate to. virt-controller fails the migration in both cases.
    if (vmi.metadata.deletionTimestamp) return;
    if (!target || podIsDownOrGoingDown(target) || obj(target.spec).nodeName !== ms.targetNode) return;

    if (!ms.targetNodeAddress) {
      // The target prepares on its own: a dead source does not keep it from listening.
      if (!targetUp) return;
      let since = preparingSince.get(uid);
      if (since === undefined) {
        since = now;
        preparingSince.set(uid, now);
      }
      const due = clock.deadline(since, TARGET_PREPARE_SECONDS);
      if (now < due) return { requeueAfter: clock.simSecondsUntil(due) };
      const address = nodeAddress(client.get('nodes', undefined, ms.targetNode!));
      const ports = migrationProxyPorts(uid);
      await patchState(vmi, ms, (s) => {
        s.targetNodeAddress = address;
        s.targetDirectMigrationNodePorts = ports;
      });
      await recorderFor(ms.targetNode).event(vmi, 'Normal', Reason.PreparingTarget, `Migration Target is listening at ${address}, on ports: ${Object.keys(ports).join(',')}`);
      return;
    }

    if (!ms.startTimestamp) {
      // Only the source virt-handler starts the transfer, through its migration proxy to the
      // target's. Until both answer nothing starts and nothing times out (see the header).
      if (!sourceUp || !targetUp) return;
      await patchState(vmi, ms, (s) => {
        s.startTimestamp = rfc3339(now);
        s.mode = 'PreCopy';
        s.migrationNetworkType = 'Pod';
      });
      await recorderFor(ms.sourceNode).event(vmi, 'Normal', Reason.Migrating, Message.migrating);
      return { requeueAfter: migrationTransferSeconds(vmi) };
    }

    if (!sourceUp || !targetUp) {
      // The stream broke mid-way: the incoming QEMU gives up and the target launcher exits
      // (if its node can still say so); virt-controller then fails the migration.
      if (targetUp) await launcherExited(target);
      return;
    }
    const done = clock.deadline(Date.parse(ms.startTimestamp), migrationTransferSeconds(vmi));
    if (now < done) return { requeueAfter: clock.simSecondsUntil(done) };
    await complete(vmi, ms, target, now);
  }

  return {
    name: 'migration-handler',
    watches: [
      {
        resource: VMI_RESOURCE,
        map: (vmi) => {
          const ms = vmiMigrationState(vmi);
          return ms?.migrationUid && (!ms.completed || ms.failed) ? [keyOf(vmi)] : [];
        },
      },
      {
        // Node agents stopping or coming back (faults) on either end of a migration.
        resource: FAULTS,
        map: (f) => {
          const node = faultNode(f);
          if (!node) return [];
          return client.list(VMI_RESOURCE).filter((v) => {
            const ms = vmiMigrationState(v);
            return !!ms?.migrationUid && (!ms.completed || !!ms.failed) && (ms.sourceNode === node || ms.targetNode === node);
          }).map(keyOf);
        },
      },
      {
        // Target pods starting or going away.
        resource: 'pods',
        map: (pod) => {
          if (pod.metadata.labels?.['kubevirt.io/migrationJobUID'] === undefined) return [];
          const vmiName = pod.metadata.annotations?.['kubevirt.io/domain'];
          return vmiName ? [`${pod.metadata.namespace}/${vmiName}`] : [];
        },
      },
    ],
    reconcile,
  };
}
