// The MachineSet controller (machine-api-operator's machineset controller):
// keeps spec.replicas Machines from the template. Machines that are being
// deleted do not count, so a replacement is created as soon as a machine
// starts deleting, before its drain finishes. Orphans matching the selector
// are adopted; surplus machines go by the delete policy. Status reports the
// counts and the selector for the scale subresource.

import type { KubeObject, OwnerReference } from '../../api/object.ts';
import { deepEqual } from '../../api/rest-storage.ts';
import type { Controller, ReconcileResult } from '../../runtime/controller.ts';
import { keyOf, splitKey } from '../../runtime/controller.ts';
import { fromLabelSelectorObject, matchesLabels, type LabelSelectorObject } from '../../store/label-selector.ts';
import type { ControllerDeps } from '../types.ts';
import { NODE_MACHINE_ANNOTATION } from '../../topology.ts';
import { isDeletePolicy, machinesToDelete } from './delete-policy.ts';
import { machineSetStatus } from './status.ts';
import { jsonClone } from '../../api/json-clone.ts';
import { ignoringHeartbeats } from '../../runtime/heartbeats.ts';

export const MACHINESETS = 'machine.openshift.io/machinesets';
const MACHINES = 'machine.openshift.io/machines';

export const Reason = {
  ReconcileError: 'ReconcileError',
} as const;

interface MachineSetSpec {
  replicas?: number;
  minReadySeconds?: number;
  deletePolicy?: string;
  selector?: LabelSelectorObject;
  template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> };
}

function controllerOf(o: KubeObject): OwnerReference | undefined {
  return (o.metadata.ownerReferences ?? []).find((r) => r.controller);
}

function selectorOf(ms: KubeObject): ReturnType<typeof fromLabelSelectorObject> {
  try {
    return fromLabelSelectorObject(((ms.spec ?? {}) as MachineSetSpec).selector ?? {});
  } catch {
    return null;
  }
}

/** A selector that selects something and matches the machine (an empty selector matches nothing here). */
function selects(ms: KubeObject, m: KubeObject): boolean {
  const sel = selectorOf(ms);
  return !!sel && sel.length > 0 && matchesLabels(sel, m.metadata.labels);
}

function controllerRef(ms: KubeObject): OwnerReference {
  return { apiVersion: ms.apiVersion, kind: ms.kind, name: ms.metadata.name!, uid: ms.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

export function machineSetController(deps: ControllerDeps): Controller {
  const { client, clock } = deps;
  const recorder = deps.recorder({ component: 'machineset-controller' });

  async function reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const ms = client.get(MACHINESETS, namespace, name);
    if (!ms || ms.metadata.deletionTimestamp) return;
    const spec = (ms.spec ?? {}) as MachineSetSpec;
    try {
      return await sync(ms, spec);
    } catch (e) {
      await recorder.event(ms, 'Warning', Reason.ReconcileError, e instanceof Error ? e.message : String(e));
      throw e;
    }
  }

  async function sync(ms: KubeObject, spec: MachineSetSpec): Promise<ReconcileResult | void> {
    const sel = selectorOf(ms);
    if (!sel) throw new Error(`failed to parse MachineSet "${ms.metadata.name}" label selector`);
    if (!matchesLabels(sel, spec.template?.metadata?.labels)) {
      throw new Error(`failed validation on MachineSet "${ms.metadata.name}" label selector, cannot match any machines `);
    }

    // Filter out machines of other owners, deleting machines and non-matching ones; adopt orphans.
    const owned: KubeObject[] = [];
    for (const m of client.list(MACHINES, ms.metadata.namespace)) {
      const ctl = controllerOf(m);
      if (ctl && ctl.uid !== ms.metadata.uid) continue;
      if (m.metadata.deletionTimestamp) continue;
      if (!matchesLabels(sel, m.metadata.labels)) continue;
      if (!ctl) {
        const next = jsonClone(m) as KubeObject;
        next.metadata.ownerReferences = [...(next.metadata.ownerReferences ?? []), controllerRef(ms)];
        owned.push(await client.update(MACHINES, next));
        continue;
      }
      owned.push(m);
    }
    owned.sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0));

    const replicas = spec.replicas ?? 1;
    const diff = owned.length - replicas;
    if (diff < 0) {
      for (let i = 0; i < -diff; i++) await client.create(MACHINES, newMachine(ms, spec));
    } else if (diff > 0) {
      const policy = spec.deletePolicy ?? 'Random';
      if (!isDeletePolicy(policy)) throw new Error(`unsupported delete policy ${policy}, must be one of 'Random', 'Newest', or 'Oldest'`);
      for (const m of machinesToDelete(owned, diff, policy, (t) => clock.elapsed(t))) {
        await client.delete(MACHINES, m.metadata.namespace, m.metadata.name!, { preconditions: { uid: m.metadata.uid } });
      }
    }

    // Status from the machines seen before this pass's creates and deletes, as upstream; their events bring the next pass.
    const status = machineSetStatus(ms, owned, (m) => {
      const ref = (m.status as { nodeRef?: { name?: string } } | undefined)?.nodeRef?.name;
      return ref ? client.get('nodes', undefined, ref) : undefined;
    }, (t) => clock.elapsed(t));
    const cur = (ms.status ?? {}) as Record<string, unknown>;
    const next = { ...jsonClone(cur), ...status, observedGeneration: ms.metadata.generation };
    if (!deepEqual(cur, next)) await client.updateStatus(MACHINESETS, { ...jsonClone(ms), status: next });

    // Look again once ready machines may have become available.
    if ((spec.minReadySeconds ?? 0) > 0 && status.readyReplicas === replicas && status.availableReplicas !== replicas) {
      return { requeueAfter: spec.minReadySeconds };
    }
  }

  function newMachine(ms: KubeObject, spec: MachineSetSpec): KubeObject {
    const tmeta = spec.template?.metadata ?? {};
    return {
      apiVersion: 'machine.openshift.io/v1beta1',
      kind: 'Machine',
      metadata: {
        generateName: `${ms.metadata.name}-`,
        namespace: ms.metadata.namespace,
        ...(tmeta.labels ? { labels: jsonClone(tmeta.labels) } : {}),
        ...(tmeta.annotations ? { annotations: jsonClone(tmeta.annotations) } : {}),
        ownerReferences: [controllerRef(ms)],
      },
      spec: jsonClone(spec.template?.spec ?? {}),
    };
  }

  /** MachineSets of the machine: its controller, or for an orphan every set whose selector matches. */
  function setsOf(m: KubeObject): string[] {
    const ctl = controllerOf(m);
    if (ctl) return ctl.kind === 'MachineSet' ? [`${m.metadata.namespace}/${ctl.name}`] : [];
    return client.list(MACHINESETS, m.metadata.namespace).filter((ms) => selects(ms, m)).map(keyOf);
  }

  return {
    name: 'machineset-controller',
    watches: [
      { resource: MACHINESETS, map: (o) => [keyOf(o)] },
      { resource: MACHINES, map: setsOf },
      ignoringHeartbeats({
        // Node readiness changes the set's ready and available counts.
        resource: 'nodes',
        map: (n) => {
          const ref = n.metadata.annotations?.[NODE_MACHINE_ANNOTATION];
          if (!ref || !ref.includes('/')) return [];
          const { namespace, name } = splitKey(ref);
          const m = client.get(MACHINES, namespace, name);
          return m ? setsOf(m) : [];
        },
      }),
    ],
    reconcile,
  };
}
