// virt-controller's migration controller: drives a VirtualMachineInstanceMigration
// through its local phases. It creates the target virt-launcher pod, hands the
// migration to virt-handler through the VMI's status.migrationState once that
// pod runs, watches for failures (VMI gone or final, target pod down, cancel by
// deleting the VMIM), removes the finalizer of finished migrations and keeps
// only the newest five finished ones per VMI. Moving the guest is virt-handler's
// part (handler.ts); this controller only reads its progress from the VMI.

import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import { rfc3339 } from '../../api/age.ts';
import type { Controller, ReconcileResult } from '../../runtime/controller.ts';
import { keyOf, splitKey } from '../../runtime/controller.ts';
import type { ControllerDeps } from '../types.ts';
import { MIGRATION_FINALIZER, MIGRATION_VMI_LABEL } from '../../kinds/kubevirt/index.ts';
import {
  ABORT_REQUESTED_CONDITION, CATCH_ALL_PENDING_TIMEOUT_SECONDS, Reason, UNSCHEDULABLE_PENDING_TIMEOUT_SECONDS,
  isFinalPhase, launcherPodReady, migrationBackoffSeconds, migrationIsRunning, migrationPhase, migrationsToCollect,
  nextMigrationStep, podIsDown, vmiMigrationState, vmiPhase,
  type MigrationPhase, type MigrationState,
} from './phase.ts';
import { VMI_RESOURCE, patchVmi } from './vmi-patch.ts';
import { jsonClone } from '../../api/json-clone.ts';

export const VMIM_RESOURCE = 'kubevirt.io/virtualmachineinstancemigrations';
export const MIGRATION_JOB_LABEL = 'kubevirt.io/migrationJobUID';
export const MIGRATION_JOB_NAME_ANNOTATION = 'kubevirt.io/migrationJobName';
export const MIGRATION_TARGET_NODE_LABEL = 'kubevirt.io/migrationTargetNodeName';
export const CREATED_BY_LABEL = 'kubevirt.io/created-by';
const APP_LABEL = 'kubevirt.io';
const HOSTNAME_LABEL = 'kubernetes.io/hostname';
const LATEST_API_ANNOTATION = 'kubevirt.io/latest-observed-api-version';
const STORAGE_API_ANNOTATION = 'kubevirt.io/storage-observed-api-version';

/** spec.configuration.migrations defaults of the KubeVirt CR. */
export const MIGRATION_CONFIG = {
  parallelMigrationsPerCluster: 5,
  parallelOutboundMigrationsPerNode: 2,
  bandwidthPerMigration: '0Mi',
  completionTimeoutPerGiB: 150,
  progressTimeout: 150,
  allowAutoConverge: false,
  allowPostCopy: false,
  allowWorkloadDisruption: false,
  unsafeMigrationOverride: false,
  nodeDrainTaintKey: 'kubevirt.io/drain',
  matchSELinuxLevelOnMigration: true,
} as const;

type Json = Record<string, unknown>;

function obj(v: unknown): Json {
  return isPlainObject(v) ? v : {};
}

function isControlledBy(pod: KubeObject, owner: KubeObject): boolean {
  return (pod.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === owner.metadata.uid);
}

function podNode(pod: KubeObject): string {
  const n = obj(pod.spec).nodeName;
  return typeof n === 'string' ? n : '';
}

function vmiNode(vmi: KubeObject): string {
  const n = obj(vmi.status).nodeName;
  return typeof n === 'string' ? n : '';
}

function created(o: KubeObject): number {
  return Date.parse(o.metadata.creationTimestamp ?? '') || 0;
}

/** CurrentVMIPod: the newest pod controlled by the VMI on its node (or the newest one before it has a node). */
export function currentVmiPod(vmi: KubeObject, pods: KubeObject[]): KubeObject | undefined {
  let cur: KubeObject | undefined;
  for (const p of pods) {
    if (!isControlledBy(p, vmi)) continue;
    if (vmiNode(vmi) !== '' && vmiNode(vmi) !== podNode(p)) continue;
    if (!cur || created(cur) < created(p)) cur = p;
  }
  return cur;
}

/** Pods controlled by the VMI that have not finished (VMIActivePodsCount). */
export function activeVmiPods(vmi: KubeObject, pods: KubeObject[]): KubeObject[] {
  return pods.filter((p) => isControlledBy(p, vmi) && !podIsDown(p));
}

/** status.activePods: every pod controlled by the VMI, pod UID → node. */
export function activePodsMap(vmi: KubeObject, pods: KubeObject[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pods) if (isControlledBy(p, vmi)) out[p.metadata.uid!] = podNode(p);
  return out;
}

/**
 * The migration target pod: the source launcher pod's spec without its node,
 * labelled with the migration UID, kept off the source node (required node
 * affinity on the hostname, plus KubeVirt's pod anti-affinity to the VMI's
 * other launcher pods), narrowed by spec.addedNodeSelector.
 */
export function renderTargetPod(source: KubeObject, migration: KubeObject, vmi: KubeObject): KubeObject {
  const spec = jsonClone(obj(source.spec));
  delete spec.nodeName;
  const sourceNode = podNode(source) || vmiNode(vmi);

  const affinity = obj(spec.affinity);
  const nodeAffinity = obj(affinity.nodeAffinity);
  const required = obj(nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution);
  const terms = Array.isArray(required.nodeSelectorTerms) && required.nodeSelectorTerms.length ? required.nodeSelectorTerms.map(obj) : [{}];
  const notSource = { key: HOSTNAME_LABEL, operator: 'NotIn', values: [sourceNode] };
  required.nodeSelectorTerms = terms.map((t) => ({ ...t, matchExpressions: [...(Array.isArray(t.matchExpressions) ? t.matchExpressions : []), notSource] }));
  nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = required;
  affinity.nodeAffinity = nodeAffinity;
  const antiAffinity = obj(affinity.podAntiAffinity);
  const antiTerms = Array.isArray(antiAffinity.requiredDuringSchedulingIgnoredDuringExecution) ? antiAffinity.requiredDuringSchedulingIgnoredDuringExecution : [];
  antiAffinity.requiredDuringSchedulingIgnoredDuringExecution = [
    ...antiTerms,
    { labelSelector: { matchLabels: { [CREATED_BY_LABEL]: vmi.metadata.uid } }, topologyKey: HOSTNAME_LABEL },
  ];
  affinity.podAntiAffinity = antiAffinity;
  spec.affinity = affinity;

  const added = obj(obj(migration.spec).addedNodeSelector) as Record<string, string>;
  spec.nodeSelector = { ...added, ...(obj(spec.nodeSelector) as Record<string, string>) };

  const vmiName = vmi.metadata.name!;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: source.metadata.generateName ?? `virt-launcher-${vmiName}-`,
      namespace: vmi.metadata.namespace,
      labels: { ...(source.metadata.labels ?? {}), [MIGRATION_JOB_LABEL]: migration.metadata.uid! },
      annotations: { ...(source.metadata.annotations ?? {}), [MIGRATION_JOB_NAME_ANNOTATION]: migration.metadata.name! },
      ownerReferences: jsonClone(source.metadata.ownerReferences ?? []),
    },
    spec,
  };
}

function isPendingUnschedulable(pod: KubeObject): boolean {
  if (obj(pod.status).phase !== 'Pending' || pod.metadata.deletionTimestamp) return false;
  const conds = obj(pod.status).conditions;
  return Array.isArray(conds) && conds.map(obj).some((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable');
}

/** Queue delay when the parallel-migration limits are reached (getRequeueDelayForPriority). */
function limitDelaySeconds(migration: KubeObject): number {
  const p = obj(migration.spec).priority;
  if (p === 'system-critical') return 1;
  if (p === 'user-triggered') return 3;
  return 5;
}

export function migrationController(deps: ControllerDeps): Controller {
  const { client, clock } = deps;
  const recorder = deps.recorder({ component: 'virtualmachine-controller' });

  const podsIn = (ns: string | undefined): KubeObject[] => client.list('pods', ns);
  const migrationsOf = (ns: string | undefined, vmiName: string): KubeObject[] =>
    client.list(VMIM_RESOURCE, ns).filter((m) => m.metadata.labels?.[MIGRATION_VMI_LABEL] === vmiName || obj(m.spec).vmiName === vmiName);

  function targetPodOf(m: KubeObject, vmi: KubeObject): KubeObject | undefined {
    return podsIn(vmi.metadata.namespace).find((p) => isControlledBy(p, vmi)
      && p.metadata.labels?.[MIGRATION_JOB_LABEL] === m.metadata.uid && p.metadata.labels?.[APP_LABEL] === 'virt-launcher');
  }

  /** canMigrateVMI: the VMI's migration state is free, ours, or belongs to a finished migration. */
  function otherMigrationActive(m: KubeObject, vmi: KubeObject): boolean {
    const ms = vmiMigrationState(vmi);
    if (!ms?.migrationUid || ms.migrationUid === m.metadata.uid) return false;
    const other = client.list(VMIM_RESOURCE, m.metadata.namespace).find((o) => o.metadata.uid === ms.migrationUid);
    return !!other && !isFinalPhase(migrationPhase(other));
  }

  async function deleteTargetPod(m: KubeObject, pod: KubeObject, message: string): Promise<void> {
    try {
      await client.delete('pods', pod.metadata.namespace, pod.metadata.name!);
    } catch (e) {
      await recorder.event(m, 'Warning', Reason.FailedDelete, `Error deleting canceled migration target pod: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
    await recorder.event(m, 'Normal', Reason.SuccessfulDelete, message);
  }

  /** Pending target pod timeouts (handlePendingPodTimeout). */
  async function pendingTimeout(m: KubeObject, vmi: KubeObject, pod: KubeObject): Promise<number | undefined> {
    if (obj(pod.status).phase !== undefined && obj(pod.status).phase !== 'Pending') return undefined;
    if (pod.metadata.deletionTimestamp) return undefined;
    const pending = Math.max(0, clock.elapsed(created(pod)) / 1000);
    const ref = `${pod.metadata.namespace}/${pod.metadata.name}`;
    let recheck: number | undefined;
    if (isPendingUnschedulable(pod)) {
      await recorder.event(m, 'Warning', Reason.MigrationTargetPodUnschedulable, `Migration target pod for VMI [${vmi.metadata.namespace}/${vmi.metadata.name}] is currently unschedulable.`);
      if (pending >= UNSCHEDULABLE_PENDING_TIMEOUT_SECONDS) {
        await deleteTargetPod(m, pod, `unschedulable pod ${ref} timeout period exceeded`);
        return undefined;
      }
      recheck = UNSCHEDULABLE_PENDING_TIMEOUT_SECONDS - pending;
    }
    if (pending >= CATCH_ALL_PENDING_TIMEOUT_SECONDS) {
      await deleteTargetPod(m, pod, `pending pod ${ref} timeout period exceeded`);
      return undefined;
    }
    return Math.min(recheck ?? Infinity, CATCH_ALL_PENDING_TIMEOUT_SECONDS - pending);
  }

  /** handleTargetPodCreation: wait for free slots, then create the target pod. */
  async function createTarget(m: KubeObject, vmi: KubeObject): Promise<number | undefined> {
    const pods = podsIn(vmi.metadata.namespace);
    const source = currentVmiPod(vmi, pods);
    if (!source) return undefined;
    if (activeVmiPods(vmi, pods).length > 1) return 1;
    const running = client.list(VMIM_RESOURCE).filter((o) => migrationIsRunning(migrationPhase(o)));
    if (running.length >= MIGRATION_CONFIG.parallelMigrationsPerCluster) return limitDelaySeconds(m);
    const outbound = running.filter((o) => {
      const v = client.get(VMI_RESOURCE, o.metadata.namespace, String(obj(o.spec).vmiName ?? ''));
      return v && vmiNode(v) === vmiNode(vmi);
    });
    if (outbound.length >= MIGRATION_CONFIG.parallelOutboundMigrationsPerNode) return limitDelaySeconds(m);
    if (vmiPhase(vmi) !== 'Running') return undefined;
    let pod: KubeObject;
    try {
      pod = await client.create('pods', renderTargetPod(source, m, vmi));
    } catch (e) {
      await recorder.event(vmi, 'Warning', Reason.FailedCreate, `Error creating pod: ${e instanceof Error ? e.message : String(e)}`);
      throw new Error(`failed to create vmi migration target pod: ${e instanceof Error ? e.message : String(e)}`);
    }
    await recorder.event(m, 'Normal', Reason.SuccessfulCreate, `Created migration target pod ${pod.metadata.name}`);
    return undefined;
  }

  /** handleTargetPodHandoff: tell the VMI (and so virt-handler) where it goes. */
  async function handOff(m: KubeObject, vmi: KubeObject, pod: KubeObject): Promise<void> {
    const ms = vmiMigrationState(vmi);
    if (ms && ms.migrationUid === m.metadata.uid) return;
    const sourcePod = obj(obj(m.status).migrationState).sourcePod;
    const state: MigrationState = {
      migrationUid: m.metadata.uid,
      targetNode: podNode(pod),
      sourceNode: vmiNode(vmi),
      targetPod: pod.metadata.name,
      ...(typeof sourcePod === 'string' ? { sourcePod } : {}),
      migrationConfiguration: {
        allowAutoConverge: MIGRATION_CONFIG.allowAutoConverge,
        allowPostCopy: MIGRATION_CONFIG.allowPostCopy,
        allowWorkloadDisruption: MIGRATION_CONFIG.allowWorkloadDisruption,
        bandwidthPerMigration: MIGRATION_CONFIG.bandwidthPerMigration,
        completionTimeoutPerGiB: MIGRATION_CONFIG.completionTimeoutPerGiB,
        nodeDrainTaintKey: MIGRATION_CONFIG.nodeDrainTaintKey,
        parallelMigrationsPerCluster: MIGRATION_CONFIG.parallelMigrationsPerCluster,
        parallelOutboundMigrationsPerNode: MIGRATION_CONFIG.parallelOutboundMigrationsPerNode,
        progressTimeout: MIGRATION_CONFIG.progressTimeout,
        unsafeMigrationOverride: MIGRATION_CONFIG.unsafeMigrationOverride,
      },
    };
    const pods = podsIn(vmi.metadata.namespace);
    await patchVmi(client, vmi, (d) => {
      const status = obj(d.status);
      d.status = status;
      status.migrationState = state;
      status.activePods = activePodsMap(vmi, pods);
      d.metadata.labels = { ...(d.metadata.labels ?? {}), [MIGRATION_TARGET_NODE_LABEL]: podNode(pod) };
    });
    await recorder.event(m, 'Normal', Reason.SuccessfulHandOver, 'Migration target pod is ready for preparation by virt-handler.');
  }

  /** handleMarkMigrationFailedOnVMI: the target went away before the migration started (or the job failed). */
  async function markFailedOnVmi(m: KubeObject, vmi: KubeObject): Promise<void> {
    const now = rfc3339(clock.now());
    await patchVmi(client, vmi, (d) => {
      const ms = obj(obj(d.status).migrationState);
      ms.failed = true;
      ms.completed = true;
      ms.endTimestamp ??= now;
      ms.startTimestamp ??= now;
      if (!ms.failureReason) ms.failureReason = 'Target pod is down';
    }, [{ op: 'test', path: '/status/migrationState/migrationUid', value: m.metadata.uid }]);
    await recorder.event(vmi, 'Warning', Reason.FailedMigration, `VirtualMachineInstance migration uid ${m.metadata.uid} failed. reason: Target pod is down`);
  }

  /** markMigrationAbortInVmiStatus: ask virt-handler to cancel a running migration. */
  async function requestAbort(m: KubeObject, vmi: KubeObject): Promise<void> {
    const ms = vmiMigrationState(vmi);
    if (!ms || ms.abortRequested) return;
    try {
      await patchVmi(client, vmi, (d) => { obj(obj(d.status).migrationState).abortRequested = true; },
        [{ op: 'test', path: '/status/migrationState/migrationUid', value: m.metadata.uid }]);
    } catch (e) {
      const msg = `failed to set MigrationState in VMI status. :${e instanceof Error ? e.message : String(e)}`;
      await recorder.event(m, 'Warning', Reason.FailedAbortMigration, msg);
      throw new Error(msg);
    }
    await recorder.event(m, 'Normal', Reason.SuccessfulAbortMigration, 'Migration is ready to be canceled by virt-handler.');
  }

  /** The actions of one pass (sync); returns seconds after which to look again. */
  async function sync(m: KubeObject, vmi: KubeObject, pod: KubeObject | undefined): Promise<number | undefined> {
    if (vmi.metadata.deletionTimestamp) return undefined;
    const ms = vmiMigrationState(vmi);
    const ours = ms !== undefined && ms.migrationUid === m.metadata.uid;
    if (ours && ms.completed) return undefined;
    const phase = migrationPhase(m);
    const deleting = !!m.metadata.deletionTimestamp;
    if (otherMigrationActive(m, vmi)) {
      if (isFinalPhase(phase)) return undefined;
      throw new Error('vmi is ineligible for migration because another migration job is running');
    }
    switch (phase) {
      case 'Pending': {
        if (deleting) {
          if (pod) await deleteTargetPod(m, pod, `migration canceled and pod ${pod.metadata.namespace}/${pod.metadata.name} is deleted`);
          return undefined;
        }
        const backoff = migrationBackoffSeconds(m, migrationsOf(m.metadata.namespace, vmi.metadata.name!), (t) => clock.elapsed(t));
        if (backoff > 0) {
          await recorder.event(vmi, 'Warning', Reason.MigrationBackoff, `backoff migrating vmi ${vmi.metadata.namespace}/${vmi.metadata.name}`);
          return backoff;
        }
        if (!pod) return createTarget(m, vmi);
        if (!launcherPodReady(pod)) return pendingTimeout(m, vmi, pod);
        return undefined;
      }
      case 'Scheduling':
        if (deleting) {
          if (pod) await deleteTargetPod(m, pod, `migration canceled and pod ${pod.metadata.namespace}/${pod.metadata.name} is deleted`);
          return undefined;
        }
        return pod ? pendingTimeout(m, vmi, pod) : undefined;
      case 'Scheduled':
        if (deleting && !ours) {
          if (pod) await deleteTargetPod(m, pod, `migration canceled and pod ${pod.metadata.namespace}/${pod.metadata.name} is deleted`);
          return undefined;
        }
        if (pod && launcherPodReady(pod)) await handOff(m, vmi, pod);
        return undefined;
      case 'PreparingTarget':
      case 'TargetReady':
        if (ours && (!pod || podIsDown(pod)) && !ms.startTimestamp && !ms.failed && !ms.completed) await markFailedOnVmi(m, vmi);
        return undefined;
      case 'Failed':
        if (ours && !ms.failed) await markFailedOnVmi(m, vmi);
        return undefined;
      case 'Running':
        if (deleting && ours) await requestAbort(m, vmi);
        return undefined;
      default:
        return undefined;
    }
  }

  /** Status of one pass (updateStatus): next phase, events, timestamps, source pod, finalizer. */
  async function updateStatus(m: KubeObject, vmi: KubeObject | undefined, pod: KubeObject | undefined): Promise<KubeObject> {
    const before = migrationPhase(m);
    const next = jsonClone(m);
    const status = obj(next.status);
    next.status = status;
    const now = rfc3339(clock.now());
    let phase: MigrationPhase = before;
    if (isFinalPhase(before)) {
      const ms = vmiMigrationState(vmi);
      if (ms && ms.migrationUid === m.metadata.uid) status.migrationState = jsonClone(ms);
      next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== MIGRATION_FINALIZER);
    } else {
      const step = nextMigrationStep({ migration: m, vmi, targetPod: pod, otherMigrationActive: vmi ? otherMigrationActive(m, vmi) : false });
      phase = step.phase;
      if (step.abortRequested) {
        const conds = Array.isArray(status.conditions) ? status.conditions : [];
        status.conditions = [...conds, { type: ABORT_REQUESTED_CONDITION, status: 'True', lastProbeTime: now, lastTransitionTime: null }];
      }
      if (step.event) await recorder.event(m, step.event.type, step.event.reason, step.event.message);
    }
    if (phase !== before) {
      status.phase = phase;
      const ts = Array.isArray(status.phaseTransitionTimestamps) ? status.phaseTransitionTimestamps.map(obj) : [];
      if (!ts.some((t) => t.phase === phase)) status.phaseTransitionTimestamps = [...ts, { phase, phaseTransitionTimestamp: now }];
    }
    // SetSourcePod: record the source pod while the migration is Pending.
    if (phase === 'Pending' && vmi) {
      const source = currentVmiPod(vmi, podsIn(vmi.metadata.namespace));
      if (source) status.migrationState = { ...obj(status.migrationState), sourcePod: source.metadata.name };
    }
    let stored = m;
    if (JSON.stringify(m.status ?? {}) !== JSON.stringify(next.status)) {
      stored = await client.updateStatus(VMIM_RESOURCE, { ...jsonClone(stored), status: next.status });
    }
    if (JSON.stringify(m.metadata.finalizers ?? []) !== JSON.stringify(next.metadata.finalizers ?? [])) {
      const finalizers = next.metadata.finalizers ?? [];
      stored = await client.update(VMIM_RESOURCE, { ...jsonClone(stored), metadata: { ...jsonClone(stored.metadata), finalizers } });
    }
    return stored;
  }

  /** garbageCollectFinalizedMigrations: keep the newest five finished migrations of the VMI. */
  async function collectFinalized(vmi: KubeObject): Promise<void> {
    for (const old of migrationsToCollect(migrationsOf(vmi.metadata.namespace, vmi.metadata.name!))) {
      const ms = obj(obj(old.status).migrationState);
      const podName = ms.failed ? ms.targetPod : ms.completed ? ms.sourcePod : undefined;
      if (typeof podName === 'string' && podName !== '') await client.delete('pods', vmi.metadata.namespace, podName);
      await client.delete(VMIM_RESOURCE, old.metadata.namespace, old.metadata.name!);
    }
  }

  async function reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const m = client.get(VMIM_RESOURCE, namespace, name);
    if (!m) return;
    const ann = m.metadata.annotations ?? {};
    if (ann[LATEST_API_ANNOTATION] === undefined && !m.metadata.deletionTimestamp && !isFinalPhase(migrationPhase(m))) {
      await client.update(VMIM_RESOURCE, {
        ...jsonClone(m),
        metadata: { ...jsonClone(m.metadata), annotations: { ...ann, [LATEST_API_ANNOTATION]: 'v1', [STORAGE_API_ANNOTATION]: 'v1' } },
      });
      return;
    }
    const vmiName = String(obj(m.spec).vmiName ?? '');
    const vmi = client.get(VMI_RESOURCE, namespace, vmiName);
    if (!vmi) {
      // A migration of a deleted VMI fails, lets go of its finalizer and is deleted.
      if (!isFinalPhase(migrationPhase(m)) || (m.metadata.finalizers ?? []).includes(MIGRATION_FINALIZER)) {
        await updateStatus(m, undefined, undefined);
        return;
      }
      if (!m.metadata.deletionTimestamp) await client.delete(VMIM_RESOURCE, namespace, name);
      return;
    }
    const pod = targetPodOf(m, vmi);
    let requeue: number | undefined;
    let syncError: unknown;
    try {
      requeue = await sync(m, vmi, pod);
    } catch (e) {
      syncError = e;
    }
    const fresh = client.get(VMIM_RESOURCE, namespace, name);
    if (!fresh || fresh.metadata.uid !== m.metadata.uid) return;
    const freshVmi = client.get(VMI_RESOURCE, namespace, vmiName);
    const stored = await updateStatus(fresh, freshVmi && freshVmi.metadata.uid === vmi.metadata.uid ? freshVmi : undefined, freshVmi ? targetPodOf(fresh, freshVmi) : undefined);
    if (syncError) throw syncError;
    if (isFinalPhase(migrationPhase(stored))) {
      if (freshVmi) await collectFinalized(freshVmi);
      return;
    }
    if (requeue !== undefined && requeue > 0) return { requeueAfter: requeue };
  }

  /** The migrations of a VMI that still need attention: unfinished, or finished but still holding the finalizer. */
  function migrationKeysForVmi(ns: string | undefined, vmiName: string | undefined, unfinishedOnly = false): string[] {
    if (!vmiName) return [];
    return migrationsOf(ns, vmiName)
      .filter((m) => !isFinalPhase(migrationPhase(m)) || (!unfinishedOnly && (m.metadata.finalizers ?? []).includes(MIGRATION_FINALIZER)))
      .map(keyOf);
  }

  return {
    name: 'migration',
    watches: [
      { resource: VMIM_RESOURCE, map: (m) => [keyOf(m)] },
      { resource: VMI_RESOURCE, map: (vmi) => migrationKeysForVmi(vmi.metadata.namespace, vmi.metadata.name) },
      {
        resource: 'pods',
        map: (pod) => {
          if (pod.metadata.labels?.[APP_LABEL] !== 'virt-launcher') return [];
          const jobUid = pod.metadata.labels?.[MIGRATION_JOB_LABEL];
          if (jobUid) {
            const m = client.list(VMIM_RESOURCE, pod.metadata.namespace).find((o) => o.metadata.uid === jobUid);
            if (m) return [keyOf(m)];
          }
          // A launcher pod finishing frees the VMI for its next migration.
          return migrationKeysForVmi(pod.metadata.namespace, pod.metadata.annotations?.['kubevirt.io/domain'], true);
        },
      },
    ],
    reconcile,
  };
}
