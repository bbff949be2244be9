// The Machine API machine controller (machine-api-operator's machine
// controller with the simulated provider of actuator.ts, plus the node link):
// validates a Machine, adds its finalizer, launches an instance (Provisioning →
// Provisioned with providerID and addresses), lets the instance's kubelet
// register a Node (→ Running with nodeRef) and, on deletion, waits for the
// drain controller's Drained condition, terminates the instance, deletes the
// Node and removes the finalizer. Time is handled by requeues, never timers.

import type { KubeObject } from '../../api/object.ts';
import { rfc3339 } from '../../api/age.ts';
import { ApiError } from '../../api/errors.ts';
import { deepEqual } from '../../api/rest-storage.ts';
import type { Controller, ReconcileResult } from '../../runtime/controller.ts';
import { keyOf, splitKey } from '../../runtime/controller.ts';
import { isNotFound } from '../../runtime/client.ts';
import type { ControllerDeps } from '../types.ts';
import { faultNode, nodeAgentsReportIn } from '../../faults/queries.ts';
import { FAULTS } from '../../kinds/sim/fault.ts';
import {
  INSTANCE_STATE_ANNOTATION, MACHINE_FINALIZER, NODE_MACHINE_ANNOTATION, leaseObject, nodeObject, readyCondition,
} from '../../topology.ts';
import {
  INSTANCE_CREATE_SECONDS, INSTANCE_TERMINATE_SECONDS, NODE_JOIN_SECONDS, NODE_READY_SECONDS,
  hostShape, instanceExists, isProvisioned, launchInstance, providerStatusOf, roleOf, runningInstance, validationError,
  type ProviderStatus,
} from './actuator.ts';
import { getCondition, nodeCondition, setCondition, type MachineCondition } from './conditions.ts';
import { jsonClone } from '../../api/json-clone.ts';
import { ignoringHeartbeats } from '../../runtime/heartbeats.ts';

export const MACHINES = 'machine.openshift.io/machines';
const LEASES = 'coordination.k8s.io/leases';

export const Phase = {
  Provisioning: 'Provisioning',
  Provisioned: 'Provisioned',
  Running: 'Running',
  Deleting: 'Deleting',
  Failed: 'Failed',
} as const;

export const Reason = {
  FailedValidate: 'FailedValidate',
  // Events of the simulated provider, as cloud actuators emit them.
  Create: 'Create',
  Update: 'Update',
  Delete: 'Delete',
} as const;

export const MachineConditions = {
  InstanceExists: 'InstanceExists',
  Drained: 'Drained',
} as const;

interface MachineStatus {
  phase?: string;
  nodeRef?: { kind?: string; name: string; uid?: string };
  addresses?: { type: string; address: string }[];
  providerStatus?: ProviderStatus;
  conditions?: MachineCondition[];
  lastUpdated?: string;
  errorReason?: string;
  errorMessage?: string;
}

function statusOf(m: KubeObject): MachineStatus {
  return (m.status ?? {}) as MachineStatus;
}


export function machineController(deps: ControllerDeps): Controller {
  const { client, clock } = deps;
  /** Simulated seconds until a real timestamp, never negative (for requeueAfter). */
  const secondsUntil = (t: number): number => Math.max(0, clock.simSecondsUntil(t));
  const recorder = deps.recorder({ component: 'machine-controller' });

  /** Writes the status when it changed, stamping lastUpdated (the machine controller's updateStatus). */
  async function writeStatus(m: KubeObject, edit: (s: MachineStatus) => void): Promise<KubeObject> {
    const next = jsonClone(statusOf(m));
    edit(next);
    // The phase change clears a previous error, as upstream does.
    if (next.phase !== Phase.Failed) {
      delete next.errorReason;
      delete next.errorMessage;
    }
    const { lastUpdated: _a, ...before } = statusOf(m);
    const { lastUpdated: _b, ...after } = next;
    if (deepEqual(before, after)) return m;
    next.lastUpdated = rfc3339(clock.now());
    return client.updateStatus(MACHINES, { ...jsonClone(m), status: next as Record<string, unknown> });
  }

  async function updateMeta(m: KubeObject, edit: (o: KubeObject) => void): Promise<KubeObject> {
    const next = jsonClone(m) as KubeObject;
    edit(next);
    if (deepEqual(next, m)) return m;
    return client.update(MACHINES, next);
  }

  async function reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    let m = client.get(MACHINES, namespace, name);
    if (!m) return;

    const invalid = validationError(m);
    if (invalid) {
      await recorder.event(m, 'Warning', Reason.FailedValidate, invalid);
      return;
    }

    if (!m.metadata.deletionTimestamp && !(m.metadata.finalizers ?? []).includes(MACHINE_FINALIZER)) {
      await updateMeta(m, (o) => { o.metadata.finalizers = [...(o.metadata.finalizers ?? []), MACHINE_FINALIZER]; });
      return;
    }

    if (m.metadata.deletionTimestamp) return deleting(m);
    if (statusOf(m).phase === Phase.Failed) return;

    if (instanceExists(m)) return running(m);

    if (isProvisioned(m)) {
      // Given a providerID or addresses but no instance: it was deleted outside the Machine API.
      m = await updateMeta(m, (o) => { o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [INSTANCE_STATE_ANNOTATION]: 'Unknown' }; });
      await writeStatus(m, (s) => {
        s.conditions = setCondition(s.conditions, { type: MachineConditions.InstanceExists, status: 'False', severity: 'Warning', reason: 'InstanceMissing', message: 'Instance not found on provider' }, clock.now());
        s.phase = Phase.Failed;
        s.errorMessage = "can't find created instance";
      });
      return;
    }

    const notCreated = (s: MachineStatus): void => {
      s.conditions = setCondition(s.conditions, { type: MachineConditions.InstanceExists, status: 'False', severity: 'Warning', reason: 'InstanceNotCreated', message: 'Instance has not been created' }, clock.now());
    };
    if (!statusOf(m).phase) {
      // The status write wakes this controller again for the create.
      await writeStatus(m, (s) => { notCreated(s); s.phase = Phase.Provisioning; });
      return;
    }

    // Create(): launch the instance; the provider labels the machine with its placement.
    const launched = launchInstance(m, client.list(MACHINES), client.list('nodes'), clock.now());
    m = await updateMeta(m, (o) => {
      o.metadata.labels = { ...(o.metadata.labels ?? {}), ...launched.labels };
      o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [INSTANCE_STATE_ANNOTATION]: launched.status.instanceState };
    });
    m = await writeStatus(m, (s) => { notCreated(s); s.providerStatus = launched.status; });
    await recorder.event(m, 'Normal', Reason.Create, `Created Machine ${m.metadata.name}`);
    return { requeueAfter: INSTANCE_CREATE_SECONDS };
  }

  /** The instance exists: follow it to running, wait for its Node, link the Node. */
  async function running(m: KubeObject): Promise<ReconcileResult | void> {
    const now = clock.now();
    let ps = providerStatusOf(m)!;
    const launchedAt = Date.parse(ps.launchTime);
    const exists = (s: MachineStatus): void => {
      s.conditions = setCondition(s.conditions, { type: MachineConditions.InstanceExists, status: 'True' }, now);
    };

    if (ps.instanceState === 'pending') {
      const runsAt = clock.deadline(launchedAt, INSTANCE_CREATE_SECONDS);
      if (now < runsAt) {
        await writeStatus(m, exists);
        return { requeueAfter: secondsUntil(runsAt) };
      }
      // Update(): the instance runs; the machine gets its providerID and addresses.
      const inst = runningInstance(ps, roleOf(m));
      ps = { ...ps, instanceState: 'running' };
      m = await updateMeta(m, (o) => {
        (o.spec as { providerID?: string }).providerID = inst.providerID;
        o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [INSTANCE_STATE_ANNOTATION]: 'running' };
      });
      m = await writeStatus(m, (s) => { exists(s); s.providerStatus = ps; s.addresses = inst.addresses; });
      await recorder.event(m, 'Normal', Reason.Update, `Updated Machine ${m.metadata.name}`);
    } else if (!isProvisioned(m)) {
      const inst = runningInstance(ps, roleOf(m));
      m = await updateMeta(m, (o) => { (o.spec as { providerID?: string }).providerID = inst.providerID; });
      m = await writeStatus(m, (s) => { exists(s); s.addresses = inst.addresses; });
    }

    const ref = statusOf(m).nodeRef;
    if (!ref) {
      let node = client.get('nodes', undefined, ps.hostname);
      const joinsAt = clock.deadline(launchedAt, NODE_JOIN_SECONDS);
      if (!node && now >= joinsAt) node = await registerNode(m, ps, now);
      if (!node) {
        await writeStatus(m, (s) => { exists(s); s.phase = Phase.Provisioned; });
        return { requeueAfter: secondsUntil(joinsAt) };
      }
      m = await writeStatus(m, (s) => {
        exists(s);
        s.nodeRef = { kind: 'Node', name: node.metadata.name!, uid: node.metadata.uid };
        s.phase = Phase.Running;
      });
      return kubeletReady(node, now);
    }

    const node = client.get('nodes', undefined, ref.name);
    await writeStatus(m, (s) => {
      exists(s);
      // The node link fills in the uid of a Node known only by name (bootstrap machines).
      if (node && !s.nodeRef!.uid) s.nodeRef = { kind: 'Node', name: ref.name, uid: node.metadata.uid };
      s.phase = Phase.Running;
    });
    return node ? kubeletReady(node, now) : undefined;
  }

  /** The instance's kubelet registers its Node (not yet Ready) and its heartbeat Lease. */
  async function registerNode(m: KubeObject, ps: ProviderStatus, now: number): Promise<KubeObject> {
    const node = await client.create('nodes', nodeObject(hostShape(m, ps), now, false));
    // The kubelet's lease loop may get there first.
    if (!client.get(LEASES, 'kube-node-lease', node.metadata.name!)) {
      await client.create(LEASES, leaseObject(node.metadata.name!, now, node.metadata.uid)).catch((e: unknown) => {
        if (!(e instanceof ApiError && e.code === 409)) throw e;
      });
    }
    return node;
  }

  /** The network plugin comes up NODE_READY_SECONDS after registration and the kubelet reports Ready. */
  async function kubeletReady(node: KubeObject, now: number): Promise<ReconcileResult | void> {
    const ready = nodeCondition(node, 'Ready');
    if (ready?.status !== 'False' || ready.reason !== 'KubeletNotReady') return;
    // A kubelet that is stopped, powered off or cut off reports nothing; a Fault change wakes the machine again.
    if (!nodeAgentsReportIn(client, node.metadata.name!)) return;
    const readyAt = clock.deadline(Date.parse(node.metadata.creationTimestamp!), NODE_READY_SECONDS);
    if (now < readyAt) return { requeueAfter: secondsUntil(readyAt) };
    const next = jsonClone(node);
    const st = next.status as { conditions: { type: string }[] };
    st.conditions = st.conditions.map((c) => (c.type === 'Ready' ? readyCondition(true, now) : c));
    await client.updateStatus('nodes', next);
  }

  /** Deletion: Deleting → (drain controller: Drained=True) → instance terminated → Node deleted → finalizer removed. */
  async function deleting(m: KubeObject): Promise<ReconcileResult | void> {
    const now = clock.now();
    m = await writeStatus(m, (s) => { s.phase = Phase.Deleting; });
    if (!(m.metadata.finalizers ?? []).includes(MACHINE_FINALIZER)) return;
    if (getCondition(m, MachineConditions.Drained)?.status !== 'True') return;
    const hooks = (m.spec as { lifecycleHooks?: { preTerminate?: unknown[] } } | undefined)?.lifecycleHooks?.preTerminate ?? [];
    if (hooks.length) return;

    if (instanceExists(m)) {
      const ps = providerStatusOf(m)!;
      if (ps.instanceState !== 'shutting-down') {
        await writeStatus(m, (s) => { s.providerStatus = { ...ps, instanceState: 'shutting-down', terminationTime: rfc3339(now) }; });
        await recorder.event(m, 'Normal', Reason.Delete, `Deleted machine ${m.metadata.name}`);
        return { requeueAfter: INSTANCE_TERMINATE_SECONDS };
      }
      const goneAt = clock.deadline(Date.parse(ps.terminationTime ?? rfc3339(now)), INSTANCE_TERMINATE_SECONDS);
      if (now < goneAt) return { requeueAfter: secondsUntil(goneAt) };
      m = await writeStatus(m, (s) => { s.providerStatus = { ...ps, instanceState: 'terminated' }; });
    }

    const ref = statusOf(m).nodeRef;
    if (ref) {
      try {
        await client.delete('nodes', undefined, ref.name);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    await updateMeta(m, (o) => {
      const rest = (o.metadata.finalizers ?? []).filter((f) => f !== MACHINE_FINALIZER);
      if (rest.length) o.metadata.finalizers = rest;
      else delete o.metadata.finalizers;
    });
  }

  return {
    name: 'machine-controller',
    watches: [
      { resource: MACHINES, map: (o) => [keyOf(o)] },
      ignoringHeartbeats({
        resource: 'nodes',
        map: (n) => {
          const ref = n.metadata.annotations?.[NODE_MACHINE_ANNOTATION];
          return ref && ref.includes('/') ? [ref] : [];
        },
      }),
      {
        // A fault cleared on a node that is still coming up lets its kubelet report Ready.
        resource: FAULTS,
        map: (f) => {
          const node = faultNode(f);
          const ref = node ? client.get('nodes', undefined, node)?.metadata.annotations?.[NODE_MACHINE_ANNOTATION] : undefined;
          return ref && ref.includes('/') ? [ref] : [];
        },
      },
    ],
    reconcile,
  };
}
