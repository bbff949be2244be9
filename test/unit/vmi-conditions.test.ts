import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  containerImageError, withSyncFailure, desiredUnpausedCondition, readyCondition, upsertCondition, withPodScheduled, type Condition,
} from '../../sandbox/sim/controllers/vmi/conditions.ts';

const NOW = '2026-01-01T00:00:10Z';
const podReady = { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:05Z' };
const pod = (conditions: unknown[] = [podReady], extra: Record<string, unknown> = {}) =>
  ({ metadata: {}, status: { phase: 'Running', conditions, containerStatuses: [{ name: 'compute', state: { running: {} } }] }, ...extra });

test('VMI Ready condition (§2.5)', () => {
  const rows: [string, Parameters<typeof readyCondition>, Partial<Condition>][] = [
    ['no pod', ['Pending', undefined, NOW], { status: 'False', reason: 'PodNotExists', message: 'virt-launcher pod has not yet been scheduled' }],
    ['pod terminating', ['Running', { metadata: { deletionTimestamp: NOW }, status: {} }, NOW], { status: 'False', reason: 'PodTerminating', message: 'virt-launcher pod is terminating' }],
    ['not running yet', ['Scheduled', pod(), NOW], { status: 'False', reason: 'GuestNotRunning', message: 'Guest VM is not reported as running' }],
    ['running, pod lacks Ready', ['Running', pod([]), NOW], { status: 'False', reason: 'PodConditionMissing', message: 'virt-launcher pod is missing the Ready condition' }],
    ['running, pod Ready copied', ['Running', pod(), NOW], { status: 'True', reason: undefined, lastTransitionTime: '2026-01-01T00:00:05Z', lastProbeTime: null }],
    ['running, pod not ready copied', ['Running', pod([{ type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: 'corresponding condition of pod readiness gate is not "True"', lastProbeTime: null, lastTransitionTime: 'T' }]), NOW],
      { status: 'False', reason: 'ReadinessGatesNotReady', message: 'corresponding condition of pod readiness gate is not "True"' }],
  ];
  for (const [name, args, want] of rows) {
    const got = readyCondition(...args);
    assert.equal(got.type, 'Ready', name);
    for (const [k, v] of Object.entries(want)) assert.deepEqual((got as unknown as Record<string, unknown>)[k], v, `${name}: ${k}`);
  }
});

test('upsertCondition keeps timestamps while nothing but time changed', () => {
  const a: Condition = { type: 'Ready', status: 'False', reason: 'GuestNotRunning', message: 'm', lastProbeTime: 'T1', lastTransitionTime: 'T1' };
  const same = { ...a, lastProbeTime: 'T2', lastTransitionTime: 'T2' };
  assert.deepEqual(upsertCondition([a], same), [a]);
  const changed = { ...a, status: 'True', reason: undefined, message: undefined, lastTransitionTime: 'T3' };
  assert.deepEqual(upsertCondition([a], changed), [changed]);
  assert.deepEqual(upsertCondition([], a), [a]);
});

test('PodScheduled=False is copied from the pod and dropped once scheduled', () => {
  const unsched = { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/4 nodes are available: 1 node(s) had untolerated taint.', lastProbeTime: null, lastTransitionTime: 'T' };
  const withCond = withPodScheduled([], pod([unsched]));
  assert.deepEqual(withCond, [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: unsched.message, lastProbeTime: null, lastTransitionTime: 'T' }]);
  assert.deepEqual(withPodScheduled(withCond, pod([{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: 'T' }])), []);
});

test('the unpaused readiness gate follows the VMI Paused condition', () => {
  const gate = (status: string) => ({ type: 'kubevirt.io/virtual-machine-unpaused', status, lastProbeTime: 'T', lastTransitionTime: 'T' });
  assert.deepEqual(desiredUnpausedCondition(false, pod([]), NOW), {
    type: 'kubevirt.io/virtual-machine-unpaused', status: 'True', reason: 'NotPaused', message: 'the virtual machine is not paused', lastProbeTime: NOW, lastTransitionTime: NOW,
  });
  assert.equal(desiredUnpausedCondition(false, pod([gate('True')]), NOW), undefined);
  assert.deepEqual(desiredUnpausedCondition(true, pod([gate('True')]), NOW), {
    type: 'kubevirt.io/virtual-machine-unpaused', status: 'False', reason: 'Paused', message: 'the virtual machine is paused', lastProbeTime: NOW, lastTransitionTime: NOW,
  });
  assert.equal(desiredUnpausedCondition(true, pod([gate('False')]), NOW), undefined);
  assert.equal(desiredUnpausedCondition(false, pod([gate('False')]), NOW)?.status, 'True');
});

test('Synchronized: False with the sync error, kept while the reason stays, dropped once in sync', () => {
  const err = { reason: 'ErrImagePull', message: 'initializing source docker://quay.io/nope:1: reading manifest 1 in quay.io/nope: unauthorized' };
  const failed = withSyncFailure([], err, 'T1');
  assert.deepEqual(failed, [{ type: 'Synchronized', status: 'False', reason: 'ErrImagePull', message: err.message, lastProbeTime: null, lastTransitionTime: 'T1' }]);
  assert.deepEqual(withSyncFailure(failed, err, 'T2'), failed);
  assert.equal(withSyncFailure(failed, { reason: 'ImagePullBackOff', message: 'Back-off pulling image' }, 'T3')[0].reason, 'ImagePullBackOff');
  assert.deepEqual(withSyncFailure(failed, undefined, 'T4'), []);
  const p = { status: { containerStatuses: [{ name: 'compute', state: { running: {} } }, { name: 'volumerootdisk', state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "quay.io/nope:1"' } } }] } };
  assert.deepEqual(containerImageError(p), { reason: 'ImagePullBackOff', message: 'Back-off pulling image "quay.io/nope:1"' });
  assert.equal(containerImageError({ status: {} }), undefined);
});
