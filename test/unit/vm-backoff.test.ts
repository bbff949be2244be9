import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_START_BACKOFF_SECONDS, type VmiRunFacts, backoffSecondsLeft, failedEarly, nextStartFailure, startBackoffSeconds, wasEverRunning,
} from '../../sandbox/sim/controllers/vm/backoff.ts';
import type { Deadline } from '../../sandbox/sim/clock.ts';

const NOW = Date.parse('2026-03-01T10:00:00.400Z');
/** Clock.deadline, and Clock.simSecondsUntil at `now`, of an unscaled clock. */
const unscaled: Deadline = (from, s) => from + s * 1000;
const secondsUntilAt = (now: number) => (t: number): number => (t - now) / 1000;

describe('startBackoffSeconds: 10 s × n² + 0…half, capped at 300 s', () => {
  const bounds: [number, number, number][] = [[0, 10, 15], [1, 10, 15], [2, 40, 60], [3, 90, 135], [4, 160, 240], [5, 250, 300], [6, 300, 300], [20, 300, 300]];
  for (const [n, lo, hi] of bounds) {
    it(`failure ${n}: ${lo}..${hi} s for many VMs`, () => {
      for (let i = 0; i < 200; i++) {
        const d = startBackoffSeconds(n, `uid-${i}`);
        assert.ok(d >= lo && d <= hi, `${d} not in ${lo}..${hi}`);
        assert.ok(Number.isInteger(d));
      }
    });
  }

  it('is the same for the same VM and count, and spreads across VMs', () => {
    assert.equal(startBackoffSeconds(2, 'a'), startBackoffSeconds(2, 'a'));
    const values = new Set(Array.from({ length: 50 }, (_, i) => startBackoffSeconds(2, `vm-${i}`)));
    assert.ok(values.size > 5, 'jitter differs between VMs');
  });

  it('caps at the max delay', () => {
    assert.equal(MAX_START_BACKOFF_SECONDS, 300);
    assert.equal(startBackoffSeconds(100, 'x'), 300);
  });
});

const early = (uid: string, phase = 'Failed'): VmiRunFacts => ({ uid, phase, phaseTransitionTimestamps: [{ phase: 'Pending' }, { phase: 'Scheduling' }, { phase }] });
const ran = (uid: string, phase = 'Failed'): VmiRunFacts => ({ uid, phase, phaseTransitionTimestamps: [{ phase: 'Pending' }, { phase: 'Running' }, { phase }] });

describe('start failures', () => {
  it('wasEverRunning / failedEarly use the phase history', () => {
    assert.equal(wasEverRunning(ran('a')), true);
    assert.equal(wasEverRunning(early('a')), false);
    assert.equal(failedEarly(early('a')), true);
    assert.equal(failedEarly(ran('a')), false);
    assert.equal(failedEarly({ uid: 'a', phase: 'Scheduling', phaseTransitionTimestamps: [] }), false, 'not final yet');
  });

  it('counts a new early failure once, with the retry time from the formula', () => {
    const sf = nextStartFailure(undefined, 'Always', early('v1'), 'vm-uid', NOW, unscaled)!;
    assert.equal(sf.consecutiveFailCount, 1);
    assert.equal(sf.lastFailedVMIUID, 'v1');
    assert.equal(sf.retryAfterTimestamp, new Date(Date.parse('2026-03-01T10:00:00Z') + startBackoffSeconds(1, 'vm-uid') * 1000).toISOString().replace('.000', ''));
    assert.equal(nextStartFailure(sf, 'Always', early('v1'), 'vm-uid', NOW + 5000, unscaled), sf, 'the same VMI is not counted twice');
    const second = nextStartFailure(sf, 'Always', early('v2'), 'vm-uid', NOW, unscaled)!;
    assert.equal(second.consecutiveFailCount, 2);
  });

  it('keeps the record while no VMI exists, clears it when a VMI reached Running or the strategy never restarts', () => {
    const sf = nextStartFailure(undefined, 'RerunOnFailure', early('v1'), 'vm', NOW, unscaled)!;
    assert.equal(nextStartFailure(sf, 'RerunOnFailure', undefined, 'vm', NOW, unscaled), sf);
    assert.equal(nextStartFailure(sf, 'Always', { uid: 'v2', phase: 'Running', phaseTransitionTimestamps: [{ phase: 'Running' }] }, 'vm', NOW, unscaled), undefined);
    assert.equal(nextStartFailure(sf, 'Manual', undefined, 'vm', NOW, unscaled), undefined);
    assert.equal(nextStartFailure(sf, 'Halted', early('v3'), 'vm', NOW, unscaled), undefined);
    assert.equal(nextStartFailure(undefined, 'Once', early('v1'), 'vm', NOW, unscaled)?.consecutiveFailCount, 1);
    assert.equal(nextStartFailure(undefined, 'Always', ran('v1'), 'vm', NOW, unscaled), undefined, 'a VMI that ran is no start failure');
  });

  it('backoffSecondsLeft counts whole seconds', () => {
    const sf = { consecutiveFailCount: 1, lastFailedVMIUID: 'v', retryAfterTimestamp: '2026-03-01T10:00:12Z' };
    assert.equal(backoffSecondsLeft(sf, secondsUntilAt(NOW)), 12);
    assert.equal(backoffSecondsLeft(sf, secondsUntilAt(Date.parse('2026-03-01T10:00:11.900Z'))), 1);
    assert.equal(backoffSecondsLeft(sf, secondsUntilAt(Date.parse('2026-03-01T10:00:12.100Z'))), 0);
    assert.equal(backoffSecondsLeft(undefined, secondsUntilAt(NOW)), 0);
  });
});
