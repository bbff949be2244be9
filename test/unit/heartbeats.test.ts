import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import type { StoreEvent } from '../../sandbox/sim/store/object-store.ts';
import { ignoringHeartbeats, leaseRenewalOnly, nodeHeartbeatOnly } from '../../sandbox/sim/runtime/heartbeats.ts';

const node = (over: { annotations?: Record<string, string>; labels?: Record<string, string>; beat?: string; ready?: string; rv?: string; unschedulable?: boolean } = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Node',
  metadata: { name: 'worker-1', resourceVersion: over.rv ?? '1', labels: over.labels ?? { 'kubevirt.io/schedulable': 'true' }, annotations: over.annotations ?? { 'kubevirt.io/heartbeat': '2026-01-01T00:00:00Z' } },
  spec: over.unschedulable ? { unschedulable: true } : {},
  status: { conditions: [{ type: 'Ready', status: over.ready ?? 'True', lastHeartbeatTime: over.beat ?? '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
});
const modified = (previous: KubeObject, object: KubeObject, resource = 'nodes'): StoreEvent => ({ type: 'MODIFIED', resource, object, previous, rv: 2 });

test('Node updates that only move heartbeats are recognised, and nothing else is', () => {
  const before = node();
  assert.ok(nodeHeartbeatOnly(modified(before, node({ rv: '2', annotations: { 'kubevirt.io/heartbeat': '2026-01-01T00:01:00Z' } }))));
  assert.ok(nodeHeartbeatOnly(modified(before, node({ rv: '2', beat: '2026-01-01T00:05:00Z' }))));
  assert.ok(!nodeHeartbeatOnly(modified(before, node({ rv: '2', ready: 'Unknown' }))));
  assert.ok(!nodeHeartbeatOnly(modified(before, node({ rv: '2', labels: { 'kubevirt.io/schedulable': 'false' } }))));
  assert.ok(!nodeHeartbeatOnly(modified(before, node({ rv: '2', unschedulable: true }))));
  assert.ok(!nodeHeartbeatOnly(modified(before, node({ rv: '2', annotations: { 'kubevirt.io/heartbeat': 'x', other: 'y' } }))));
  assert.ok(!nodeHeartbeatOnly({ type: 'ADDED', resource: 'nodes', object: before, rv: 1 }));
  assert.ok(!nodeHeartbeatOnly(undefined));
});

test('Lease renewals are recognised; a new holder or owner is not a renewal', () => {
  const lease = (renew: string, holder = 'worker-1', owner = 'u1'): KubeObject => ({
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
    metadata: { name: 'worker-1', namespace: 'kube-node-lease', resourceVersion: renew, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'worker-1', uid: owner }] },
    spec: { holderIdentity: holder, leaseDurationSeconds: 40, renewTime: renew },
  });
  const r = 'coordination.k8s.io/leases';
  assert.ok(leaseRenewalOnly(modified(lease('1'), lease('2'), r)));
  assert.ok(!leaseRenewalOnly(modified(lease('1'), lease('2', 'worker-2'), r)));
  assert.ok(!leaseRenewalOnly(modified(lease('1'), lease('2', 'worker-1', 'u2'), r)));
  assert.ok(!leaseRenewalOnly({ type: 'DELETED', resource: r, object: lease('1'), rv: 3 }));
});

test('ignoringHeartbeats wraps Node and Lease watches only', () => {
  const mapped: string[] = [];
  const w = ignoringHeartbeats({ resource: 'nodes', map: (n) => { mapped.push(n.metadata.name!); return [n.metadata.name!]; } });
  assert.deepEqual(w.map(node(), modified(node(), node({ rv: '2', beat: 'later' }))), []);
  assert.deepEqual(w.map(node(), modified(node(), node({ rv: '2', ready: 'False' }))), ['worker-1']);
  assert.deepEqual(mapped, ['worker-1']);
  const pods = { resource: 'pods', map: () => ['x'] };
  assert.equal(ignoringHeartbeats(pods), pods);
});
