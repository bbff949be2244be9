// Pure parts of the Machine API controllers: the MachineSet delete policies and
// status, the drain helper's pod selection and error text, the simulated
// provider (validation, placement, host names) and the bootstrap topology.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { rfc3339 } from '../../sandbox/sim/api/age.ts';
import type { Elapsed } from '../../sandbox/sim/clock.ts';
import { machinesToDelete } from '../../sandbox/sim/controllers/machineset/delete-policy.ts';
import { machineSetStatus, nodeAvailable } from '../../sandbox/sim/controllers/machineset/status.ts';
import { aggregateMessage, drainBackoffSeconds, podsForDeletion, shouldSkipPod } from '../../sandbox/sim/controllers/machine/drain.ts';
import { chooseZone, launchInstance, validationError } from '../../sandbox/sim/controllers/machine/actuator.ts';
import { setCondition } from '../../sandbox/sim/controllers/machine/conditions.ts';
import { bootstrapObjects, MachineLabels, NODE_MACHINE_ANNOTATION, workerMachineName } from '../../sandbox/sim/topology.ts';

const NOW = Date.parse('2026-01-01T01:00:00Z');
const ago = (s: number): string => rfc3339(NOW - s * 1000);
/** Clock.elapsed at `now` on an unscaled clock. */
const at = (now: number): Elapsed => (t) => now - t;

function machine(name: string, opts: { age?: number; nodeRef?: string; deleting?: boolean; annotations?: Record<string, string>; error?: boolean; labels?: Record<string, string> } = {}): KubeObject {
  return {
    apiVersion: 'machine.openshift.io/v1beta1', kind: 'Machine',
    metadata: {
      name, namespace: 'openshift-machine-api', uid: `uid-${name}`,
      creationTimestamp: ago(opts.age ?? 100),
      ...(opts.deleting ? { deletionTimestamp: ago(1) } : {}),
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
      labels: opts.labels ?? { [MachineLabels.role]: 'worker' },
    },
    spec: { providerSpec: { value: {} } },
    status: {
      ...(opts.nodeRef ? { nodeRef: { kind: 'Node', name: opts.nodeRef } } : {}),
      ...(opts.error ? { errorMessage: 'boom' } : {}),
    },
  };
}

const names = (ms: KubeObject[]): string[] => ms.map((m) => m.metadata.name!);
const fixed = (): number => 0.5;

describe('MachineSet delete policy', () => {
  const set = [machine('a', { age: 300, nodeRef: 'n-a' }), machine('b', { age: 100, nodeRef: 'n-b' }), machine('c', { age: 200, nodeRef: 'n-c' })];

  it('Oldest deletes the oldest machines first, Newest the newest', () => {
    assert.deepEqual(names(machinesToDelete(set, 2, 'Oldest', at(NOW), fixed)), ['a', 'c']);
    assert.deepEqual(names(machinesToDelete(set, 1, 'Newest', at(NOW), fixed)), ['b']);
  });

  it('Random prefers machines without a Node, then annotated or failed ones', () => {
    const withNodeless = [...set, machine('d', { age: 50 })];
    assert.deepEqual(names(machinesToDelete(withNodeless, 1, 'Random', at(NOW), fixed)), ['d']);
    const marked = [...withNodeless, machine('e', { nodeRef: 'n-e', annotations: { 'machine.openshift.io/delete-machine': 'true' } })];
    assert.deepEqual(names(machinesToDelete(marked, 2, 'Random', at(NOW), fixed)), ['e', 'd']);
    assert.deepEqual(names(machinesToDelete([...set, machine('f', { nodeRef: 'n-f', error: true })], 1, undefined, at(NOW), fixed)), ['f']);
  });

  it('the delete annotation beats age under Oldest and Newest', () => {
    const marked = [...set, machine('z', { age: 10, nodeRef: 'n-z', annotations: { 'machine.openshift.io/cluster-api-delete-machine': 'yes' } })];
    assert.deepEqual(names(machinesToDelete(marked, 1, 'Oldest', at(NOW), fixed)), ['z']);
    assert.deepEqual(names(machinesToDelete(marked, 1, 'Newest', at(NOW), fixed)), ['z']);
  });

  it('Random breaks ties at random', () => {
    const seen = new Set<string>();
    let i = 0;
    const draws = [0.9, 0.1, 0.5, 0.1, 0.9, 0.5];
    for (let k = 0; k < 2; k++) seen.add(names(machinesToDelete(set, 1, 'Random', at(NOW), () => draws[i++ % draws.length]))[0]);
    assert.equal(seen.size, 2);
  });

  it('nothing for diff ≤ 0, everything when diff covers the set', () => {
    assert.deepEqual(machinesToDelete(set, 0, 'Random', at(NOW)), []);
    assert.equal(machinesToDelete(set, 5, 'Random', at(NOW)).length, 3);
  });
});

describe('MachineSet status', () => {
  const ms: KubeObject = {
    apiVersion: 'machine.openshift.io/v1beta1', kind: 'MachineSet', metadata: { name: 'w', namespace: 'openshift-machine-api' },
    spec: { minReadySeconds: 60, selector: { matchLabels: { x: '1', y: '2' } }, template: { metadata: { labels: { x: '1', y: '2', extra: 'e' } } } },
  };
  const node = (ready: string, since: number): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, status: { conditions: [{ type: 'Ready', status: ready, lastTransitionTime: ago(since) }] } });

  it('counts replicas, fully labeled, ready and available machines', () => {
    const ms1 = machine('a', { nodeRef: 'ready-old', labels: { x: '1', y: '2', extra: 'e' } });
    const ms2 = machine('b', { nodeRef: 'ready-new', labels: { x: '1', y: '2' } });
    const ms3 = machine('c', { nodeRef: 'notready', labels: { x: '1', y: '2', extra: 'e' } });
    const ms4 = machine('d', { labels: { x: '1', y: '2' } });
    const nodes: Record<string, KubeObject> = { 'ready-old': node('True', 120), 'ready-new': node('True', 30), notready: node('False', 500) };
    const st = machineSetStatus(ms, [ms1, ms2, ms3, ms4], (m) => nodes[(m.status as { nodeRef: { name: string } }).nodeRef.name], at(NOW));
    assert.deepEqual(st, { replicas: 4, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 1, labelSelector: 'x=1,y=2' });
  });

  it('a node is available only strictly after minReadySeconds', () => {
    assert.ok(!nodeAvailable(node('True', 60), 60, at(NOW)));
    assert.ok(nodeAvailable(node('True', 61), 60, at(NOW)));
    assert.ok(nodeAvailable(node('True', 0), 0, at(NOW)));
    assert.ok(!nodeAvailable(node('Unknown', 1000), 0, at(NOW)));
  });
});

describe('machine drain helper', () => {
  const pod = (name: string, extra: { node?: string; deletedAgo?: number; owner?: string; mirror?: boolean } = {}): KubeObject => ({
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: 'default', uid: name,
      ...(extra.deletedAgo !== undefined ? { deletionTimestamp: ago(extra.deletedAgo) } : {}),
      ...(extra.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: extra.owner, name: 'owner', uid: 'o', controller: true }] } : {}),
      ...(extra.mirror ? { annotations: { 'kubernetes.io/config.mirror': 'abc' } } : {}),
    },
    spec: { nodeName: extra.node ?? 'worker-1' },
  });

  it('evicts everything on the node but mirror pods, DaemonSet pods and (unreachable) long-deleted pods', () => {
    const pods = [
      pod('plain'), pod('elsewhere', { node: 'worker-2' }), pod('ds', { owner: 'DaemonSet' }), pod('ds-orphan', { owner: 'DaemonSet' }),
      pod('rs', { owner: 'ReplicaSet' }), pod('mirror', { mirror: true }), pod('deleted-long-ago', { deletedAgo: 2 }), pod('deleted-just-now', { deletedAgo: 1 }),
      pod('deleting-later', { deletedAgo: -30 }),
    ];
    const dsExists = (_ns: string, _name: string): boolean => true;
    assert.deepEqual(names(podsForDeletion(pods, 'worker-1', at(NOW), 1, dsExists)), ['plain', 'rs', 'deleted-just-now', 'deleting-later']);
    assert.deepEqual(names(podsForDeletion(pods, 'worker-1', at(NOW), 0, () => false)), ['plain', 'ds', 'ds-orphan', 'rs', 'deleted-long-ago', 'deleted-just-now', 'deleting-later']);
  });

  it('skips a pod once its deletion timestamp is more than the timeout in whole seconds old', () => {
    assert.ok(!shouldSkipPod(pod('p', { deletedAgo: 1 }), at(NOW), 1));
    assert.ok(!shouldSkipPod(pod('p', { deletedAgo: 1 }), at(NOW + 999), 1));
    assert.ok(shouldSkipPod(pod('p', { deletedAgo: 2 }), at(NOW), 1));
    assert.ok(!shouldSkipPod(pod('p', { deletedAgo: 100 }), at(NOW), 0));
    assert.ok(!shouldSkipPod(pod('p'), at(NOW), 1));
  });

  it('aggregates errors like utilerrors and backs off like the drain queue', () => {
    assert.equal(aggregateMessage(['a']), 'a');
    assert.equal(aggregateMessage(['a', 'b', 'a']), '[a, b]');
    assert.deepEqual([1, 2, 3, 4, 8, 9, 20].map(drainBackoffSeconds), [5, 10, 20, 40, 640, 1000, 1000]);
  });
});

describe('simulated machine provider', () => {
  it('rejects machines without the cluster label or a provider spec, as FailedValidate says', () => {
    const bare: KubeObject = { apiVersion: 'machine.openshift.io/v1beta1', kind: 'Machine', metadata: { name: 'm1', labels: { 'machine.openshift.io/instance-type': 'm6i.xlarge' } }, spec: {} };
    assert.equal(validationError(bare),
      'm1: machine validation failed: [spec.labels: Invalid value: map[string]string{"machine.openshift.io/instance-type":"m6i.xlarge"}: missing machine.openshift.io/cluster-api-cluster label., '
      + 'spec.spec.providerspec: Invalid value: v1beta1.ProviderSpec{Value:(*runtime.RawExtension)(nil)}: value field must be set]');
    const ok = machine('ok', { labels: { [MachineLabels.cluster]: 'virtlab' } });
    assert.equal(validationError(ok), undefined);
  });

  it('places a new machine in the emptiest zone and names its host after the highest in use', () => {
    const zoned = (name: string, zone: string, deleting = false): KubeObject => {
      const m = machine(name, { deleting, labels: { [MachineLabels.role]: 'worker', [MachineLabels.zone]: zone } });
      return m;
    };
    const others = [zoned('a', 'virtlab-1a'), zoned('b', 'virtlab-1b', true), zoned('c', 'virtlab-1c')];
    const fresh = machine('new');
    assert.equal(chooseZone(fresh, others), 'virtlab-1b');
    const nodes = ['worker-0', 'worker-2', 'master-0'].map((n) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: n } }));
    const launched = launchInstance(fresh, others, nodes, NOW);
    assert.equal(launched.status.hostname, 'worker-3');
    assert.equal(launched.status.instanceState, 'pending');
    assert.deepEqual(launched.labels, { [MachineLabels.instanceType]: 'm6i.4xlarge', [MachineLabels.region]: 'virtlab-1', [MachineLabels.zone]: 'virtlab-1b' });
  });

  it('moves a condition transition time only when its state changes', () => {
    const t0 = NOW - 1000;
    const one = setCondition(undefined, { type: 'Drained', status: 'True', message: 'x' }, t0);
    assert.equal(setCondition(one, { type: 'Drained', status: 'True', message: 'x' }, NOW)[0].lastTransitionTime, rfc3339(t0));
    assert.equal(setCondition(one, { type: 'Drained', status: 'False', message: 'x' }, NOW)[0].lastTransitionTime, rfc3339(NOW));
  });
});

describe('bootstrap topology of the Machine API', () => {
  const objs = bootstrapObjects({ workers: 3, controlPlanes: 3 }, NOW);
  const of = (kind: string): KubeObject[] => objs.filter((o) => o.kind === kind);

  it('backs every Node with a Machine that names it, and the Node names the Machine back', () => {
    const machines = of('Machine');
    assert.equal(machines.length, 6);
    for (const n of of('Node')) {
      const ref = n.metadata.annotations![NODE_MACHINE_ANNOTATION];
      const m = machines.find((x) => `${x.metadata.namespace}/${x.metadata.name}` === ref);
      assert.ok(m, `machine of ${n.metadata.name}`);
      assert.equal((m.status as { nodeRef: { name: string } }).nodeRef.name, n.metadata.name);
      assert.equal((m.spec as { providerID: string }).providerID, (n.spec as { providerID: string }).providerID);
      assert.equal(m.metadata.labels![MachineLabels.zone], n.metadata.labels!['topology.kubernetes.io/zone']);
    }
    assert.deepEqual(machines.map((m) => m.metadata.name).slice(0, 3), ['virtlab-master-0', 'virtlab-master-1', 'virtlab-master-2']);
    assert.equal(machines[3].metadata.name, workerMachineName(0));
    assert.match(workerMachineName(0), /^virtlab-worker-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('has one worker MachineSet whose selector matches the worker machines only', () => {
    const [ms] = of('MachineSet');
    assert.equal(ms.metadata.name, 'virtlab-worker');
    const sel = (ms.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
    const matching = of('Machine').filter((m) => Object.entries(sel).every(([k, v]) => m.metadata.labels![k] === v));
    assert.deepEqual(matching.map((m) => m.metadata.labels![MachineLabels.role]), ['worker', 'worker', 'worker']);
    assert.equal((ms.spec as { replicas: number }).replicas, 3);
  });
});
