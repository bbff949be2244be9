import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import type { Elapsed } from '../../sandbox/sim/clock.ts';
import {
  launcherPodReady, migrationBackoffSeconds, migrationsToCollect, nextMigrationStep, type MigrationFacts, type MigrationState, type MigrationStep,
} from '../../sandbox/sim/controllers/migration/phase.ts';

type J = Record<string, any>;

function mig(phase: string, o: { deleting?: boolean; abortCondition?: boolean; uid?: string } = {}): KubeObject {
  return {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceMigration',
    metadata: { name: 'm', namespace: 'default', uid: o.uid ?? 'M', ...(o.deleting ? { deletionTimestamp: '2026-03-01T10:00:00Z' } : {}) },
    spec: { vmiName: 'vm1' },
    status: { ...(phase ? { phase } : {}), ...(o.abortCondition ? { conditions: [{ type: 'migrationAbortRequested', status: 'True' }] } : {}) },
  };
}

function vmi(ms?: MigrationState, o: { phase?: string; conditions?: J[] } = {}): KubeObject {
  return {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'vm1', namespace: 'default', uid: 'V' },
    spec: {}, status: { phase: o.phase ?? 'Running', nodeName: 'worker-0', conditions: o.conditions ?? [], ...(ms ? { migrationState: ms } : {}) },
  };
}

function pod(state: 'pending' | 'running' | 'succeeded' | 'failed' | 'deleting'): KubeObject {
  const phase = { pending: 'Pending', running: 'Running', succeeded: 'Succeeded', failed: 'Failed', deleting: 'Running' }[state];
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'virt-launcher-vm1-tgt', namespace: 'default', ...(state === 'deleting' ? { deletionTimestamp: '2026-03-01T10:00:00Z' } : {}) },
    spec: { nodeName: state === 'pending' ? undefined : 'worker-1' },
    status: {
      phase,
      containerStatuses: [{ name: 'compute', ready: false, state: state === 'pending' ? { waiting: {} } : state === 'running' || state === 'deleting' ? { running: {} } : { terminated: { exitCode: 0 } } }],
    },
  };
}

const handedOff: MigrationState = { migrationUid: 'M', sourceNode: 'worker-0', targetNode: 'worker-1', targetPod: 'virt-launcher-vm1-tgt' };
const prepared: MigrationState = { ...handedOff, targetNodeAddress: '192.168.126.52' };
const started: MigrationState = { ...prepared, startTimestamp: '2026-03-01T10:00:01Z', mode: 'PreCopy' };
const completed: MigrationState = { ...started, completed: true, endTimestamp: '2026-03-01T10:00:04Z' };

const failed = (message: string, extra: Partial<MigrationStep> = {}): MigrationStep => ({ phase: 'Failed', event: { type: 'Warning', reason: 'FailedMigration', message }, ...extra });

test('local migration phase machine: one step per call', () => {
  const rows: [string, MigrationFacts, MigrationStep][] = [
    ['new → Pending', { migration: mig(''), vmi: vmi(), otherMigrationActive: false }, { phase: 'Pending' }],
    ['new while another runs → Failed', { migration: mig(''), vmi: vmi({ migrationUid: 'OTHER' }), otherMigrationActive: true },
      failed('VMI is not eligible for migration because another migration job is in progress.')],
    ['Pending, no target pod yet', { migration: mig('Pending'), vmi: vmi(), otherMigrationActive: false }, { phase: 'Pending' }],
    ['Pending → Scheduling once the target pod exists', { migration: mig('Pending'), vmi: vmi(), targetPod: pod('pending'), otherMigrationActive: false }, { phase: 'Scheduling' }],
    ['Scheduling, target pod not running', { migration: mig('Scheduling'), vmi: vmi(), targetPod: pod('pending'), otherMigrationActive: false }, { phase: 'Scheduling' }],
    ['Scheduling → Scheduled once the target runs', { migration: mig('Scheduling'), vmi: vmi(), targetPod: pod('running'), otherMigrationActive: false }, { phase: 'Scheduled' }],
    ['Scheduled, not handed off', { migration: mig('Scheduled'), vmi: vmi(), targetPod: pod('running'), otherMigrationActive: false }, { phase: 'Scheduled' }],
    ['Scheduled → PreparingTarget after handoff', { migration: mig('Scheduled'), vmi: vmi(handedOff), targetPod: pod('running'), otherMigrationActive: false }, { phase: 'PreparingTarget' }],
    ['PreparingTarget, no address yet', { migration: mig('PreparingTarget'), vmi: vmi(handedOff), targetPod: pod('running'), otherMigrationActive: false }, { phase: 'PreparingTarget' }],
    ['PreparingTarget → TargetReady', { migration: mig('PreparingTarget'), vmi: vmi(prepared), targetPod: pod('running'), otherMigrationActive: false }, { phase: 'TargetReady' }],
    ['TargetReady → Running', { migration: mig('TargetReady'), vmi: vmi(started), targetPod: pod('running'), otherMigrationActive: false }, { phase: 'Running' }],
    ['Running, transfer going on', { migration: mig('Running'), vmi: vmi(started), targetPod: pod('running'), otherMigrationActive: false }, { phase: 'Running' }],
    ['Running → Succeeded', { migration: mig('Running'), vmi: vmi(completed), targetPod: pod('running'), otherMigrationActive: false },
      { phase: 'Succeeded', event: { type: 'Normal', reason: 'SuccessfulMigration', message: 'Source node reported migration succeeded' } }],
    ['Running, completed but a hotplug is pending', { migration: mig('Running'), vmi: vmi(completed, { conditions: [{ type: 'MigrationRequired', status: 'True' }] }), targetPod: pod('running'), otherMigrationActive: false }, { phase: 'Running' }],
    ['final stays final', { migration: mig('Succeeded'), vmi: undefined, otherMigrationActive: false }, { phase: 'Succeeded' }],
  ];
  for (const [desc, facts, want] of rows) assert.deepEqual(nextMigrationStep(facts), want, desc);
});

test('failures, checked before progress', () => {
  const rows: [string, MigrationFacts, MigrationStep][] = [
    ['VMI gone', { migration: mig('Running'), vmi: undefined, otherMigrationActive: false }, failed('Migration failed because vmi does not exist.')],
    ['VMI shut down', { migration: mig('Scheduling'), vmi: vmi(undefined, { phase: 'Succeeded' }), targetPod: pod('running'), otherMigrationActive: false },
      failed('Migration failed vmi shutdown during migration.')],
    ['canceled before handoff', { migration: mig('Scheduling', { deleting: true }), vmi: vmi(), targetPod: pod('pending'), otherMigrationActive: false },
      failed('Migration failed due to being canceled', { abortRequested: true })],
    ['canceled before handoff, condition already there', { migration: mig('Pending', { deleting: true, abortCondition: true }), vmi: vmi(), otherMigrationActive: false },
      failed('Migration failed due to being canceled')],
    ['canceled after handoff: only the abort condition', { migration: mig('Running', { deleting: true }), vmi: vmi(started), targetPod: pod('running'), otherMigrationActive: false },
      { phase: 'Running', abortRequested: true }],
    ['canceled after handoff, abort reported', { migration: mig('Running', { deleting: true, abortCondition: true }), vmi: vmi({ ...started, abortRequested: true, abortStatus: 'Succeeded', completed: true, failed: true }), targetPod: pod('succeeded'), otherMigrationActive: false },
      failed('Migration failed because target pod shutdown during migration')],
    ['target pod finished', { migration: mig('Running'), vmi: vmi(started), targetPod: pod('failed'), otherMigrationActive: false }, failed('Migration failed because target pod shutdown during migration')],
    ['target pod removed', { migration: mig('Scheduled'), vmi: vmi(), otherMigrationActive: false }, failed('Migration target pod was removed during active migration.')],
    ['migration state cleared', { migration: mig('TargetReady'), vmi: vmi(), targetPod: pod('running'), otherMigrationActive: false }, failed("VMI's migration state was cleared during the active migration.")],
    ['migration state taken over', { migration: mig('Running'), vmi: vmi({ ...started, migrationUid: 'OTHER' }), targetPod: pod('running'), otherMigrationActive: false },
      failed("VMI's migration state was taken over by another migration job during active migration.")],
    ['source reported failure', { migration: mig('Running'), vmi: vmi({ ...started, completed: true, failed: true }), targetPod: pod('running'), otherMigrationActive: false },
      failed('source node reported migration failed')],
  ];
  for (const [desc, facts, want] of rows) assert.deepEqual(nextMigrationStep(facts), want, desc);
});

test('a launcher pod is ready for handoff when compute runs, whatever its Ready condition', () => {
  assert.equal(launcherPodReady(pod('running')), true);
  assert.equal(launcherPodReady(pod('pending')), false);
  assert.equal(launcherPodReady(pod('deleting')), false);
  assert.equal(launcherPodReady(pod('succeeded')), false);
});

function finished(name: string, minute: number, phase = 'Succeeded', deleting = false): KubeObject {
  return {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceMigration',
    metadata: { name, uid: name, creationTimestamp: `2026-03-01T10:${String(minute).padStart(2, '0')}:00Z`, ...(deleting ? { deletionTimestamp: '2026-03-01T11:00:00Z' } : {}) },
    spec: { vmiName: 'vm1' }, status: { phase },
  };
}

test('only the newest five finished migrations are kept', () => {
  const list = [finished('a', 1), finished('b', 2), finished('c', 3, 'Failed'), finished('d', 4), finished('e', 5), finished('f', 6), finished('g', 7), finished('run', 8, 'Running'), finished('gone', 0, 'Succeeded', true)];
  assert.deepEqual(migrationsToCollect(list).map((m) => m.metadata.name), ['a', 'b']);
  assert.deepEqual(migrationsToCollect(list.slice(0, 5)), []);
});

test('evacuation migrations back off after failures: 20 s, then doubling', () => {
  const evac = (name: string, minute: number, phase: string, failedAt?: string): KubeObject => ({
    ...finished(name, minute, phase),
    metadata: { ...finished(name, minute, phase).metadata, annotations: { 'kubevirt.io/evacuationMigration': 'worker-0' } },
    status: { phase, ...(failedAt ? { phaseTransitionTimestamps: [{ phase: 'Failed', phaseTransitionTimestamp: failedAt }] } : {}) },
  });
  const now = Date.parse('2026-03-01T10:10:05Z');
  /** Clock.elapsed at `now` on an unscaled clock. */
  const elapsed: Elapsed = (t) => now - t;
  const fresh = evac('new', 10, '');
  assert.equal(migrationBackoffSeconds(fresh, [fresh], elapsed), 0, 'no predecessor');
  const one = [evac('f1', 9, 'Failed', '2026-03-01T10:10:00Z'), fresh];
  assert.equal(migrationBackoffSeconds(fresh, one, elapsed), 15);
  const two = [evac('f0', 8, 'Failed', '2026-03-01T10:09:00Z'), ...one];
  assert.equal(migrationBackoffSeconds(fresh, two, elapsed), 35);
  const afterSuccess = [evac('f0', 8, 'Failed'), evac('ok', 8, 'Succeeded'), fresh];
  assert.equal(migrationBackoffSeconds(fresh, afterSuccess, elapsed), 0);
  const user = { ...fresh, metadata: { ...fresh.metadata, annotations: {} } };
  assert.equal(migrationBackoffSeconds(user, [...one, user], elapsed), 0, 'user migrations are not backed off');
});
