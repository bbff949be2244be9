// virt-controller's evacuation controller (drain/evacuation/evacuation.go).
// Keyed by node: for every VMI on the node that the eviction webhook marked
// (status.evacuationNodeName) — or for every VMI when the node carries the
// deprecated kubevirt.io/drain:NoSchedule taint — it creates a
// VirtualMachineInstanceMigration named kubevirt-evacuation-xxxxx. It migrates
// nothing itself: the migration controller takes the objects from there.

import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import type { Controller } from '../../runtime/controller.ts';
import type { ControllerDeps } from '../types.ts';
import { vmiEvacuationNodeName, vmiIsMigratable, vmiMigratableOnEviction, EVICTION_SOURCE_ANNOTATION } from '../../admission/kubevirt-eviction.ts';
import { ignoringHeartbeats } from '../../runtime/heartbeats.ts';

const VMI_RESOURCE = 'kubevirt.io/virtualmachineinstances';
const VMIM_RESOURCE = 'kubevirt.io/virtualmachineinstancemigrations';
export const EVACUATION_ANNOTATION = 'kubevirt.io/evacuationMigration';
/** spec.configuration.migrations.nodeDrainTaintKey default. */
export const NODE_DRAIN_TAINT_KEY = 'kubevirt.io/drain';
export const EVENT_SOURCE = 'evacuation-controller';

export const Reason = {
  SuccessfulCreate: 'SuccessfulCreate',
  FailedCreate: 'FailedCreate',
} as const;

type Json = Record<string, unknown>;

function obj(v: unknown): Json {
  return isPlainObject(v) ? v : {};
}

function vmiNode(vmi: KubeObject): string {
  const n = obj(vmi.status).nodeName;
  return typeof n === 'string' ? n : '';
}

function isFinal(o: KubeObject): boolean {
  const p = obj(o.status).phase;
  return p === 'Succeeded' || p === 'Failed';
}

/** IsMigrating: a migration started (startTimestamp ≤ now) and has not ended (no endTimestamp ≤ now). */
export function vmiIsMigrating(vmi: KubeObject, now: number): boolean {
  const ms = obj(obj(vmi.status).migrationState);
  const start = typeof ms.startTimestamp === 'string' ? Date.parse(ms.startTimestamp) : NaN;
  const end = typeof ms.endTimestamp === 'string' ? Date.parse(ms.endTimestamp) : NaN;
  return start <= now && !(end <= now);
}

export function nodeHasDrainTaint(node: KubeObject, key = NODE_DRAIN_TAINT_KEY): boolean {
  const taints = obj(node.spec).taints;
  return (Array.isArray(taints) ? taints.map(obj) : []).some((t) => t.key === key && t.effect === 'NoSchedule');
}

export interface EvacuationFacts {
  node: KubeObject;
  /** VMIs whose status.nodeName is this node. */
  vmis: KubeObject[];
  /** Unfinished migrations (any namespace). */
  migrations: KubeObject[];
  /** Pods that are not finished, to count each VMI's active launcher pods. */
  pods: KubeObject[];
  now: number;
}

/**
 * The VMIs to create an evacuation migration for (vmisToMigrate +
 * filterRunningNonMigratingVMIs): running, wanting a migration on eviction,
 * LiveMigratable, with no unfinished migration and a single active pod.
 */
export function vmisToEvacuate(f: EvacuationFacts): KubeObject[] {
  const node = f.node.metadata.name!;
  const candidates = nodeHasDrainTaint(f.node)
    ? f.vmis
    : f.vmis.filter((v) => vmiEvacuationNodeName(v) !== '' && vmiNode(v) === vmiEvacuationNodeName(v) && !vmiIsMigrating(v, f.now));
  const migrating = new Set(f.migrations.filter((m) => !isFinal(m)).map((m) => `${m.metadata.namespace}/${String(obj(m.spec).vmiName ?? '')}`));
  return candidates.filter((vmi) => {
    if (vmiNode(vmi) !== node) return false;
    if (isFinal(vmi) || vmi.metadata.deletionTimestamp) return false;
    if (!vmiMigratableOnEviction(vmi)) return false;
    if (!vmiIsMigratable(vmi)) return false;
    if (migrating.has(`${vmi.metadata.namespace}/${vmi.metadata.name}`)) return false;
    const active = f.pods.filter((p) => !isFinal(p)
      && (p.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === vmi.metadata.uid)).length;
    return active <= 1;
  });
}

/** GenerateNewMigration: the migration object the evacuation controller creates for a VMI. */
export function evacuationMigration(vmi: KubeObject, node: string): KubeObject {
  const descheduler = vmi.metadata.annotations?.[EVICTION_SOURCE_ANNOTATION] === 'descheduler';
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstanceMigration',
    metadata: { generateName: 'kubevirt-evacuation-', namespace: vmi.metadata.namespace, annotations: { [EVACUATION_ANNOTATION]: node } },
    spec: { vmiName: vmi.metadata.name, priority: descheduler ? 'system-maintenance' : 'system-critical' },
  };
}

export function evacuationController(deps: ControllerDeps): Controller {
  const { client, clock } = deps;
  const recorder = deps.recorder({ component: EVENT_SOURCE });

  async function reconcile(nodeName: string): Promise<void> {
    const node = client.get('nodes', undefined, nodeName);
    if (!node) return;
    const vmis = client.list(VMI_RESOURCE).filter((v) => vmiNode(v) === nodeName);
    if (!vmis.length) return;
    const chosen = vmisToEvacuate({
      node, vmis, now: clock.now(),
      migrations: client.list(VMIM_RESOURCE).filter((m) => !isFinal(m)),
      pods: client.list('pods').filter((p) => p.metadata.labels?.['kubevirt.io'] === 'virt-launcher'),
    });
    let failure: unknown;
    for (const vmi of chosen) {
      try {
        const created = await client.create(VMIM_RESOURCE, evacuationMigration(vmi, nodeName));
        await recorder.event(vmi, 'Normal', Reason.SuccessfulCreate, `Created Migration ${created.metadata.name}`);
      } catch (e) {
        await recorder.event(vmi, 'Warning', Reason.FailedCreate, `Error creating a Migration: ${e instanceof Error ? e.message : String(e)}`);
        failure ??= e;
      }
    }
    if (failure) throw failure;
  }

  return {
    name: 'evacuation',
    watches: [
      ignoringHeartbeats({ resource: 'nodes', map: (n) => [n.metadata.name!] }),
      { resource: VMI_RESOURCE, map: (v) => (vmiNode(v) ? [vmiNode(v)] : []) },
      {
        resource: VMIM_RESOURCE,
        map: (m) => {
          const node = m.metadata.annotations?.[EVACUATION_ANNOTATION];
          if (node) return [node];
          const vmi = client.get(VMI_RESOURCE, m.metadata.namespace, String(obj(m.spec).vmiName ?? ''));
          return vmi && vmiNode(vmi) ? [vmiNode(vmi)] : [];
        },
      },
      {
        // A launcher pod finishing (the source of a previous migration) can free a VMI to migrate again.
        resource: 'pods',
        map: (p) => {
          if (p.metadata.labels?.['kubevirt.io'] !== 'virt-launcher') return [];
          const n = obj(p.spec).nodeName;
          return typeof n === 'string' && n !== '' ? [n] : [];
        },
      },
    ],
    reconcile,
  };
}
