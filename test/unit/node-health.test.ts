// Pure rules of node health: when the node lifecycle controller declares a
// kubelet silent and what it writes then, which taints it wants, what a
// kubelet posts, and KubeVirt's heartbeat staleness and pod liveness.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import type { Deadline, Elapsed } from '../../sandbox/sim/clock.ts';
import { desiredTaints, sameTaints, silentAfter, silentConditions, type NodeCondition } from '../../sandbox/sim/controllers/node-lifecycle/health.ts';
import { nextBootID, postedConditions } from '../../sandbox/sim/controllers/kubelet/node-status.ts';
import { heartbeatDueIn, runsVirtHandler } from '../../sandbox/sim/controllers/kubevirt-node/heartbeat.ts';
import { podAlive, staleAt } from '../../sandbox/sim/controllers/kubevirt-node/controller.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
/** Clock.deadline and Clock.elapsed (at `now`) of an unscaled clock. */
const unscaled: Deadline = (from, s) => from + s * 1000;
const at = (now: number): Elapsed => (t) => now - t;

function cond(type: string, status: string, beat = T0): Required<NodeCondition> {
  return { type, status, reason: `${type}Reason`, message: `${type} message`, lastHeartbeatTime: iso(beat), lastTransitionTime: iso(T0 - 3600_000) };
}

describe('node lifecycle: silence', () => {
  it('counts the grace period from the later of lease renewal and status heartbeat', () => {
    const conds = [cond('Ready', 'True', T0)];
    assert.equal(silentAfter(conds, undefined, T0 - 1e6, unscaled), T0 + 50_000);
    assert.equal(silentAfter(conds, T0 + 30_000, T0 - 1e6, unscaled), T0 + 80_000);
    assert.equal(silentAfter([], undefined, T0, unscaled), T0 + 60_000, 'never posted: startup grace from creation');
  });

  it('turns Ready and the pressure conditions Unknown, keeping heartbeat times', () => {
    const conds = [cond('MemoryPressure', 'False'), cond('DiskPressure', 'False'), cond('PIDPressure', 'False'), cond('Ready', 'True'), cond('NetworkUnavailable', 'False')];
    const r = silentConditions(conds, iso(T0 + 50_000), iso(T0 - 1e6));
    assert.equal(r.changed, true);
    for (const c of r.conditions.slice(0, 4)) {
      assert.deepEqual({ s: c.status, r: c.reason, m: c.message, h: c.lastHeartbeatTime, t: c.lastTransitionTime },
        { s: 'Unknown', r: 'NodeStatusUnknown', m: 'Kubelet stopped posting node status.', h: iso(T0), t: iso(T0 + 50_000) });
    }
    assert.equal(r.conditions[4].status, 'False', 'conditions other than the monitored four stay');
    assert.equal(silentConditions(r.conditions, iso(T0 + 60_000), iso(T0)).changed, false, 'idempotent');
    const never = silentConditions([], iso(T0), iso(T0 - 60_000));
    assert.deepEqual(never.conditions.map((c) => `${c.type}=${c.status}/${c.reason}/${c.message}`), [
      'Ready=Unknown/NodeStatusNeverUpdated/Kubelet never posted node status.',
      'MemoryPressure=Unknown/NodeStatusNeverUpdated/Kubelet never posted node status.',
      'DiskPressure=Unknown/NodeStatusNeverUpdated/Kubelet never posted node status.',
      'PIDPressure=Unknown/NodeStatusNeverUpdated/Kubelet never posted node status.',
    ]);
  });
});

describe('node lifecycle: taints', () => {
  const now = '2026-01-01T00:01:00Z';
  const master = { key: 'node-role.kubernetes.io/master', effect: 'NoSchedule' };
  const rows: [string, string | undefined, boolean, string[]][] = [
    ['healthy', 'True', false, []],
    ['unknown', 'Unknown', false, ['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']],
    ['not ready', 'False', false, ['node.kubernetes.io/not-ready:NoSchedule', 'node.kubernetes.io/not-ready:NoExecute']],
    ['cordoned', 'True', true, ['node.kubernetes.io/unschedulable:NoSchedule']],
  ];
  for (const [title, ready, cordoned, want] of rows) {
    it(title, () => {
      const got = desiredTaints([master], ready, cordoned, now);
      assert.deepEqual(got.map((t) => `${t.key}:${t.effect}`), ['node-role.kubernetes.io/master:NoSchedule', ...want]);
      for (const t of got.slice(1)) assert.equal(t.timeAdded, now);
    });
  }

  it('keeps an existing taint with its time and drops stale ones', () => {
    const old = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2026-01-01T00:00:00Z' };
    const got = desiredTaints([old, { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: 'x' }], 'Unknown', false, now);
    assert.deepEqual(got, [old, { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: now }]);
    assert.equal(sameTaints(got, [...got].reverse()), true);
    assert.deepEqual(desiredTaints(got, 'True', false, now), []);
  });
});

describe('kubelet node status', () => {
  it('posts Ready with fresh heartbeats when the status changes', () => {
    const current = [cond('MemoryPressure', 'Unknown'), cond('DiskPressure', 'Unknown'), cond('PIDPressure', 'Unknown'), { ...cond('Ready', 'Unknown'), reason: 'NodeStatusUnknown' }];
    const { conditions, changed } = postedConditions(current, T0 + 600_000, false);
    assert.equal(changed, true);
    const ready = conditions.find((c) => c.type === 'Ready')!;
    assert.deepEqual(ready, { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: iso(T0 + 600_000), lastTransitionTime: iso(T0 + 600_000) });
    assert.equal(conditions.find((c) => c.type === 'PIDPressure')!.reason, 'KubeletHasSufficientPID');
  });

  it('moves only the heartbeat on a periodic report, and nothing otherwise', () => {
    const healthy = postedConditions([], T0, true).conditions;
    const quiet = postedConditions(healthy, T0 + 60_000, false);
    assert.equal(quiet.changed, false);
    assert.deepEqual(quiet.conditions, healthy);
    const report = postedConditions(healthy, T0 + 300_000, true);
    assert.equal(report.conditions.find((c) => c.type === 'Ready')!.lastHeartbeatTime, iso(T0 + 300_000));
    assert.equal(report.conditions.find((c) => c.type === 'Ready')!.lastTransitionTime, iso(T0));
  });

  it("keeps its own Ready=False while the network plugin is not up", () => {
    const notReady = { ...cond('Ready', 'False'), reason: 'KubeletNotReady', message: 'container runtime network not ready' };
    const r = postedConditions([notReady], T0, false);
    assert.equal(r.conditions.find((c) => c.type === 'Ready')!.status, 'False');
  });

  it('numbers boot IDs', () => {
    assert.equal(nextBootID('worker-1-boot-1', 'worker-1'), 'worker-1-boot-2');
    assert.equal(nextBootID('', 'worker-1'), 'worker-1-boot-2');
  });
});

describe('KubeVirt heartbeat', () => {
  const node = (labels: Record<string, string>, heartbeat?: number): KubeObject => ({
    apiVersion: 'v1', kind: 'Node',
    metadata: { name: 'w', labels, annotations: heartbeat === undefined ? {} : { 'kubevirt.io/heartbeat': iso(heartbeat) } },
  });
  it('beats every minute on workers and right away when the label says false', () => {
    const worker = { 'node-role.kubernetes.io/worker': '', 'kubevirt.io/schedulable': 'true' };
    assert.equal(runsVirtHandler(node(worker)), true);
    assert.equal(runsVirtHandler(node({ 'node-role.kubernetes.io/master': '' })), false);
    assert.equal(heartbeatDueIn(node(worker), at(T0)), 0);
    assert.equal(heartbeatDueIn(node(worker, T0), at(T0 + 20_000)), 40);
    assert.equal(heartbeatDueIn(node({ ...worker, 'kubevirt.io/schedulable': 'false' }, T0), at(T0 + 20_000)), 0);
  });

  it('is stale after 5 minutes; a Terminating pod is still alive, a finished one is not', () => {
    assert.equal(staleAt(node({}, T0), unscaled), T0 + 300_000);
    assert.equal(staleAt(node({}), unscaled), undefined);
    const pod = (status: Record<string, unknown>, deleting = false): KubeObject => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ...(deleting ? { deletionTimestamp: iso(T0) } : {}) }, status,
    });
    assert.equal(podAlive(pod({ phase: 'Running', containerStatuses: [{ state: { running: {} } }] }, true)), true);
    assert.equal(podAlive(pod({ phase: 'Failed' })), false);
    assert.equal(podAlive(pod({ phase: 'Running', containerStatuses: [{ state: { terminated: { exitCode: 137 } } }] })), false);
  });
});
