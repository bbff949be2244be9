import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  type StateChangeRequest, type StrategyAction, type VmiFacts, decideRunStrategyAction, effectiveRunStrategy, firstRequestDone, hasStartPausedRequest,
  isSetToStart,
} from '../../sandbox/sim/controllers/vm/strategy.ts';

describe('effectiveRunStrategy', () => {
  const cases: [string, Record<string, unknown>, ReturnType<typeof effectiveRunStrategy>][] = [
    ['running true', { running: true }, { strategy: 'Always' }],
    ['running false', { running: false }, { strategy: 'Halted' }],
    ['runStrategy', { runStrategy: 'Manual' }, { strategy: 'Manual' }],
    ['neither', {}, { strategy: 'Halted' }],
    ['running null, runStrategy set', { running: null, runStrategy: 'Once' }, { strategy: 'Once' }],
    ['both', { running: true, runStrategy: 'Always' }, { error: 'running and runstrategy are mutually exclusive' }],
  ];
  for (const [name, spec, want] of cases) it(name, () => assert.deepEqual(effectiveRunStrategy(spec), want));
});

const vmi = (phase: string, deleting = false, uid = 'u1'): VmiFacts => ({ uid, phase, deleting });
const start: StateChangeRequest = { action: 'Start' };
const stop = (uid = 'u1'): StateChangeRequest => ({ action: 'Stop', uid });

describe('decideRunStrategyAction (reference §1.3)', () => {
  const none: StrategyAction = { kind: 'none' };
  const create: StrategyAction = { kind: 'create' };
  const del: StrategyAction = { kind: 'delete', requestStart: false };
  const rows: [string, string, VmiFacts | undefined, StateChangeRequest[], StrategyAction, { recorded?: string; backoff?: number }?][] = [
    // Always
    ['Always, no VMI', 'Always', undefined, [], create],
    ['Always, no VMI, backing off', 'Always', undefined, [], { kind: 'wait', seconds: 12 }, { backoff: 12 }],
    ['Always, running', 'Always', vmi('Running'), [], none],
    ['Always, Failed', 'Always', vmi('Failed'), [], del],
    ['Always, Succeeded', 'Always', vmi('Succeeded'), [], del],
    ['Always, Stop for this VMI', 'Always', vmi('Running'), [stop(), start], del],
    ['Always, Stop for another VMI', 'Always', vmi('Running'), [stop('other')], none],
    ['Always, Failed and already deleting', 'Always', vmi('Failed', true), [], none],
    ['Always, Start request while running', 'Always', vmi('Running'), [start], none],
    // RerunOnFailure
    ['RerunOnFailure, first start', 'RerunOnFailure', undefined, [], create, { recorded: '' }],
    ['RerunOnFailure, switched from Manual', 'RerunOnFailure', undefined, [], create, { recorded: 'Manual' }],
    ['RerunOnFailure, stopped', 'RerunOnFailure', undefined, [], none, { recorded: 'RerunOnFailure' }],
    ['RerunOnFailure, Start request', 'RerunOnFailure', undefined, [start], create, { recorded: 'RerunOnFailure' }],
    ['RerunOnFailure, Start request, backing off', 'RerunOnFailure', undefined, [start], { kind: 'wait', seconds: 40 }, { recorded: 'RerunOnFailure', backoff: 40 }],
    ['RerunOnFailure, Failed', 'RerunOnFailure', vmi('Failed'), [], { kind: 'delete', requestStart: true }],
    ['RerunOnFailure, Succeeded', 'RerunOnFailure', vmi('Succeeded'), [], del],
    ['RerunOnFailure, Stop for this VMI', 'RerunOnFailure', vmi('Running'), [stop()], del],
    ['RerunOnFailure, Failed and deleting', 'RerunOnFailure', vmi('Failed', true), [], none],
    ['RerunOnFailure, running', 'RerunOnFailure', vmi('Running'), [], none],
    // Manual
    ['Manual, no VMI', 'Manual', undefined, [], none],
    ['Manual, Start request', 'Manual', undefined, [start], create],
    ['Manual, Failed stays', 'Manual', vmi('Failed'), [], none],
    ['Manual, Succeeded stays', 'Manual', vmi('Succeeded'), [], none],
    ['Manual, Stop for this VMI', 'Manual', vmi('Running'), [stop()], del],
    ['Manual, Stop+Start on a final VMI', 'Manual', vmi('Failed'), [stop(), start], del],
    ['Manual, Start while a final VMI exists', 'Manual', vmi('Failed'), [start], none],
    // Halted
    ['Halted, no VMI', 'Halted', undefined, [], none],
    ['Halted, running', 'Halted', vmi('Running'), [], del],
    ['Halted, Failed', 'Halted', vmi('Failed'), [], del],
    ['Halted, Succeeded', 'Halted', vmi('Succeeded'), [], del],
    ['Halted, Stop request', 'Halted', vmi('Running'), [stop()], del],
    ['Halted, Start request (paused start)', 'Halted', undefined, [{ action: 'Start', data: { paused: 'true' } }], { kind: 'switchToAlways' }],
    // Once
    ['Once, no VMI', 'Once', undefined, [], create],
    ['Once, Failed stays', 'Once', vmi('Failed'), [], none],
    ['Once, Succeeded stays', 'Once', vmi('Succeeded'), [], none],
    ['Once, Stop request ignored', 'Once', vmi('Running'), [stop()], none],
    // Unknown
    ['unknown strategy', 'Sometimes', undefined, [], { kind: 'error', message: 'unknown runstrategy: Sometimes' }],
  ];
  for (const [name, strategy, v, requests, want, opts] of rows) {
    it(name, () => {
      assert.deepEqual(decideRunStrategyAction({ strategy, vmi: v, requests, recordedStrategy: opts?.recorded ?? strategy, backoffSecondsLeft: opts?.backoff ?? 0 }), want);
    });
  }
});

describe('firstRequestDone', () => {
  const rows: [string, StateChangeRequest[], VmiFacts | undefined, boolean][] = [
    ['no requests', [], undefined, false],
    ['Stop, no VMI', [stop()], undefined, true],
    ['Stop, same VMI', [stop()], vmi('Running'), false],
    ['Stop, other VMI', [stop('old')], vmi('Running'), true],
    ['Stop without uid', [{ action: 'Stop' }], vmi('Running'), true],
    ['Start, no VMI', [start], undefined, false],
    ['Start, VMI pending', [start], vmi('Pending'), true],
    ['Start, VMI final', [start], vmi('Failed'), false],
    ['Start, VMI deleting', [start], vmi('Running', true), false],
    ['only the first counts', [start, stop()], undefined, false],
  ];
  for (const [name, reqs, v, want] of rows) it(name, () => assert.equal(firstRequestDone(reqs, v), want));
});

describe('helpers', () => {
  it('hasStartPausedRequest looks at the first request only', () => {
    assert.equal(hasStartPausedRequest([{ action: 'Start', data: { paused: 'true' } }]), true);
    assert.equal(hasStartPausedRequest([{ action: 'Start' }]), false);
    assert.equal(hasStartPausedRequest([stop(), { action: 'Start', data: { paused: 'true' } }]), false);
  });

  it('isSetToStart', () => {
    assert.equal(isSetToStart('Always', undefined, [], ''), true);
    assert.equal(isSetToStart('Halted', undefined, [start], ''), false);
    assert.equal(isSetToStart('Manual', undefined, [start], ''), true);
    assert.equal(isSetToStart('Manual', vmi('Running'), [stop()], ''), false);
    assert.equal(isSetToStart('RerunOnFailure', vmi('Succeeded'), [], ''), false);
    assert.equal(isSetToStart('RerunOnFailure', undefined, [], 'RerunOnFailure'), false);
    assert.equal(isSetToStart('Once', undefined, [], ''), true);
    assert.equal(isSetToStart('Once', vmi('Running'), [], ''), false);
  });
});
