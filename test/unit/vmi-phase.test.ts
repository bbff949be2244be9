import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isLauncherPodReady, isPodDownOrGoingDown, nextVmiPhase, withPhaseTransition, type PhaseFacts,
} from '../../sandbox/sim/controllers/vmi/phase.ts';

type Pod = NonNullable<PhaseFacts['pod']>;

const pending: Pod = { metadata: {}, status: { phase: 'Pending', containerStatuses: [{ name: 'compute', state: { waiting: { reason: 'ContainerCreating' } } }] } };
// Running with compute started but not ready (the unpaused gate or a readiness probe holds it).
const running: Pod = {
  metadata: {},
  status: {
    phase: 'Running',
    containerStatuses: [
      { name: 'compute', ready: false, state: { running: { startedAt: 't' } } },
      { name: 'volumerootdisk', ready: true, state: { running: { startedAt: 't' } } },
    ],
  },
};
const sidecarNotReady: Pod = { metadata: {}, status: { phase: 'Running', containerStatuses: [{ name: 'compute', state: { running: {} } }, { name: 'volumerootdisk', ready: false, state: { running: {} } }] } };
const terminating: Pod = { metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' }, status: running.status };
const failed: Pod = { metadata: {}, status: { phase: 'Failed' } };
const computeExited: Pod = { metadata: {}, status: { phase: 'Running', containerStatuses: [{ name: 'compute', state: { terminated: { exitCode: 137 } } }] } };

test('launcher pod readiness as virt-controller sees it', () => {
  assert.equal(isLauncherPodReady(running), true, 'compute only needs to run');
  assert.equal(isLauncherPodReady(pending), false);
  assert.equal(isLauncherPodReady(sidecarNotReady), false);
  assert.equal(isLauncherPodReady(terminating), false);
  assert.equal(isLauncherPodReady(failed), false);
  assert.equal(isLauncherPodReady(computeExited), false);
  assert.equal(isPodDownOrGoingDown(terminating), true);
  assert.equal(isPodDownOrGoingDown(computeExited), true);
  assert.equal(isPodDownOrGoingDown(running), false);
});

test('nextVmiPhase transition table', () => {
  const rows: [string, PhaseFacts, string][] = [
    ['new VMI, no pod', { phase: undefined, deleting: false }, 'Pending'],
    ['Pending, no pod', { phase: 'Pending', deleting: false }, 'Pending'],
    ['Pending, pod created', { phase: 'Pending', deleting: false, pod: pending }, 'Scheduling'],
    ['"" with pod', { phase: '', deleting: false, pod: pending }, 'Scheduling'],
    ['Pending, deleted before a pod existed', { phase: 'Pending', deleting: true }, 'Failed'],
    ['Scheduling, pod pending', { phase: 'Scheduling', deleting: false, pod: pending }, 'Scheduling'],
    ['Scheduling, pod running', { phase: 'Scheduling', deleting: false, pod: running }, 'Scheduled'],
    ['Scheduling, pod running but VMI deleting', { phase: 'Scheduling', deleting: true, pod: running }, 'Scheduling'],
    ['Scheduling, pod terminating', { phase: 'Scheduling', deleting: true, pod: terminating }, 'Failed'],
    ['Scheduling, pod failed', { phase: 'Scheduling', deleting: false, pod: failed }, 'Failed'],
    ['Scheduling, pod vanished', { phase: 'Scheduling', deleting: false }, 'Failed'],
    ['Scheduled, pod there', { phase: 'Scheduled', deleting: false, pod: running }, 'Scheduled'],
    ['Scheduled, pod terminating (virt-handler decides)', { phase: 'Scheduled', deleting: false, pod: terminating }, 'Scheduled'],
    ['Scheduled, pod vanished', { phase: 'Scheduled', deleting: false }, 'Failed'],
    ['Running, pod there', { phase: 'Running', deleting: false, pod: running }, 'Running'],
    ['Running, pod vanished', { phase: 'Running', deleting: false }, 'Failed'],
    ['Running, deleted, pod vanished', { phase: 'Running', deleting: true }, 'Failed'],
    ['Succeeded stays', { phase: 'Succeeded', deleting: false }, 'Succeeded'],
    ['Failed stays', { phase: 'Failed', deleting: true, pod: running }, 'Failed'],
  ];
  for (const [name, facts, want] of rows) assert.equal(nextVmiPhase(facts), want, name);
});

test('phaseTransitionTimestamps grow only on a change', () => {
  const t1 = withPhaseTransition(undefined, undefined, 'Pending', 'T1');
  assert.deepEqual(t1, [{ phase: 'Pending', phaseTransitionTimestamp: 'T1' }]);
  assert.equal(withPhaseTransition(t1, 'Pending', 'Pending', 'T2'), t1);
  assert.deepEqual(withPhaseTransition(t1, 'Pending', 'Scheduling', 'T2'), [
    { phase: 'Pending', phaseTransitionTimestamp: 'T1' }, { phase: 'Scheduling', phaseTransitionTimestamp: 'T2' },
  ]);
});
