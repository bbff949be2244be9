import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type PrintableFacts, type PrintableVmi, PRINTABLE_STATUS_RULES, derivePrintableStatus } from '../../sandbox/sim/controllers/vm/printable-status.ts';

const NOW = Date.parse('2026-03-01T10:00:00Z');

function facts(over: Partial<PrintableFacts> = {}): PrintableFacts {
  return {
    now: NOW, vmDeleting: false, vmi: undefined, startExpected: false, stopExpected: false, strategy: 'Always', startFailureCount: 0,
    setToStart: true, dataVolumeError: false, dataVolumeProvisioning: false, pvcUnbound: false, ...over,
  };
}

function vmi(phase: string, over: Partial<PrintableVmi> = {}): PrintableVmi {
  return { phase, deleting: false, conditions: [], ...over };
}

const cond = (type: string, status: string, reason?: string) => ({ type, status, ...(reason ? { reason } : {}) });

describe('printableStatus rule table (reference §1.4)', () => {
  it('is ordered as in KubeVirt', () => {
    assert.deepEqual(PRINTABLE_STATUS_RULES.map((r) => r.status), [
      'Terminating', 'Stopping', 'Migrating', 'Paused', 'Running', 'ErrorPvcNotFound', 'DataVolumeError', 'ErrorUnschedulable', 'Provisioning',
      'WaitingForVolumeBinding', 'ErrImagePull', 'ImagePullBackOff', 'Starting', 'CrashLoopBackOff', 'Stopped', 'WaitingForReceiver',
    ]);
  });

  const rows: [string, Partial<PrintableFacts>, string][] = [
    ['VM being deleted wins over everything', { vmDeleting: true, vmi: vmi('Running', { deleting: true }) }, 'Terminating'],
    ['VMI being deleted', { vmi: vmi('Running', { deleting: true }) }, 'Stopping'],
    ['VMI deletion issued in this pass', { vmi: vmi('Running'), stopExpected: true }, 'Stopping'],
    ['final VMI being deleted is Stopped, not Stopping', { vmi: vmi('Failed', { deleting: true }) }, 'Stopped'],
    ['migration started', { vmi: vmi('Running', { migrationStart: NOW - 1000 }) }, 'Migrating'],
    ['migration ended', { vmi: vmi('Running', { migrationStart: NOW - 5000, migrationEnd: NOW - 1000 }) }, 'Running'],
    ['migration starting in the future', { vmi: vmi('Running', { migrationStart: NOW + 1000 }) }, 'Running'],
    ['paused', { vmi: vmi('Running', { conditions: [cond('Paused', 'True', 'PausedByUser')] }) }, 'Paused'],
    ['Paused=False is running', { vmi: vmi('Running', { conditions: [cond('Paused', 'False')] }) }, 'Running'],
    ['running', { vmi: vmi('Running') }, 'Running'],
    ['running, not ready (node down) is still Running', { vmi: vmi('Running', { conditions: [cond('Ready', 'False', 'PodTerminating')] }) }, 'Running'],
    ['PVC not found', { vmi: vmi('Pending', { conditions: [cond('Synchronized', 'False', 'FailedPvcNotFound')] }) }, 'ErrorPvcNotFound'],
    ['DataVolume error', { vmi: vmi('Pending'), dataVolumeError: true }, 'DataVolumeError'],
    ['unschedulable', { vmi: vmi('Scheduling', { conditions: [cond('PodScheduled', 'False', 'Unschedulable')] }) }, 'ErrorUnschedulable'],
    ['provisioning', { vmi: undefined, dataVolumeProvisioning: true }, 'Provisioning'],
    ['unbound PVC when set to start', { vmi: undefined, pvcUnbound: true }, 'WaitingForVolumeBinding'],
    ['unbound PVC when not set to start', { vmi: undefined, pvcUnbound: true, setToStart: false, strategy: 'Halted' }, 'Stopped'],
    ['ErrImagePull', { vmi: vmi('Scheduled', { conditions: [cond('Synchronized', 'False', 'ErrImagePull')] }) }, 'ErrImagePull'],
    ['ImagePullBackOff', { vmi: vmi('Scheduled', { conditions: [cond('Synchronized', 'False', 'ImagePullBackOff')] }) }, 'ImagePullBackOff'],
    ['creation issued in this pass', { vmi: undefined, startExpected: true }, 'Starting'],
    ['phase unset', { vmi: vmi('') }, 'Starting'],
    ['Pending', { vmi: vmi('Pending') }, 'Starting'],
    ['Scheduling', { vmi: vmi('Scheduling') }, 'Starting'],
    ['Scheduled', { vmi: vmi('Scheduled') }, 'Starting'],
    ['no VMI, backing off (Always)', { vmi: undefined, startFailureCount: 1 }, 'CrashLoopBackOff'],
    ['final VMI, backing off (RerunOnFailure)', { vmi: vmi('Failed'), startFailureCount: 2, strategy: 'RerunOnFailure' }, 'CrashLoopBackOff'],
    ['Once with a start failure', { vmi: vmi('Failed'), startFailureCount: 1, strategy: 'Once' }, 'CrashLoopBackOff'],
    ['Manual with a leftover count', { vmi: undefined, startFailureCount: 1, strategy: 'Manual' }, 'Stopped'],
    ['no VMI', { vmi: undefined }, 'Stopped'],
    ['Failed VMI', { vmi: vmi('Failed') }, 'Stopped'],
    ['Succeeded VMI', { vmi: vmi('Succeeded') }, 'Stopped'],
    ['receiver waiting for sync', { vmi: vmi('WaitingForSync'), strategy: 'WaitAsReceiver' }, 'WaitingForReceiver'],
    ['nothing matches', { vmi: vmi('Unknown') }, 'Unknown'],
  ];
  for (const [name, over, want] of rows) it(name, () => assert.equal(derivePrintableStatus(facts(over)), want));
});
