// The MachineHealthCheck controller (machine-api-operator's
// machinehealthcheck controller): judges every selected machine with
// needsRemediation, reports expectedMachines / currentHealthy /
// remediationsAllowed and the RemediationAllowed condition, stops when more
// machines are unhealthy than maxUnhealthy allows, and otherwise remediates by
// deleting the Machine (its MachineSet replaces it; the machine controller
// drains and removes the Node). It looks again one second after the next
// timeout that could expire.

import type { KubeObject } from '../../api/object.ts';
import { deepEqual } from '../../api/rest-storage.ts';
import type { Controller, ReconcileResult } from '../../runtime/controller.ts';
import { keyOf, splitKey } from '../../runtime/controller.ts';
import type { ControllerDeps } from '../types.ts';
import { setCondition, type MachineCondition } from '../machine/conditions.ts';
import {
  controllerOwner, maxUnhealthyCount, needsRemediation, nodeRefOf, selectsMachine, specOf, targetString,
} from './health.ts';
import { jsonClone } from '../../api/json-clone.ts';
import { ignoringHeartbeats } from '../../runtime/heartbeats.ts';

export const MHCS = 'machine.openshift.io/machinehealthchecks';
const MACHINES = 'machine.openshift.io/machines';

export const Reason = {
  RemediationRestricted: 'RemediationRestricted',
  DetectedUnhealthy: 'DetectedUnhealthy',
  SkippedNoController: 'SkippedNoController',
  MachineDeletionFailed: 'MachineDeletionFailed',
  MachineDeleted: 'MachineDeleted',
  ExternalAnnotationFailed: 'ExternalAnnotationFailed',
  ExternalAnnotationAdded: 'ExternalAnnotationAdded',
} as const;

export const REMEDIATION_ALLOWED = 'RemediationAllowed';
export const TOO_MANY_UNHEALTHY = 'TooManyUnhealthy';
export const PAUSED_ANNOTATION = 'cluster.x-k8s.io/paused';
export const REMEDIATION_STRATEGY_ANNOTATION = 'machine.openshift.io/remediation-strategy';
export const EXTERNAL_REMEDIATION_STRATEGY = 'external-baremetal';
export const EXTERNAL_REMEDIATION_ANNOTATION = 'host.metal3.io/external-remediation';

interface Target {
  machine: KubeObject;
  node: KubeObject | undefined;
  nodeName: string;
}

interface MhcStatus {
  expectedMachines?: number;
  currentHealthy?: number;
  remediationsAllowed?: number;
  conditions?: MachineCondition[];
}

export function machineHealthCheckController(deps: ControllerDeps): Controller {
  const { client, clock } = deps;
  const recorder = deps.recorder({ component: 'machinehealthcheck-controller' });

  async function writeStatus(mhc: KubeObject, next: MhcStatus): Promise<void> {
    if (deepEqual(mhc.status ?? {}, next)) return;
    await client.updateStatus(MHCS, { ...jsonClone(mhc), status: next as Record<string, unknown> });
  }

  async function reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const mhc = client.get(MHCS, namespace, name);
    if (!mhc) return;
    if (mhc.metadata.annotations?.[PAUSED_ANNOTATION] !== undefined) return;
    const now = clock.now();
    const spec = specOf(mhc);

    const targets: Target[] = client.list(MACHINES, namespace).filter((m) => selectsMachine(mhc, m)).map((machine) => {
      const ref = nodeRefOf(machine);
      return { machine, node: ref ? client.get('nodes', undefined, ref.name) : undefined, nodeName: ref?.name ?? '' };
    });

    const healthy: Target[] = [];
    const remediate: Target[] = [];
    const rechecks: number[] = [];
    for (const t of targets) {
      const r = needsRemediation(t.machine, t.node, mhc, (ms) => clock.elapsed(ms));
      if (r.unhealthy) {
        remediate.push(t);
        continue;
      }
      if (r.recheckAfter !== undefined && r.recheckAfter > 0) {
        await recorder.event(t.machine, 'Normal', Reason.DetectedUnhealthy, `Machine ${targetString(mhc, t.machine, t.nodeName)} has unhealthy node ${t.nodeName}`);
        rechecks.push(r.recheckAfter);
        continue;
      }
      // Machines still waiting for a Node, being deleted or handed to external remediation are not healthy.
      if (!t.machine.metadata.deletionTimestamp && nodeRefOf(t.machine) && t.machine.metadata.annotations?.[EXTERNAL_REMEDIATION_ANNOTATION] === undefined) healthy.push(t);
    }

    const expected = targets.length;
    const unhealthy = expected - healthy.length;
    const max = maxUnhealthyCount(spec.maxUnhealthy, expected);
    const allowed = !Number.isNaN(max) && unhealthy <= max;
    const status: MhcStatus = {
      ...jsonClone((mhc.status ?? {}) as MhcStatus),
      expectedMachines: expected,
      currentHealthy: healthy.length,
      remediationsAllowed: allowed ? Math.max(0, max - unhealthy) : 0,
    };
    const nextCheck = rechecks.length ? { requeueAfter: Math.min(...rechecks) } : undefined;

    if (!allowed) {
      const shown = spec.maxUnhealthy === undefined ? '<nil>' : String(spec.maxUnhealthy);
      status.conditions = setCondition(status.conditions, {
        type: REMEDIATION_ALLOWED, status: 'False', severity: 'Warning', reason: TOO_MANY_UNHEALTHY,
        message: `Remediation is not allowed, the number of not started or unhealthy machines exceeds maxUnhealthy (total: ${expected}, unhealthy: ${unhealthy}, maxUnhealthy: ${shown})`,
      }, now);
      await writeStatus(mhc, status);
      await recorder.event(mhc, 'Warning', Reason.RemediationRestricted,
        `Remediation restricted due to exceeded number of unhealthy machines (total: ${expected}, unhealthy: ${unhealthy}, maxUnhealthy: ${shown})`);
      // Upstream requeues at once and repeats the event; here changes to machines and nodes wake the check, and time only matters for running timeouts.
      return nextCheck;
    }

    status.conditions = setCondition(status.conditions, { type: REMEDIATION_ALLOWED, status: 'True' }, now);
    await writeStatus(mhc, status);

    const errors: string[] = [];
    // External remediation templates (spec.remediationTemplate) are not simulated: such checks only report.
    if (!spec.remediationTemplate) {
      for (const t of remediate) {
        const err = await remediateTarget(mhc, t);
        if (err) errors.push(err);
      }
    }
    if (errors.length) throw new Error(errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`);
    return nextCheck;
  }

  async function remediateTarget(mhc: KubeObject, t: Target): Promise<string | undefined> {
    const target = targetString(mhc, t.machine, t.nodeName);
    const phase = (t.machine.status as { phase?: string } | undefined)?.phase;
    if (phase !== 'Failed' && mhc.metadata.annotations?.[REMEDIATION_STRATEGY_ANNOTATION] === EXTERNAL_REMEDIATION_STRATEGY) {
      if (t.machine.metadata.annotations?.[EXTERNAL_REMEDIATION_ANNOTATION] !== undefined) return undefined;
      try {
        const next = jsonClone(t.machine) as KubeObject;
        next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [EXTERNAL_REMEDIATION_ANNOTATION]: '' };
        await client.update(MACHINES, next);
      } catch (e) {
        await recorder.event(t.machine, 'Warning', Reason.ExternalAnnotationFailed, `Requesting external remediation of node associated with machine ${target} failed: ${message(e)}`);
        return message(e);
      }
      await recorder.event(t.machine, 'Normal', Reason.ExternalAnnotationAdded, `Requesting external remediation of node associated with machine ${target}`);
      return undefined;
    }
    if (!controllerOwner(t.machine)) {
      await recorder.event(t.machine, 'Normal', Reason.SkippedNoController, `Machine ${target} has no controller owner, skipping remediation`);
      return undefined;
    }
    const fresh = client.get(MACHINES, t.machine.metadata.namespace, t.machine.metadata.name!);
    if (!fresh || fresh.metadata.deletionTimestamp) return undefined;
    try {
      await client.delete(MACHINES, fresh.metadata.namespace, fresh.metadata.name!, { preconditions: { uid: fresh.metadata.uid } });
    } catch (e) {
      await recorder.event(t.machine, 'Warning', Reason.MachineDeletionFailed, `Machine ${target} remediation failed: unable to delete Machine object: ${message(e)}`);
      return `${target}: failed to delete machine: ${message(e)}`;
    }
    await recorder.event(t.machine, 'Normal', Reason.MachineDeleted, `Machine ${target} has been remediated by requesting to delete Machine object`);
    return undefined;
  }

  /** Every MachineHealthCheck selecting the machine. */
  function checksOf(machine: KubeObject): string[] {
    return client.list(MHCS, machine.metadata.namespace).filter((mhc) => selectsMachine(mhc, machine)).map(keyOf);
  }

  return {
    name: 'machinehealthcheck-controller',
    watches: [
      { resource: MHCS, map: (o) => [keyOf(o)] },
      { resource: MACHINES, map: checksOf },
      ignoringHeartbeats({
        resource: 'nodes',
        map: (n) => client.list(MACHINES).filter((m) => nodeRefOf(m)?.name === n.metadata.name).flatMap(checksOf),
      }),
    ],
    reconcile,
  };
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
