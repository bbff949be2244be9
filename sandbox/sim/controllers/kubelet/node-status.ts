// The kubelets' node status reporting, for every node at once: renew the
// node's Lease in kube-node-lease every 10 s (renewInterval = 25% of the 40 s
// lease duration), and post the node conditions when they change or at least
// every nodeStatusReportFrequency (5 min), which is when lastHeartbeatTime
// moves. Only a kubelet that runs and reaches the API server reports (faults).
// A kubelet coming back from a stop or a power-off says so (Starting,
// Rebooted with a new boot ID) and re-registers its Node if it was deleted —
// unless the Machine behind the Node is gone (its instance was terminated).

import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import { microTime, rfc3339 } from '../../api/age.ts';
import { jsonEqual } from '../../kinds/core/table-cells.ts';
import { FAULTS } from '../../kinds/sim/fault.ts';
import { faultNode, kubeletRunning, nodePoweredOff, nodeReachable } from '../../faults/queries.ts';
import type { Controller, ReconcileResult } from '../../runtime/controller.ts';
import { isNotFound } from '../../runtime/client.ts';
import { leaseObject, readyCondition, type NodeCondition } from '../../topology.ts';
import type { ControllerDeps } from '../types.ts';
import type { EventRecorder } from '../../runtime/events.ts';
import { jsonClone } from '../../api/json-clone.ts';
import { ignoringHeartbeats } from '../../runtime/heartbeats.ts';

export const LEASES = 'coordination.k8s.io/leases';
export const LEASE_NAMESPACE = 'kube-node-lease';
/** The Machine API's annotation on a Node: `<namespace>/<machine name>`. */
export const MACHINE_ANNOTATION = 'machine.openshift.io/machine';
const MACHINES = 'machine.openshift.io/machines';
/** Lease renewal interval: 25% of the 40 s lease duration. */
export const LEASE_RENEW_SECONDS = 10;
/** nodeStatusReportFrequency: unchanged conditions are posted (lastHeartbeatTime) this often. */
export const NODE_STATUS_REPORT_SECONDS = 300;

export const Reason = {
  Starting: 'Starting',
  Rebooted: 'Rebooted',
  NodeReady: 'NodeReady',
  /** The kubelet's own Ready=False while the network plugin is not up (set at registration). */
  KubeletNotReady: 'KubeletNotReady',
} as const;

/** The pressure conditions a healthy kubelet reports, in its order. */
const HEALTHY: Omit<NodeCondition, 'lastHeartbeatTime' | 'lastTransitionTime'>[] = [
  { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
  { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
  { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
];

function rec(v: unknown): Record<string, unknown> {
  return isPlainObject(v) ? v : {};
}

function conditionsOf(node: KubeObject): NodeCondition[] {
  const c = rec(node.status).conditions;
  return Array.isArray(c) ? c as NodeCondition[] : [];
}

/**
 * The conditions the kubelet posts now: pressure False, Ready True — except a
 * Ready=False of its own making (KubeletNotReady: network plugin not up yet),
 * which it keeps. Transition times move only when the status changes; heartbeat
 * times move when anything changes or when `beat` is set.
 */
export function postedConditions(current: NodeCondition[], now: number, beat: boolean): { conditions: NodeCondition[]; changed: boolean } {
  const t = rfc3339(now);
  const ready = current.find((c) => c.type === 'Ready');
  const wantReady = ready?.status === 'False' && ready.reason === Reason.KubeletNotReady
    ? { type: 'Ready', status: 'False', reason: ready.reason, message: ready.message }
    : (({ lastHeartbeatTime: _h, lastTransitionTime: _t, ...c }) => c)(readyCondition(true, now));
  const wanted = [...HEALTHY, wantReady];
  let changed = false;
  const out: NodeCondition[] = wanted.map((w) => {
    const old = current.find((c) => c.type === w.type);
    const same = old && old.status === w.status && old.reason === w.reason && old.message === w.message;
    if (!same) changed = true;
    return {
      type: w.type, status: w.status,
      lastHeartbeatTime: same && !beat ? old.lastHeartbeatTime : t,
      lastTransitionTime: old && old.status === w.status && old.lastTransitionTime ? old.lastTransitionTime : t,
      reason: w.reason, message: w.message,
    };
  });
  // Conditions other components add (NetworkUnavailable…) stay as they are.
  for (const c of current) if (!wanted.some((w) => w.type === c.type)) out.push(c);
  if (changed) for (const c of out) if (wanted.some((w) => w.type === c.type)) c.lastHeartbeatTime = t;
  return { conditions: out, changed };
}

/** "worker-1-boot-2" after "worker-1-boot-1". */
export function nextBootID(bootID: string, node: string): string {
  const m = /^(.*-boot-)(\d+)$/.exec(bootID);
  return m ? `${m[1]}${Number(m[2]) + 1}` : `${node}-boot-2`;
}

/** What a kubelet registers its Node with when it starts and finds none. */
function registration(node: KubeObject): KubeObject {
  const spec = rec(node.spec);
  const taints = Array.isArray(spec.taints) ? spec.taints.filter((t) => !String(rec(t).key).startsWith('node.kubernetes.io/')) : [];
  const { conditions: _c, ...status } = rec(node.status);
  const { unschedulable: _u, taints: _t, ...rest } = spec;
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name: node.metadata.name, labels: { ...(node.metadata.labels ?? {}) }, annotations: { ...(node.metadata.annotations ?? {}) } },
    spec: { ...jsonClone(rest), ...(taints.length ? { taints: jsonClone(taints) } : {}) },
    status: jsonClone(status),
  };
}

export function nodeStatusController(deps: ControllerDeps): Controller {
  const { client, clock } = deps;

  /** The Machine named in the Node's machine annotation (namespace/name) exists; true for nodes without one. */
  function machineExists(node: KubeObject): boolean {
    const ref = node.metadata.annotations?.[MACHINE_ANNOTATION];
    if (!ref) return true;
    const [ns, machine] = ref.includes('/') ? ref.split('/', 2) : [undefined, ref];
    return client.get(MACHINES, ns, machine) !== undefined;
  }
  /** Nodes whose kubelet this process saw stopped ('stopped') or powered off ('off'). */
  const down = new Map<string, 'stopped' | 'off'>();
  /** Each kubelet's Node as last seen (stored objects are frozen: keeping them is safe), to register again from. */
  const lastSeen = new Map<string, KubeObject>();
  const recorders = new Map<string, EventRecorder>();
  const recorderFor = (node: string): EventRecorder => {
    let r = recorders.get(node);
    if (!r) recorders.set(node, (r = deps.recorder({ component: 'kubelet', host: node })));
    return r;
  };

  async function renewLease(node: KubeObject, now: number): Promise<number> {
    const name = node.metadata.name!;
    const lease = client.get(LEASES, LEASE_NAMESPACE, name);
    if (!lease) {
      await client.create(LEASES, leaseObject(name, now, node.metadata.uid));
      return LEASE_RENEW_SECONDS;
    }
    const spec = rec(lease.spec);
    const renewed = typeof spec.renewTime === 'string' ? Date.parse(spec.renewTime) : NaN;
    const owned = (lease.metadata.ownerReferences ?? []).some((r) => r.kind === 'Node' && r.uid === node.metadata.uid);
    const due = Number.isNaN(renewed) ? now : clock.deadline(renewed, LEASE_RENEW_SECONDS);
    if (now < due && owned && spec.holderIdentity === name) return clock.simSecondsUntil(due);
    const next = jsonClone(lease);
    next.spec = { ...rec(next.spec), holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime(now) };
    next.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata.uid! }];
    await client.update(LEASES, next);
    return LEASE_RENEW_SECONDS;
  }

  async function reconcile(name: string): Promise<ReconcileResult | void> {
    if (nodePoweredOff(client, name)) {
      down.set(name, 'off');
      return;
    }
    if (!kubeletRunning(client, name)) {
      if (!down.has(name)) down.set(name, 'stopped');
      return;
    }
    // Cut off from the API server: the kubelet runs but nothing it writes arrives.
    if (!nodeReachable(client, name)) return;
    const now = clock.now();
    const wasDown = down.get(name);
    let node = client.get('nodes', undefined, name);
    if (!node) {
      const seen = lastSeen.get(name);
      if (!wasDown || !seen) return;
      const reg = registration(seen);
      // A terminated instance's kubelet never comes back: only a Machine that still exists re-registers its Node.
      if (!machineExists(reg)) return;
      // A kubelet that starts and finds no Node registers one.
      node = await client.create('nodes', reg);
      const fresh = jsonClone(node);
      fresh.status = { ...rec(reg.status), conditions: [] };
      node = await client.updateStatus('nodes', fresh);
    }
    lastSeen.set(name, node);
    const recorder = recorderFor(name);
    let bootID: string | undefined;
    if (wasDown) {
      down.delete(name);
      await recorder.event(node, 'Normal', Reason.Starting, 'Starting kubelet.');
      if (wasDown === 'off') {
        bootID = nextBootID(String(rec(rec(node.status).nodeInfo).bootID ?? ''), name);
        await recorder.event(node, 'Warning', Reason.Rebooted, `Node ${name} has been rebooted, boot id: ${bootID}`);
      }
    }

    const leaseIn = await renewLease(node, now);

    const current = conditionsOf(node);
    const lastBeat = Date.parse(current.find((c) => c.type === 'Ready')?.lastHeartbeatTime ?? '');
    const beat = Number.isNaN(lastBeat) || now >= clock.deadline(lastBeat, NODE_STATUS_REPORT_SECONDS);
    const { conditions, changed } = postedConditions(current, now, beat);
    if (changed || beat || bootID) {
      const next = jsonClone(node);
      const status = rec(next.status);
      status.conditions = conditions;
      if (bootID) status.nodeInfo = { ...rec(status.nodeInfo), bootID };
      next.status = status;
      if (!jsonEqual(next.status, node.status)) {
        try {
          await client.updateStatus('nodes', next);
        } catch (e) {
          if (isNotFound(e)) return;
          throw e;
        }
        const wasReady = current.find((c) => c.type === 'Ready')?.status === 'True';
        const isReady = conditions.find((c) => c.type === 'Ready')?.status === 'True';
        if (isReady && !wasReady) await recorder.event(node, 'Normal', Reason.NodeReady, `Node ${name} status is now: NodeReady`);
      }
    }
    const readyBeat = Date.parse(conditions.find((c) => c.type === 'Ready')?.lastHeartbeatTime ?? '') || now;
    const reportIn = Math.max(0, clock.simSecondsUntil(clock.deadline(readyBeat, NODE_STATUS_REPORT_SECONDS)));
    return { requeueAfter: Math.min(leaseIn, reportIn || NODE_STATUS_REPORT_SECONDS) };
  }

  return {
    name: 'kubelet-node-status',
    watches: [
      ignoringHeartbeats({ resource: 'nodes', map: (n) => [n.metadata.name!] }),
      ignoringHeartbeats({ resource: LEASES, map: (l) => (l.metadata.namespace === LEASE_NAMESPACE ? [l.metadata.name!] : []) }),
      { resource: FAULTS, map: (f) => { const n = faultNode(f); return n ? [n] : []; } },
    ],
    reconcile,
  };
}
