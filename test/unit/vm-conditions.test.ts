import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type Condition, readyCondition, setRestartRequired, syncConditions, updateCondition } from '../../sandbox/sim/controllers/vm/conditions.ts';

const T0 = '2026-03-01T10:00:00Z';
const T1 = '2026-03-01T10:05:00Z';

describe('VM conditions', () => {
  it('Ready without a VMI: VMINotExists', () => {
    assert.deepEqual(readyCondition(undefined, false, T0), {
      type: 'Ready', status: 'False', reason: 'VMINotExists', message: 'VMI does not exist', lastProbeTime: T0, lastTransitionTime: T0,
    });
  });

  it('Ready with a VMI lacking it: VMIConditionMissing', () => {
    const c = readyCondition([], true, T0);
    assert.deepEqual([c.status, c.reason, c.message], ['False', 'VMIConditionMissing', 'VMI is missing the Ready condition']);
  });

  it('Ready copied from the VMI', () => {
    const vmiReady: Condition = { type: 'Ready', status: 'False', reason: 'PodTerminating', message: 'virt-launcher pod is terminating', lastProbeTime: null, lastTransitionTime: T0 };
    assert.deepEqual(syncConditions([], { conditions: [vmiReady] }, undefined, T1), [vmiReady]);
  });

  it('updateCondition keeps timestamps while status and reason are the same', () => {
    const first = syncConditions([], undefined, undefined, T0);
    const again = syncConditions(first, undefined, undefined, T1);
    assert.deepEqual(again, first);
    assert.equal(updateCondition(first, { type: 'Ready', status: 'False', reason: 'VMINotExists', message: 'changed' })[0].message, 'VMI does not exist');
  });

  it('mirrors every other VMI condition and drops those the VMI no longer has', () => {
    const vm: Condition[] = [
      { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: T0 },
      { type: 'AgentConnected', status: 'True', lastProbeTime: null, lastTransitionTime: T0 },
      { type: 'RestartRequired', status: 'True', lastProbeTime: null, lastTransitionTime: T0, message: 'x' },
    ];
    const vmiConds: Condition[] = [
      { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: T0 },
      { type: 'LiveMigratable', status: 'False', reason: 'InterfaceNotLiveMigratable', message: 'cannot migrate', lastProbeTime: null, lastTransitionTime: null },
    ];
    const out = syncConditions(vm, { conditions: vmiConds }, undefined, T1);
    assert.deepEqual(out.map((c) => c.type), ['Ready', 'RestartRequired', 'LiveMigratable']);
    assert.equal(out[2].reason, 'InterfaceNotLiveMigratable');
  });

  it('keeps mirrored conditions when no VMI exists (as KubeVirt does)', () => {
    const vm: Condition[] = [{ type: 'LiveMigratable', status: 'True', lastProbeTime: null, lastTransitionTime: null }];
    assert.deepEqual(syncConditions(vm, undefined, undefined, T0).map((c) => c.type), ['LiveMigratable', 'Ready']);
  });

  it('Failure from a sync error, removed once the pass succeeds', () => {
    const failed = syncConditions([], undefined, { reason: 'FailedCreate', message: 'Failure while starting VMI: boom' }, T0);
    const f = failed.find((c) => c.type === 'Failure')!;
    assert.deepEqual(f, { type: 'Failure', status: 'True', lastProbeTime: null, lastTransitionTime: T0, reason: 'FailedCreate', message: 'Failure while starting VMI: boom' });
    assert.equal(syncConditions(failed, undefined, undefined, T1).find((c) => c.type === 'Failure'), undefined);
  });

  it('RestartRequired carries KubeVirt\'s message', () => {
    assert.deepEqual(setRestartRequired([], T0), [{
      type: 'RestartRequired', status: 'True', lastProbeTime: null, lastTransitionTime: T0, message: 'a non-live-updatable field was changed in the template spec',
    }]);
  });
});
