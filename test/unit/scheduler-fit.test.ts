// The scheduler's pure filters, scoring and FitError message, on hand-built nodes and pods.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import type { Deadline } from '../../sandbox/sim/clock.ts';
import {
  filterNode, fitErrorMessage, insufficientResources, matchesNodeAffinity, nodeInfos, podRequests, schedule,
} from '../../sandbox/sim/controllers/scheduler/fit.ts';
import { evictionDeadline } from '../../sandbox/sim/controllers/node-lifecycle/taint-eviction.ts';
import { matchingTolerations, minTolerationSeconds, tolerates } from '../../sandbox/sim/scheduling/taints.ts';

type J = Record<string, unknown>;
/** Clock.deadline of an unscaled clock. */
const unscaled: Deadline = (from, s) => from + s * 1000;

function node(name: string, o: { labels?: Record<string, string>; taints?: J[]; unschedulable?: boolean; cpu?: string; memory?: string; pods?: string; kvm?: string } = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: { allocatable: { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110', 'devices.kubevirt.io/kvm': o.kvm ?? '0' } },
  };
}

function pod(name: string, o: { requests?: Record<string, string>; spec?: J; nodeName?: string; phase?: string } = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: {
      containers: [{ name: 'c', image: 'x', resources: { requests: o.requests ?? {} } }],
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...o.spec,
    },
    status: { phase: o.phase ?? 'Running' },
  };
}

const master = (name: string): KubeObject => node(name, { labels: { 'node-role.kubernetes.io/master': '' }, taints: [{ key: 'node-role.kubernetes.io/master', effect: 'NoSchedule' }] });

describe('taints and tolerations', () => {
  const cases: [string, J, J, boolean][] = [
    ['Exists without key tolerates everything', { operator: 'Exists' }, { key: 'a', value: 'b', effect: 'NoExecute' }, true],
    ['Equal needs the value', { key: 'a', value: 'b', effect: 'NoSchedule' }, { key: 'a', value: 'b', effect: 'NoSchedule' }, true],
    ['Equal with another value', { key: 'a', value: 'c' }, { key: 'a', value: 'b', effect: 'NoSchedule' }, false],
    ['empty value matches an empty taint value', { key: 'node-role.kubernetes.io/master', operator: 'Equal' }, { key: 'node-role.kubernetes.io/master', effect: 'NoSchedule' }, true],
    ['effect must match when set', { key: 'a', operator: 'Exists', effect: 'NoExecute' }, { key: 'a', effect: 'NoSchedule' }, false],
    ['other key', { key: 'b', operator: 'Exists' }, { key: 'a', effect: 'NoSchedule' }, false],
  ];
  for (const [title, tol, taint, want] of cases) {
    it(title, () => assert.equal(tolerates(tol, taint as never), want));
  }

  it('keeps the shortest tolerationSeconds; unbounded is Infinity; ≤ 0 is 0', () => {
    const unreachable = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };
    const r = matchingTolerations([unreachable], [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }]);
    assert.equal(r.all, true);
    assert.equal(minTolerationSeconds(r.used), 300);
    assert.equal(minTolerationSeconds([{ operator: 'Exists' }]), Infinity);
    assert.equal(minTolerationSeconds([{ operator: 'Exists', tolerationSeconds: 0 }]), 0);
    assert.equal(matchingTolerations([unreachable], []).all, false);
  });

  it('schedules the taint-manager deletion from the taint time', () => {
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const taints = [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2026-01-01T00:00:00Z' }];
    const dflt = [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }];
    assert.equal(evictionDeadline(taints, dflt, t0 + 10_000, unscaled), t0 + 300_000);
    assert.equal(evictionDeadline(taints, [], t0 + 10_000, unscaled), t0 + 10_000, 'not tolerated: now');
    assert.equal(evictionDeadline(taints, [{ operator: 'Exists' }], t0, unscaled), undefined, 'tolerated for ever');
    assert.equal(evictionDeadline([], [], t0, unscaled), undefined);
  });
});

describe('scheduler filters', () => {
  it('adds requests of containers, at least the largest init container, plus overhead', () => {
    const p = pod('p', { requests: { cpu: '500m', memory: '1Gi' } });
    (p.spec as J).containers = [...((p.spec as J).containers as J[]), { name: 'd', image: 'x', resources: { requests: { cpu: '250m', 'devices.kubevirt.io/kvm': '1' } } }];
    (p.spec as J).initContainers = [{ name: 'i', image: 'x', resources: { requests: { cpu: '2' } } }];
    (p.spec as J).overhead = { memory: '100Mi' };
    assert.deepEqual(podRequests(p), { cpu: 2, memory: 2 ** 30 + 100 * 2 ** 20, 'devices.kubevirt.io/kvm': 1 });
  });

  const table: [string, KubeObject, KubeObject, KubeObject[], string[]][] = [
    ['fits', pod('p', { requests: { cpu: '1' } }), node('n'), [], []],
    ['cordoned', pod('p'), node('n', { unschedulable: true }), [], ['node(s) were unschedulable']],
    ['cordoned but tolerated', pod('p', { spec: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } }), node('n', { unschedulable: true }), [], []],
    ['master taint', pod('p'), master('m'), [], ['node(s) had untolerated taint {node-role.kubernetes.io/master: }']],
    ['taint with value', pod('p'), node('n', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] }), [], ['node(s) had untolerated taint {dedicated: db}']],
    ['PreferNoSchedule is no filter', pod('p'), node('n', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }), [], []],
    ['nodeSelector', pod('p', { spec: { nodeSelector: { disk: 'ssd' } } }), node('n'), [], ["node(s) didn't match Pod's node affinity/selector"]],
    ['memory and cpu short', pod('p', { requests: { cpu: '3', memory: '6Gi' } }), node('n'), [pod('a', { nodeName: 'n', requests: { cpu: '2', memory: '4Gi' } })], ['Insufficient cpu', 'Insufficient memory']],
    ['finished pods free their resources', pod('p', { requests: { cpu: '3' } }), node('n'), [pod('a', { nodeName: 'n', phase: 'Succeeded', requests: { cpu: '2' } })], []],
    ['too many pods', pod('p'), node('n', { pods: '1' }), [pod('a', { nodeName: 'n' })], ['Too many pods']],
    ['no kvm device on the node', pod('p', { requests: { 'devices.kubevirt.io/kvm': '1' } }), node('n'), [], ['Insufficient devices.kubevirt.io/kvm']],
    ['kvm device available', pod('p', { requests: { 'devices.kubevirt.io/kvm': '1' } }), node('n', { kvm: '1k' }), [], []],
  ];
  for (const [title, p, n, bound, reasons] of table) {
    it(title, () => {
      const [info] = nodeInfos([n], bound);
      assert.deepEqual(filterNode(p, info).reasons, reasons);
    });
  }

  it('matches required node affinity terms (ORed terms, ANDed expressions)', () => {
    const n = node('worker-1', { labels: { zone: 'a', gen: '3' } });
    const affinity = (terms: J[]): KubeObject => pod('p', { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } } });
    const rows: [J[], boolean][] = [
      [[{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }], true],
      [[{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }], false],
      [[{ matchExpressions: [{ key: 'zone', operator: 'Exists' }, { key: 'gpu', operator: 'DoesNotExist' }] }], true],
      [[{ matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['2'] }] }], true],
      [[{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z'] }] }, { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['worker-1'] }] }], true],
      [[{}], false],
    ];
    for (const [terms, want] of rows) assert.equal(matchesNodeAffinity(affinity(terms), n), want, JSON.stringify(terms));
  });

  it('reports each short resource once per node', () => {
    const [info] = nodeInfos([node('n', { pods: '1' })], [pod('a', { nodeName: 'n', requests: { cpu: '4' } })]);
    assert.deepEqual(insufficientResources(pod('p', { requests: { cpu: '1', memory: '1Gi' } }), info), ['Too many pods', 'Insufficient cpu']);
  });
});

describe('scheduling decisions', () => {
  it('picks the least-allocated node, ties by name', () => {
    const nodes = [node('worker-2'), node('worker-0'), node('worker-1')];
    assert.deepEqual(schedule(pod('p'), nodeInfos(nodes, [])), { node: 'worker-0' });
    const busy = [pod('a', { nodeName: 'worker-0', requests: { cpu: '2' } })];
    assert.deepEqual(schedule(pod('p'), nodeInfos(nodes, busy)), { node: 'worker-1' });
    // Pods without requests still count (scheduler defaults of 100m / 200Mi).
    const light = [pod('a', { nodeName: 'worker-0' }), pod('b', { nodeName: 'worker-1' })];
    assert.deepEqual(schedule(pod('p'), nodeInfos(nodes, light)), { node: 'worker-2' });
  });

  it('words the FitError like kube-scheduler 1.32, reasons sorted bytewise', () => {
    const nodes = [master('master-0'), master('master-1'), master('master-2'), node('worker-0'), node('worker-1'), node('worker-2')];
    const r = schedule(pod('p', { requests: { memory: '10Gi' } }), nodeInfos(nodes, []));
    assert.ok('unschedulable' in r);
    assert.equal(r.message, '0/6 nodes are available: 3 Insufficient memory, 3 node(s) had untolerated taint {node-role.kubernetes.io/master: }. '
      + 'preemption: 0/6 nodes are available: 3 No preemption victims found for incoming pod, 3 Preemption is not helpful for scheduling.');
  });

  it('counts reasons, and says when preemption is not allowed at all', () => {
    const fits = [
      { node: 'a', reasons: ['Insufficient cpu', 'Insufficient memory'], resolvable: true },
      { node: 'b', reasons: ['Insufficient cpu'], resolvable: true },
      { node: 'c', reasons: ["node(s) didn't match Pod's node affinity/selector"], resolvable: false },
    ];
    assert.equal(fitErrorMessage(pod('p'), fits), "0/3 nodes are available: 1 Insufficient memory, 1 node(s) didn't match Pod's node affinity/selector, 2 Insufficient cpu. "
      + 'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.');
    assert.equal(fitErrorMessage(pod('p', { spec: { preemptionPolicy: 'Never' } }), fits.slice(2)),
      "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: not eligible due to preemptionPolicy=Never.");
    assert.equal(fitErrorMessage(pod('p'), []), 'no nodes available to schedule pods');
  });
});
